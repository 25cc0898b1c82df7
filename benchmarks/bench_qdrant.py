"""Qdrant embedded mode with 100k FAQs: index time, query latency, and recall against the exact in-memory index.

Builds (once) the same synthetic dataset as bench_scale.py, indexes it into a fresh local
Qdrant folder, then times single dense queries through Qdrant and the in-memory exact index
in the same run, and measures recall@10 of Qdrant's answers against the exact top 10.
qdrant-client's embedded mode always scans exactly (it has no HNSW); HNSW latency and
recall need a Qdrant server, which cannot be installed on this machine.

    python -m benchmarks.bench_qdrant [--rows 100000] [--queries 100]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from benchmarks.scale_data import build  # noqa: E402
from faq_engine.embedders.onnx_runtime import OnnxEmbedder  # noqa: E402
from faq_engine.faqs.loader import load_faqs  # noqa: E402
from faq_engine.search.memory import MemoryEngine  # noqa: E402
from faq_engine.search.qdrant.engine import QdrantEngine  # noqa: E402
from faq_engine.search.qdrant.location import QdrantLocation  # noqa: E402
from faq_engine.search.qdrant.store import QdrantStore  # noqa: E402
from faq_engine.search.qdrant.sync import sync  # noqa: E402


def p50_ms(fn, n: int) -> float:
    times = []
    for i in range(n):
        start = time.perf_counter()
        fn(i)
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=100)
    parser.add_argument("--data", default="/tmp/faq-engine-scale", type=Path)
    args = parser.parse_args()
    embedder = OnnxEmbedder(cache_dir=args.data / "cache")
    faqs = load_faqs(build(args.data / f"faqs-{args.rows}", args.rows, embedder), embedder)
    questions = [f"how do I {v} my account {i}" for i, v in enumerate(["close", "renew", "update", "move"] * 50)]
    vectors = embedder.embed(questions[: args.queries])
    with tempfile.TemporaryDirectory(prefix="bench-qdrant-") as folder:
        location = QdrantLocation.parse(folder)
        store = QdrantStore(location.connect(), "faqs", folder)
        start = time.perf_counter()
        report = sync(store, faqs)
        indexed = time.perf_counter() - start
        qdrant = QdrantEngine(store, embedder, method="dense")
        memory = MemoryEngine(faqs, embedder, method="dense")
        q = p50_ms(lambda i: qdrant.search_batch([questions[i]], 10, vectors=vectors[i : i + 1]), args.queries)
        m = p50_ms(lambda i: memory.search_batch([questions[i]], 10, vectors=vectors[i : i + 1]), args.queries)
        found = qdrant.search_batch(questions[: args.queries], 10, vectors=vectors)
        exact = memory.search_batch(questions[: args.queries], 10, vectors=vectors)
        # Ties: many synthetic FAQs share a question, so compare by score, not id: how many of the exact
        # top-10 scores Qdrant's top 10 reaches.
        recall = statistics.mean(
            sum(1 for h in e if h.score <= f[-1].score + 1e-6) / len(e) for f, e in zip(found, exact))
    print(f"{args.rows:,} FAQs into Qdrant (embedded mode): {indexed:.1f} s ({report.upserted / indexed:.0f} FAQs/s)")
    print(f"dense top-10 p50: Qdrant embedded (exact scan) {q:.1f} ms, in-memory exact index {m:.1f} ms "
          f"({q / m:.1f}x); recall@10 of Qdrant against exact: {recall:.3f}")
    print("HNSW: not in embedded mode (qdrant-client scans exactly); it needs a Qdrant server, not installable here")


if __name__ == "__main__":
    main()
