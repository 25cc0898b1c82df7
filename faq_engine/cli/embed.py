"""``faq-engine embed``: embed a FAQ file into the hosted dataset format, optionally push it.

Texts already embedded by the same model come from the on-disk cache, so
re-running after an edit only embeds (or sends to the API) what changed.
"""

from __future__ import annotations

import argparse
import sys

from ..settings import Settings
from ._utils import add_common_options, progress_bar


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``embed`` sub-command to the ``faq-engine`` parser."""
    p = subparsers.add_parser(
        "embed", help="embed a FAQ file into a dataset folder (Parquet + card), optionally push it to the Hub",
        description="Embed the FAQs in INPUT (CSV, JSON, JSONL, Parquet file, or Hub dataset id) and write "
                    "DIR/data/train-00000-of-00001.parquet and DIR/README.md. Unchanged texts are reused "
                    "from the embedding cache.",
    )
    p.add_argument("input", metavar="INPUT", help="FAQ file (.csv .json .jsonl .parquet), folder or Hub dataset id")
    p.add_argument("-o", "--output", required=True, metavar="DIR", help="folder to write the dataset to")
    p.add_argument("--push", metavar="REPO_ID", help="also upload to this Hub dataset repo (needs a write token)")
    p.add_argument("--private", action="store_true", help="create the Hub repo as private")
    p.add_argument("--question-column", default="question", metavar="Q", help="column holding the questions")
    p.add_argument("--answer-column", default="answer", metavar="A", help="column holding the answers")
    p.add_argument("--id-column", default="id", metavar="I", help="column holding unique ids (default: row number)")
    p.add_argument("--url-column", default="url", metavar="U", help="column holding source URLs")
    p.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    add_common_options(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Read, validate, embed (through the cache), write and optionally push: :func:`~faq_engine.jobs.publish`."""
    from ..embedders.factory import make_embedder
    from ..faqs.dataset_format import CARD_FILE
    from ..faqs.headers import Columns
    from ..jobs import hub_access, publish

    settings = settings.with_overrides(embedder=args.embedder, api_url=args.api_url, fields=args.fields)
    columns = Columns(args.question_column, args.answer_column, args.id_column, args.url_column)
    hub = hub_access(settings)
    with progress_bar("Embedding", not args.no_progress) as progress:
        done = publish(args.input, args.output, make_embedder(settings), fields=settings.embed_fields,
                       cache_dir=settings.cache_dir, columns=columns, hub=hub, push_to=args.push,
                       private=args.private, progress=progress)
    print(f"Read {done.rows} FAQs from {args.input}")
    print(f"Embedded {done.cache.embedded} text(s) with {done.model_id}, reused {done.cache.reused} "
          f"from the cache ({done.cache_path})")
    print(f"Wrote {done.data_file} and {done.data_file.parents[1] / CARD_FILE}")
    if done.push is not None:
        for note in done.push.notes:
            print(f"faq-engine: note: {note}", file=sys.stderr)
        print(f"Pushed to {done.push.url} (commit {done.push.commit})")
    return 0
