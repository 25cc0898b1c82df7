"""From 10k to a million FAQs on one machine: loading, exact search, hybrid, the app and the CLI.

For each size it builds (once) a dataset in faq-engine's format (benchmarks/scale_data.py), then
measures in fresh processes, side by side: load time and peak RSS; single-query p50/p95 of the
exact index against plain numpy (matmul + argpartition on the same normalised float32 matrix)
and FAISS IndexFlatIP when installed (pip install faiss-cpu), plus a float16 numpy scan; a
100-query batch; BM25 build and load; hybrid against dense; ``python app.py`` from start to
first answer, twice (the second start loads the saved BM25 index); a whole ``faq-engine
search`` process against a plain pyarrow + numpy script doing the same search. Last, ``faq-engine
embed`` of 100k new FAQs: peak RSS and FAQs/s against the embedder's own throughput.

    python -m benchmarks.bench_scale [--sizes 10000,100000,1000000] [--data /tmp/faq-engine-scale]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PY = sys.executable

MEASURE = r"""
import json, statistics, sys, time, numpy as np
from pathlib import Path
from faq_engine.embedders.onnx_runtime import OnnxEmbedder
from faq_engine.faqs.loader import load_faqs
from faq_engine.search.bm25_cache import load_or_build
from faq_engine.search.memory import MemoryEngine
def rss():
    f = dict(l.split(":", 1) for l in open("/proc/self/status") if ":" in l)
    return int(f["VmRSS"].split()[0]) / 1024, int(f["VmHWM"].split()[0]) / 1024
