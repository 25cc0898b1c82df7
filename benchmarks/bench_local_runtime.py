"""The local ONNX Runtime embedder against sentence-transformers on torch, in one interleaved run.

Each measurement runs in a fresh subprocess, alternating the two runtimes round
after round so both see the same machine load.  Every process reports:
import + load time (importing faq_engine's runtime module, loading the model,
embedding one text), latency p50/p95 of single short questions (one per call,
as a search box sends them), sentences/s embedding 2,000 FAQ-like sentences of
varied length in one call, and peak RSS.  The table shows the median over
rounds (and the best round), the ratio ONNX / sentence-transformers (median of
the per-round ratios), then checks the targets.
One extra process with an empty cache times the first-ever load, which also
builds the ONNX graph from the weights.

    python -m benchmarks.bench_local_runtime [--rounds 5] [--queries 300] [--sentences 2000]
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RUNTIMES = ("onnx", "sentence-transformers")

TOPICS = ("Medicare card", "Part B premium", "drug plan", "Medigap policy", "hospital stay", "claim", "appeal",
          "doctor visit", "Social Security benefit", "enrollment period", "deductible", "home health care",
          "hearing aid", "flu shot", "ambulance ride", "nursing home stay", "prescription refill", "eye exam")
ASKS = ("How do I replace my {t}?", "What does my {t} cover?", "When can I change my {t}?",
        "Who pays for my {t}?", "Can I cancel my {t} online?", "Why was my {t} denied?",
        "Where do I send a form about my {t}?", "How long does my {t} take?", "Is my {t} taxable?",
        "What happens to my {t} if I move to another state?", "Does Medicare help with my {t}?",
        "I lost my job last month and I am not sure whether my {t} still applies; what should I do first?")
DETAILS = ("", "", " I am 67.", " My spouse still works.", " I live in Ohio.",
           " My doctor says it is urgent, but the plan sent me a letter saying it is not covered, and I do not "
           "understand the appeal steps or the deadlines they mention.")


def faq_sentences(n: int, seed: int = 0, details: bool = True) -> list[str]:
    """``n`` FAQ-like sentences (deterministic for a seed): varied lengths, or short questions only."""
    rng = random.Random(seed)
    asks, extra = (ASKS, DETAILS) if details else (ASKS[:-1], ("",))
    return [rng.choice(asks).format(t=rng.choice(TOPICS)) + rng.choice(extra) for _ in range(n)]


def _load(runtime: str, cache_dir: str):
    """Import the runtime's module, build the embedder and embed one text (what a first search pays)."""
    start = time.perf_counter()
    if runtime == "onnx":
        from faq_engine.embedders.onnx_runtime import OnnxEmbedder

        embedder = OnnxEmbedder(cache_dir=Path(cache_dir))
    else:
        from faq_engine.embedders.torch_runtime import SentenceTransformersEmbedder

        embedder = SentenceTransformersEmbedder()
    embedder.embed(["warm up"])
    return embedder, time.perf_counter() - start


def _latencies_ms(embedder, queries: list[str]) -> list[float]:
    for q in queries[:10]:
        embedder.embed([q])
    out = []
    for q in queries:
        start = time.perf_counter()
        embedder.embed([q])
        out.append((time.perf_counter() - start) * 1000)
    return out


