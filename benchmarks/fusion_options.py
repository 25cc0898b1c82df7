"""The measurements behind the hybrid ranking: fusion options on the dev sets.

    python benchmarks/fusion_options.py [--eval-dir ../shared/eval]

Prints top-1 and MRR@10 on the covidfaq and stackfaq dev halves (../shared/eval)
and on the Medicare paraphrases (tests/data/medicare_paraphrases.jsonl) for:
dense alone over either embedded text; BM25 over the question or question + answer,
with or without stemming and stop words; reciprocal rank fusion (k = 60); and
min-max and z-score blends of cosine and BM25 at several BM25 weights.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Callable

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from faq_engine.embedders.factory import local_embedder  # noqa: E402
from faq_engine.embedders.memo import MemoEmbedder  # noqa: E402
from faq_engine.evaluation.metrics import evaluate  # noqa: E402
from faq_engine.evaluation.runner import read_queries  # noqa: E402
from faq_engine.faqs.entry import texts_for  # noqa: E402
from faq_engine.faqs.loader import load_faqs  # noqa: E402
from faq_engine.search.hybrid import blend_scores  # noqa: E402
from faq_engine.search.lexical import Bm25Index  # noqa: E402
from faq_engine.search.ranking import cosine_scores, top_k_from_scores  # noqa: E402
from faq_engine.settings import Settings  # noqa: E402

Scores = dict[str, np.ndarray]


def z_rows(s: np.ndarray) -> np.ndarray:
    std = s.std(axis=1, keepdims=True)
    return np.divide(s - s.mean(axis=1, keepdims=True), std, out=np.zeros_like(s), where=std > 0)


def rrf(*mats: np.ndarray, k: int = 60) -> np.ndarray:
    """Reciprocal rank fusion: sum of 1 / (k + rank) over the rankings."""
    total = np.zeros_like(mats[0], dtype=np.float64)
    for m in mats:
        ranks = np.empty_like(m, dtype=np.int64)
        order = np.argsort(-m, axis=1, kind="stable")
        np.put_along_axis(ranks, order, np.arange(1, m.shape[1] + 1)[None, :], axis=1)
        total += 1.0 / (k + ranks)
    return total


def options() -> list[tuple[str, Callable[[Scores], np.ndarray]]]:
    """(label, ranking score from the per-set score matrices) for every option compared."""
    opts = [("dense [question]", lambda s: s["cos_q"]), ("dense [question+answer]", lambda s: s["cos_qa"])]
    for key, label in [("bm_q", "question"), ("bm_qa", "question+answer"), ("bm_q_nostem", "question, no stemming"),
                       ("bm_q_nostop", "question, no stop words")]:
        opts.append((f"BM25 [{label}]", lambda s, key=key: s[key]))
    for dense in ("q", "qa"):
        d = f"cos_{dense}"
        tag = "question" if dense == "q" else "question+answer"
        opts.append((f"RRF k=60: dense [{tag}] + BM25 [question]", lambda s, d=d: rrf(s[d], s["bm_q"])))
        opts.append((f"RRF k=60: dense [{tag}] + BM25 [question+answer]", lambda s, d=d: rrf(s[d], s["bm_qa"])))
        for w in (0.05, 0.10, 0.15, 0.20, 0.30):
            opts.append((f"min-max w={w:.2f}: dense [{tag}] + BM25 [question]",
                         lambda s, d=d, w=w: blend_scores(s[d], s["bm_q"], w)))
        opts.append((f"min-max w=0.15: dense [{tag}] + BM25 [question+answer]",
                     lambda s, d=d: blend_scores(s[d], s["bm_qa"], 0.15)))
        opts.append((f"z-score w=0.15: dense [{tag}] + BM25 [question]",
                     lambda s, d=d: 0.85 * z_rows(s[d]) + 0.15 * z_rows(s["bm_q"])))
    return opts


def score_matrices(source, queries: list[str], embedder) -> tuple[Scores, list[str]]:
    faqs = load_faqs(source, embedder, fields="question")
    q_vecs = embedder.embed(queries)
    qa_vecs = embedder.embed(texts_for(faqs.entries, "question+answer"))
    questions = [e.question for e in faqs.entries]
    both = texts_for(faqs.entries, "question+answer")
    mats = {
        "cos_q": cosine_scores(q_vecs, faqs.embeddings), "cos_qa": cosine_scores(q_vecs, qa_vecs),
        "bm_q": Bm25Index(questions).scores(queries), "bm_qa": Bm25Index(both).scores(queries),
        "bm_q_nostem": Bm25Index(questions, stemming=False).scores(queries),
        "bm_q_nostop": Bm25Index(questions, stopwords=False).scores(queries),
    }
    return mats, [e.id for e in faqs.entries]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--eval-dir", type=Path, default=ROOT.parent / "shared" / "eval")
    args = parser.parse_args()
    sets = {"medicare": ("medicare", ROOT / "tests" / "data" / "medicare_paraphrases.jsonl")}
    for name in ("covidfaq", "stackfaq"):
        if (args.eval_dir / name / "queries-dev.jsonl").is_file():
            sets[name] = (args.eval_dir / name / "faqs.jsonl", args.eval_dir / name / "queries-dev.jsonl")
        else:
            print(f"({name}: not found under {args.eval_dir}, skipped)")
    embedder = MemoEmbedder(local_embedder(Settings.from_env(os.environ)))
    data = {}
    for name, (source, qfile) in sets.items():
        labelled = [q for q in read_queries(str(qfile)) if q.in_domain]
        data[name] = (*score_matrices(source, [q.query for q in labelled], embedder), labelled)
    print(f"{'option':<58}" + "".join(f"{n + ' top1/MRR@10':>26}" for n in data))
    for label, rank in options():
        cells = []
        for mats, ids, labelled in data.values():
            order, _ = top_k_from_scores(rank(mats), 10)
            m = evaluate([[ids[i] for i in row] for row in order], [True] * len(labelled), labelled)
            cells.append(f"{m.top1:.4f} / {m.mrr10:.4f}")
        print(f"{label:<58}" + "".join(f"{c:>26}" for c in cells))
    return 0


if __name__ == "__main__":
    sys.exit(main())
