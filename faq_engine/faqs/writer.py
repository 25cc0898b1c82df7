"""Writing a dataset folder: Parquet shards and the card, replacing the old dataset only when whole.

:class:`DatasetWriter` takes FAQs and their vectors chunk by chunk (``faq-engine embed``
streams a million FAQs through it in bounded memory) into shards of at most
:data:`SHARD_ROWS` rows, staged in a hidden folder beside the dataset. ``close()``
renames the shards into ``data/``, removes shards of an older, differently sharded
version, and writes the card last: a crash before that leaves the old dataset as it was.
"""

from __future__ import annotations

import json
import math
import os
import shutil
from dataclasses import asdict
from pathlib import Path
from typing import Callable, Sequence

import numpy as np

from ..errors import Advice, DatasetError
from .alternates import flat
from .dataset_format import (
    ALTERNATE_EMBEDDINGS,
    CARD_FILE,
    EMBEDDING_COLUMN,
    META_KEY,
    DatasetMeta,
    read_card,
    render_card,
    shard_file,
)
from .entry import ALTERNATES, COLUMNS, Entries, FaqEntry

SHARD_ROWS = 250_000  # about 400 MB of vectors and text per shard, as Hub datasets are usually cut
ROW_GROUP_ROWS = 16_384  # about 25 MB a row group: readers stream them without holding a whole shard


class DatasetWriter:
    """Write ``meta.rows`` FAQs into ``folder`` in chunks; use as a context manager (an error aborts)."""

    def __init__(self, folder: Path, meta: DatasetMeta, title: str, repo_id: str | None = None, *,
                 shard_rows: int = SHARD_ROWS) -> None:
        self.folder, self.meta, self.title, self.repo_id = Path(folder), meta, title, repo_id
        _refuse_foreign_card(self.folder / CARD_FILE)
        _refuse_foreign_shards(self.folder)
        self.shard_rows = shard_rows
        self.names = [shard_file(i, max(1, math.ceil(meta.rows / shard_rows)))
                      for i in range(max(1, math.ceil(meta.rows / shard_rows)))]
        self.staging = self.folder / f".staging-{os.getpid()}"
        _remove_abandoned_staging(self.folder)
        self._writer = None
        self._shard = self._in_shard = self.written = 0
        try:
            (self.staging / "data").mkdir(parents=True, exist_ok=True)
        except OSError as err:
            raise DatasetError(f"Cannot write the dataset to {self.folder}: {err.strerror or err}.") from err

    def __enter__(self) -> DatasetWriter:
        return self

    def __exit__(self, kind, err, tb) -> None:
        if kind is None:
            self.close()
        else:
            self.abort()

    def write(self, entries: Sequence[FaqEntry], vectors: np.ndarray, alternates: np.ndarray | None = None) -> None:
        """Append FAQs and their vectors (one row each), splitting them across shards as needed; ``alternates``
        are the vectors of their alternate phrasings, flattened in row order."""
        table = _table(Entries.of(entries), np.ascontiguousarray(vectors, dtype=np.float32), self.meta, alternates)
        done = 0
        while done < table.num_rows:
            if self._in_shard == self.shard_rows:
                self._next_shard()
            take = min(table.num_rows - done, self.shard_rows - self._in_shard)
            self._current().write_table(table.slice(done, take), row_group_size=ROW_GROUP_ROWS)
            done, self._in_shard, self.written = done + take, self._in_shard + take, self.written + take

    def close(self) -> Path:
        """Put the shards and the card in place; returns the first shard's path."""
        if self.written != self.meta.rows:
            self.abort()
            raise DatasetError(f"Wrote {self.written} FAQs but the dataset should have {self.meta.rows}.")
        if self._writer is None:  # no rows at all still makes one (empty) shard
            self._current()
        self._writer.close()
        try:
            (self.folder / "data").mkdir(exist_ok=True)
            for name in self.names:
                os.replace(self.staging / name, self.folder / name)
            for stale in (self.folder / "data").glob("train-*.parquet"):
                if f"data/{stale.name}" not in self.names:
                    stale.unlink()
            card = render_card(self.meta, self.title, self.repo_id)
            _replace_atomically(self.folder / CARD_FILE, lambda tmp: tmp.write_text(card, encoding="utf-8"))
        except OSError as err:
            raise DatasetError(f"Cannot write the dataset to {self.folder}: {err.strerror or err}.") from err
        finally:
            shutil.rmtree(self.staging, ignore_errors=True)
        return self.folder / self.names[0]

    def abort(self) -> None:
        """Drop what was staged; the old dataset stays as it was."""
        if self._writer is not None:
            self._writer.close()
        shutil.rmtree(self.staging, ignore_errors=True)

    def _current(self):
        import pyarrow.parquet as pq

        if self._writer is None:
            schema = _table(Entries.of([]), np.zeros((0, self.meta.dim), np.float32), self.meta).schema
            # Text compressed, vectors not: floats barely compress, and reading them back is then a copy.
            texts = COLUMNS + (ALTERNATES,)
            self._writer = pq.ParquetWriter(self.staging / self.names[self._shard], schema, use_dictionary=texts,
                                            compression={**{c: "snappy" for c in texts}, EMBEDDING_COLUMN: "none",
                                                         ALTERNATE_EMBEDDINGS: "none"})
        return self._writer

    def _next_shard(self) -> None:
        self._writer.close()
        self._writer, self._shard, self._in_shard = None, self._shard + 1, 0


