"""``faq-engine gaps LOG --dataset SOURCE``: what visitors ask that the FAQs do not answer."""

from __future__ import annotations

import argparse
import json

from ..settings import Settings
from ._utils import add_common_options
from .search import printable


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``gaps`` command to the ``faq-engine`` parser."""
    p = subparsers.add_parser(
        "gaps", help="report what visitors asked that the FAQs do not answer, from the question log",
        description="Read the question log LOG (a folder, or hf://datasets/owner/name) and report, for the FAQ set "
                    "SOURCE: the unanswered questions grouped by meaning, largest group first, with the nearest FAQ; "
                    "and the phrasings visitors marked as answered by a FAQ that was not already the confident first "
                    "hit (feed them, once reviewed, to `faq-engine alternates add`). Nothing is changed.")
    p.add_argument("log", metavar="LOG", help="the question log: a folder, or hf://datasets/owner/name")
    p.add_argument("--dataset", required=True, metavar="SOURCE", help="the FAQ set the log is about")
    p.add_argument("--days", type=float, metavar="N", help="only the last N days (default: FAQ_ENGINE_LOG_DAYS, 30)")
    p.add_argument("--json", action="store_true", help='print {"unanswered": [...], "suggested": [...]}')
    p.add_argument("--suggested", metavar="FILE",
                   help="also write the suggested phrasings to FILE (JSONL) to review, then `alternates add`")
    add_common_options(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Read the log, load the FAQ set, print the report."""
    from ..jobs import gaps_report

    settings = settings.with_overrides(embedder=args.embedder, api_url=args.api_url, fields=args.fields,
                                       dataset=args.dataset, log=args.log, log_days=args.days)
    report = gaps_report(settings)
    if args.suggested:
        _write_suggested(args.suggested, report)
    if args.json:
        print(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
        return 0
    print(f"{report.records} log record(s) of {args.dataset}.")
    print(f"\nUnanswered: {len(report.unanswered)} group(s) of questions no FAQ answered, largest first.")
    for number, gap in enumerate(report.unanswered, start=1):
        nearest = gap.nearest
        near = f"nearest FAQ {nearest.id!r}: {printable(nearest.question)}" if nearest else "no FAQ near"
        print(f"\n{number}. asked {gap.count} time(s); {near}")
        for question in gap.questions:
            print(f"   - {printable(question)}")
    print(f"\nSuggested alternates: {len(report.suggested)} phrasing(s) visitors said a FAQ answered.")
    for s in report.suggested:
        print(f"   {s.votes} vote(s)  FAQ {s.faq_id!r}  {printable(s.question)}")
    return 0


def _write_suggested(path: str, report) -> None:
    from pathlib import Path

    from ..errors import DatasetError

    lines = "".join(json.dumps(s, ensure_ascii=False) + "\n" for s in report.to_dict()["suggested"])
    try:
        Path(path).write_text(lines, encoding="utf-8")
    except OSError as err:
        raise DatasetError(f"Cannot write {path}: {err.strerror or err}.") from err
