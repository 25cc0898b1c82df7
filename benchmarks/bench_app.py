"""The demo as users meet it: ``python app.py`` in a subprocess, queried with gradio_client.

Prints:

1. seconds from starting ``python app.py`` to the first answered query, and how long that
   query itself took (the model and vectors are loaded at start-up, so no slower than the rest);
2. median and p95 of sequential ``/search`` calls from one client (default 100), and of the
   same calls over plain HTTP (``POST /gradio_api/call/search`` and its event stream):
   gradio_client polls its event stream every 50 ms, so the HTTP numbers show the app's own cost;
3. the app's resident memory (RSS) after those, and its peak;
4. concurrent clients x searches each (default 20 x 20): failures, p50, p95, searches/s.

Questions rotate through the Medicare paraphrase set, so no two calls in a row are alike.

    python -m benchmarks.bench_app [--sequential 100] [--clients 20] [--per-client 20]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
QUERIES = [json.loads(line)["query"] for line in (ROOT / "tests/data/medicare_paraphrases.jsonl").read_text().splitlines()
           if line.strip()]
START_TIMEOUT = 180.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered)) - 1))]


def rss_mib(pid: int) -> tuple[float, float]:
    """Current and peak resident set size of ``pid`` in MiB (Linux /proc)."""
    fields = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines() if ":" in line)
    return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024


def start_app() -> tuple[subprocess.Popen, str, float]:
    """Start ``python app.py``; return the process, its URL and the start time."""
    env = {**os.environ, "GRADIO_SERVER_PORT": str(free_port()), "GRADIO_ANALYTICS_ENABLED": "False",
           "PYTHONUNBUFFERED": "1"}
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "app.py"], cwd=ROOT, env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    found: list[str] = []
    lines: list[str] = []

    def read() -> None:
        for line in proc.stdout:
            lines.append(line)
            match = re.search(r"Running on local URL:\s*(\S+)", line)
            if match:
                found.append(match.group(1))

    threading.Thread(target=read, daemon=True).start()
    while not found:
        if proc.poll() is not None or time.perf_counter() - started > START_TIMEOUT:
            proc.kill()
            sys.exit("app.py did not start:\n" + "".join(lines[-30:]))
        time.sleep(0.02)
    return proc, found[0], started


def first_answer(url: str, started: float) -> tuple[list[dict], float, float]:
    """The very first search, over plain HTTP: seconds since start-up, and its own latency."""
    import requests

    with requests.Session() as session:
        t = time.perf_counter()
        hits = http_search(session, url, "How can Medicare help me?")
    done = time.perf_counter()
    return hits, done - started, done - t


def timed_searches(client, n: int, offset: int = 0) -> list[float]:
    times = []
    for i in range(n):
        t = time.perf_counter()
        client.predict(QUERIES[(offset + i) % len(QUERIES)], 5, api_name="/search")
        times.append(time.perf_counter() - t)
    return times


def http_search(session, url: str, question: str, k: int = 5) -> list[dict]:
    """One search through gradio's HTTP API: start the event, read its stream to the end."""
    event = session.post(f"{url}/gradio_api/call/search", json={"data": [question, k]}, timeout=30)
    event.raise_for_status()
    stream = session.get(f"{url}/gradio_api/call/search/{event.json()['event_id']}", timeout=30)
    kind = ""
    for line in stream.text.splitlines():
        if line.startswith("event:"):
            kind = line.split(":", 1)[1].strip()
        elif line.startswith("data:") and kind == "complete":
            return json.loads(line.split(":", 1)[1])[0]
    raise RuntimeError(f"no result in the event stream: {stream.text[:200]}")


def timed_http_searches(url: str, n: int) -> list[float]:
    import requests

    times = []
    with requests.Session() as session:
        for i in range(n):
            t = time.perf_counter()
            http_search(session, url, QUERIES[i % len(QUERIES)])
            times.append(time.perf_counter() - t)
    return times


