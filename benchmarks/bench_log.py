"""What the question log costs a search: the app's /search handler with the log on and off, side by side.

    python -m benchmarks.bench_log [--rounds 15] [--per-round 40]

Rounds alternate between a handler with a log (a folder, written by the background thread) and
one without, on the same engine and questions; the median time per search of each is printed,
and their ratio. The log's own thread shares the two cores with the searches, as in the app.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

from faq_engine.evaluation.runner import read_queries
from faq_engine.jobs import load_engine
from faq_engine.learning.log import QuestionLog
from faq_engine.settings import Settings
from faq_engine.ui.handlers import DemoHandlers
from faq_engine.ui.render import corpus_for

ROOT = Path(__file__).resolve().parents[1]


def per_search(handlers: DemoHandlers, questions: list[str]) -> float:
    start = time.perf_counter()
    for question in questions:
        handlers.search_event(question, 5, None)
    return (time.perf_counter() - start) / len(questions)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--per-round", type=int, default=40)
    args = parser.parse_args()
    settings = Settings.from_env(os.environ)
    engine = load_engine(settings)
    questions = [q.query for q in read_queries(str(ROOT / "tests" / "data" / "medicare_paraphrases.jsonl"))]
    questions = (questions * (1 + args.per_round // len(questions)))[: args.per_round]
    default = corpus_for(engine, "bundled")
    with tempfile.TemporaryDirectory() as folder:
        log = QuestionLog(Path(folder))
        handlers = {"off": DemoHandlers(default, settings), "on": DemoHandlers(default, settings, log=log)}
        per_search(handlers["off"], questions)  # warm-up
        times: dict[str, list[float]] = {"off": [], "on": []}
        for round_ in range(args.rounds):
            for name in (("off", "on") if round_ % 2 else ("on", "off")):
                times[name].append(per_search(handlers[name], questions))
        log.flush()
        written = sum(1 for p in Path(folder).glob("*.jsonl") for _ in p.open())
    off, on = statistics.median(times["off"]), statistics.median(times["on"])
    print(f"{args.rounds} rounds x {args.per_round} searches, {settings.method} ranking; {written} records logged")
    print(f"median per search: log off {off * 1000:.2f} ms, log on {on * 1000:.2f} ms; on/off {on / off:.3f} "
          f"({(on / off - 1) * 100:+.1f}%)")


if __name__ == "__main__":
    main()
