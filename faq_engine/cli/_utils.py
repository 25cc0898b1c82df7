"""What the ``faq-engine`` commands share: common options and a tqdm progress callback."""

from __future__ import annotations

import argparse
import sys
from contextlib import contextmanager
from typing import Callable, Iterator

from ..settings import DEFAULT_COLLECTION, EMBEDDER_CHOICES, FIELDS_CHOICES


def add_common_options(parser: argparse.ArgumentParser) -> None:
    """Options shared by every sub-command that embeds text."""
    parser.add_argument("--embedder", choices=EMBEDDER_CHOICES,
                        help="local model, Inference API, or auto (API if a token is set)")
    parser.add_argument("--api-url", help="full feature-extraction URL (Inference Endpoint, TEI server, ...)")
    parser.add_argument("--fields", choices=FIELDS_CHOICES,
                        help="text embedded for each FAQ: its question, question+answer, or both, fused "
                             "(default: the dataset's own, else both)")


def add_qdrant_options(parser: argparse.ArgumentParser, required: bool = False) -> None:
    """``--qdrant LOCATION`` and ``--collection NAME``."""
    parser.add_argument("--qdrant", metavar="LOCATION", required=required,
                        help="Qdrant URL (http://host:6333; QDRANT_API_KEY is sent when set) or a folder (embedded)")
    parser.add_argument("--collection", metavar="NAME",
                        help=f"Qdrant collection (default: FAQ_ENGINE_QDRANT_COLLECTION, else {DEFAULT_COLLECTION!r})")


def positive_int(text: str) -> int:
    """An argparse type: a whole number of at least 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


@contextmanager
def progress_bar(desc: str, enabled: bool = True) -> Iterator[Callable[[int, int], None]]:
    """A ``progress(done, total)`` callback drawing a tqdm bar on stderr.

    The bar appears on the first update, so nothing is printed when there is nothing to embed.
    """
    from tqdm import tqdm

    bars = []

    def update(done: int, total: int) -> None:
        if not bars:
            bars.append(tqdm(total=total, unit="FAQ", unit_scale=True, desc=desc, disable=not enabled,
                             file=sys.stderr))
        bars[0].update(done - bars[0].n)

    try:
        yield update
    finally:
        for bar in bars:
            bar.close()
