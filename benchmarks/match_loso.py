"""How trustworthy ``match`` is on FAQ sets it was not fitted on: each dev set held out in turn.

    python -m benchmarks.match_loso [--eval-dir ../shared/eval]

Three sets (the Medicare paraphrases, and the dev halves of covidfaq and stackfaq, each also asked
the out-of-domain questions of scripts/ood_questions.txt), each searched whole and with half its
FAQs removed (two seeded halves: questions whose answers were removed are on topic but
unanswerable). For the shipped calibration, and for logistic fits of candidate features trained on
the two other sets (whole and halved) and scored on the held-out one, it prints per set: top-1
ECE and ECE over the 5 shown hits (10 bins; a question no shown FAQ answers counts as wrong),
the precision and coverage (of answerable questions) of "confident" at a match of 0.9, and how
often a question whose answer was removed still gets a confident first hit.
"""

from __future__ import annotations

import argparse
import os
import random
from pathlib import Path

import numpy as np

from faq_engine.embedders.factory import local_embedder
from faq_engine.embedders.memo import MemoEmbedder
from faq_engine.evaluation.reliability import expected_calibration_error, fit_logistic
from faq_engine.evaluation.runner import read_queries
from faq_engine.faqs.faqset import FaqSet
from faq_engine.faqs.loader import load_faqs
from faq_engine.search.memory import MemoryEngine
from faq_engine.settings import DEFAULT_FIELDS, Settings

ROOT = Path(__file__).resolve().parents[1]
SHOWN, DEPTH, CONFIDENT = 5, 11, 0.9
CANDIDATES = {  # feature sets, each computed per shown hit from its list (see features())
    "score, margin, lead": ("score", "margin", "lead", "first"),
    "+ similarity z over the set": ("score", "margin", "lead", "first", "z"),
    "+ BM25 share": ("score", "margin", "lead", "first", "bm25"),
}


def dev_sets(eval_dir: Path) -> dict[str, tuple]:
    ood = [line.strip() for line in (ROOT / "scripts" / "ood_questions.txt").read_text().splitlines()
           if line.strip() and not line.startswith("#")]
    sets = {"medicare": ("medicare", read_queries(str(ROOT / "tests" / "data" / "medicare_paraphrases.jsonl")), [])}
    for name in ("covidfaq", "stackfaq"):
        sets[name] = (eval_dir / name / "faqs.jsonl", read_queries(str(eval_dir / name / "queries-dev.jsonl")), ood)
    return sets