def concurrent(url: str, clients: int, per_client: int) -> tuple[list[float], int, float]:
    from gradio_client import Client

    pool = [Client(url, verbose=False) for _ in range(clients)]
    failures = 0
    lock = threading.Lock()

    def run(index: int) -> list[float]:
        nonlocal failures
        times = []
        for i in range(per_client):
            t = time.perf_counter()
            try:
                pool[index].predict(QUERIES[(index * per_client + i) % len(QUERIES)], 5, api_name="/search")
                times.append(time.perf_counter() - t)
            except Exception as err:  # counted and shown: this is what the benchmark measures
                with lock:
                    failures += 1
                print(f"  failure: {type(err).__name__}: {err}", file=sys.stderr)
        return times

    t = time.perf_counter()
    with ThreadPoolExecutor(clients) as ex:
        results = list(ex.map(run, range(clients)))
    return [x for r in results for x in r], failures, time.perf_counter() - t


def concurrent_http(url: str, clients: int, per_client: int) -> tuple[list[float], int, float]:
    """The same load as :func:`concurrent` over plain HTTP, one ``requests`` session per client."""
    import requests

    def run(index: int) -> tuple[list[float], int]:
        times, failures = [], 0
        with requests.Session() as session:
            for i in range(per_client):
                t = time.perf_counter()
                try:
                    http_search(session, url, QUERIES[(index * per_client + i) % len(QUERIES)])
                    times.append(time.perf_counter() - t)
                except Exception as err:  # counted and shown
                    failures += 1
                    print(f"  failure: {type(err).__name__}: {err}", file=sys.stderr)
        return times, failures

    t = time.perf_counter()
    with ThreadPoolExecutor(clients) as ex:
        results = list(ex.map(run, range(clients)))
    return [x for r, _ in results for x in r], sum(f for _, f in results), time.perf_counter() - t


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sequential", type=int, default=100)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--per-client", type=int, default=20)
    args = parser.parse_args()

    from faq_engine.settings import Settings

    settings = Settings.from_env(os.environ)
    print(f"settings: embedder={settings.embedder} method={settings.method} fields={settings.fields} "
          f"local runtime={settings.local_runtime}; {os.cpu_count()} CPUs")
    proc, url, started = start_app()
    try:
        from gradio_client import Client

        hits, to_first, first_latency = first_answer(url.rstrip("/"), started)
        print(f"app: {url}   top hit for 'How can Medicare help me?': FAQ {hits[0]['id']} ({hits[0]['score']:.4f})")
        print(f"1. python app.py -> first answered query: {to_first:.2f} s "
              f"(that first query itself, over plain HTTP: {first_latency * 1000:.1f} ms)")
        seq = timed_searches(Client(url, verbose=False), args.sequential)
        print(f"2. {args.sequential} sequential /search calls: median {statistics.median(seq) * 1000:.1f} ms, "
              f"p95 {percentile(seq, 95) * 1000:.1f} ms")
        http = timed_http_searches(url.rstrip("/"), args.sequential)
        print(f"   the same over plain HTTP: median {statistics.median(http) * 1000:.1f} ms, "
              f"p95 {percentile(http, 95) * 1000:.1f} ms")
        rss, peak = rss_mib(proc.pid)
        print(f"3. app RSS: {rss:.0f} MiB (peak {peak:.0f} MiB)")
        times, failures, wall = concurrent(url, args.clients, args.per_client)
        total = args.clients * args.per_client
        print(f"4. {args.clients} concurrent clients x {args.per_client} searches: failures {failures}/{total}, "
              f"p50 {percentile(times, 50) * 1000:.1f} ms, p95 {percentile(times, 95) * 1000:.1f} ms, "
              f"{total / wall:.1f} searches/s")
        times, failures, wall = concurrent_http(url.rstrip("/"), args.clients, args.per_client)
        print(f"   the same load over plain HTTP: failures {failures}/{total}, p50 {percentile(times, 50) * 1000:.1f} ms, "
              f"p95 {percentile(times, 95) * 1000:.1f} ms, {total / wall:.1f} searches/s")
        rss, peak = rss_mib(proc.pid)
        print(f"   app RSS after the concurrent runs: {rss:.0f} MiB (peak {peak:.0f} MiB)")
    finally:
        proc.terminate()
        proc.wait(timeout=30)


if __name__ == "__main__":
    main()
