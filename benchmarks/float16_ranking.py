"""Would float16 vectors change the rankings? Top-1 and top-10 agreement on the external dev sets.

Stores each dev set's vectors as float16 (rounded, then scored in float32, as an exact re-scoring
would) and compares the rankings with float32: how many questions keep the same top-1 and the
same top-10 order, and top-1 accuracy both ways.

    python -m benchmarks.float16_ranking [--eval ../shared/eval]
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]

from faq_engine.embedders.factory import local_embedder  # noqa: E402
from faq_engine.evaluation.runner import read_queries  # noqa: E402
from faq_engine.faqs.loader import load_faqs  # noqa: E402
from faq_engine.search.index import ExactIndex  # noqa: E402
from faq_engine.settings import Settings  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--eval", type=Path, default=ROOT.parent / "shared" / "eval")
    args = parser.parse_args()
    embedder = local_embedder(Settings.from_env(os.environ))
    for name in ("covidfaq", "stackfaq"):
        faqs = load_faqs(args.eval / name / "faqs.jsonl", embedder, fields="question+answer")
        queries = [q for q in read_queries(str(args.eval / name / "queries-dev.jsonl")) if q.in_domain]
        vectors = embedder.embed([q.query for q in queries])
        full, _ = ExactIndex(faqs.embeddings).search(vectors, 10)
        half, _ = ExactIndex(faqs.embeddings.astype(np.float16).astype(np.float32)).search(vectors, 10)
        ids = np.asarray(faqs.entries.column("id"))
        top1 = [np.mean([ids[r[0]] in q.relevant for r, q in zip(rows, queries)]) for rows in (full, half)]
        print(f"{name}: {len(queries)} questions; same top-1 {np.mean(full[:, 0] == half[:, 0]):.4f}, same top-10 "
              f"order {np.mean((full == half).all(axis=1)):.4f}; top-1 float32 {top1[0]:.4f}, float16 {top1[1]:.4f}")


if __name__ == "__main__":
    main()
