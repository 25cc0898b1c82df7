"""Parquet FAQ files read column by column: texts stay in Arrow, vectors land in one float32 matrix.

No Python object per row: a million FAQs cost their Arrow text buffers plus one
contiguous ``(n, dim)`` float32 matrix, filled batch by batch from the files (so the
vectors are never held twice) and L2-normalised in place, once.
"""

from __future__ import annotations

import json
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import numpy as np

from ..errors import DatasetError
from .dataset_format import ALTERNATE_EMBEDDINGS, EMBEDDING_COLUMN, META_KEY, DatasetMeta
from .entry import row_list
from .limits import ReadLimits

BATCH_ROWS = 65_536  # rows per batch when copying vectors: bounded temporaries


@dataclass(frozen=True, eq=False)
class ParquetData:
    """The text columns (an Arrow table), the vectors if every file has them, and metadata if any."""

    table: object  # pyarrow.Table
    vectors: np.ndarray | None
    meta: DatasetMeta | None
    alternates: np.ndarray | None = None  # the alternate phrasings' vectors, flattened in row order


def _open(path: Path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        schema = pq.read_schema(path)
        strings = [f.name for f in schema if (pa.types.is_string(f.type) or pa.types.is_large_string(f.type))
                   and f.name not in (EMBEDDING_COLUMN, ALTERNATE_EMBEDDINGS)]
        # Text stays dictionary-encoded as read: its decoded size is checked before it is ever materialised.
        return pq.ParquetFile(path, pre_buffer=False, read_dictionary=strings)
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


@contextmanager
def _damage_told(files):
    """A file damaged past its footer (a page that does not decode) is a :class:`DatasetError` naming the file,
    never a traceback or the server's folder."""
    import pyarrow as pa

    try:
        yield
    except (OSError, pa.ArrowException) as err:
        words = str(err)
        for path, _ in files:
            words = words.replace(str(path.parent), "")
        raise DatasetError(f"{', '.join(p.name for p, _ in files[:3])}: a Parquet file is damaged ({words[:300]}).") \
            from None


def read_parquet(paths: Sequence[Path], limits: ReadLimits = ReadLimits(), where: str | None = None) -> ParquetData:
    """Read FAQ Parquet files (shards of one dataset, in order) without a Python object per row, within
    ``limits``: rows counted from the metadata, text read one row group at a time and checked before decoding."""
    import pyarrow as pa

    files = [(Path(p), _open(p)) for p in paths]
    where = where or files[0][0].name
    limits.check_rows(sum(f.metadata.num_rows for _, f in files), where)
    meta = next((m for m in (_meta(f.schema_arrow, p) for p, f in files) if m is not None), None)
    spent = [0]  # decoded text bytes so far, over every file
    with _damage_told(files):
        texts = [_text_columns(path, file, limits, where, spent) for path, file in files]
    try:
        table = pa.concat_tables(texts, promote_options="permissive") if len(texts) > 1 else texts[0]
    except (pa.ArrowTypeError, pa.ArrowInvalid) as err:  # "Field id has incompatible types: int64 vs string"
        raise DatasetError(f"{where}: its files disagree on a column's type ({err}): write every file "
                           "with the same columns and types.") from None
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
    with _damage_told(files):
        for path, file in files:
            _copy_vectors(file, path, vectors, start)
            start += file.metadata.num_rows
    pa.default_memory_pool().release_unused()  # hand the decoded groups' memory back to the OS, once
    return ParquetData(table, vectors, meta, _alternate_vectors(files, dim))


def _text_columns(path: Path, file, limits: ReadLimits, where: str, spent: list[int]):
    """A file's text columns, row group by row group, each checked before its strings are materialised."""
    import pyarrow as pa

    names = [n for n in file.schema_arrow.names if n not in (EMBEDDING_COLUMN, ALTERNATE_EMBEDDINGS)]
    groups, row = [], 0
    for index in range(file.metadata.num_row_groups):
        group = file.metadata.row_group(index)
        wanted = [group.column(i) for i in range(group.num_columns) if group.column(i).path_in_schema in names]
        limits.check_text(spent[0] + sum(c.total_uncompressed_size for c in wanted), where)  # before reading
        part = file.read_row_group(index, columns=names, use_threads=False)
        spent[0] += _checked_text(part, limits, where, row, spent[0])
        groups.append(part.cast(pa.schema([_plain(f) for f in part.schema])))
        row += part.num_rows
    return pa.concat_tables(groups) if groups else file.schema_arrow.empty_table().select(names)


def _checked_text(part, limits: ReadLimits, where: str, row: int, before: int) -> int:
    """The decoded size of a row group's dictionary-encoded text; refuses it past the limits, undecoded."""
    import pyarrow as pa
    import pyarrow.compute as pc

    size = 0
    for name, column in zip(part.column_names, part.columns):
        if not pa.types.is_dictionary(column.type):
            continue
        offset = row
        for chunk in column.chunks:
            lengths = pc.take(pc.utf8_length(chunk.dictionary), chunk.indices)
            size += int(pc.sum(pc.take(pc.binary_length(chunk.dictionary), chunk.indices)).as_py() or 0)
            longest = pc.max(lengths).as_py() or 0
            if limits.field_chars is not None and longest > limits.field_chars:
                limits.check_field(longest, offset + int(pc.index(lengths, longest).as_py()), name, where)
            limits.check_text(before + size, where)
            offset += len(chunk)
    return size


def _plain(field):
    import pyarrow as pa

    return pa.field(field.name, field.type.value_type) if pa.types.is_dictionary(field.type) else field


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
