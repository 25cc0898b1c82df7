"""Synthetic FAQ datasets of any size, in faq-engine's own format, for the scale benchmark.

Questions come from a few thousand distinct templates ("How do I replace my drug plan
card?"), repeated with unique ids up to the size asked for; each row stores the real
all-MiniLM-L6-v2 vector of its question, so the loader's spot check passes as it would
on a real dataset. Built once per size into a folder and reused.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np

from faq_engine.faqs.dataset_format import DatasetMeta  # noqa: E402
from faq_engine.faqs.entry import Entries  # noqa: E402
from faq_engine.faqs.writer import DatasetWriter  # noqa: E402

VERBS = ("replace", "renew", "cancel", "change", "pay for", "appeal", "check", "update", "transfer", "find",
         "apply for", "report a problem with", "get a refund for", "add a family member to", "close")
THINGS = ("my card", "my plan", "my premium", "my claim", "my account", "my prescription", "my address",
          "my doctor", "my coverage", "my deductible", "my invoice", "my password", "my order", "my booking",
          "my subscription", "my warranty", "my delivery", "my appointment", "my benefits", "my tax form")
WHEN = ("", " online", " by phone", " this month", " after moving", " from abroad", " for my child",
        " without an account", " before the deadline", " if I lost my job", " while travelling", " in person",
        " at the weekend", " after a divorce", " for a business")
ANSWER = "Sign in, open the settings page, choose the option you need and follow the steps shown there."


def templates() -> list[str]:
    """The distinct questions (15 x 20 x 15 = 4,500)."""
    return [f"How do I {v} {t}{w}?" for v, t, w in itertools.product(VERBS, THINGS, WHEN)]


def build(folder: Path, rows: int, embedder) -> Path:
    """Write ``rows`` FAQs (shards of 250,000) into ``folder`` unless it already holds them."""
    if (folder / "README.md").is_file():
        return folder
    import pyarrow as pa

    base = templates()
    vectors = embedder.embed_batched(base)
    meta = DatasetMeta(embedder.model_id, embedder.dim, True, "question", rows, "bench")
    with DatasetWriter(folder, meta, f"{rows:,} synthetic FAQs") as writer:
        for start in range(0, rows, 100_000):
            index = np.arange(start, min(rows, start + 100_000))
            pick = index % len(base)
            table = pa.table({"id": pa.array(index.astype(str)),
                              "question": pa.array([base[i] for i in pick]),
                              "answer": pa.array([ANSWER] * len(index)), "url": pa.array([""] * len(index))})
            writer.write(Entries(table), vectors[pick])
    return folder
