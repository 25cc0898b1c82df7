"""``faq-engine alternates add DATASET FILE``: add reviewed phrasings to a local FAQ set as alternates."""

from __future__ import annotations

import argparse
import sys

from ..settings import Settings
from ._utils import add_common_options


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``alternates`` command (with its ``add`` sub-command) to the ``faq-engine`` parser."""
    p = subparsers.add_parser("alternates", help="add other ways people ask a FAQ (alternate phrasings)")
    sub = p.add_subparsers(dest="action", required=True)
    add = sub.add_parser(
        "add", help="add the phrasings in FILE to the FAQs they name",
        description='Add each {"faq_id": ..., "question": ...} line of FILE (JSONL; the "suggested" list of '
                    "`faq-engine gaps --json` can be fed as it is) as an alternate phrasing of that FAQ in DATASET: "
                    "a FAQ file (CSV, JSON, JSONL, Parquet) or a folder written by `faq-engine embed`. Only the new "
                    "phrasings are embedded; unknown ids and phrasings a FAQ already has are listed, not added. "
                    "Publish the result with `faq-engine embed DATASET -o DIR --push REPO_ID`.")
    add.add_argument("dataset", metavar="DATASET", help="a FAQ file or a dataset folder written by `faq-engine embed`")
    add.add_argument("file", metavar="FILE", help='JSONL of {"faq_id": ..., "question": ...}')
    add_common_options(add)
    add.set_defaults(func=run)


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Merge, embed what is new, write; print what became of every proposal."""
    from ..embedders.factory import make_embedder
    from ..jobs import add_alternates

    settings = settings.with_overrides(embedder=args.embedder, api_url=args.api_url)
    done = add_alternates(args.dataset, args.file, make_embedder(settings), cache_dir=settings.cache_dir)
    report = done.report
    faqs = len({p.faq_id for p in report.added})
    print(f"Added {len(report.added)} phrasing(s) to {faqs} FAQ(s) of {args.dataset} "
          f"(embedded {done.embedded} new text(s)).")
    for p in report.unknown:
        print(f"Not added (line {p.line}): no FAQ has the id {p.faq_id!r}: {p.question!r}", file=sys.stderr)
    for p in report.duplicates:
        print(f"Not added (line {p.line}): FAQ {p.faq_id!r} already has {p.question!r}", file=sys.stderr)
    return 0
