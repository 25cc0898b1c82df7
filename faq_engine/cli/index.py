"""``faq-engine index``: put a FAQ set into a Qdrant collection, or bring the collection up to date."""

from __future__ import annotations

import argparse

from ..settings import Settings
from ._utils import add_common_options, add_qdrant_options, progress_bar


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``index`` sub-command to the ``faq-engine`` parser."""
    p = subparsers.add_parser(
        "index", help="put a FAQ set into a Qdrant collection (only what changed is sent again)",
        description="Load DATASET (bundled, file, folder or Hub id), embed what needs it, and upsert it into the "
                    "Qdrant collection in batches; FAQs no longer in DATASET are deleted from it.")
    p.add_argument("dataset", metavar="DATASET", help="FAQ source, as for search --dataset")
    add_qdrant_options(p, required=True)
    p.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    add_common_options(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Index the dataset; print what changed."""
    from ..jobs import index_faqs

    settings = settings.with_overrides(embedder=args.embedder, api_url=args.api_url, fields=args.fields,
                                       dataset=args.dataset, qdrant=args.qdrant, qdrant_collection=args.collection)
    with progress_bar("Indexing", not args.no_progress) as progress:
        report = index_faqs(settings, progress=progress)
    print(f"Collection {settings.qdrant_collection!r} at {args.qdrant}: {report.upserted} FAQ(s) written, "
          f"{report.deleted} deleted, {report.unchanged} unchanged")
    return 0
