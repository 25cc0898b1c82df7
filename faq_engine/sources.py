"""Where FAQ sets come from: the bundled set, local files and folders, or a Hub dataset.

:func:`read_table` reads raw FAQ rows (CSV, JSON, JSONL, Parquet);
:func:`load_faqs` turns any source into a searchable :class:`~faq_engine.faqs.FaqSet`
in the embedder's vector space, reusing stored vectors only when they are safe to use.
"""

from __future__ import annotations

import csv
import json
import logging
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from .cache import CachedEmbedder, EmbeddingCache
from .dataset_format import CARD_FILE, StoredFaqs, read_card, read_parquet_vectors
from .embedding import Embedder
from .errors import DatasetError
from .faqs import BUNDLED, FaqSet, Progress, build_faqset, load_bundled, validate_entries
from .models import FaqEntry
from .settings import DEFAULT_FIELDS

log = logging.getLogger(__name__)

FORMATS = {".csv": "csv", ".json": "json", ".jsonl": "jsonl", ".ndjson": "jsonl", ".parquet": "parquet"}


@dataclass(frozen=True)
class Columns:
    """Which input columns hold the id, question, answer and URL."""

    question: str = "question"
    answer: str = "answer"
    id: str = "id"
    url: str = "url"


def _format_of(path: Path) -> str:
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise DatasetError(f"{path.name}: unsupported file type {path.suffix or '(none)'!r}; "
                           "use CSV (.csv), JSON (.json, a list of objects), JSONL (.jsonl) or Parquet (.parquet).")
    return fmt


def _read_rows(path: Path, fmt: str) -> list[dict[str, Any]]:
    try:
        if fmt == "csv":
            with path.open(newline="", encoding="utf-8-sig") as fh:
                return list(csv.DictReader(fh))
        if fmt == "jsonl":
            lines = path.read_text(encoding="utf-8-sig").splitlines()
            return [_object(json.loads(line), path, i) for i, line in enumerate(lines, 1) if line.strip()]
        if fmt == "json":
            data = json.loads(path.read_text(encoding="utf-8-sig"))
            if isinstance(data, dict) and isinstance(data.get("faqs"), list):
                data = data["faqs"]  # the bundled layout: {"faqs": [...], ...}
            if not isinstance(data, list):
                raise DatasetError(f"{path.name}: a JSON FAQ file must hold a list of objects.")
            return [_object(row, path, i) for i, row in enumerate(data, 1)]
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, csv.Error) as err:
        raise DatasetError(f"{path.name}: cannot read it as {fmt.upper()} ({err}).") from err
    rows, _, _ = read_parquet_vectors(path)
    return rows


def _object(row: object, path: Path, number: int) -> dict:
    if not isinstance(row, dict):
        raise DatasetError(f"{path.name}: row {number} is not a JSON object.")
    return row


def _text(value: object) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    return str(value).strip()


def entries_from_rows(rows: list[dict[str, Any]], columns: Columns, where: str) -> list[FaqEntry]:
    """Map rows to validated :class:`FaqEntry` objects (ids default to the row number)."""
    found = list(dict.fromkeys(k for row in rows[:1000] for k in row))
    if rows and columns.question not in found:
        raise DatasetError(f"{where}: no {columns.question!r} column; columns found: {', '.join(found) or '(none)'}. "
                           "Name the question column (question_column=..., --question-column in the CLI).")
    for role, name, default in (("answer", columns.answer, "answer"), ("id", columns.id, "id"), ("url", columns.url, "url")):
        if rows and name != default and name not in found:
            raise DatasetError(f"{where}: no {name!r} column for the {role}; columns found: {', '.join(found)}.")
    entries = [
        FaqEntry(
            id=_text(row.get(columns.id)) if columns.id in row else str(i),
            question=_text(row.get(columns.question)),
            answer=_text(row.get(columns.answer)),
            url=_text(row.get(columns.url)),
        )
        for i, row in enumerate(rows)
    ]
    try:
        validate_entries(entries)
    except DatasetError as err:
        raise DatasetError(f"{where}: {err}") from err
    return entries


def read_table(path: str | Path, *, question_column: str = "question", answer_column: str = "answer",
               id_column: str = "id", url_column: str = "url") -> list[FaqEntry]:
    """Read FAQ rows from a CSV, JSON (list of objects), JSONL or Parquet file.

    Ids default to the row number (``"0"``, ``"1"``, ...) when there is no id column.
    Raises :class:`DatasetError` for a missing question column (listing the columns
    found), empty questions, duplicate ids (naming the rows) or an unknown file type.
    """
    path = Path(path)
    fmt = _format_of(path)
    if not path.is_file():
        raise DatasetError(f"{path}: no such file.")
    columns = Columns(question_column, answer_column, id_column, url_column)
    return entries_from_rows(_read_rows(path, fmt), columns, path.name)


def _data_files(folder: Path) -> list[Path]:
    files = [p for p in sorted(folder.rglob("*")) if p.is_file() and p.suffix.lower() in FORMATS
             and not any(part.startswith(".") for part in p.relative_to(folder).parts)]
    parquet = [p for p in files if p.suffix.lower() == ".parquet"]
    return parquet or files


