"""Fit the calibration behind each hit's ``match`` and write faq_engine/search/calibration.json.

    python -m scripts.fit_calibration [--eval-dir ../shared/eval] [--check]

For every ranking (method x embedded text), each dev question of three FAQ sets is
searched: the Medicare paraphrases (tests/data/medicare_paraphrases.jsonl, with its
out-of-domain questions) and the dev halves of covidfaq and stackfaq (../shared/eval),
each also asked the out-of-domain questions of scripts/ood_questions.txt. The similarity floor is the
lowest (in steps of 0.01) above the best hit of every Medicare out-of-domain question;
then a logistic regression of "the best hit answers the question" (out-of-domain: never)
on the best hit's score and its margin over the second is fitted on all best hits at or
above the floor, pooled. The script prints each set's top-1 accuracy, expected calibration
error (10 bins) and what the match threshold keeps confident and rejects, and for the
default ranking what other floors would cost. ``--check`` prints without writing.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]

from faq_engine.embedders.factory import local_embedder  # noqa: E402
from faq_engine.embedders.memo import MemoEmbedder  # noqa: E402
from faq_engine.evaluation.reliability import expected_calibration_error, fit_logistic  # noqa: E402
from faq_engine.evaluation.runner import read_queries  # noqa: E402
from faq_engine.faqs.loader import load_faqs  # noqa: E402
from faq_engine.search.match import DATA_FILE, FEATURES, Calibration, Logistic, features, key  # noqa: E402
from faq_engine.search.memory import MemoryEngine  # noqa: E402
from faq_engine.settings import DEFAULT_FIELDS, DEFAULT_METHOD, FIELDS_CHOICES, METHOD_CHOICES, MODEL_ID, Settings  # noqa: E402

OUT = ROOT / "faq_engine" / "search" / DATA_FILE
OOD_FILE = ROOT / "scripts" / "ood_questions.txt"
THRESHOLD = 0.5  # confident: more likely right than wrong


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


SHOWN = 5  # hits shown by default: the ones calibrated


def ranked(engine: MemoryEngine, questions: list) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per question: the scores and similarities of the shown hits and the one after them (its score gives the
    last margin), and whether each shown hit answers the question."""
    results = engine.search_batch([q for q, _ in questions], SHOWN + 1)

    def padded(values: list[float]) -> list[float]:  # BM25 lists only keyword matches: the rest score 0
        return values + [0.0] * (SHOWN + 1 - len(values))

    scores = np.array([padded([h.score for h in hits]) for hits in results])
    similarity = np.array([padded([h.similarity for h in hits]) for hits in results])
    right = np.array([padded([h.id in relevant for h in hits[:SHOWN]])[:SHOWN] for hits, (_, relevant)
                      in zip(results, questions)], dtype=float)
    return scores, similarity, right


def fit_nonnegative(x: np.ndarray, y: np.ndarray) -> Logistic:
    """A logistic regression whose weights are all >= 0 (a better hit never gets a lower match): a feature
    fitted with a negative weight is left out and the rest refitted."""
    keep = np.ones(x.shape[1], dtype=bool)
    while True:
        weights, bias = fit_logistic(x[:, keep], y)
        if np.all(weights >= 0):
            full = np.zeros(x.shape[1])
            full[keep] = weights
            return Logistic(tuple(float(w) for w in full), bias)
        keep[np.flatnonzero(keep)[weights < 0]] = False


def fit_above(data: dict, floor: float) -> Calibration:
    """The best-hit and other-hits regressions on the hits whose similarity reaches ``floor``."""
    def rows(first: bool):
        x, y = [], []
        for scores, similarity, right, _ in data.values():
            part = slice(0, 1) if first else slice(1, SHOWN)
            ok = similarity[:, part] >= floor
            x.append(np.stack([features(s) for s in scores])[:, part][ok]), y.append(right[:, part][ok])
        return np.concatenate(x), np.concatenate(y)

    best_x, best_y = rows(True)
    other_x, other_y = rows(False)
    # The best hit leads by nothing: its lead column is all 0, and the ridge keeps that weight at 0.
    return Calibration(fit_nonnegative(best_x, best_y), fit_nonnegative(other_x, other_y), floor)


