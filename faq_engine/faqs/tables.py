"""Raw FAQ tables: CSV, JSON (a list of objects), JSONL and Parquet rows mapped to :class:`FaqEntry`.

Alternate phrasings of a question live in an ``alternates`` column: a list of strings in JSON,
JSONL and Parquet; in a CSV (one cell), the phrasings separated by ``|``.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import re
from pathlib import Path
from typing import Any, Iterable, Iterator

import numpy as np

from ..errors import Advice, DatasetError
from .columnar import read_parquet
from .entry import ALTERNATES, Entries, FaqEntry, validate_entries
from .headers import Columns, resolve
from .source import FORMATS

CSV_SEPARATOR = "|"  # between the alternate phrasings of one CSV cell


def split_phrasings(value: object) -> list[str]:
    """A cell's alternate phrasings: a list as it is, a string split at ``|`` (a CSV cell), nothing for null."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return []
    if isinstance(value, (list, tuple)):
        return [str(v) for v in value if v is not None]
    return str(value).split(CSV_SEPARATOR)


def format_of(path: Path) -> str:
    """The table format of ``path`` by its suffix, or a :class:`DatasetError` listing the supported ones."""
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise DatasetError(f"{path.name}: unsupported file type {path.suffix or '(none)'!r}; "
                           "use CSV (.csv), JSON (.json, a list of objects), JSONL (.jsonl) or Parquet (.parquet).")
    return fmt


def read_rows(path: Path, fmt: str) -> list[dict[str, Any]]:
    """The rows of one file as dicts (a Parquet file's embedding column left out)."""
    try:
        if fmt == "csv":
            return _csv_rows(path)
        if fmt == "jsonl":
            # split("\n"), not splitlines(): a JSON string may hold U+2028 and the like, which are no line ends.
            lines = read_text(path).split("\n")
            return [_object(_json_line(line, path, i), path, i) for i, line in enumerate(lines, 1) if line.strip()]
        if fmt == "json":
            data = json.loads(read_text(path))
            if isinstance(data, dict) and isinstance(data.get("faqs"), list):
                data = data["faqs"]  # the bundled layout: {"faqs": [...], ...}
            if not isinstance(data, list):
                raise DatasetError(f"{path.name}: a JSON FAQ file must hold a list of objects.")
            return [_object(row, path, i) for i, row in enumerate(data, 1)]
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, csv.Error) as err:
        raise DatasetError(f"{path.name}: cannot read it as {fmt.upper()} ({err}).") from err
    except RecursionError:  # JSON nested thousands deep: an attack, not FAQs
        raise DatasetError(f"{path.name}: the JSON is nested too deeply to be FAQ rows.") from None
    return read_parquet([path]).table.to_pylist()


def read_text(path: Path) -> str:
    """A text file as spreadsheets and editors save it: UTF-8 (with or without a BOM), or UTF-16 with its BOM
    (Excel's "Unicode text")."""
    data = path.read_bytes()
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise DatasetError(f"{path.name} is not UTF-8 or UTF-16 text: save it as \"CSV UTF-8\" (or as "
                           "\"Unicode text\") and try again.") from None


def _csv_rows(path: Path) -> list[dict[str, Any]]:
    text = read_text(path)
    try:  # a European spreadsheet separates with ';', "Unicode text" with tabs
        dialect = csv.Sniffer().sniff(text[:20_000], delimiters=",;\t")
        delimiter = dialect.delimiter
    except csv.Error:
        delimiter = ","
    # strict: an unclosed quote is an error, not a silent merge of every row after it.
    rows = list(csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True))
    extra = [i for i, row in enumerate(rows, 2) if None in row]
    if extra:
        shown = ", ".join(map(str, extra[:10]))
        name = {",": "commas", ";": "semicolons", "\t": "tabs"}[delimiter]
        raise DatasetError(f"{path.name}: line(s) {shown} have more fields than the header: quote fields that "
                           f"contain {name}.")
    return rows


def _json_line(line: str, path: Path, number: int) -> object:
    return next(json_lines([line], path.name, start=number))[1]


def json_lines(lines: Iterable[str], where: str, *, start: int = 1) -> Iterator[tuple[int, object]]:
    """``(line number, value)`` of each non-blank JSONL line; a line that is not JSON is an error naming it."""
    for number, line in enumerate(lines, start=start):
        if not line.strip():
            continue
        try:
            yield number, json.loads(line)
        except json.JSONDecodeError as err:
            raise DatasetError(f"{where}, line {number}: not valid JSON ({err.msg}).") from None


def _object(row: object, path: Path, number: int) -> dict:
    if not isinstance(row, dict):
        raise DatasetError(f"{path.name}: row {number} is not a JSON object.")
    return row


def _text(value: object) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    return str(value).strip()


def _check_columns(found: list[str], columns: Columns, where: str) -> None:
    if columns.question not in found:
        raise DatasetError(f"{where}: no {columns.question!r} column; columns found: {', '.join(found) or '(none)'}.",
                           advice=Advice.NAME_COLUMNS, column=columns.question, found=tuple(found))
    optional = (("answer", columns.answer, "answer"), ("id", columns.id, "id"), ("url", columns.url, "url"))
    for role, name, default in optional:
        if name != default and name not in found:
            raise DatasetError(f"{where}: no {name!r} column for the {role}; columns found: {', '.join(found)}.")


