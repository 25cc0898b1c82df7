"""The app's own CPU time per search, by way in: Gradio's ``/search`` (gradio_client) and ``GET /api/search``.

Starts ``python app.py`` once, warms both ways up, then for ``--rounds`` rounds asks ``--searches``
questions one after another each way, alternating, and reads the server process's CPU time
(user + system, from /proc) before and after each batch. Prints the median milliseconds of CPU
per search each way and their ratio. Sequential on purpose: the figure is work per search, not
what concurrency hides.

    python -m benchmarks.server_cpu [--searches 200] [--rounds 3]
"""

from __future__ import annotations

import argparse
import os
import statistics
import urllib.request
from urllib.parse import urlencode

from benchmarks.bench_app import QUERIES  # noqa: E402
from tests.support.app_runner import RunningApp  # noqa: E402

TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of ``pid`` so far."""
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def per_search(pid: int, ask, n: int) -> float:
    """Milliseconds of the server's CPU per search, over ``n`` searches asked one after another."""
    before = cpu_seconds(pid)
    for i in range(n):
        ask(QUERIES[i % len(QUERIES)])
    return 1000 * (cpu_seconds(pid) - before) / n


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--searches", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    from gradio_client import Client

    app = RunningApp({"FAQ_ENGINE_SEARCH_RATE": "0", "FAQ_ENGINE_METHOD": "", "FAQ_ENGINE_FIELDS": ""}).wait_ready()
    try:
        client = Client(app.url, verbose=False)
        ways = {
            "Gradio /search (gradio_client)": lambda q: client.predict(q, 5, api_name="/search"),
            "GET /api/search": lambda q: urllib.request.urlopen(f"{app.url}/api/search?{urlencode({'q': q})}",
                                                                timeout=30).read(),
        }
        for ask in ways.values():
            per_search(app.proc.pid, ask, 20)  # warm-up
        spent: dict[str, list[float]] = {name: [] for name in ways}
        for _ in range(args.rounds):
            for name, ask in ways.items():
                spent[name].append(per_search(app.proc.pid, ask, args.searches))
    finally:
        app.stop()
    medians = {name: statistics.median(values) for name, values in spent.items()}
    for name, ms in medians.items():
        print(f"{name}: {ms:.1f} ms of server CPU per search (rounds: {', '.join(f'{v:.1f}' for v in spent[name])})")
    gradio, plain = medians.values()
    print(f"Gradio / JSON API: {gradio / plain:.1f}x")


if __name__ == "__main__":
    main()
