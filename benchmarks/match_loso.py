"""How trustworthy ``match`` is on FAQ sets it was not fitted on: each dev set held out in turn.

    python -m benchmarks.match_loso [--eval-dir ../shared/eval] [--ranking hybrid/both]

The three dev sets of scripts/fit_calibration.py (the Medicare paraphrases, the dev halves of
covidfaq and stackfaq, with out-of-domain questions), each searched whole and with half its FAQs
removed. For each set, the shipped fitting procedure (faq_engine/evaluation/calibration_fit.py)
is run on the two others, threshold included, and scored on it: top-1 ECE and ECE over the 5
shown hits (10 bins; a question no shown FAQ answers counts as wrong), the precision of
"confident" best hits and their coverage of the answerable questions, and how often a question
whose answer was removed still gets a confident best hit; again with the fit made on the whole
sets only, as it was before the halved sets joined it. Then the same fitted on all three
(what ships: not held out), and the ceiling: the most any threshold on the procedure fitted to
the set itself covers at 90% precision.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

import numpy as np

from faq_engine.embedders.factory import local_embedder
from faq_engine.embedders.memo import MemoEmbedder
from faq_engine.evaluation.calibration_fit import Searched, fit, score
from faq_engine.search.match import CONFIDENT_PRECISION, Calibration
from faq_engine.settings import DEFAULT_FIELDS, DEFAULT_METHOD, Settings
from scripts.fit_calibration import collect, dev_sets

ROOT = Path(__file__).resolve().parents[1]


def ceiling(calibration: Calibration, whole: Searched) -> float:
    """The largest share of answerable questions a threshold on ``calibration`` covers with 90% precision."""
    top = whole.best_matches(calibration)
    order = np.argsort(-top, kind="stable")
    right = whole.right[order, 0]
    precise = np.cumsum(right) / np.arange(1, len(right) + 1) >= CONFIDENT_PRECISION
    covered = np.cumsum(right * whole.answerable[order]) / max(1, whole.answerable.sum())
    return float(covered[precise].max()) if precise.any() else 0.0


def row(name: str, s: dict, extra: str = "") -> str:
    return (f"  {name:<9} {s['ece1']:6.3f} {s['ece5']:6.3f} {s['precision']:9.3f} {s['coverage']:6.3f} "
            f"{s['removed_confident']:14.3f}{extra}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--eval-dir", type=Path, default=ROOT.parent / "shared" / "eval")
    parser.add_argument("--ranking", default=f"{DEFAULT_METHOD}/{DEFAULT_FIELDS}", help="method/fields")
    args = parser.parse_args()
    method, fields = args.ranking.split("/", 1)
    embedder = MemoEmbedder(local_embedder(Settings.from_env(os.environ)))
    data = collect(method, fields, dev_sets(args.eval_dir), embedder)
    header = f"  {'set':<9} {'ECE@1':>6} {'ECE@5':>6} {'right|conf':>9} {'covers':>6} {'removed: conf':>14}"
    print(f"ranking {args.ranking}; targets: ECE <= 0.05, right|conf >= {CONFIDENT_PRECISION} at covers >= 0.5, "
          "removed: conf <= 0.25")
    for label, lists_of in (("", lambda lists: lists), (" on whole sets only (not halved)", lambda lists: lists[:1])):
        print(f"\n== held out: fitted on the two other sets{label}, threshold included")
        print(header + f" {'threshold':>9}")
        for held in data:
            calibration = fit({name: lists_of(lists) for name, lists in data.items() if name != held})
            print(row(held, score(calibration, data[held]), f" {calibration.threshold:9.2f}"))
    shipped = fit(data)
    print(f"\n== fitted on all three (what ships; not held out), confident at {shipped.threshold:.2f}")
    print(header + f" {'ceiling':>9}")
    for name, lists in data.items():
        own = fit({name: lists})
        print(row(name, score(shipped, lists), f" {ceiling(own, lists[0]):9.3f}"))
    print("  ceiling: the most a threshold covers at 90% precision, the fit made on the set itself")


if __name__ == "__main__":
    main()