def read_source(path: Path, columns: Columns = Columns()) -> StoredFaqs:
    """Rows, vectors and metadata from a local file or dataset folder (ours or raw)."""
    path = Path(path)
    files = _data_files(path) if path.is_dir() else [path]
    if not files:
        raise DatasetError(f"{path}: no CSV, JSON, JSONL or Parquet file in this folder.")
    card = path / CARD_FILE if path.is_dir() else None
    meta = read_card(card) if card is not None and card.is_file() else None
    rows: list[dict] = []
    blocks: list[np.ndarray | None] = []
    for file in files:
        fmt = _format_of(file)
        if fmt == "parquet":
            part, vectors, file_meta = read_parquet_vectors(file)
            meta = meta or file_meta
        else:
            part, vectors = _read_rows(file, fmt), None
        rows.extend(part)
        blocks.append(vectors)
    entries = entries_from_rows(rows, columns, path.name)
    stored = None
    if blocks and all(b is not None for b in blocks) and len({b.shape[1] for b in blocks}) == 1:
        stored = np.concatenate(blocks)
    return StoredFaqs(tuple(entries), stored, meta)


def _note(notes: list[str], text: str) -> None:
    notes.append(text)
    log.warning(text)


def load_faqs(source: str | Path, embedder: Embedder, *, fields: str | None = None, cache_dir: Path | None = None,
              token: str | None = None, progress: Progress | None = None, endpoint: str | None = None,
              question_column: str = "question", answer_column: str = "answer", id_column: str = "id",
              url_column: str = "url") -> FaqSet:
    """Load a FAQ set from any source, embedded in ``embedder``'s vector space.

    ``source`` is a bundled name (``medicare``), a local path (a faq-engine dataset
    folder or Parquet file, or a raw CSV/JSON/JSONL/Parquet file, embedded on load),
    or a Hub dataset id ``namespace/name`` with optional ``@revision``. Stored vectors
    are used only if their model and embedded text match; otherwise the text is
    re-embedded and a note says so. ``fields=None`` keeps the dataset's own choice.
    With ``cache_dir``, texts are embedded through the on-disk embedding cache.
    ``FaqSet.notes`` carries notices for the user (re-embedded, served from cache, ...).
    """
    name = str(source)
    if name in BUNDLED:
        return load_bundled(name, embedder, fields=fields, progress=progress)
    columns = Columns(question_column, answer_column, id_column, url_column)
    notes: list[str] = []
    stored = read_source(locate_source(name, token, endpoint, notes), columns)
    meta = stored.meta
    use_fields = fields or (meta.fields if meta else DEFAULT_FIELDS)
    vectors = _usable_vectors(name, stored, embedder.model_id, use_fields, notes)
    cache = EmbeddingCache.in_dir(cache_dir) if cache_dir else None
    try:
        faqs = build_faqset(
            name, stored.entries, CachedEmbedder(embedder, cache) if cache else embedder, fields=use_fields,
            stored=vectors, stored_model_id=meta.model_id if meta else None,
            stored_fields=meta.fields if meta else None, progress=progress,
        )
    finally:
        if cache is not None:
            cache.close()
    return replace(faqs, notes=tuple(notes) + faqs.notes)


def _usable_vectors(name: str, stored: StoredFaqs, model_id: str, fields: str, notes: list[str]) -> np.ndarray | None:
    """The stored vectors unless nothing says how they were made; notes what will be re-embedded."""
    meta, vectors = stored.meta, stored.embeddings
    if vectors is None:
        return None
    if meta is None:
        _note(notes, f"{name}: the embeddings do not say which model made them; re-embedded the text.")
        return None
    if meta.rows not in (-1, len(stored.entries)):
        _note(notes, f"{name}: the card says {meta.rows} rows but the data has {len(stored.entries)}.")
    if meta.model_id == model_id and meta.fields != fields:
        _note(notes, f"{name}: the vectors embed the {meta.fields} but {fields} was asked for; re-embedded.")
    return vectors


def locate_source(source: str, token: str | None, endpoint: str | None, notes: list[str]) -> Path:
    """The local folder or file holding ``source``, downloading a Hub dataset if needed."""
    path = Path(source).expanduser()
    if path.exists():
        return path
    from .hub import download_dataset, is_repo_id, split_revision

    repo_id, revision = split_revision(source)
    if path.suffix.lower() in FORMATS or not is_repo_id(repo_id):
        known = ", ".join(BUNDLED)
        raise DatasetError(f"{source!r} is not a file or folder, a bundled set ({known}) "
                           "or a Hub dataset id ('namespace/name[@revision]').")
    snapshot = download_dataset(repo_id, revision=revision, token=token, endpoint=endpoint)
    if snapshot.from_cache:
        _note(notes, f"{source}: using the cached copy (commit {(snapshot.commit or '?')[:8]}) because {snapshot.reason}.")
    return snapshot.folder

