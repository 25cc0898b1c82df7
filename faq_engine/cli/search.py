"""``faq-engine search``: find the FAQs that mean the same as a question."""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import textwrap
from pathlib import Path
from typing import Sequence

from ..search.hits import SearchHit, confident_match, match_text
from ..settings import DEFAULT_TOP_K, METHOD_CHOICES, Settings
from ._utils import add_common_options, add_qdrant_options, positive_int


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``search`` sub-command to the ``faq-engine`` parser."""
    p = subparsers.add_parser("search", help="find the FAQs that mean the same as a question")
    p.add_argument("query", nargs="?", help="the question, in your own words")
    p.add_argument("--queries", metavar="FILE",
                   help="answer every question in FILE (one a line; '-' reads standard input) in one run")
    p.add_argument("-k", "--top-k", type=positive_int, default=DEFAULT_TOP_K,
                   help=f"how many FAQs to show (default {DEFAULT_TOP_K})")
    p.add_argument("--dataset", help="FAQ source (default: the bundled 'medicare')")
    p.add_argument("--method", choices=METHOD_CHOICES, help="ranking method")
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")
    p.add_argument("--exact", action="store_true",
                   help="scan every FAQ's vector, even in a large set (default: compact codes from 200,000 FAQs)")
    add_qdrant_options(p)
    add_common_options(p)
    p.set_defaults(func=run)


def printable(text: str) -> str:
    """``text`` with control characters (terminal escape codes among them) shown as U+FFFD, never sent raw."""
    return "".join(ch if ch.isprintable() else "\ufffd" for ch in text)


def format_table(hits: Sequence[SearchHit], width: int | None = None) -> str:
    """A readable plain-text table of search hits (FAQ text is data: nothing in it reaches the terminal raw)."""
    width = width or shutil.get_terminal_size((120, 24)).columns
    lines = [f"{'rank':>4}  {'id':>6}  {'match':>9}  {'score':>6}  {'cosine':>6}  {'confident':<9}  question"]
    for h in hits:
        question = textwrap.shorten(printable(h.question), width=max(20, width - 46), placeholder="…")
        lines.append(f"{h.rank:>4}  {printable(h.id):>6}  {match_text(h.match) or '-':>9}  {h.score:6.4f}  "
                     f"{h.similarity:6.4f}  {'yes' if h.confident else 'no':<9}  {question}")
    if hits and not confident_match(hits):
        lines.insert(0, "No confident match: these are the nearest FAQs.")
    return "\n".join(lines)


MAX_QUESTIONS_BYTES = 256 * 2**20  # a questions file past this is not a list of questions (say, /dev/zero)


def read_questions(source: str) -> list[str | None]:
    """The questions of a file (or of standard input for ``-``), one a line: ``None`` for a blank line, so that
    answer ``i`` is line ``i``; a line that cannot be a question is an error naming it."""
    from ..errors import DatasetError, InvalidQueryError
    from ..search.engine import validate_query

    try:
        stream = sys.stdin.buffer if source == "-" else Path(source).open("rb")
        with stream:
            data = stream.read(MAX_QUESTIONS_BYTES + 1)
        text = data.decode("utf-8-sig")
    except (OSError, ValueError, UnicodeDecodeError) as err:  # ValueError: standard input closed
        raise DatasetError(f"Cannot read the questions in {source}: {getattr(err, 'strerror', None) or err}.") from err
    if len(data) > MAX_QUESTIONS_BYTES:
        raise DatasetError(f"{source} holds more than {MAX_QUESTIONS_BYTES // 2**20} MB: split it.")
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()  # the newline that ends the last line starts no question
    questions: list[str | None] = []
    for number, line in enumerate(lines, start=1):
        try:
            questions.append(validate_query(line) if line.strip() else None)
        except InvalidQueryError as err:
            raise InvalidQueryError(f"{source}, line {number}: {err}") from None
    if not any(questions):
        raise DatasetError(f"{source} holds no question: write one a line.")
    return questions


def _print_batch(questions: list[str | None], results: list[list[SearchHit]], as_json: bool) -> int:
    """One answer per line of the file, in order (an empty list, or a note, for a blank line)."""
    answers = iter(results)
    ordered = [next(answers) if q is not None else [] for q in questions]
    if as_json:
        print(json.dumps([[h.to_dict() for h in hits] for hits in ordered], ensure_ascii=False, indent=2))
        return 0
    for number, (question, hits) in enumerate(zip(questions, ordered), start=1):
        print(f"Q: {printable(question)}\n{format_table(hits)}\n" if question is not None
              else f"(line {number} is blank)\n")
    return 0


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Load the FAQ set, answer the question, print a table or JSON."""
    from ..jobs import open_engine

    settings = settings.with_overrides(
        embedder=args.embedder, api_url=args.api_url, fields=args.fields, dataset=args.dataset, method=args.method,
        qdrant=args.qdrant, qdrant_collection=args.collection, exact=args.exact or None,
    )
    if (args.query is None) == (args.queries is None):
        raise SystemExit("faq-engine search: error: give one question, or --queries FILE")
    questions = read_questions(args.queries) if args.queries is not None else None
    engine = open_engine(settings)
    if questions is not None:
        asked = [q for q in questions if q is not None]
        return _print_batch(questions, engine.search_batch(asked, args.top_k), args.json)
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
