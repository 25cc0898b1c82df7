"""Run an evaluation: labelled queries in, the scores of each ranking method out.

Each query is embedded once and shared by all methods; the rankings are scored by
:mod:`.metrics`. ``faq-engine eval`` and the benchmark scripts call these.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Sequence

from ..embedders.base import Embedder, Progress
from ..errors import Advice, ConfigError, DatasetError
from ..faqs.faqset import FaqSet
from ..search.hits import confident_match
from ..search.memory import MemoryEngine
from ..settings import DEFAULT_TOP_K, METHOD_CHOICES, Method
from .metrics import MRR_CUTOFF, LabelledQuery, MethodScores, evaluate, parse_queries
from .selective import selective

SHOWN = DEFAULT_TOP_K  # the results the CLI and the app show by default


def parse_methods(text: str, default: Method) -> list[Method]:
    """The methods named in ``text`` ('default' means ``default``), in order, without repeats."""
    names = [default if m.strip().lower() == "default" else m.strip().lower() for m in text.split(",") if m.strip()]
    unknown = [m for m in names if m not in METHOD_CHOICES]
    if unknown or not names:
        raise ConfigError(f"Methods {text!r}: use a comma-separated list of {', '.join(METHOD_CHOICES)} "
                          "or 'default'.")
    return list(dict.fromkeys(names))


def read_queries(path: str) -> list[LabelledQuery]:
    """Labelled queries from a JSONL file."""
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except OSError as err:
        raise DatasetError(f"Cannot read the queries file {path}: {err.strerror or err}.") from err
    return parse_queries(text.splitlines(), where=Path(path).name)


def check_labels(queries: Sequence[LabelledQuery], faqs: FaqSet) -> None:
    """Raise :class:`DatasetError` if a query names an id the FAQ set does not have."""
    known = {e.id for e in faqs.entries}
    unknown = sorted({r for q in queries for r in q.relevant if r not in known})
    if unknown:
        shown = ", ".join(map(repr, unknown[:5])) + (f" and {len(unknown) - 5} more" if len(unknown) > 5 else "")
        raise DatasetError(f"The queries name FAQ id(s) {shown} that {faqs.name} does not have.",
                           advice=Advice.MATCHING_QUERIES, ids=tuple(unknown))


def score_methods(faqs: FaqSet, embedder: Embedder, queries: Sequence[LabelledQuery], methods: Sequence[Method],
                  threshold: float | None = None, progress: Progress | None = None) -> dict[str, MethodScores]:
    """Search every query with each method and score the rankings (queries embedded once)."""
    texts = [q.query for q in queries]
    vectors = embedder.embed_batched(texts, progress=progress)
    out = {}
    for method in methods:
        engine = MemoryEngine(faqs, embedder, method=method, threshold=threshold)
        results = engine.search_batch(texts, MRR_CUTOFF, vectors=vectors)
        ranked = [[h.id for h in hits] for hits in results]
        # As the CLI and the app would show the default top 5: confident if any of them is.
        shown = [confident_match(hits[:SHOWN]) for hits in results]
        scores = evaluate(ranked, shown, queries, [hits[0].match if hits else None for hits in results])
        out[method] = replace(scores, selective=selective([hits[:SHOWN] for hits in results], queries),
                              threshold=engine.threshold)
    return out


