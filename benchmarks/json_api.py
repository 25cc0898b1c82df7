"""The JSON API (GET /api/search) under load, and what batching concurrent questions buys, in one run.

1. In-process: 50 threads asking the bundled engine at once through the API's :class:`Batcher`,
   with batches of up to 32 questions against batches of 1 (one embedding call per question),
   for ``--seconds`` each, alternated ``--rounds`` times: searches/s, and the ratio.
2. Over HTTP: ``python app.py`` (the rate limit off: every client here has one address) and one
   light async load generator (raw HTTP/1.1 on asyncio, no client library) holding ``--clients``
   keep-alive connections, each asking back to back for ``--seconds``: searches/s, p50 and p95
   latency, failures; on the bundled set, then on ``--size`` synthetic FAQs (benchmarks/scale_data.py,
   their question vectors stored, so nothing is re-embedded: ``--size 0`` skips it).

    python -m benchmarks.json_api [--clients 50] [--seconds 20] [--rounds 3] [--size 100000] [--data DIR]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import threading
import time
from pathlib import Path
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parents[1]

from benchmarks import scale_data  # noqa: E402
from benchmarks.bench_app import QUERIES, percentile  # noqa: E402
from faq_engine.embedders.factory import local_embedder  # noqa: E402
from faq_engine.faqs.loader import load_bundled  # noqa: E402
from faq_engine.search.memory import MemoryEngine  # noqa: E402
from faq_engine.settings import Settings  # noqa: E402
from faq_engine.ui.json_api import Batcher  # noqa: E402
from tests.support.app_runner import RunningApp  # noqa: E402


def batched_rate(engine: MemoryEngine, max_batch: int, threads: int, seconds: float) -> tuple[float, float]:
    """Searches/s of ``threads`` askers through a :class:`Batcher` of ``max_batch``, and its mean batch size."""
    batcher, done, stop_at = Batcher(engine, max_batch), [0] * threads, time.perf_counter() + seconds

    def ask(i: int) -> None:
        while time.perf_counter() < stop_at:
            batcher.ask(QUERIES[(i + done[i]) % len(QUERIES)], 5).result()
            done[i] += 1

    workers = [threading.Thread(target=ask, args=(i,)) for i in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    return sum(done) / seconds, statistics.mean(batcher.batches)


async def _one_client(host: str, port: int, index: int, stop_at: float, times: list[float], failed: list[int]):
    reader, writer = await asyncio.open_connection(host, port)
    i = index
    try:
        while time.perf_counter() < stop_at:
            query = urlencode({"q": QUERIES[i % len(QUERIES)], "k": 5})
            i += 1
            started = time.perf_counter()
            writer.write(f"GET /api/search?{query} HTTP/1.1\r\nHost: {host}\r\n\r\n".encode())
            status = int((await reader.readline()).split()[1])
            length = 0
            while (line := await reader.readline()) not in (b"\r\n", b""):
                name, _, value = line.decode("latin-1").partition(":")
                if name.strip().lower() == "content-length":
                    length = int(value)
            await reader.readexactly(length)
            times.append(time.perf_counter() - started)
            if status != 200:
                failed[0] += 1
    finally:
        writer.close()


async def _load(url: str, clients: int, seconds: float) -> tuple[list[float], int]:
    parts, times, failed = urlsplit(url), [], [0]
    stop_at = time.perf_counter() + seconds
    results = await asyncio.gather(*(_one_client(parts.hostname, parts.port, i, stop_at, times, failed)
                                     for i in range(clients)), return_exceptions=True)
    failed[0] += sum(isinstance(r, Exception) for r in results)
    return times, failed[0]


def http_line(label: str, env: dict[str, str], clients: int, seconds: float) -> str:
    """One line of the table: ``python app.py`` with ``env`` under the load generator."""
    app = RunningApp({"FAQ_ENGINE_SEARCH_RATE": "0", "FAQ_ENGINE_METHOD": "", "FAQ_ENGINE_FIELDS": "", **env}
                     ).wait_ready(timeout=900)
    try:
        asyncio.run(_load(app.url, clients, 2.0))  # warm-up
        times, failed = asyncio.run(_load(app.url, clients, seconds))
    finally:
        app.stop()
    return (f"| {label} | {env.get('OPENBLAS_NUM_THREADS', '1')} | {clients} | {len(times):,} | {failed} | {len(times) / seconds:.0f} | "
            f"{1000 * percentile(times, 50):.0f} ms | {1000 * percentile(times, 95):.0f} ms |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--data", default="/tmp/faq-engine-scale", help="where the synthetic sets are kept")
    args = parser.parse_args()
    embedder = local_embedder(Settings())
    engine = MemoryEngine(load_bundled("medicare", embedder), embedder)
    rates: dict[int, list[float]] = {32: [], 1: []}
    for _ in range(args.rounds):
        for size in rates:
            rates[size].append(batched_rate(engine, size, args.clients, args.seconds / 2)[0])
    one, many = statistics.median(rates[1]), statistics.median(rates[32])
    print(f"In process, {args.clients} threads: batches of 1: {one:.0f} searches/s; batches of up to 32: "
          f"{many:.0f} searches/s ({many / one:.2f}x; medians of {args.rounds} alternated rounds)\n")
    print("| FAQs | BLAS threads | clients | searches | failures | searches/s | p50 | p95 |")
    print("|---|---|---|---|---|---|---|---|")
    print(http_line("13 (bundled)", {}, args.clients, args.seconds), flush=True)
    if args.size:
        folder = scale_data.build(Path(args.data) / f"faqs-{args.size}", args.size, embedder)
        env = {"FAQ_ENGINE_DATASET": str(folder), "FAQ_ENGINE_FIELDS": "question"}
        for blas in ("1", "2"):  # the app's default, and OpenBLAS's own on 2 cores
            print(http_line(f"{args.size:,}", {**env, "OPENBLAS_NUM_THREADS": blas}, args.clients, args.seconds),
                  flush=True)


if __name__ == "__main__":
    main()
