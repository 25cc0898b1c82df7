"""``faq-engine embed``: embed a FAQ file into the hosted dataset format, optionally push it.

Texts already embedded by the same model come from the on-disk cache, so
re-running after an edit only embeds (or sends to the API) what changed.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .settings import Settings


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``embed`` sub-command to the ``faq-engine`` parser."""
    from .cli import add_common_options

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


def _title(args: argparse.Namespace) -> str:
    return f"FAQ embeddings: {args.push or Path(args.input).stem}"


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Read, validate, embed (through the cache), write and optionally push."""
    from . import __version__
    from .cache import CachedEmbedder, EmbeddingCache
    from .cli import progress_bar
    from .dataset_format import CARD_FILE, DATA_FILE, DatasetMeta, write_dataset
    from .embedding import embed_batched, texts_for
    from .factory import make_embedder
    from .sources import Columns, locate_source, read_source

    settings = settings.with_overrides(embedder=args.embedder, api_url=args.api_url, fields=args.fields)
    if args.push:
        from .hub import require_write_token

        require_write_token(settings.token)  # before the embedding work, not after it
    columns = Columns(args.question_column, args.answer_column, args.id_column, args.url_column)
    notes: list[str] = []
    entries = read_source(locate_source(args.input, settings.token, None, notes), columns).entries
    print(f"Read {len(entries)} FAQs from {args.input}")
    cache = EmbeddingCache.in_dir(settings.cache_dir)
    embedder = CachedEmbedder(make_embedder(settings), cache)
    texts = texts_for(entries, settings.embed_fields)
    with progress_bar("Embedding", not args.no_progress) as progress:
        vectors = embed_batched(embedder, texts, progress=progress)
    stats = embedder.stats
    print(f"Embedded {stats.embedded} text(s) with {embedder.model_id}, reused {stats.reused} from the cache ({cache.path})")
    meta = DatasetMeta(embedder.model_id, embedder.dim, True, settings.embed_fields, len(entries), __version__)
    out = Path(args.output)
    write_dataset(out, entries, vectors, meta, _title(args), args.push)
    print(f"Wrote {out / DATA_FILE} and {out / CARD_FILE}")
    if args.push:
        from .hub import push_dataset

        result = push_dataset(out, args.push, private=args.private, token=settings.token)
        for note in result.notes:
            print(f"faq-engine: note: {note}", file=sys.stderr)
        print(f"Pushed to {result.url} (commit {result.commit})")
    return 0
