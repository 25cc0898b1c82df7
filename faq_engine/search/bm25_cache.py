"""The BM25 index of a FAQ set, built once and kept in the cache folder, keyed by the questions.

Building the index of a million questions takes seconds (8.3 s in benchmarks/bench_scale.py);
loading the saved arrays (memory-mapped) takes a few hundredths of one. The key hashes the
question texts' Arrow buffers and every setting that shapes the index, so an edited FAQ set
never meets a stale index.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import tempfile
from importlib.metadata import version
from pathlib import Path

import numpy as np

from ..faqs.entry import Entries
from .lexical import K1, TOKEN_PATTERN, B, Bm25Index

log = logging.getLogger(__name__)

FORMAT = "3"  # bump when Bm25Index.save changes


def index_key(entries: Entries) -> str:
    """sha256 over the questions and the index's settings."""
    digest = hashlib.sha256(f"bm25/{FORMAT}/{K1}/{B}/{TOKEN_PATTERN.pattern}/{version('bm25s')}".encode())
    for chunk in entries.table.column("question").chunks:
        # A string array's buffers: validity, int32 offsets, UTF-8 data (a slice starts at chunk.offset).
        offsets = np.frombuffer(chunk.buffers()[1], dtype=np.int32)[chunk.offset : chunk.offset + len(chunk) + 1]
        digest.update((offsets - offsets[0]).tobytes())  # the lengths, so question boundaries count
        if chunk.buffers()[2] is not None:
            digest.update(memoryview(chunk.buffers()[2])[offsets[0] : offsets[-1]])
    return digest.hexdigest()


def load_or_build(entries: Entries, cache_dir: Path | None) -> Bm25Index:
    """The saved index of these questions, else a new one (saved for next time when the cache is writable)."""
    if cache_dir is None:
        return Bm25Index(entries.column("question"))
    key = index_key(entries)
    folder = Path(cache_dir) / "bm25" / key
    if folder.is_dir():
        try:
            return Bm25Index.load(folder, key=key, size=len(entries))
        except Exception as err:  # a damaged or partial copy: rebuild it
            log.warning("The saved BM25 index %s could not be loaded (%s); rebuilding it.", folder, err)
            shutil.rmtree(folder, ignore_errors=True)
    index = Bm25Index(entries.column("question"))
    staging = None
    try:
        folder.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(dir=folder.parent, prefix=".build-"))
        index.save(staging, key)
        os.replace(staging, folder)  # whole or not at all; a concurrent builder wrote the same bytes
    except OSError as err:
        if staging is not None:
            shutil.rmtree(staging, ignore_errors=True)
        if not folder.is_dir():  # else another process saved the same index first: nothing to say
            log.warning("Could not save the BM25 index in %s (%s); it is rebuilt at each start.", folder.parent, err)
    return index