def write_dataset(folder: Path, entries: Sequence[FaqEntry], vectors: np.ndarray, meta: DatasetMeta, title: str,
                  repo_id: str | None = None, alternates: np.ndarray | None = None) -> Path:
    """Write FAQs and their vectors as a dataset folder (shards and card) in one go; returns the first shard."""
    vectors = np.asarray(vectors, dtype=np.float32)
    if vectors.shape != (len(entries), meta.dim):
        raise DatasetError(f"Cannot write {vectors.shape} vectors for {len(entries)} FAQs of dimension {meta.dim}.")
    with DatasetWriter(folder, meta, title, repo_id) as writer:
        writer.write(entries, vectors, alternates)
    return Path(folder) / writer.names[0]


def _table(entries: Entries, vectors: np.ndarray, meta: DatasetMeta, alternates: np.ndarray | None = None):
    import pyarrow as pa

    if vectors.shape != (len(entries), meta.dim):
        raise DatasetError(f"Cannot write {vectors.shape} vectors for {len(entries)} FAQs of dimension {meta.dim}.")
    columns = {name: entries.table.column(name) for name in COLUMNS}
    columns[EMBEDDING_COLUMN] = _vectors(vectors, meta.dim)
    phrasings = entries.alternates()
    count = len(flat(phrasings))
    alternates = np.zeros((0, meta.dim), np.float32) if alternates is None and not count else alternates
    if alternates is None or np.shape(alternates) != (count, meta.dim):
        raise DatasetError(f"Cannot write {np.shape(alternates)} vectors for {count} alternate phrasings.")
    offsets = pa.array(np.r_[0, np.cumsum([len(p) for p in phrasings])].astype(np.int32))
    columns[ALTERNATES] = pa.array(phrasings, pa.list_(pa.string()))
    columns[ALTERNATE_EMBEDDINGS] = pa.ListArray.from_arrays(offsets, _vectors(alternates, meta.dim))
    return pa.table(columns).replace_schema_metadata({META_KEY: json.dumps(asdict(meta))})


def _vectors(vectors: np.ndarray, dim: int):
    import pyarrow as pa

    flat_values = np.ascontiguousarray(vectors, dtype=np.float32).reshape(-1)
    return pa.FixedSizeListArray.from_arrays(pa.array(flat_values, pa.float32()), dim)


def _remove_abandoned_staging(folder: Path) -> None:
    """Delete the staging folders of writers that died (killed mid-write): their process is gone."""
    for staging in folder.glob(".staging-*") if folder.is_dir() else ():
        try:
            os.kill(int(staging.name.rsplit("-", 1)[1]), 0)
        except ValueError:
            continue  # not one of ours
        except ProcessLookupError:
            shutil.rmtree(staging, ignore_errors=True)
        except PermissionError:
            continue  # another user's live process


def _refuse_foreign_card(card: Path) -> None:
    """An existing README.md that is not a faq-engine card is someone's document: never overwrite it."""
    if not card.exists():
        return
    try:
        ours = card.is_file() and read_card(card) is not None
    except (DatasetError, OSError, UnicodeDecodeError):
        ours = False
    if not ours:
        raise DatasetError(f"{card} exists and is not a faq-engine dataset card.", advice=Advice.OTHER_OUTPUT,
                           path=str(card))


def _refuse_foreign_shards(folder: Path) -> None:
    """Parquet files in ``data/`` with no faq-engine card beside them are another dataset's: writing ours there
    would replace or delete them."""
    if (folder / CARD_FILE).exists():
        return  # our own card (checked above): the shards are an older version of our dataset
    theirs = sorted((folder / "data").glob("*.parquet")) if (folder / "data").is_dir() else []
    if theirs:
        raise DatasetError(f"{folder / 'data'} holds Parquet files ({theirs[0].name}, ...) of a dataset that is not "
                           "a faq-engine one.", advice=Advice.OTHER_OUTPUT, path=str(folder / "data"))


def _replace_atomically(path: Path, write: Callable[[Path], object]) -> None:
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        write(tmp)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
