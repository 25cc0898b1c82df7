"""``faq-engine search``: find the FAQs that mean the same as a question."""

from __future__ import annotations

import argparse
import json
import sys
import textwrap
from typing import Sequence

from ..search.hits import SearchHit, confident_match
from ..settings import METHOD_CHOICES, Settings
from ._utils import add_common_options, add_qdrant_options, positive_int


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``search`` sub-command to the ``faq-engine`` parser."""
    p = subparsers.add_parser("search", help="find the FAQs that mean the same as a question")
    p.add_argument("query", help="the question, in your own words")
    p.add_argument("-k", "--top-k", type=positive_int, default=5, help="how many FAQs to show (default 5)")
    p.add_argument("--dataset", help="FAQ source (default: the bundled 'medicare')")
    p.add_argument("--method", choices=METHOD_CHOICES, help="ranking method")
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")
    add_qdrant_options(p)
    add_common_options(p)
    p.set_defaults(func=run)


def printable(text: str) -> str:
    """``text`` with control characters (terminal escape codes among them) shown as U+FFFD, never sent raw."""
    return "".join(ch if ch.isprintable() else "\ufffd" for ch in text)


def format_table(hits: Sequence[SearchHit], width: int = 100) -> str:
    """A readable plain-text table of search hits (FAQ text is data: nothing in it reaches the terminal raw)."""
    lines = [f"{'rank':>4}  {'id':>6}  {'score':>6}  {'confident':<9}  question"]
    for h in hits:
        question = textwrap.shorten(printable(h.question), width=max(20, width - 35), placeholder="…")
        lines.append(f"{h.rank:>4}  {printable(h.id):>6}  {h.score:6.4f}  {'yes' if h.confident else 'no':<9}  "
                     f"{question}")
    if hits and not confident_match(hits):
        lines.insert(0, "No confident match: these are the nearest FAQs.")
    return "\n".join(lines)


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Load the FAQ set, answer the question, print a table or JSON."""
    from ..pipeline import load_engine, load_qdrant_engine

    settings = settings.with_overrides(
        embedder=args.embedder, api_url=args.api_url, fields=args.fields, dataset=args.dataset, method=args.method,
        qdrant=args.qdrant, qdrant_collection=args.collection,
    )
    engine = load_qdrant_engine(settings) if settings.qdrant else load_engine(settings)
    answer = engine.answer(args.query, args.top_k)
    hits = answer.hits
    if answer.characters_read is not None:
        print(f"faq-engine: note: the question is long; the model read only its first {answer.characters_read:,} "
              "characters.", file=sys.stderr)
    if args.json:
        print(json.dumps([h.to_dict() for h in hits], ensure_ascii=False, indent=2))
    else:
        print(format_table(hits))
    return 0
