"""The ``faq-engine`` command line: ``search`` (and the sub-commands registered below)."""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import textwrap
from contextlib import contextmanager
from typing import Callable, Iterator, Sequence

from . import __version__
from . import cli_embed, cli_eval
from .errors import FaqEngineError
from .models import SearchHit, confident_match
from .settings import EMBEDDER_CHOICES, FIELDS_CHOICES, METHOD_CHOICES, Settings


def add_common_options(parser: argparse.ArgumentParser) -> None:
    """Options shared by every sub-command that embeds text."""
    parser.add_argument("--embedder", choices=EMBEDDER_CHOICES, help="local model, Inference API, or auto (API if a token is set)")
    parser.add_argument("--api-url", help="full feature-extraction URL (Inference Endpoint, TEI server, ...)")
    parser.add_argument("--fields", choices=FIELDS_CHOICES, help="text embedded for each FAQ (default: the dataset's own, else question+answer)")


@contextmanager
def progress_bar(desc: str, enabled: bool = True) -> Iterator[Callable[[int, int], None]]:
    """A ``progress(done, total)`` callback drawing a tqdm bar on stderr.

    The bar appears on the first update, so nothing is printed when there is nothing to embed.
    """
    from tqdm import tqdm

    bars = []

    def update(done: int, total: int) -> None:
        if not bars:
            bars.append(tqdm(total=total, unit="text", desc=desc, disable=not enabled, file=sys.stderr))
        bars[0].update(done - bars[0].n)

    try:
        yield update
    finally:
        for bar in bars:
            bar.close()


def format_table(hits: Sequence[SearchHit], width: int = 100) -> str:
    """A readable plain-text table of search hits."""
    lines = [f"{'rank':>4}  {'id':>6}  {'score':>6}  {'confident':<9}  question"]
    for h in hits:
        question = textwrap.shorten(h.question, width=max(20, width - 35), placeholder="…")
        lines.append(f"{h.rank:>4}  {h.id:>6}  {h.score:6.4f}  {'yes' if h.confident else 'no':<9}  {question}")
    if hits and not confident_match(hits):
        lines.insert(0, "No confident match: these are the nearest FAQs.")
    return "\n".join(lines)


def _search(args: argparse.Namespace, settings: Settings) -> int:
    from .factory import load_engine

    settings = settings.with_overrides(
        embedder=args.embedder, api_url=args.api_url, fields=args.fields,
        dataset=args.dataset, method=args.method,
    )
    engine = load_engine(settings)
    hits = engine.search(args.query, args.top_k)
    if args.json:
        print(json.dumps([h.to_dict() for h in hits], ensure_ascii=False, indent=2))
    else:
        print(format_table(hits))
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``faq-engine``."""
    parser = argparse.ArgumentParser(prog="faq-engine", description="Semantic FAQ search with all-MiniLM-L6-v2.")
    parser.add_argument("--version", action="version", version=f"faq-engine {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress and decisions to stderr")
    sub = parser.add_subparsers(dest="command", required=True)

    search = sub.add_parser("search", help="find the FAQs that mean the same as a question")
    search.add_argument("query", help="the question, in your own words")
    search.add_argument("-k", "--top-k", type=int, default=5, help="how many FAQs to show (default 5)")
    search.add_argument("--dataset", help="FAQ source (default: the bundled 'medicare')")
    search.add_argument("--method", choices=METHOD_CHOICES, help="ranking method")
    search.add_argument("--json", action="store_true", help="print JSON instead of a table")
    add_common_options(search)
    search.set_defaults(func=_search)
    cli_embed.register(sub)
    cli_eval.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``faq-engine`` console script; returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, format="%(levelname)s: %(message)s")
    try:
        settings = Settings.from_env(os.environ)
        if getattr(args, "top_k", 1) < 1:
            parser.error("--top-k must be at least 1")
        return args.func(args, settings)
    except FaqEngineError as err:
        print(f"faq-engine: error: {err}", file=sys.stderr)
        return 1
    except BrokenPipeError:  # e.g. `faq-engine search ... | head`: the reader left, nothing to report
        sys.stderr.close()
        return 0
    except KeyboardInterrupt:
        print("faq-engine: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
