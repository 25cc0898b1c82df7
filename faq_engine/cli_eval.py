"""``faq-engine eval``: measure search quality on labelled queries.

Prints top-1, MRR@10, recall@5 and hit@5 for each ranking method, plus how often
the top 5 hold a confident match (in-domain queries) or not (out-of-domain queries, whose
``relevant`` list is empty). Each query is embedded once and shared by all methods.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Sequence

import numpy as np

from .embedding import Embedder, embed_batched
from .errors import ConfigError, DatasetError
from .evaluation import MRR_CUTOFF, LabelledQuery, MethodScores, evaluate, parse_queries
from .faqs import FaqSet
from .models import confident_match
from .settings import METHOD_CHOICES, Settings

SHOWN = 5  # the results the CLI and the app show by default


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``eval`` sub-command to the ``faq-engine`` parser."""
    from .cli import add_common_options

    p = subparsers.add_parser(
        "eval", help="measure search quality (top-1, MRR@10, recall@5, hit@5, confidence) on labelled queries",
        description='Search every query of Q.jsonl (one {"query": ..., "relevant": [FAQ ids]} per line; '
                    '"relevant": [] marks a question no FAQ answers) in SOURCE and score each method.',
    )
    p.add_argument("--faqs", required=True, metavar="SOURCE",
                   help="FAQ set: 'medicare', a file (JSONL of {id, question, answer}, CSV, JSON, Parquet), "
                        "a dataset folder or a Hub dataset id")
    p.add_argument("--queries", required=True, metavar="Q.jsonl", help="labelled queries (JSONL)")
    p.add_argument("--methods", default=",".join(METHOD_CHOICES), metavar="LIST",
                   help="comma-separated methods to score: dense,bm25,hybrid (default: all), or 'default'")
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")
    p.add_argument("--no-progress", action="store_true", help="hide the progress bars")
    add_common_options(p)
    p.set_defaults(func=run)


def parse_methods(text: str, default: str) -> list[str]:
    """The methods named in ``text`` ('default' means ``default``), in order, without repeats."""
    names = [default if m.strip().lower() == "default" else m.strip().lower() for m in text.split(",") if m.strip()]
    unknown = [m for m in names if m not in METHOD_CHOICES]
    if unknown or not names:
        raise ConfigError(f"--methods {text!r}: use a comma-separated list of {', '.join(METHOD_CHOICES)} or 'default'.")
    return list(dict.fromkeys(names))


class MemoEmbedder:
    """Remembers each text's vector, so the methods compared share one embedding per query."""

    def __init__(self, inner: Embedder) -> None:
        self.inner = inner
        self.model_id = inner.model_id
        self.dim = inner.dim
        self._memo: dict[str, np.ndarray] = {}

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Vectors for ``texts``; only texts not seen before reach the inner embedder."""
        missing = [t for t in dict.fromkeys(texts) if t not in self._memo]
        if missing:
            self._memo.update(zip(missing, self.inner.embed(missing)))
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.stack([self._memo[t] for t in texts]).astype(np.float32, copy=False)


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
        raise DatasetError(f"The queries name FAQ id(s) {shown} that {faqs.name} does not have: "
                           "are --faqs and --queries from the same FAQ set?")


def score_methods(faqs: FaqSet, embedder: Embedder, queries: Sequence[LabelledQuery], methods: Sequence[str],
                  threshold: float | None = None) -> dict[str, MethodScores]:
    """Search every query with each method and score the rankings (queries embedded once)."""
    from .engine import SearchEngine

    texts = [q.query for q in queries]
    out = {}
    for method in methods:
        engine = SearchEngine(faqs, embedder, method=method, threshold=threshold)
        results = engine.search_batch(texts, MRR_CUTOFF)
        ranked = [[h.id for h in hits] for hits in results]
        # As the CLI and the app would show the default top 5: confident if any of them is.
        shown = [confident_match(hits[:SHOWN]) for hits in results]
        out[method] = evaluate(ranked, shown, queries)
    return out


def format_report(results: dict[str, MethodScores], default: str) -> str:
    """A plain-text table: one row per method; the default method is starred."""
    def cell(x: float | None) -> str:
        return "     -" if x is None else f"{x:6.4f}"

    lines = [f"{'method':<8}  {'top1':>6}  {'MRR@10':>6}  {'rec@5':>6}  {'hit@5':>6}  {'confident':>9}  {'OOD rejected':>12}"]
    for method, s in results.items():
        name = method + ("*" if method == default else "")
        lines.append(f"{name:<8}  {cell(s.top1)}  {cell(s.mrr10)}  {cell(s.recall5)}  {cell(s.hit5)}  "
                     f"{cell(s.in_domain_confident):>9}  {cell(s.ood_rejected):>12}")
    lines.append(f"* default method. confident: in-domain queries with a confident match in the top {SHOWN}; "
                 f"OOD rejected: out-of-domain queries shown 'no confident match'.")
    return "\n".join(lines)


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Run ``faq-engine eval``; returns the exit code."""
    from .cli import progress_bar
    from .factory import make_embedder
    from .sources import load_faqs

    settings = settings.with_overrides(embedder=args.embedder, api_url=args.api_url, fields=args.fields)
    methods = parse_methods(args.methods, settings.method)
    queries = read_queries(args.queries)
    embedder = MemoEmbedder(make_embedder(settings))
    with progress_bar("Embedding FAQs", not args.no_progress) as progress:
        faqs = load_faqs(args.faqs, embedder, fields=settings.fields, cache_dir=settings.cache_dir,
                         token=settings.token, progress=progress)
    check_labels(queries, faqs)
    with progress_bar("Embedding queries", not args.no_progress) as progress:
        embed_batched(embedder, [q.query for q in queries], progress=progress)
    results = score_methods(faqs, embedder, queries, methods, settings.threshold)
    if args.json:
        payload = {"default": settings.method, **{m: s.to_dict() for m, s in results.items()}}
        print(json.dumps(payload, indent=2))
    else:
        n_in = sum(q.in_domain for q in queries)
        from .engine import DEFAULT_THRESHOLD, THRESHOLDS

        threshold = settings.threshold if settings.threshold is not None else THRESHOLDS.get(faqs.fields, DEFAULT_THRESHOLD)
        print(f"FAQs: {faqs.name} ({len(faqs)}, embedded text: {faqs.fields}); queries: {n_in} in domain, "
              f"{len(queries) - n_in} out of domain; confidence threshold: {threshold:.2f}")
        print(format_report(results, settings.method))
    return 0