def variants(faqs: FaqSet) -> dict[str, FaqSet]:
    out = {"whole": faqs}
    for seed in (0, 1):
        keep = sorted(random.Random(seed).sample(range(len(faqs)), len(faqs) // 2))
        out[f"half{seed}"] = FaqSet(faqs.name, [faqs.entries[i] for i in keep], faqs.embeddings[keep], faqs.model_id,
                                    faqs.fields)
    return out


def hit_rows(faqs: FaqSet, embedder, questions: list[tuple[str, tuple]]) -> list[dict]:
    """Per question: its ranked ids, scores, similarities, whether answerable here, and the set's mean/std."""
    engine = MemoryEngine(faqs, embedder)
    texts = [q for q, _ in questions]
    vectors = engine._query_vectors(texts, embedder.embed(texts))
    everything = vectors @ faqs.embeddings.T
    present = set(faqs.entries.column("id"))
    rows = []
    for (_, relevant), ranking, sims in zip(questions, engine._rank(texts, vectors, DEPTH, with_vectors=False),
                                                   everything):
        ids = [e.id for e in ranking.entries]
        rows.append({"right": np.array([i in relevant for i in ids[:SHOWN]], float),
                     "answerable": bool(set(relevant) & present), "scores": np.asarray(ranking.scores, float),
                     "sims": np.asarray(ranking.similarities, float), "mu": sims.mean(), "sd": sims.std() + 1e-9})
    return rows


def features(row: dict, names: tuple[str, ...]) -> np.ndarray:
    s, c = row["scores"], row["sims"]
    out = []
    for i in range(min(SHOWN, len(s))):
        nxt = s[i + 1] if i + 1 < len(s) else s[i]
        value = {"score": s[i], "margin": s[i] - nxt, "lead": s[i] - s[0], "first": float(i == 0),
                 "z": (c[i] - row["mu"]) / row["sd"], "bm25": (s[i] - 0.96 * c[i]) / 0.04}
        out.append([value[n] for n in names])
    x = np.asarray(out)
    return np.c_[x, x * x[:, [names.index("first")]]]  # the first hit is its own case


def scored(matches: list[np.ndarray], rows: list[dict]) -> dict:
    top = np.array([m[0] if len(m) else 0.0 for m in matches])
    right = np.array([r["right"][0] if len(r["right"]) else 0.0 for r in rows])
    every = np.concatenate(matches)
    every_right = np.concatenate([r["right"][: len(m)] for m, r in zip(matches, rows)])
    answerable = np.array([r["answerable"] for r in rows])
    confident = top >= CONFIDENT
    return {"ece1": expected_calibration_error(top, right), "ece5": expected_calibration_error(every, every_right),
            "precision": right[confident].mean() if confident.any() else float("nan"),
            "coverage": (confident & answerable).sum() / max(1, answerable.sum())}


def report(label: str, predict, data: dict) -> None:
    print(f"\n== {label}")
    print(f"  {'held out':<9} {'ECE@1':>6} {'ECE@5':>6} {'prec@0.9':>8} {'cover':>6} {'removed: conf':>14}")
    for held in data:
        whole = data[held]["whole"]
        s = scored([predict(held, r) for r in whole], whole)
        removed = [(r, w) for v in ("half0", "half1") for r, w in zip(data[held][v], whole)
                   if w["answerable"] and not r["answerable"]]
        still = np.mean([predict(held, r)[0] >= CONFIDENT for r, _ in removed if len(r["scores"])])
        print(f"  {held:<9} {s['ece1']:6.3f} {s['ece5']:6.3f} {s['precision']:8.3f} {s['coverage']:6.3f} {still:14.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--eval-dir", type=Path, default=ROOT.parent / "shared" / "eval")
    args = parser.parse_args()
    embedder = MemoEmbedder(local_embedder(Settings.from_env(os.environ)))
    data = {}
    for name, (source, labelled, ood) in dev_sets(args.eval_dir).items():
        questions = [(q.query, tuple(q.relevant)) for q in labelled] + [(q, ()) for q in ood]
        faqs = load_faqs(str(source), embedder, fields=DEFAULT_FIELDS)
        data[name] = {v: hit_rows(f, embedder, questions) for v, f in variants(faqs).items()}
    shipped = MemoryEngine(load_faqs("medicare", embedder), embedder).calibration
    report("shipped calibration (fitted on all three sets: not held out)",
           lambda _, r: shipped.matches(r["scores"][: SHOWN + 1], r["sims"][: SHOWN + 1])[:SHOWN], data)
    for label, names in CANDIDATES.items():
        fits = {}
        for held in data:
            rows = [r for other in data if other != held for v in data[other].values() for r in v if len(r["scores"])]
            x = np.concatenate([features(r, names) for r in rows])
            y = np.concatenate([r["right"][: len(features(r, names))] for r in rows])
            fits[held] = fit_logistic(x, y, l2=1.0)

        def predict(held, row, names=names, fits=fits):
            if not len(row["scores"]):
                return np.zeros(0)
            w, b = fits[held]
            p = 1 / (1 + np.exp(-(features(row, names) @ w + b)))
            return np.minimum.accumulate(p)

        report(f"{label}: fitted on the other two sets", predict, data)


if __name__ == "__main__":
    main()
