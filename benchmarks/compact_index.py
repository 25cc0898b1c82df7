"""A million FAQs: the compact-code scan against the plain float32 scan, side by side in one run.

    python -m benchmarks.compact_index [--rows 1000000] [--data /tmp/faq-engine-scale] [--method dense]

The FAQ set is ``--rows`` distinct texts with their real model vectors (benchmarks/distinct_data.py,
built once). The questions are the dev questions of covidfaq, stackfaq and the Medicare paraphrases,
embedded once. Each question is searched by the exact engine and the compact one in turn (same
process, same vectors, alternating), and the script prints:

- p50 and p95 per question of each, and the ratio of the medians;
- how often the compact engine's top 10 is the exact one's, in the same order;
- the largest difference between a returned score and the exact cosine of that FAQ;
- load time (Parquet to a ready engine) and peak memory of each, each in a fresh process.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from benchmarks.distinct_data import build
from faq_engine.embedders.factory import local_embedder
from faq_engine.evaluation.runner import read_queries
from faq_engine.faqs.loader import load_faqs
from faq_engine.search.memory import MemoryEngine
from faq_engine.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
K = 10


def questions(eval_dir: Path) -> list[str]:
    files = [eval_dir / "covidfaq" / "queries-dev.jsonl", eval_dir / "stackfaq" / "queries-dev.jsonl",
             ROOT / "tests" / "data" / "medicare_paraphrases.jsonl"]
    return [q.query for f in files for q in read_queries(str(f))]


def load(folder: Path, exact: bool, method: str) -> None:
    """Run in a fresh process: load the set into an engine and print its load time and peak memory."""
    embedder = local_embedder(Settings.from_env(os.environ))
    start = time.perf_counter()
    engine = MemoryEngine(load_faqs(str(folder), embedder), embedder, method=method, exact=exact)
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": seconds, "peak_mb": peak, "compact": engine.compact is not None}))


def in_fresh_process(folder: Path, exact: bool, method: str) -> dict:
    code = f"from benchmarks.compact_index import load; load({str(folder)!r}, {exact}, {method!r})"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    return json.loads(out.stdout.strip().splitlines()[-1])


def timed(engine: MemoryEngine, text: str, vector: np.ndarray) -> tuple[float, list]:
    start = time.perf_counter()
    hits = engine.search_batch([text], K, vectors=vector[None, :])[0]
    return time.perf_counter() - start, hits


def compare(folder: Path, texts: list[str], method: str) -> None:
    embedder = local_embedder(Settings.from_env(os.environ))
    faqs = load_faqs(str(folder), embedder)
    vectors = embedder.embed_batched(texts)
    exact = MemoryEngine(faqs, embedder, method=method, exact=True)
    compact = MemoryEngine(faqs, embedder, method=method, exact=False)
    row = {h: i for i, h in enumerate(faqs.entries.column("id"))}
    unit = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    times, same, worst = {"exact": [], "compact": []}, 0, 0.0
    for text, vector, u in zip(texts, vectors, unit):
        t_exact, want = timed(exact, text, vector)
        t_compact, got = timed(compact, text, vector)
        times["exact"].append(t_exact), times["compact"].append(t_compact)
        same += [h.id for h in got] == [h.id for h in want]
        cosines = faqs.embeddings[[row[h.id] for h in got]] @ u
        worst = max(worst, float(np.abs(np.array([h.similarity for h in got]) - cosines).max()))
    p50 = {name: np.median(t) * 1000 for name, t in times.items()}
    for name, t in times.items():
        print(f"  {name:<8} p50 {p50[name]:7.2f} ms   p95 {np.percentile(t, 95) * 1000:7.2f} ms")
    print(f"  compact / exact p50: {p50['compact'] / p50['exact']:.3f}")
    print(f"  top-{K} identical to exact, in order: {same}/{len(texts)} = {same / len(texts):.4f}")
    print(f"  largest |returned similarity - exact cosine|: {worst:.2e}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--data", type=Path, default=Path("/tmp/faq-engine-scale"))
    parser.add_argument("--eval-dir", type=Path, default=ROOT.parent / "shared" / "eval")
    parser.add_argument("--method", default="dense", choices=("dense", "hybrid"))
    args = parser.parse_args()
    folder = build(args.data, args.rows, args.eval_dir, local_embedder(Settings.from_env(os.environ)))
    texts = questions(args.eval_dir)
    print(f"{args.rows:,} distinct FAQs, {len(texts)} dev questions, method {args.method}, top {K}")
    compare(folder, texts, args.method)
    plain, codes = (in_fresh_process(folder, exact, args.method) for exact in (True, False))
    assert codes["compact"] and not plain["compact"]
    print(f"  load: exact {plain['seconds']:.1f} s, compact {codes['seconds']:.1f} s "
          f"({codes['seconds'] / plain['seconds']:.2f}x); peak memory: exact {plain['peak_mb']:,.0f} MB, "
          f"compact {codes['peak_mb']:,.0f} MB ({codes['peak_mb'] / plain['peak_mb']:.2f}x)")


if __name__ == "__main__":
    main()