def _validated(entries: Entries, where: str) -> Entries:
    try:
        validate_entries(entries)
    except DatasetError as err:
        raise DatasetError(f"{where}: {err}") from err
    return entries


def entries_from_table(table, columns: Columns, where: str, *, trimmed: bool = False) -> Entries:
    """Map an Arrow table's columns to validated :class:`Entries`, without a Python object per row.

    ``trimmed``: the text is known to be stripped already (faq-engine's own format), so it is not again.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    if table.num_rows:
        _check_columns(table.column_names, columns, where)

    def text(name: str, default=None):
        if name not in table.column_names:
            return default if default is not None else pa.nulls(table.num_rows, pa.string())
        column = table.column(name)
        if pa.types.is_floating(column.type):  # a spreadsheet's empty cell: NaN, never the text "nan"
            column = pc.if_else(pc.is_nan(column), pa.scalar(None, column.type), column)
        try:
            column = pc.fill_null(column.cast(pa.string()), "")
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError):
            raise DatasetError(f"{where}: the {name!r} column holds {column.type} values, not text: make it a "
                               "column of text (UTF-8).", column=name) from None
        return column if trimmed else pc.utf8_trim_whitespace(column)

    row_ids = pa.array(np.arange(table.num_rows).astype(str))
    mapped = {"id": text(columns.id, row_ids), "question": text(columns.question), "answer": text(columns.answer),
              "url": text(columns.url)}
    if columns.alternates in table.column_names:
        phrasings = table.column(columns.alternates)
        if not (pa.types.is_list(phrasings.type) or pa.types.is_large_list(phrasings.type)):
            phrasings = pa.array([split_phrasings(v) for v in phrasings.to_pylist()], pa.list_(pa.string()))
        mapped[ALTERNATES] = phrasings
    return _validated(Entries(pa.table(mapped)), where)


def columns_of(rows: list[dict[str, Any]]) -> list[str]:
    """The column names of rows read from a file, in order (the first thousand rows say)."""
    return list(dict.fromkeys(k for row in rows[:1000] for k in row))


def entries_from_rows(rows: list[dict[str, Any]], columns: Columns, where: str) -> Entries:
    """Map rows to validated :class:`Entries` (ids default to the row number)."""
    if rows:
        _check_columns(columns_of(rows), columns, where)
    entries = [
        FaqEntry(
            id=_text(row.get(columns.id)) if columns.id in row else str(i),
            question=_text(row.get(columns.question)),
            answer=_text(row.get(columns.answer)),
            url=_text(row.get(columns.url)),
            alternates=tuple(split_phrasings(row.get(columns.alternates))),
        )
        for i, row in enumerate(rows)
    ]
    return _validated(Entries.of(entries), where)


def read_table(path: str | Path, *, question_column: str = "question", answer_column: str = "answer",
               id_column: str = "id", url_column: str = "url") -> list[FaqEntry]:
    """Read FAQ rows from a CSV, JSON (list of objects), JSONL or Parquet file.

    Ids default to the row number (``"0"``, ``"1"``, ...) when there is no id column.
    Raises :class:`DatasetError` for a missing question column (listing the columns
    found), empty questions, duplicate ids (naming the rows) or an unknown file type.
    """
    path = Path(path)
    fmt = format_of(path)
    if not path.is_file():
        raise DatasetError(f"{path}: no such file.")
    columns = Columns(question_column, answer_column, id_column, url_column)
    if fmt == "parquet":
        table = read_parquet([path]).table
        return list(entries_from_table(table, resolve(table.column_names, columns, path.name)[0], path.name))
    rows = read_rows(path, fmt)
    found = columns_of(rows)
    return list(entries_from_rows(rows, resolve(found, columns, path.name)[0], path.name))


def data_files(folder: Path) -> list[Path]:
    """The FAQ files in ``folder`` (hidden ones skipped): its Parquet files if any, else every table.

    Shards named as the Hub names them (``train-00001-of-00004.parquet``) must all be there, of one count:
    a missing or stray shard would serve part of a set, or two sets, as if whole.
    """
    files = [p for p in sorted(folder.rglob("*")) if p.is_file() and p.suffix.lower() in FORMATS
             and not any(part.startswith(".") for part in p.relative_to(folder).parts)]
    parquet = [p for p in files if p.suffix.lower() == ".parquet"]
    _check_shards(folder, parquet)
    return parquet or files


_SHARD = re.compile(r"^(?P<split>.+)-(?P<index>\d{5})-of-(?P<count>\d{5})\.parquet$", re.IGNORECASE)


def _check_shards(folder: Path, files: list[Path]) -> None:
    shards: dict[str, set[tuple[int, int]]] = {}
    for path in files:
        named = _SHARD.match(path.name)
        if named:
            shards.setdefault(named["split"], set()).add((int(named["index"]), int(named["count"])))
    for split, found in shards.items():
        counts = sorted({count for _, count in found})
        if len(counts) > 1:
            raise DatasetError(f"{folder.name}: the {split!r} shards are of {len(counts)} different datasets "
                               f"(of {' and of '.join(map(str, counts))} shards): keep one set of them.")
        missing = sorted(set(range(counts[0])) - {index for index, _ in found})
        if missing or max(index for index, _ in found) >= counts[0]:
            raise DatasetError(f"{folder.name}: {len(found)} of the {counts[0]} {split!r} shards are here"
                               + (f"; shard {missing[0]} is missing" if missing else "") + ": download it whole.")
