"""The public app under load and after visitors leave: ``python app.py`` queried with gradio_client.

Prints:

1. 50 concurrent gradio_client clients searching for 60 s (default): searches, failures,
   p50 and p95 latency, searches/s;
2. the app's resident memory (RSS) at start, with 20 visitors who each uploaded their own
   FAQ set (default 5,000 rows each), and after those 20 sessions ended (their clients
   closed, so the app's unload event ran): the last figure should be back near the first.

    python -m benchmarks.bench_app_limits [--clients 50] [--seconds 60] [--uploads 20] [--rows 5000]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from benchmarks.bench_app import QUERIES, percentile, rss_mib, start_app  # noqa: E402


def load(url: str, clients: int, seconds: float) -> tuple[list[float], int, float]:
    """Every client searches back to back until ``seconds`` have passed."""
    from gradio_client import Client

    pool = [Client(url, verbose=False) for _ in range(clients)]
    failures, lock = 0, threading.Lock()
    stop_at = time.perf_counter() + seconds

    def run(index: int) -> list[float]:
        nonlocal failures
        times, i = [], 0
        while time.perf_counter() < stop_at:  # bounded by the clock
            t = time.perf_counter()
            try:
                pool[index].predict(QUERIES[(index * 7 + i) % len(QUERIES)], 5, api_name="/search")
                times.append(time.perf_counter() - t)
            except Exception as err:  # counted and shown: this is what the benchmark measures
                with lock:
                    failures += 1
                print(f"  failure: {type(err).__name__}: {err}", file=sys.stderr)
            i += 1
        return times

    started = time.perf_counter()
    with ThreadPoolExecutor(clients) as ex:
        results = list(ex.map(run, range(clients)))
    elapsed = time.perf_counter() - started
    for client in pool:
        client.close()
    return [x for r in results for x in r], failures, elapsed


def uploads(url: str, pid: int, n: int, rows: int) -> tuple[float, float]:
    """RSS with ``n`` sessions holding their own upload, and after those sessions end."""
    from gradio_client import Client, handle_file

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "faqs.csv"
        lines = [f'"How do I do task {i} with my account?","Open settings, then task {i}."' for i in range(rows)]
        path.write_text("question,answer\n" + "\n".join(lines) + "\n", encoding="utf-8")
        visitors = []
        for i in range(n):
            client = Client(url, verbose=False)
            client.predict(handle_file(str(path)), api_name="/load_file")
            visitors.append(client)
            print(f"  upload {i + 1}/{n}: RSS {rss_mib(pid)[0]:.0f} MiB", file=sys.stderr)
        held = rss_mib(pid)[0]
        for client in visitors:
            client.close()  # the session ends: its heartbeat stops and the app's unload event runs
    time.sleep(40)  # the server notices a closed heartbeat at its next beat (every 15 s), the client at its own
    return held, rss_mib(pid)[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--uploads", type=int, default=20)
    parser.add_argument("--rows", type=int, default=5000)
    args = parser.parse_args()
    proc, url, _ = start_app()
    try:
        from gradio_client import Client

        warm = Client(url, verbose=False)
        warm.predict(QUERIES[0], 5, api_name="/search")
        warm.close()
        start_rss = rss_mib(proc.pid)[0]
        times, failures, elapsed = load(url, args.clients, args.seconds)
        print(f"{args.clients} clients for {elapsed:.0f} s: {len(times)} searches, {failures} failures, "
              f"p50 {percentile(times, 50) * 1000:.0f} ms, p95 {percentile(times, 95) * 1000:.0f} ms, "
              f"{len(times) / elapsed:.1f} searches/s")
        after_load = rss_mib(proc.pid)[0]
        # One visitor first, so the upload path's one-time costs (the model's working memory for a
        # batch of new texts, the embedding cache) are in the baseline: what is left is per session.
        _, before = uploads(url, proc.pid, 1, args.rows)
        held, after = uploads(url, proc.pid, args.uploads, args.rows)
        print(f"RSS: {start_rss:.0f} MiB at start, {after_load:.0f} MiB after the load test, {before:.0f} MiB after "
              f"one visitor's upload and exit, {held:.0f} MiB with {args.uploads} sessions holding {args.rows:,}-row "
              f"uploads, {after:.0f} MiB after they ended ({after / before - 1:+.1%} against before them)")
    finally:
        proc.terminate()
        proc.wait(timeout=30)


if __name__ == "__main__":
    main()
