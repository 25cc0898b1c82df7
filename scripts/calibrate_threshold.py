"""Calibrate the "no confident match" threshold and print the numbers behind it.

    python scripts/calibrate_threshold.py [--eval-dir ../shared/eval] [--method hybrid] [--target 0.97]

For each choice of embedded FAQ text (question, question+answer), every query is
searched with ``--method`` and the cosine score of its best hit is kept.

* Fit: the threshold is the highest value, in steps of 0.01, at which at least
  ``--target`` of the in-domain dev queries of the external sets (covidfaq and
  stackfaq, pooled) keep a confident best hit. The out-of-domain questions of
  scripts/ood_questions.txt, searched against every FAQ set, show what that costs.
* Check (not used for fitting): the Medicare paraphrases and out-of-domain
  questions of tests/data/medicare_paraphrases.jsonl.

Paste the printed ``THRESHOLDS`` line into faq_engine/search/engine.py.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from faq_engine.embedders.factory import local_embedder  # noqa: E402
from faq_engine.embedders.memo import MemoEmbedder  # noqa: E402
from faq_engine.evaluation.runner import read_queries  # noqa: E402
from faq_engine.faqs.loader import load_faqs  # noqa: E402
from faq_engine.search.engine import SearchEngine  # noqa: E402
from faq_engine.settings import DEFAULT_METHOD, FIELDS_CHOICES, METHOD_CHOICES, Settings  # noqa: E402

EXTERNAL = ("covidfaq", "stackfaq")
OOD_FILE = ROOT / "scripts" / "ood_questions.txt"
PARAPHRASES = ROOT / "tests" / "data" / "medicare_paraphrases.jsonl"
GRID = np.round(np.arange(0.30, 0.6001, 0.01), 2)


def top_scores(engine: SearchEngine, queries: list[str]) -> np.ndarray:
    """The cosine score of each query's best hit under the engine's method."""
    return np.array([hits[0].similarity for hits in engine.search_batch(queries, 1)], dtype=np.float32)


def fit(in_domain: np.ndarray, target: float) -> float:
    """The highest grid value keeping at least ``target`` of the in-domain scores confident."""
    ok = [t for t in GRID if np.mean(in_domain >= t) >= target]
    return float(max(ok)) if ok else float(GRID[0])


def ood_questions() -> list[str]:
    lines = OOD_FILE.read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def calibrate(fields: str, method: str, eval_dir: Path, target: float, embedder) -> float:
    ood = ood_questions()
    banks, inside, outside = {}, {}, {}
    for name in EXTERNAL:
        faqs = load_faqs(eval_dir / name / "faqs.jsonl", embedder, fields=fields)
        banks[name] = SearchEngine(faqs, embedder, method=method)
        queries = [q.query for q in read_queries(str(eval_dir / name / "queries-dev.jsonl"))]
        inside[name] = top_scores(banks[name], queries)
    banks["medicare"] = SearchEngine(load_faqs("medicare", embedder, fields=fields), embedder, method=method)
    for name, engine in banks.items():
        outside[name] = top_scores(engine, ood)
    pooled = np.concatenate([inside[n] for n in EXTERNAL])
    chosen = fit(pooled, target)

    print(f"\n== embedded text: {fields}, method: {method}; best-hit cosine, fit on {len(pooled)} in-domain dev queries")
    print("  t     " + "  ".join(f"conf:{n[:5]}" for n in EXTERNAL) + "  conf:pooled  "
          + "  ".join(f"OODrej:{n[:5]}" for n in banks))
    for t in GRID:
        mark = " <" if math.isclose(t, chosen) else ""
        print(f"  {t:.2f}  " + "  ".join(f"{np.mean(inside[n] >= t):10.3f}" for n in EXTERNAL)
              + f"  {np.mean(pooled >= t):11.3f}  " + "  ".join(f"{np.mean(outside[n] < t):12.3f}" for n in banks) + mark)
    worst = max((float(s), q, n) for n in banks for q, s in zip(ood, outside[n]))
    print(f"  chosen threshold {chosen:.2f}; highest out-of-domain best-hit score {worst[0]:.3f} "
          f"({worst[1]!r} on {worst[2]})")

    labelled = read_queries(str(PARAPHRASES))
    scores = top_scores(banks["medicare"], [q.query for q in labelled])
    dom = np.array([q.in_domain for q in labelled])
    print(f"  check on Medicare paraphrases at {chosen:.2f}: in-domain confident "
          f"{np.mean(scores[dom] >= chosen):.3f} ({int(dom.sum())}), out-of-domain rejected "
          f"{np.mean(scores[~dom] < chosen):.3f} ({int((~dom).sum())})")
    return chosen


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--eval-dir", type=Path, default=ROOT.parent / "shared" / "eval")
    parser.add_argument("--method", choices=METHOD_CHOICES, default=DEFAULT_METHOD)
    parser.add_argument("--target", type=float, default=0.97, help="share of in-domain dev queries to keep confident")
    args = parser.parse_args()
    if not all((args.eval_dir / n / "queries-dev.jsonl").is_file() for n in EXTERNAL):
        parser.error(f"{args.eval_dir} does not hold {' and '.join(EXTERNAL)} (faqs.jsonl, queries-dev.jsonl)")
    embedder = MemoEmbedder(local_embedder(Settings.from_env(os.environ)))
    chosen = {f: calibrate(f, args.method, args.eval_dir, args.target, embedder) for f in FIELDS_CHOICES}
    print("\nTHRESHOLDS = {" + ", ".join(f'"{f}": {t:.2f}' for f, t in chosen.items()) + "}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
