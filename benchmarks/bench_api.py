"""Embed 1,000 FAQs through a loopback Inference API that adds 100 ms to every request.

Prints the requests made and the seconds taken with one batch in flight at a
time and with a small pool of batches in flight.  Two servers:

* "precomputed": answers real all-MiniLM-L6-v2 vectors computed once up front,
  so its own work is ~0, like a remote service with far more compute than this
  machine; the numbers show the client's cost of latency and what concurrency buys.
* "on request": computes the vectors with the local model on this machine's CPU,
  which the client shares; the model's time is then the floor.

Every run also checks that the API vectors equal the local model's.

    python -m benchmarks.bench_api [--faqs 1000] [--latency 0.1] [--batch-size 32] [--concurrency 1 2 4 8]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))  # the loopback fake of the Inference API lives with the tests

from faq_engine.embedders.factory import local_embedder  # noqa: E402
from faq_engine.embedders.inference_api import InferenceApiEmbedder  # noqa: E402
from faq_engine.settings import Settings  # noqa: E402
from tests.support.api_server import FakeInferenceApi  # noqa: E402

TOPICS = ("Medicare card", "Part B premium", "drug plan", "Medigap policy", "hospital stay", "claim",
          "appeal", "doctor visit", "Social Security benefit", "enrollment period")
ASKS = ("How do I replace my {t}?", "What does my {t} cover?", "When can I change my {t}?",
        "Who pays for my {t}?", "Can I cancel my {t} online?", "Why was my {t} denied?",
        "Where do I send a form about my {t}?", "How long does my {t} take?", "Is my {t} taxable?",
        "What happens to my {t} if I move to another state?")


def synthetic_faqs(n: int) -> list[str]:
    """``n`` distinct FAQ-like questions (deterministic)."""
    texts = []
    while len(texts) < n:
        round_ = len(texts) // (len(TOPICS) * len(ASKS))
        for t in TOPICS:
            for ask in ASKS:
                suffix = f" (case {round_})" if round_ else ""
                texts.append(ask.format(t=t) + suffix)
    return texts[:n]


def run(url: str, texts: list[str], batch_size: int, concurrency: int, server: FakeInferenceApi):
    embedder = InferenceApiEmbedder(url, "bench-token", request_size=batch_size, concurrency=concurrency)
    before = server.count
    server.max_in_flight = 0
    start = time.perf_counter()
    vectors = embedder.embed(texts)
    seconds = time.perf_counter() - start
    embedder.close()
    return vectors, server.count - before, seconds, server.max_in_flight


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--faqs", type=int, default=1000)
    parser.add_argument("--latency", type=float, default=0.1, help="seconds the server adds to every request")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 2, 4, 8])
    args = parser.parse_args()

    texts = synthetic_faqs(args.faqs)
    local = local_embedder(Settings.from_env(os.environ))
    local.embed(texts[:8])  # load the model before timing anything
    reference = local.embed(texts)
    by_text = dict(zip(texts, reference))
    servers = (
        ("precomputed", lambda batch: np.stack([by_text[t] for t in batch]), args.concurrency),
        ("on request", local.embed, [args.concurrency[0], max(args.concurrency)]),
    )
    print(f"{len(texts)} FAQs, batches of {args.batch_size}, server adds {args.latency * 1000:.0f} ms per request")
    print(f"{'server':>12}  {'in flight':>9}  {'requests':>8}  {'seconds':>7}  {'texts/s':>7}  {'max |diff|':>10}")
    for name, embed, concurrencies in servers:
        with FakeInferenceApi(embed, token="bench-token", delay=args.latency) as server:
            for concurrency in concurrencies:
                vectors, requests_made, seconds, seen = run(server.url, texts, args.batch_size, concurrency, server)
                diff = float(np.abs(vectors - reference).max())
                print(f"{name:>12}  {seen:>9}  {requests_made:>8}  {seconds:>7.2f}  {len(texts) / seconds:>7.0f}  "
                      f"{diff:>10.1e}")

if __name__ == "__main__":
    main()