def worker(runtime: str, cache_dir: str, queries: int, sentences: int, load_only: bool) -> dict:
    """Measure one runtime in this (fresh) process and return the numbers."""
    embedder, load_s = _load(runtime, cache_dir)
    result = {"runtime": runtime, "load_s": load_s}
    if not load_only:
        lat = sorted(_latencies_ms(embedder, faq_sentences(queries, seed=1, details=False)))
        texts = faq_sentences(sentences, seed=2)
        start = time.perf_counter()
        embedder.embed(texts)
        result.update(
            p50_ms=statistics.median(lat), p95_ms=lat[int(0.95 * (len(lat) - 1))],
            sent_per_s=len(texts) / (time.perf_counter() - start),
        )
    result["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    result["torch_imported"] = "torch" in sys.modules
    return result


def _spawn(runtime: str, cache_dir: str, args: argparse.Namespace, load_only: bool = False) -> dict:
    cmd = [sys.executable, __file__, "--worker", runtime, "--cache-dir", cache_dir,
           "--queries", str(args.queries), "--sentences", str(args.sentences)]
    if load_only:
        cmd.append("--load-only")
    done = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{runtime} worker failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


METRICS = (("load_s", "import+load (s)", "{:.3f}"), ("p50_ms", "single query p50 (ms)", "{:.2f}"),
           ("p95_ms", "single query p95 (ms)", "{:.2f}"), ("sent_per_s", "sentences/s", "{:.0f}"),
           ("peak_rss_mb", "peak RSS (MB)", "{:.0f}"))


def _summary(runs: dict[str, list[dict]]) -> tuple[dict[str, dict[str, float]], dict[str, float]]:
    """Per-runtime medians, and each metric's ratio onnx / sentence-transformers.

    A ratio is the median of per-round ratios: the two processes of a round ran
    back to back, so they saw the same machine load.
    """
    med = {rt: {key: statistics.median(r[key] for r in rs) for key, _, _ in METRICS} for rt, rs in runs.items()}
    pairs = list(zip(runs["onnx"], runs["sentence-transformers"]))
    ratios = {key: statistics.median(o[key] / s[key] for o, s in pairs) for key, _, _ in METRICS}
    best = {rt: {key: (max if key == "sent_per_s" else min)(r[key] for r in rs) for key, _, _ in METRICS}
            for rt, rs in runs.items()}
    print(f"\n{'median of ' + str(len(pairs)) + ' rounds (best round)':<34}{'onnx':>18}{'sent-tr':>18}{'ratio':>8}")
    for key, label, fmt in METRICS:
        cells = [f"{fmt.format(med[rt][key])} ({fmt.format(best[rt][key])})" for rt in RUNTIMES]
        print(f"{label:<34}{cells[0]:>18}{cells[1]:>18}{ratios[key]:>7.2f}x")
    return med, ratios


def _check(med: dict[str, dict[str, float]], ratios: dict[str, float], torch_seen: bool) -> bool:
    onnx = med["onnx"]
    checks = [
        ("single query p50 <= 3.5 ms", onnx["p50_ms"] <= 3.5),
        ("single query p50 <= 0.35x sentence-transformers'", ratios["p50_ms"] <= 0.35),
        ("import+load <= 0.6 s", onnx["load_s"] <= 0.6),
        ("throughput >= 1.1x sentence-transformers'", ratios["sent_per_s"] >= 1.1),
        ("peak RSS <= 300 MB", onnx["peak_rss_mb"] <= 300),
        ("torch never imported by the onnx runtime", not torch_seen),
    ]
    print()
    for label, ok in checks:
        print(f"  {'PASS' if ok else 'FAIL'}  {label}")
    return all(ok for _, ok in checks)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="interleaved rounds per runtime (default 5)")
    parser.add_argument("--queries", type=int, default=300, help="single-query timings per process")
    parser.add_argument("--sentences", type=int, default=2000, help="sentences for the throughput test")
    parser.add_argument("--worker", choices=RUNTIMES, help=argparse.SUPPRESS)
    parser.add_argument("--cache-dir", help=argparse.SUPPRESS)
    parser.add_argument("--load-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(args.worker, args.cache_dir, args.queries, args.sentences, args.load_only)))
        return 0
    with tempfile.TemporaryDirectory(prefix="bench-local-") as cold, tempfile.TemporaryDirectory() as warm:
        first = _spawn("onnx", cold, args, load_only=True)
        print(f"first-ever onnx load (builds and caches the graph): {first['load_s']:.2f} s")
        runs: dict[str, list[dict]] = {rt: [] for rt in RUNTIMES}
        _spawn("onnx", warm, args, load_only=True)  # fills the cache the timed rounds load from
        for i in range(args.rounds):
            for rt in RUNTIMES if i % 2 == 0 else RUNTIMES[::-1]:
                runs[rt].append(_spawn(rt, warm, args))
                r = runs[rt][-1]
                print(f"round {i + 1} {rt:<22} load {r['load_s']:.3f} s  p50 {r['p50_ms']:.2f} ms  "
                      f"p95 {r['p95_ms']:.2f} ms  {r['sent_per_s']:.0f} sent/s  {r['peak_rss_mb']:.0f} MB", flush=True)
    med, ratios = _summary(runs)
    return 0 if _check(med, ratios, any(r["torch_imported"] for r in runs["onnx"])) else 1


if __name__ == "__main__":
    sys.exit(main())
