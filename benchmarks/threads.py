"""Searches at once against BLAS and ONNX Runtime threads: which thread counts serve the most, in one run.

The app runs up to 4 page searches at once. Each embeds its question (ONNX Runtime, ``threads`` per
run) and ranks the FAQs (a numpy matrix product, OpenBLAS's threads): on 2 cores, 4 searches
with 2 threads each fight over them. Here ``--concurrent`` threads search a ``--size`` FAQ set
(benchmarks/scale_data.py) back to back for ``--seconds``, for each pair (BLAS threads, ONNX
threads), alternated over ``--rounds``; prints searches/s (median) and each pair's ratio to the
defaults (2, 2). One search at a time is shown too: the thread counts must not slow it down.

    python -m benchmarks.threads [--size 100000] [--concurrent 4] [--seconds 8] [--rounds 3]
"""

from __future__ import annotations

import argparse
import statistics
import threading
import time
from pathlib import Path

from threadpoolctl import threadpool_limits

from benchmarks import scale_data  # noqa: E402
from benchmarks.bench_app import QUERIES  # noqa: E402
from faq_engine.embedders.onnx_runtime import OnnxEmbedder  # noqa: E402
from faq_engine.faqs.loader import load_faqs  # noqa: E402
from faq_engine.search.memory import MemoryEngine  # noqa: E402
from faq_engine.settings import Settings  # noqa: E402

PAIRS = ((2, 2), (1, 2), (2, 1), (1, 1))  # (BLAS threads, ONNX Runtime threads)


def rate(engine: MemoryEngine, concurrent: int, seconds: float) -> float:
    """Searches/s of ``concurrent`` threads searching back to back."""
    done, stop_at = [0] * concurrent, time.perf_counter() + seconds

    def work(i: int) -> None:
        while time.perf_counter() < stop_at:
            engine.search(QUERIES[(i + done[i]) % len(QUERIES)], 5)
            done[i] += 1

    workers = [threading.Thread(target=work, args=(i,)) for i in range(concurrent)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    return sum(done) / seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--concurrent", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--data", default="/tmp/faq-engine-scale", help="where the synthetic sets are kept")
    args = parser.parse_args()
    settings = Settings()
    embedders = {n: OnnxEmbedder(cache_dir=settings.cache_dir, threads=n) for n in (1, 2)}
    folder = scale_data.build(Path(args.data) / f"faqs-{args.size}", args.size, embedders[2])
    faqs = load_faqs(str(folder), embedders[2], fields="question")
    engines = {n: MemoryEngine(faqs, e, method="hybrid") for n, e in embedders.items()}
    for engine in engines.values():
        engine.search(QUERIES[0], 5)  # warm-up
    results: dict[tuple[int, int, int], list[float]] = {}
    for _ in range(args.rounds):
        for blas, ort in PAIRS:
            with threadpool_limits(limits=blas, user_api="blas"):
                for concurrent in (1, args.concurrent):
                    results.setdefault((blas, ort, concurrent), []).append(
                        rate(engines[ort], concurrent, args.seconds))
    print(f"{args.size:,} FAQs, hybrid; searches/s, medians of {args.rounds} alternated rounds\n")
    print(f"| BLAS threads | ONNX Runtime threads | 1 at a time | {args.concurrent} at once | vs (2, 2) at once |")
    print("|---|---|---|---|---|")
    base = statistics.median(results[(2, 2, args.concurrent)])
    for blas, ort in PAIRS:
        one = statistics.median(results[(blas, ort, 1)])
        many = statistics.median(results[(blas, ort, args.concurrent)])
        print(f"| {blas} | {ort} | {one:.1f} | {many:.1f} | {many / base:.2f}x |")


if __name__ == "__main__":
    main()