def timed(fn, n=30):
    t = []
    for i in range(n):
        s = time.perf_counter(); fn(i); t.append(time.perf_counter() - s)
    t.sort(); return t[len(t) // 2] * 1000, t[int(len(t) * 0.95) - 1] * 1000
folder, cache = Path(sys.argv[1]), Path(sys.argv[2])
e = OnnxEmbedder(cache_dir=cache)
queries = [f"how can I {v} my account {i}" for i, v in enumerate(["close", "renew", "update", "check"] * 25)]
Q = e.embed(queries)
before = rss()[0]
open("/proc/self/clear_refs", "w").write("5")  # the peak from here on is the load's
t = time.perf_counter(); faqs = load_faqs(folder, e); out = {"load_s": time.perf_counter() - t}
out["rss_before_load_mb"], out["peak_rss_mb"] = before, rss()[1]
out["raw_mb"] = (faqs.embeddings.nbytes + faqs.entries.table.nbytes) / 2**20
dense = MemoryEngine(faqs, e, method="dense")
M = dense.index.matrix
def numpy_top(q, k=10):
    s = M @ q; top = np.argpartition(-s, k)[:k]; return top[np.argsort(-s[top])]
out["dense_p50_ms"], out["dense_p95_ms"] = timed(lambda i: dense.index.search(Q[i:i + 1], 10))
out["numpy_p50_ms"], out["numpy_p95_ms"] = timed(lambda i: numpy_top(Q[i]))
s = time.perf_counter(); dense.index.search(Q, 10); out["batch100_ms"] = (time.perf_counter() - s) * 1000
s = time.perf_counter(); S = Q @ M.T; np.argpartition(-S, 10, axis=1)[:, :10]; out["numpy_batch100_ms"] = (time.perf_counter() - s) * 1000
del S
try:
    import faiss
    fi = faiss.IndexFlatIP(M.shape[1]); fi.add(M)
    out["faiss_p50_ms"], _ = timed(lambda i: fi.search(Q[i:i + 1], 10))
    s = time.perf_counter(); fi.search(Q, 10); out["faiss_batch100_ms"] = (time.perf_counter() - s) * 1000
    del fi
except ImportError:
    pass
M16, q16 = M.astype(np.float16), Q.astype(np.float16)
out["float16_numpy_p50_ms"], _ = timed(lambda i: M16 @ q16[i], 5)
del M16
bm25_dir = cache / "bm25-bench"
shutil_rm = __import__("shutil").rmtree; shutil_rm(bm25_dir, ignore_errors=True)
s = time.perf_counter(); load_or_build(faqs.entries, bm25_dir); out["bm25_build_s"] = time.perf_counter() - s
s = time.perf_counter(); lexical = load_or_build(faqs.entries, bm25_dir); out["bm25_load_s"] = time.perf_counter() - s
hybrid = MemoryEngine(faqs, e, method="hybrid", lexical=lexical)
out["rank_dense_p50_ms"], _ = timed(lambda i: dense.search_batch([queries[i]], 10, vectors=Q[i:i + 1]))
out["rank_hybrid_p50_ms"], out["rank_hybrid_p95_ms"] = timed(lambda i: hybrid.search_batch([queries[i]], 10, vectors=Q[i:i + 1]))
print(json.dumps(out))
"""

PLAIN = r"""
import json, sys, numpy as np, pyarrow.parquet as pq
from pathlib import Path
from faq_engine.embedders.onnx_runtime import OnnxEmbedder
files = sorted(Path(sys.argv[1]).glob("data/*.parquet"))
texts = [pq.read_table(f, columns=["id", "question", "answer", "url"]) for f in files]
n = sum(t.num_rows for t in texts)
M = np.empty((n, 384), np.float32); row = 0
for f in files:
    for b in pq.ParquetFile(f).iter_batches(columns=["embedding"], batch_size=65536):
        M[row:row + len(b)] = b.column(0).values.to_numpy().reshape(-1, 384); row += len(b)
q = OnnxEmbedder(cache_dir=Path(sys.argv[2])).embed([sys.argv[3]])[0]
s = M @ q; top = np.argpartition(-s, 5)[:5]; top = top[np.argsort(-s[top])]
import pyarrow as pa
t = pa.concat_tables(texts)
print(json.dumps([{"id": t.column("id")[int(i)].as_py(), "score": float(s[i])} for i in top]))
"""


def run(argv: list[str], env: dict | None = None) -> tuple[str, float, float]:
    """Run a process to its end: stdout, wall seconds, peak RSS in MB."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, cwd=ROOT, env={**os.environ, **(env or {})}, stdout=subprocess.PIPE, text=True)
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    if status != 0:
        sys.exit(f"{argv[:3]} failed")
    return out, time.perf_counter() - start, usage.ru_maxrss / 1024


def app_start(folder: Path, cache: Path) -> float:
    """Seconds from ``python app.py`` (hybrid over ``folder``) to its first answer over HTTP."""
    from benchmarks.bench_app import first_answer, free_port

    env = {**os.environ, "FAQ_ENGINE_DATASET": str(folder), "FAQ_ENGINE_METHOD": "hybrid",
           "FAQ_ENGINE_CACHE_DIR": str(cache), "GRADIO_SERVER_PORT": str(free_port()),
           "GRADIO_ANALYTICS_ENABLED": "False", "PYTHONUNBUFFERED": "1"}
    started = time.perf_counter()
    proc = subprocess.Popen([PY, "app.py"], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True)
    try:
        for line in proc.stdout:  # bounded: the app prints its URL once it listens, or exits
            if "Running on local URL:" in line:
                return first_answer(line.split("URL:")[1].strip(), started)[1]
        sys.exit("app.py did not start")
    finally:
        proc.terminate()
        proc.wait(timeout=60)


def embed_100k(cache: Path, rows: int = 100_000) -> None:
    """``faq-engine embed`` of ``rows`` new FAQs: peak RSS and FAQs/s against the embedder alone."""
    from benchmarks.scale_data import templates

    work = Path(tempfile.mkdtemp(prefix="bench-embed-"))
    try:
        base = templates()
        lines = [f'"{base[i % len(base)][:-1]} (case {i})?",An answer for case {i}.' for i in range(rows)]
        (work / "raw.csv").write_text("question,answer\n" + "\n".join(lines) + "\n", encoding="utf-8")
        fresh = work / "cache"
        shutil.copytree(cache / "onnx", fresh / "onnx")  # the model graph is built already; no text is cached
        sample = ("import sys, time; from faq_engine.embedders.onnx_runtime import OnnxEmbedder; "
                  "from faq_engine.faqs.entry import texts_for; from faq_engine.faqs.tables import read_table; "
                  "e = OnnxEmbedder(cache_dir=sys.argv[1]); e.embed(['warm up']); "
                  "texts = texts_for(read_table(sys.argv[2])[:5000], 'question+answer'); "
                  "t = time.perf_counter(); e.embed_batched(texts); print(len(texts) / (time.perf_counter() - t))")
        alone = float(run([PY, "-c", sample, str(fresh), str(work / "raw.csv")])[0])
        _, wall, peak = run([PY, "-m", "faq_engine", "embed", str(work / "raw.csv"), "-o", str(work / "out"),
                             "--no-progress", "--embedder", "local"], {"FAQ_ENGINE_CACHE_DIR": str(fresh)})
        print(f"embed {rows:,} new FAQs: {wall:.0f} s ({rows / wall:.0f} FAQs/s, {rows / wall / alone:.2f}x the "
              f"embedder alone at {alone:.0f}/s), peak RSS {peak:.0f} MB")
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--data", default="/tmp/faq-engine-scale", type=Path)
    parser.add_argument("--no-embed", action="store_true", help="skip the 100k embed run")
    args = parser.parse_args()
    from benchmarks.scale_data import build
    from faq_engine.embedders.onnx_runtime import OnnxEmbedder

    cache = args.data / "cache"
    embedder = OnnxEmbedder(cache_dir=cache)
    for size in (int(s) for s in args.sizes.split(",")):
        folder = build(args.data / f"faqs-{size}", size, embedder)
        m = json.loads(run([PY, "-c", MEASURE, str(folder), str(cache)])[0])
        print(f"\n== {size:,} FAQs ==")
        print(f"load {m['load_s']:.2f} s; peak RSS {m['peak_rss_mb']:.0f} MB (before loading {m['rss_before_load_mb']:.0f}"
              f" MB; vectors + text {m['raw_mb']:.0f} MB; growth {(m['peak_rss_mb'] - m['rss_before_load_mb']) / m['raw_mb']:.2f}x)")
        faiss = f", FAISS flat {m['faiss_p50_ms']:.1f} ms" if "faiss_p50_ms" in m else ", FAISS not installed"
        print(f"dense top-10 p50 {m['dense_p50_ms']:.1f} ms (p95 {m['dense_p95_ms']:.1f}) vs numpy {m['numpy_p50_ms']:.1f} "
              f"ms: {m['dense_p50_ms'] / m['numpy_p50_ms']:.2f}x{faiss}; float16 numpy scan {m['float16_numpy_p50_ms']:.0f} ms")
        faiss_b = f", FAISS {m['faiss_batch100_ms']:.0f} ms" if "faiss_batch100_ms" in m else ""
        print(f"100 queries: {m['batch100_ms']:.0f} ms vs numpy {m['numpy_batch100_ms']:.0f} ms{faiss_b}")
        print(f"BM25 build {m['bm25_build_s']:.2f} s, load {m['bm25_load_s']:.3f} s; ranking p50 hybrid "
              f"{m['rank_hybrid_p50_ms']:.1f} ms (p95 {m['rank_hybrid_p95_ms']:.1f}) vs dense {m['rank_dense_p50_ms']:.1f} "
              f"ms: {m['rank_hybrid_p50_ms'] / m['rank_dense_p50_ms']:.2f}x")
        shutil.rmtree(cache / "bm25", ignore_errors=True)  # the first start builds the BM25 index, the second loads it
        first, second = app_start(folder, cache), app_start(folder, cache)
        print(f"app start to first answer (hybrid): {first:.1f} s building BM25, then {second:.1f} s loading it")
        query = "how can I close my account"
        _, cli_s, cli_mb = run([PY, "-m", "faq_engine", "search", query, "--dataset", str(folder), "--method", "dense",
                                "--json"], {"FAQ_ENGINE_CACHE_DIR": str(cache)})
        _, plain_s, plain_mb = run([PY, "-c", PLAIN, str(folder), str(cache), query])
        print(f"faq-engine search process: {cli_s:.2f} s, {cli_mb:.0f} MB vs plain pyarrow + numpy: {plain_s:.2f} s, "
              f"{plain_mb:.0f} MB ({cli_s / plain_s:.2f}x time, {cli_mb / plain_mb:.2f}x memory)")
    if not args.no_embed:
        embed_100k(cache)


if __name__ == "__main__":
    main()
