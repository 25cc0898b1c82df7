"""The app's own CPU time per search, by way in: Gradio's ``/search`` (gradio_client) and ``GET /api/search``.

Starts ``python app.py`` once (on the bundled FAQs, or on ``--dataset``), and beside it Gradio's
floor: an app whose one event does nothing (benchmarks/gradio_floor.py). It warms every way up,
then for ``--rounds`` rounds asks ``--searches`` questions one after another each way,
alternating, and reads each server process's CPU time (user + system, from /proc) before and
after each batch. Prints the median milliseconds of CPU per search each way and their ratios.
Sequential on purpose: the figure is work per search, not what concurrency hides.

    python -m benchmarks.server_cpu [--searches 200] [--rounds 3] [--dataset FOLDER]
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
    parser.add_argument("--dataset", help="a FAQ set for the app (default: the bundled one)")
    args = parser.parse_args()
    from gradio_client import Client

    env = {"FAQ_ENGINE_SEARCH_RATE": "0", "FAQ_ENGINE_METHOD": "", "FAQ_ENGINE_FIELDS": "",
           **({"FAQ_ENGINE_DATASET": args.dataset} if args.dataset else {})}
    app = RunningApp(env).wait_ready(timeout=600)
    floor = RunningApp({}, script=("-m", "benchmarks.gradio_floor")).wait_ready()
    try:
        client, empty = Client(app.url, verbose=False), Client(floor.url, verbose=False)
        ways = {
            "Gradio /search (gradio_client)": (app, lambda q: client.predict(q, 5, api_name="/search")),
            "GET /api/search": (app, lambda q: urllib.request.urlopen(f"{app.url}/api/search?{urlencode({'q': q})}",
                                                                      timeout=30).read()),
            "Gradio floor: an event that does nothing": (floor, lambda q: empty.predict(q, 5, api_name="/search")),
        }
        for server, ask in ways.values():
            per_search(server.proc.pid, ask, 20)  # warm-up
        spent: dict[str, list[float]] = {name: [] for name in ways}
        for _ in range(args.rounds):
            for name, (server, ask) in ways.items():
                spent[name].append(per_search(server.proc.pid, ask, args.searches))
    finally:
        try:
            app.stop()
        finally:
            floor.stop()
    report(spent)


def report(spent: dict[str, list[float]]) -> None:
    medians = {name: statistics.median(values) for name, values in spent.items()}
    for name, ms in medians.items():
        print(f"{name}: {ms:.1f} ms of server CPU per search (rounds: {', '.join(f'{v:.1f}' for v in spent[name])})")
    gradio, plain, floor = medians.values()
    print(f"Gradio / JSON API: {gradio / plain:.1f}x; Gradio /search above its floor: {gradio - floor:.1f} ms")


if __name__ == "__main__":
    main()
