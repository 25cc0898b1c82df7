"""The measurements behind the default ranking: fusion options on the three dev sets.

    python -m benchmarks.fusion_options [--eval-dir ../shared/eval]

Prints top-1 and MRR@10 on the Medicare paraphrases (tests/data/medicare_paraphrases.jsonl)
and the covidfaq and stackfaq dev halves (../shared/eval), their mean top-1, and whether an
option is at least as good as the tutorial's ranking (dense over the questions) on every
set, for: dense over the question, the question + answer, or both fused (weighted means of
the two cosines); BM25 over the question or question + answer, with Lucene's usual length
normalisation (b = 0.75) or a light one (b = 0.3); reciprocal rank fusion (k = 60); the old
min-max blend; and the default blend ``(1 - w) * similarity + w * bm25 / best_bm25`` at
several weights. The default is marked with *.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Callable

import numpy as np

ROOT = Path(__file__).resolve().parents[1]

from faq_engine.embedders.factory import local_embedder  # noqa: E402
from faq_engine.embedders.memo import MemoEmbedder  # noqa: E402
from faq_engine.evaluation.metrics import evaluate  # noqa: E402
from faq_engine.evaluation.runner import read_queries  # noqa: E402
from faq_engine.faqs.dataset_format import QUESTION_WEIGHT  # noqa: E402
from faq_engine.faqs.entry import texts_for  # noqa: E402
from faq_engine.faqs.loader import load_faqs  # noqa: E402
from faq_engine.search.hybrid import BM25_WEIGHT, blend_scores  # noqa: E402
from faq_engine.search.lexical import Bm25Index  # noqa: E402
from faq_engine.search.ranking import cosine_scores, top_k_from_scores  # noqa: E402
from faq_engine.settings import Settings  # noqa: E402

Scores = dict[str, np.ndarray]
FLOOR = "dense [question]"  # the tutorial's ranking: the default must never be below it


def minmax(s: np.ndarray) -> np.ndarray:
    low, span = s.min(axis=1, keepdims=True), np.ptp(s, axis=1, keepdims=True)
    return np.divide(s - low, span, out=np.zeros_like(s), where=span > 0)


def rrf(*mats: np.ndarray, k: int = 60) -> np.ndarray:
    """Reciprocal rank fusion: sum of 1 / (k + rank) over the rankings."""
    total = np.zeros_like(mats[0], dtype=np.float64)
    for m in mats:
        ranks = np.empty_like(m, dtype=np.int64)
        np.put_along_axis(ranks, np.argsort(-m, axis=1, kind="stable"), np.arange(1, m.shape[1] + 1)[None, :], axis=1)
        total += 1.0 / (k + ranks)
    return total


def both(s: Scores, w: float = QUESTION_WEIGHT) -> np.ndarray:
    """The "both" similarity: the weighted mean of the question's and the question + answer's cosines."""
    return w * s["cos_q"] + (1 - w) * s["cos_qa"]


def options() -> list[tuple[str, Callable[[Scores], np.ndarray]]]:
    """(label, ranking score from one set's score matrices) for every option compared."""
    opts = [(FLOOR, lambda s: s["cos_q"]), ("dense [question+answer]", lambda s: s["cos_qa"])]
    opts += [(f"dense [both, question weight {w:.2f}]", lambda s, w=w: both(s, w)) for w in (0.15, 0.25, 0.35, 0.5)]
    opts += [(f"BM25 [{label}]", lambda s, key=key: s[key])
             for key, label in [("bm_q", "question, b=0.3"), ("bm_q75", "question, b=0.75"),
                                ("bm_qa", "question+answer, b=0.3")]]
    opts += [("RRF k=60: dense [question+answer] + BM25 [question]", lambda s: rrf(s["cos_qa"], s["bm_q"])),
             ("min-max 85/15: dense [question+answer] + BM25 b=0.75 (old default)",
              lambda s: 0.85 * minmax(s["cos_qa"]) + 0.15 * minmax(s["bm_q75"]))]
    for dense, sim in (("question", lambda s: s["cos_q"]), ("question+answer", lambda s: s["cos_qa"]), ("both", both)):
        for bm in ("bm_q", "bm_q75"):
            for w in (0.02, 0.04, 0.06, 0.08):
                b = "0.3" if bm == "bm_q" else "0.75"
                mark = "*" if (dense, bm, w) == ("both", "bm_q", BM25_WEIGHT) else ""
                opts.append((f"{mark}blend w={w:.2f}: dense [{dense}] + BM25 b={b}",
                             lambda s, sim=sim, bm=bm, w=w: blend_scores(sim(s), s[bm], w)))
    return opts


def score_matrices(source, queries: list[str], embedder) -> tuple[Scores, list[str]]:
    faqs = load_faqs(source, embedder, fields="question")
    q_vecs = embedder.embed(queries)
    qa_vecs = embedder.embed(texts_for(faqs.entries, "question+answer"))
    questions = faqs.entries.column("question")
    mats = {
        "cos_q": cosine_scores(q_vecs, faqs.embeddings), "cos_qa": cosine_scores(q_vecs, qa_vecs),
        "bm_q": Bm25Index(questions).scores(queries), "bm_q75": Bm25Index(questions, b=0.75).scores(queries),
        "bm_qa": Bm25Index(texts_for(faqs.entries, "question+answer")).scores(queries),
    }
    return mats, faqs.entries.column("id")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--eval-dir", type=Path, default=ROOT.parent / "shared" / "eval")
    args = parser.parse_args()
    sets = {"medicare": ("medicare", ROOT / "tests" / "data" / "medicare_paraphrases.jsonl")}
    for name in ("covidfaq", "stackfaq"):
        if not (args.eval_dir / name / "queries-dev.jsonl").is_file():
            parser.error(f"{name} not found under {args.eval_dir}")
        sets[name] = (args.eval_dir / name / "faqs.jsonl", args.eval_dir / name / "queries-dev.jsonl")
    embedder = MemoEmbedder(local_embedder(Settings.from_env(os.environ)))
    data = {}
    for name, (source, qfile) in sets.items():
        labelled = [q for q in read_queries(str(qfile)) if q.in_domain]
        data[name] = (*score_matrices(source, [q.query for q in labelled], embedder), labelled)
    rows = []
    for label, rank in options():
        top1 = []
        cells = []
        for mats, ids, labelled in data.values():
            order, _ = top_k_from_scores(rank(mats), 10)
            m = evaluate([[ids[i] for i in row] for row in order], [True] * len(labelled), labelled)
            top1.append(m.top1)
            cells.append(f"{m.top1:.4f} / {m.mrr10:.4f}")
        rows.append((label, top1, cells))
    floor = next(top1 for label, top1, _ in rows if label == FLOOR)
    print(f"{'option':<62}" + "".join(f"{n + ' top1 / MRR@10':>28}" for n in data) + f"{'mean top1':>11}  >= floor")
    for label, top1, cells in rows:
        ok = "yes" if all(t >= f for t, f in zip(top1, floor)) else "no"
        print(f"{label:<62}" + "".join(f"{c:>28}" for c in cells) + f"{np.mean(top1):>11.4f}  {ok}")
    print(f"* the default (fields 'both', method 'hybrid'); floor: {FLOOR} on every set.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