def fit_ranking(method: str, fields: str, sets: dict, embedder) -> tuple[Calibration, dict]:
    """The calibration of one ranking, and per set ``(scores, similarity, right, in-domain mask)``."""
    data = {}
    for name, (source, questions) in sets.items():
        engine = MemoryEngine(load_faqs(source, embedder, fields=fields), embedder, method=method)
        data[name] = (*ranked(engine, questions), np.array([bool(r) for _, r in questions]))
    _, similarity, _, inside = data["medicare"]
    floor = float(np.floor(similarity[~inside, 0].max() * 100 + 1) / 100)
    return fit_above(data, floor), data


def shown_matches(calibration: Calibration, scores: np.ndarray, similarity: np.ndarray) -> np.ndarray:
    """The match of every shown hit, as the engine computes it."""
    return np.stack([calibration.matches(s, c)[:SHOWN] for s, c in zip(scores, similarity)])


def report(label: str, calibration: Calibration, data: dict) -> None:
    b, o = calibration.best, calibration.others
    print(f"\n== {label}: match at similarity >= {calibration.floor:.2f}: best hit sigmoid({b.weights[0]:.2f} * score "
          f"+ {b.weights[1]:.2f} * margin + {b.bias:.2f}); others sigmoid({o.weights[0]:.2f} * score + "
          f"{o.weights[1]:.2f} * margin + {o.weights[2]:.2f} * lead + {o.bias:.2f})")
    print(f"  {'set':<10} {'top-1':>6} {'ECE@1':>6} {'ECE@5':>6} {'confident':>10} {'right|conf':>10} {'OOD rejected':>13}")
    pooled = {1: ([], []), SHOWN: ([], [])}
    for name, (x, similarity, right, inside) in data.items():
        p = shown_matches(calibration, x, similarity)
        for depth, (ps, ys) in pooled.items():
            ps.append(p[:, :depth].ravel()), ys.append(right[:, :depth].ravel())
        conf = p[:, 0] >= THRESHOLD
        print(f"  {name:<10} {right[inside, 0].mean():6.3f} {expected_calibration_error(p[:, 0], right[:, 0]):6.3f} "
              f"{expected_calibration_error(p.ravel(), right.ravel()):6.3f} {conf[inside].mean():10.3f} "
              f"{right[conf, 0].mean() if conf.any() else float('nan'):10.3f} {(~conf[~inside]).mean():13.3f}  "
              f"({inside.sum()} in domain, {(~inside).sum()} out)")
    eces = [expected_calibration_error(np.concatenate(ps), np.concatenate(ys)) for ps, ys in pooled.values()]
    print(f"  {'pooled':<10} {'':>6} {eces[0]:6.3f} {eces[1]:6.3f}")


def floor_costs(data: dict) -> None:
    """What other similarity floors would give: pooled top-1 ECE and out-of-domain questions rejected per set."""
    print(f"  other floors: {'floor':>5} {'ECE@1':>6}  " + "  ".join(f"{n + ' OOD rej':>14}" for n in data))
    for floor in np.round(np.arange(0.0, 0.51, 0.05), 2):
        calibration = fit_above(data, float(floor))
        p = {n: shown_matches(calibration, x, c)[:, 0] for n, (x, c, _, _) in data.items()}
        ece = expected_calibration_error(np.concatenate(list(p.values())),
                                         np.concatenate([d[2][:, 0] for d in data.values()]))
        rejected = [(p[n][~inside] < THRESHOLD).mean() for n, (_, _, _, inside) in data.items()]
        print(f"  {'':>12} {floor:5.2f} {ece:6.3f}  " + "  ".join(f"{r:14.3f}" for r in rejected))


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
            calibration, data = fit_ranking(method, fields, sets, embedder)
            report(key(method, fields), calibration, data)
            if (method, fields) == (DEFAULT_METHOD, DEFAULT_FIELDS):
                floor_costs(data)
            fits[key(method, fields)] = calibration.to_dict()
    table = {"model_id": MODEL_ID, "threshold": THRESHOLD, "fitted_by": "scripts/fit_calibration.py",
             "features": list(FEATURES), "floor_on": "similarity", "calibrations": fits}
    if not args.check:
        OUT.write_text(json.dumps(table, indent=2) + "\n", encoding="utf-8")
        print(f"\nwrote {OUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
