"""Search latency of each ranking method, and what the keyword index costs at start-up.

    python -m benchmarks.bench_methods [--repeat 20]

For the bundled Medicare FAQs (13) and for bigger banks made by repeating them,
prints the median time of one ``engine.search(query)`` with the local embedder
("end to end"), and with the query vectors already computed ("ranking only", the
part the method changes), and the time to build each engine (the first bm25/hybrid
build in a process also imports bm25s, printed separately).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]

from faq_engine.embedders.factory import local_embedder  # noqa: E402
from faq_engine.embedders.memo import MemoEmbedder  # noqa: E402
from faq_engine.evaluation.runner import read_queries  # noqa: E402
from faq_engine.faqs.faqset import FaqSet  # noqa: E402
from faq_engine.faqs.loader import load_bundled  # noqa: E402
from faq_engine.search.memory import MemoryEngine  # noqa: E402
from faq_engine.settings import DEFAULT_METHOD, METHOD_CHOICES, Settings  # noqa: E402
from faq_engine.vectors import l2_normalize  # noqa: E402

PARAPHRASES = ROOT / "tests" / "data" / "medicare_paraphrases.jsonl"


def median_ms(engines: dict[str, MemoryEngine], queries: list[str], repeat: int) -> dict[str, float]:
    """Median wall time of one search per engine, in milliseconds.

    The engines take turns on each question, so load from other processes hits all alike.
    """
    times: dict[str, list[float]] = {name: [] for name in engines}
    for _ in range(repeat):
        for q in queries:
            for name, engine in engines.items():
                start = time.perf_counter()
                engine.search(q, 5)
                times[name].append(time.perf_counter() - start)
    return {name: 1000 * statistics.median(t) for name, t in times.items()}


def scaled(faqs: FaqSet, copies: int) -> FaqSet:
    """A bigger bank: ``faqs`` repeated ``copies`` times, vectors jittered so scores do not tie."""
    entries = tuple(replace(e, id=f"{c}-{e.id}") for c in range(copies) for e in faqs.entries)
    noise = np.random.default_rng(0).normal(0.0, 0.01, (len(entries), faqs.embeddings.shape[1]))
    return replace(faqs, name=f"{faqs.name}x{copies}", entries=entries,
                   embeddings=l2_normalize(np.tile(faqs.embeddings, (copies, 1)) + noise))


def import_seconds() -> float:
    code = "import time; t = time.perf_counter(); import bm25s; print(time.perf_counter() - t)"
    return float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=20, help="passes over the 82 test questions")
    args = parser.parse_args()
    queries = [q.query for q in read_queries(str(PARAPHRASES))]
    real = local_embedder(Settings.from_env(os.environ))
    memo = MemoEmbedder(real)
    memo.embed(queries)
    base = load_bundled("medicare", real)
    print(f"bm25s import: {import_seconds() * 1000:.0f} ms (only when a bm25 or hybrid engine is built)")
    print(f"default method: {DEFAULT_METHOD}; median ms per search over {len(queries)} questions x {args.repeat}")
    print(f"{'FAQs':>6}  {'method':<7} {'end to end':>11} {'ranking only':>13} {'engine build':>13}")
    for copies in (1, 10, 100):
        faqs = scaled(base, copies) if copies > 1 else base
        builds = {}
        for method in METHOD_CHOICES:
            start = time.perf_counter()
            MemoryEngine(faqs, memo, method=method)
            builds[method] = 1000 * (time.perf_counter() - start)
        fast = median_ms({m: MemoryEngine(faqs, memo, method=m) for m in METHOD_CHOICES}, queries, args.repeat)
        full = {m: float("nan") for m in METHOD_CHOICES}
        if copies == 1:  # the model's time does not depend on the bank size
            full = median_ms({m: MemoryEngine(faqs, real, method=m) for m in METHOD_CHOICES}, queries, args.repeat // 4 or 1)
        for m in METHOD_CHOICES:
            end = f"{full[m]:.2f}" if copies == 1 else "-"
            print(f"{len(faqs):>6}  {m:<7} {end:>11} {fast[m]:>13.3f} {builds[m]:>11.1f}ms")
        end = f"{full[DEFAULT_METHOD] - full['dense']:+.3f} ms end to end, " if copies == 1 else ""
        print(f"{'':>6}  {DEFAULT_METHOD} - dense: {end}{fast[DEFAULT_METHOD] - fast['dense']:+.3f} ms ranking only")
    return 0


if __name__ == "__main__":
    sys.exit(main())
