"""Parquet FAQ files read column by column: texts stay in Arrow, vectors land in one float32 matrix.

No Python object per row: a million FAQs cost their Arrow text buffers plus one
contiguous ``(n, dim)`` float32 matrix, filled batch by batch from the files (so the
vectors are never held twice) and L2-normalised in place, once.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import numpy as np

from ..errors import DatasetError
from .dataset_format import ALTERNATE_EMBEDDINGS, EMBEDDING_COLUMN, META_KEY, DatasetMeta
from .entry import row_list

BATCH_ROWS = 65_536  # rows per batch when copying vectors: bounded temporaries


@dataclass(frozen=True, eq=False)
class ParquetData:
    """The text columns (an Arrow table), the vectors if every file has them, and metadata if any."""

    table: object  # pyarrow.Table
    vectors: np.ndarray | None
    meta: DatasetMeta | None
    alternates: np.ndarray | None = None  # the alternate phrasings' vectors, flattened in row order


def _open(path: Path):
    import pyarrow.parquet as pq

    try:
        return pq.ParquetFile(path, pre_buffer=False)  # read row group by row group, not the whole file
    except Exception as err:  # pyarrow raises several types for a corrupt file
        # pyarrow's words may name the file's folder: a message names only the file.
        raise DatasetError(f"{path.name}: not a readable Parquet file "
                           f"({str(err).replace(str(path), path.name)}).") from err


def _meta(schema, path: Path) -> DatasetMeta | None:
    raw = (schema.metadata or {}).get(META_KEY.encode())
    return DatasetMeta.from_mapping(json.loads(raw), path.name) if raw else None


def _width(kind, path: Path) -> int | None:
    """The vector length a column type promises (``None``: lists of varying length), or an error."""
    import pyarrow as pa

    is_list = pa.types.is_list(kind) or pa.types.is_large_list(kind) or pa.types.is_fixed_size_list(kind)
    if not is_list or not (pa.types.is_floating(kind.value_type) or pa.types.is_integer(kind.value_type)):
        raise DatasetError(f"{path.name}: the {EMBEDDING_COLUMN!r} column holds {kind}, not lists of numbers.")
    return kind.list_size if pa.types.is_fixed_size_list(kind) else None


def _copy_vectors(file, path: Path, out: np.ndarray, start: int) -> None:
    """Fill ``out[start:...]`` with the file's vectors, one row group at a time.

    The allocator reuses one group's freed memory for the next, so the peak is the matrix plus
    about one row group (faq-engine writes groups of 16,384 rows, about 25 MB).
    """
    import pyarrow.compute as pc

    row = start
    for group in range(file.metadata.num_row_groups):
        # One thread: on two cores, decoding threads only add contention (measured: 3.9 s against 5.5 s per 1M).
        column = file.read_row_group(group, columns=[EMBEDDING_COLUMN], use_threads=False).column(0).combine_chunks()
        lengths = pc.fill_null(pc.list_value_length(column), -1).to_numpy()
        bad = np.flatnonzero(lengths != out.shape[1])
        if bad.size:
            rows = row_list((bad + row).tolist())
            raise DatasetError(f"{path.name}: the embeddings in row(s) {rows} are missing or of a different length.")
        values = column.flatten()  # no copy for fixed-size lists; a null inside a vector becomes NaN
        out[row : row + len(column)] = values.to_numpy(zero_copy_only=False).reshape(len(column), -1)
        row += len(column)
        del column, values


def read_parquet(paths: Sequence[Path]) -> ParquetData:
    """Read FAQ Parquet files (shards of one dataset, in order) without a Python object per row."""
    import pyarrow as pa

    files = [(Path(p), _open(p)) for p in paths]
    meta = next((m for m in (_meta(f.schema_arrow, p) for p, f in files) if m is not None), None)
    texts = []
    for _, file in files:
        names = [n for n in file.schema_arrow.names if n not in (EMBEDDING_COLUMN, ALTERNATE_EMBEDDINGS)]
        texts.append(file.read(columns=names))
    table = pa.concat_tables(texts, promote_options="permissive") if len(texts) > 1 else texts[0]
    with_vectors = [(p, f) for p, f in files if EMBEDDING_COLUMN in f.schema_arrow.names]
    if len(with_vectors) != len(files):
        return ParquetData(table, None, meta)
    widths = {_width(f.schema_arrow.field(EMBEDDING_COLUMN).type, p) for p, f in files}
    dim = meta.dim if meta is not None else next((w for w in widths if w), None)
    if dim is None:  # lists of varying length and no card: the first row says
        first = files[0][1].read_row_group(0, columns=[EMBEDDING_COLUMN]).column(0)[0].as_py()
        dim = len(first or [])
    vectors = np.empty((table.num_rows, dim), dtype=np.float32)
    start = 0
    for path, file in files:
        _copy_vectors(file, path, vectors, start)
        start += file.metadata.num_rows
    pa.default_memory_pool().release_unused()  # hand the decoded groups' memory back to the OS, once
    return ParquetData(table, vectors, meta, _alternate_vectors(files, dim))


def _alternate_vectors(files, dim: int) -> np.ndarray | None:
    """Every file's alternate phrasing vectors, flattened in row order (``None`` if a file has none stored)."""
    if not all(ALTERNATE_EMBEDDINGS in f.schema_arrow.names for _, f in files):
        return None
    parts = []
    for path, file in files:
        column = file.read(columns=[ALTERNATE_EMBEDDINGS], use_threads=False).column(0).combine_chunks()
        values = column.flatten()  # one vector per phrasing
        lengths = np.asarray(values.value_lengths().fill_null(-1)) if len(values) else np.zeros(0)
        if values.null_count or np.any(lengths != dim):
            raise DatasetError(f"{path.name}: the {ALTERNATE_EMBEDDINGS!r} column holds vectors that are missing "
                               f"or not {dim} long.")
        parts.append(values.flatten().to_numpy(zero_copy_only=False).reshape(len(values), dim))
    return np.concatenate(parts).astype(np.float32, copy=False) if parts else None
