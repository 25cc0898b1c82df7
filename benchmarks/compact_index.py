"""A million FAQs: the compact-code scan against the plain float32 scan, side by side in one run.

    python -m benchmarks.compact_index [--rows 1000000] [--data /tmp/faq-engine-scale] [--method dense]

The FAQ set is ``--rows`` distinct texts with their real model vectors (benchmarks/distinct_data.py,
built once). The questions are the dev questions of covidfaq, stackfaq and the Medicare paraphrases,
embedded once. The exact engine and the compact one take turns, 50 questions each and a quarter
second apart, until both have searched every question ``--rounds`` times (same process, same
vectors: each engine's caches warm as they would be serving), and the script prints:

- p50 and p95 per question of each, and the ratio of the medians;
- how often the compact engine's top 10 is the exact one's, in the same order (FAQs whose exact cosines
  tie to 1e-6 may swap places: float32 rounding orders such ties either way);
- the largest difference between a returned score and the exact cosine of that FAQ;
- load time (Parquet to a ready engine) and peak memory of each, each in a fresh process;
- for short lists of other lengths, margins and far distances: the code scan's and scoring's time per
  question, the rows scored, the questions scanned exactly, and those whose exact top 10 it misses.
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
from faq_engine.search.compact import FAR, CompactIndex
from faq_engine.search.memory import MemoryEngine
from faq_engine.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
K = 10
BLOCK = 50  # questions each engine answers before the other takes its turn
# Seconds between turns, untimed: OpenBLAS's threads spin for a while after the exact scan and slowed the compact
# scan's threads that followed (the app runs OpenBLAS on one thread, so none spin there).
PAUSE = 0.25


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


def compare(folder: Path, texts: list[str], method: str, rounds: int) -> None:
    embedder = local_embedder(Settings.from_env(os.environ))
    faqs = load_faqs(str(folder), embedder)
    vectors = embedder.embed_batched(texts)
    exact = MemoryEngine(faqs, embedder, method=method, exact=True)
    compact = MemoryEngine(faqs, embedder, method=method, exact=False)
    row = {h: i for i, h in enumerate(faqs.entries.column("id"))}
    unit = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    times, found = {"exact": [], "compact": []}, {}
    for _ in range(rounds):
        for start in range(0, len(texts), BLOCK):  # short blocks in turn: both meet the same load on the machine
            for name, engine in (("exact", exact), ("compact", compact)):
                time.sleep(PAUSE)
                for i in range(start, min(start + BLOCK, len(texts))):
                    seconds, found[name, i] = timed(engine, texts[i], vectors[i])
                    times[name].append(seconds)
    same, worst = 0, 0.0
    for i, u in enumerate(unit):
        want, got = found["exact", i], found["compact", i]
        cosines = faqs.embeddings[[row[h.id] for h in got]].astype(np.float64) @ u.astype(np.float64)
        truth = faqs.embeddings[[row[h.id] for h in want]].astype(np.float64) @ u.astype(np.float64)
        # The same list, or one whose FAQs differ only where two exact cosines tie to 1e-6: float32 sums
        # taken in another order round such ties either way, in the exact scan too.
        same += len(got) == len(want) and bool(np.all(np.abs(cosines - truth) <= 1e-6))
        worst = max(worst, float(np.abs(np.array([h.similarity for h in got]) - cosines).max()))
    far = sum(rows is None for rows in compact.compact.candidates(unit, K + 1))  # as search_batch asks: k + 1
    print(f"  questions far from every FAQ, scanned exactly by the compact engine: {far} of {len(texts)}")
    p50 = {name: np.median(t) * 1000 for name, t in times.items()}
    for name, t in times.items():
        print(f"  {name:<8} p50 {p50[name]:7.2f} ms   p95 {np.percentile(t, 95) * 1000:7.2f} ms")
    print(f"  compact / exact p50: {p50['compact'] / p50['exact']:.3f}")
    print(f"  top-{K} identical to exact, in order (ties to 1e-6 either way): {same}/{len(texts)} = "
          f"{same / len(texts):.4f}")
    print(f"  largest |returned similarity - exact cosine|: {worst:.2e}")


def short_lists(folder: Path, texts: list[str], sweep=((1_000, 384, 384), (4_000, 384, 384), (4_000, 20, 384),
                                                       (4_000, 30, 384), (4_000, 40, 384), (4_000, 30, FAR))) -> None:
    """For each short-list length, margin and far distance (384 bits: every row of the list, no question far):
    the p50 per question of the code scan and exact scoring (of every FAQ for a far question), the rows scored,
    the questions scanned exactly, and how many questions' exact top 10 it misses (ties to 1e-6 either way)."""
    embedder = local_embedder(Settings.from_env(os.environ))
    matrix = load_faqs(str(folder), embedder).embeddings
    unit = embedder.embed_batched(texts)
    unit /= np.linalg.norm(unit, axis=1, keepdims=True)
    truth = [np.sort(np.partition(matrix @ u, -K)[-K:])[::-1] for u in unit]
    for length, margin, far in sweep:
        index = CompactIndex(matrix, shortlist=length, margin=margin, far=far)
        started, scored, scanned = [], [], 0
        for u in unit:
            start = time.perf_counter()
            rows = index.candidates(u[None, :], K)[0]
            scored.append(matrix @ u if rows is None else index.scores(u, rows))
            started.append(time.perf_counter() - start)
            scanned += rows is None
        missed = sum(len(s) < K or not np.allclose(np.sort(s)[::-1][:K], t, rtol=0, atol=1e-6)
                     for s, t in zip(scored, truth))
        print(f"  short list {length:>5,}, margin {margin:>3} bits, far {far:>3} bits: scan + scoring p50 "
              f"{np.median(started) * 1000:5.2f} ms, {np.mean([len(s) for s in scored]):6.0f} rows scored on "
              f"average, {scanned} questions scanned exactly, exact top {K} missed for {missed} of {len(texts)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--data", type=Path, default=Path("/tmp/faq-engine-scale"))
    parser.add_argument("--eval-dir", type=Path, default=ROOT.parent / "shared" / "eval")
    parser.add_argument("--method", default="dense", choices=("dense", "hybrid"))
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    folder = build(args.data, args.rows, args.eval_dir, local_embedder(Settings.from_env(os.environ)))
    texts = questions(args.eval_dir)
    print(f"{args.rows:,} distinct FAQs, {len(texts)} dev questions, method {args.method}, top {K}")
    compare(folder, texts, args.method, args.rounds)
    short_lists(folder, texts)
    plain, codes = (in_fresh_process(folder, exact, args.method) for exact in (True, False))
    assert codes["compact"] and not plain["compact"]
    print(f"  load: exact {plain['seconds']:.1f} s, compact {codes['seconds']:.1f} s "
          f"({codes['seconds'] / plain['seconds']:.2f}x); peak memory: exact {plain['peak_mb']:,.0f} MB, "
          f"compact {codes['peak_mb']:,.0f} MB ({codes['peak_mb'] / plain['peak_mb']:.2f}x)")


if __name__ == "__main__":
    main()
