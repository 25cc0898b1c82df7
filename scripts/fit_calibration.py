"""Fit the calibration behind each hit's ``match`` and write faq_engine/search/calibration.json.

    python -m scripts.fit_calibration [--eval-dir ../shared/eval] [--check]

For every ranking (method x embedded text), the dev questions of three FAQ sets are searched:
the Medicare paraphrases (tests/data/medicare_paraphrases.jsonl, with its out-of-domain
questions) and the dev halves of covidfaq and stackfaq (../shared/eval), each also asked the
out-of-domain questions of scripts/ood_questions.txt. Each set is searched whole and with half
its FAQs removed (two seeded halves): a question whose answer was removed is on topic but
unanswerable, as visitors' questions often are. :func:`faq_engine.evaluation.calibration_fit.fit`
fits the regressions on them all, the sets weighing alike, and chooses the threshold of
"confident". The script prints, per set, what the fit gives on the questions it was fitted on
(``benchmarks/match_loso.py`` gives the held-out figures). ``--check`` prints without writing.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
from pathlib import Path

import numpy as np

from faq_engine.embedders.factory import local_embedder
from faq_engine.embedders.memo import MemoEmbedder
from faq_engine.evaluation.calibration_fit import SHOWN, Searched, fit, score
from faq_engine.evaluation.runner import read_queries
from faq_engine.faqs.faqset import FaqSet
from faq_engine.faqs.loader import load_faqs
from faq_engine.search.match import DATA_FILE, FEATURES, key
from faq_engine.search.memory import MemoryEngine
from faq_engine.settings import FIELDS_CHOICES, METHOD_CHOICES, MODEL_ID, Settings

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "faq_engine" / "search" / DATA_FILE
OOD_FILE = ROOT / "scripts" / "ood_questions.txt"


def dev_sets(eval_dir: Path) -> dict[str, tuple]:
    """name -> (FAQ source, [(question, relevant ids)]) for the three dev sets, out-of-domain questions included."""
    ood = [line.strip() for line in OOD_FILE.read_text(encoding="utf-8").splitlines()
           if line.strip() and not line.startswith("#")]
    sets = {"medicare": ("medicare", [(q.query, q.relevant) for q in read_queries(
        str(ROOT / "tests" / "data" / "medicare_paraphrases.jsonl"))])}
    for name in ("covidfaq", "stackfaq"):
        labelled = read_queries(str(eval_dir / name / "queries-dev.jsonl"))
        sets[name] = (eval_dir / name / "faqs.jsonl", [(q.query, q.relevant) for q in labelled] + [(q, ()) for q in ood])
    return sets


def variants(faqs: FaqSet) -> list[tuple[FaqSet, bool]]:
    """The set whole, and with half its FAQs removed (two seeded halves): ``(faqs, whole)``."""
    out = [(faqs, True)]
    for seed in (0, 1):
        keep = sorted(random.Random(seed).sample(range(len(faqs)), len(faqs) // 2))
        out.append((FaqSet(faqs.name, [faqs.entries[i] for i in keep], faqs.embeddings[keep], faqs.model_id,
                           faqs.fields), False))
    return out


def searched(engine: MemoryEngine, questions: list, whole: bool) -> Searched:
    """The questions searched by ``engine``: their first ``SHOWN + 1`` hits' scores and which ones are right."""
    results = engine.search_batch([q for q, _ in questions], SHOWN + 1)
    present = set(engine.faqs.entries.column("id"))
    scores = np.zeros((len(results), SHOWN + 1))
    right = np.zeros((len(results), SHOWN))
    for i, (hits, (_, relevant)) in enumerate(zip(results, questions)):
        scores[i, : len(hits)] = [h.score for h in hits]
        right[i, : min(SHOWN, len(hits))] = [h.id in relevant for h in hits[:SHOWN]]
    return Searched(scores, np.array([len(h) for h in results]), right,
                    np.array([bool(set(r) & present) for _, r in questions]), whole)


def collect(method: str, fields: str, sets: dict, embedder) -> dict[str, list[Searched]]:
    """Every dev set searched by one ranking, whole and halved."""
    out = {}
    for name, (source, questions) in sets.items():
        faqs = load_faqs(str(source), embedder, fields=fields)
        out[name] = [searched(MemoryEngine(f, embedder, method=method), questions, whole) for f, whole in variants(faqs)]
    return out


def report(label: str, calibration, data: dict[str, list[Searched]]) -> None:
    b, o = calibration.best, calibration.others
    print(f"\n== {label}: best hit sigmoid({b.weights[0]:.2f} * score + {b.weights[1]:.2f} * margin + {b.bias:.2f}); "
          f"others sigmoid({o.weights[0]:.2f} * score + {o.weights[1]:.2f} * margin + {o.weights[2]:.2f} * lead + "
          f"{o.bias:.2f}); confident at {calibration.threshold:.2f}")
    print(f"  {'set':<10} {'top-1':>6} {'ECE@1':>6} {'ECE@5':>6} {'right|conf':>10} {'covers':>7} {'removed: conf':>14}")
    for name, lists in data.items():
        s, whole = score(calibration, lists), lists[0]
        print(f"  {name:<10} {whole.right[whole.answerable, 0].mean():6.3f} {s['ece1']:6.3f} {s['ece5']:6.3f} "
              f"{s['precision']:10.3f} {s['coverage']:7.3f} {s['removed_confident']:14.3f}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--eval-dir", type=Path, default=ROOT.parent / "shared" / "eval")
    parser.add_argument("--check", action="store_true", help="print the fit without writing it")
    args = parser.parse_args()
    if not all((args.eval_dir / n / "queries-dev.jsonl").is_file() for n in ("covidfaq", "stackfaq")):
        parser.error(f"{args.eval_dir} does not hold covidfaq and stackfaq (faqs.jsonl, queries-dev.jsonl)")
    embedder = MemoEmbedder(local_embedder(Settings.from_env(os.environ)))
    sets = dev_sets(args.eval_dir)
    fits = {}
    for fields in FIELDS_CHOICES:
        for method in METHOD_CHOICES:
            data = collect(method, fields, sets, embedder)
            calibration = fit(data)
            report(f"{key(method, fields)} (on the questions it was fitted on)", calibration, data)
            fits[key(method, fields)] = calibration.to_dict()
    table = {"model_id": MODEL_ID, "fitted_by": "scripts/fit_calibration.py", "features": list(FEATURES),
             "calibrations": fits}
    if not args.check:
        OUT.write_text(json.dumps(table, indent=2) + "\n", encoding="utf-8")
        print(f"\nwrote {OUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
