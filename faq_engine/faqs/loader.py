"""Load any FAQ source as a searchable :class:`~faq_engine.faqs.faqset.FaqSet`.

The source is parsed once (:class:`~faq_engine.faqs.source.Source`): the bundled
set, a local file or folder (raw rows, or a dataset written by ``faq-engine
embed``), or a Hub dataset. Stored vectors are reused only when they are safe to
use; everything else is embedded, through the on-disk cache when there is one.
Loaders return what they noticed (``FaqSet.notes``) instead of printing it.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, replace
from importlib import resources
from pathlib import Path

import numpy as np

from ..embedders.base import Embedder, Progress
from ..embedders.cache import CachedEmbedder, EmbeddingCache
from ..errors import DatasetError
from ..settings import DEFAULT_FIELDS
from .columnar import read_parquet
from .dataset_format import CARD_FILE, StoredFaqs, read_card
from .entry import ALTERNATES, Entries, FaqEntry
from .faqset import (
    FUSED,
    SPOT_CHECK_MIN_COSINE,
    SPOT_CHECK_ROWS,
    FaqSet,
    StoredVectors,
    build_faqset,
    fuse,
    spot_check,
)
from .headers import Columns, resolve
from .hub import HubAccess
from .limits import CLI_LIMITS, ReadLimits
from .source import BUNDLED, Source
from .tables import columns_of, data_files, entries_from_rows, entries_from_table, format_of, read_rows

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Located:
    """Where a source's files are on this machine, and anything the user should know about that."""

    path: Path
    notes: tuple[str, ...] = ()


def load_bundled(name: str, embedder: Embedder, *, fields: str | None = None,
                 progress: Progress | None = None) -> FaqSet:
    """Load a FAQ set shipped inside the package (``medicare``).

    The file stores the question and question + answer vectors (``both`` fuses them), so any choice of
    embedded text loads instantly.
    """
    fields = fields or DEFAULT_FIELDS
    if name not in BUNDLED:
        raise DatasetError(f"No bundled FAQ set named {name!r}; bundled: {', '.join(BUNDLED)}.")
    raw = json.loads(resources.files("faq_engine.faqs.data").joinpath(f"{name}.json").read_text(encoding="utf-8"))
    entries = Entries.of(FaqEntry(str(r["id"]), r["question"], r.get("answer", ""), r.get("url", ""))
                         for r in raw["faqs"])
    stored_sets = {text: np.asarray(v, np.float32) for text, v in raw["embeddings"].items()}
    if FUSED not in stored_sets and {"question", "question+answer"} <= stored_sets.keys():
        stored_sets[FUSED] = fuse(stored_sets["question"], stored_sets["question+answer"])
    vectors = stored_sets.get(fields)
    stored = None if vectors is None else StoredVectors(vectors, raw["model_id"], fields)
    return build_faqset(name, entries, embedder, fields=fields, stored=stored, progress=progress)


def read_source(path: Path, columns: Columns = Columns(), *, label: str | None = None,
                limits: ReadLimits = CLI_LIMITS) -> StoredFaqs:
    """Entries, vectors and metadata from a local file or dataset folder (ours or raw), within ``limits``.

    Parquet files (a folder's shards, in name order) are read column by column; CSV and
    JSON files row by row. Messages call the data ``label`` (by default its path).
    """
    path = Path(path)
    label = label or str(path)
    files = data_files(path) if path.is_dir() else [path]
    if not files:
        raise DatasetError(f"{label}: no CSV, JSON, JSONL or Parquet file in this folder.")
    card = path / CARD_FILE if path.is_dir() else None
    meta = read_card(card) if card is not None and card.is_file() else None
    formats = [format_of(file) for file in files]
    if all(fmt == "parquet" for fmt in formats):
        data = read_parquet(files, limits, label)
        meta = meta or data.meta  # faq-engine's own format: written from stripped text
        columns, notes = resolve(data.table.column_names, columns, label)
        entries = entries_from_table(data.table, columns, label, trimmed=meta is not None)
        return StoredFaqs(_within(entries, limits, label), data.vectors, meta, data.alternates, notes)
    rows = [row for file, fmt in zip(files, formats) for row in read_rows(file, fmt)]
    limits.check_rows(len(rows), label)
    columns, notes = resolve(columns_of(rows), columns, label)
    return StoredFaqs(_within(entries_from_rows(rows, columns, label), limits, label), None, meta, notes=notes)


def _within(entries: Entries, limits: ReadLimits, where: str) -> Entries:
    """``entries``, after checking no field (phrasings included) is longer than ``limits`` allow."""
    import pyarrow.compute as pc

    if limits.field_chars is None or not len(entries):
        return entries
    for name in entries.table.column_names:
        column = entries.table.column(name)
        lengths = pc.list_value_length(column) if name == ALTERNATES else pc.utf8_length(column)
        if name == ALTERNATES:  # the longest phrasing of each FAQ
            flat = pc.utf8_length(pc.list_flatten(column))
            owners = pc.list_parent_indices(column)
            if len(flat) and (pc.max(flat).as_py() or 0) > limits.field_chars:
                at = int(pc.index(flat, pc.max(flat)).as_py())
                limits.check_field(pc.max(flat).as_py(), owners[at].as_py(), "alternate phrasing", where)
            continue
        longest = pc.max(lengths).as_py() or 0
        limits.check_field(longest, int(pc.index(lengths, longest).as_py()), name, where)
    return entries


def locate(source: Source, hub: HubAccess = HubAccess()) -> Located:
    """The local file or folder holding a path or Hub ``source``, downloading a Hub dataset if needed."""
    if source.kind == "path":
        return Located(source.path)
    if source.kind != "hub":
        raise DatasetError(f"{source.name!r} is bundled: it has no files to read.")
    from .hub import download_dataset

    snapshot = download_dataset(source.repo_id, revision=source.revision, access=hub)
    notes = ()
    if snapshot.from_cache:
        commit = (snapshot.commit or "?")[:8]
        notes = (f"{source}: using the cached copy (commit {commit}) because {snapshot.reason}.",)
        log.warning(notes[0])
    return Located(snapshot.folder, notes)


def load_faqs(source: str | Path | Source, embedder: Embedder, *, fields: str | None = None,
              columns: Columns = Columns(), hub: HubAccess = HubAccess(), cache_dir: Path | None = None,
              limits: ReadLimits = CLI_LIMITS, progress: Progress | None = None) -> FaqSet:
    """Load a FAQ set from any source, embedded in ``embedder``'s vector space.

    ``source`` is a bundled name (``medicare``), a local path (a faq-engine dataset
    folder or Parquet file, or a raw CSV/JSON/JSONL/Parquet file, embedded on load),
    or a Hub dataset id ``namespace/name`` with optional ``@revision``. Stored vectors
    are used only if their model and embedded text match; otherwise the text is
    re-embedded and a note says so. ``fields=None`` keeps the dataset's own choice.
    With ``cache_dir``, texts are embedded through the on-disk embedding cache. A source of more
    than ``limits`` allow (FAQs, characters in a field, text in all) is refused while it is read, before
    anything large is decoded or anything is embedded.
    """
    source = Source.parse(source)
    if source.kind == "bundled":
        return load_bundled(source.text, embedder, fields=fields, progress=progress)
    located = locate(source, hub)
    stored = read_source(located.path, columns, label=source.name, limits=limits)
    meta = stored.meta
    use_fields = fields or (meta.fields if meta else DEFAULT_FIELDS)
    vectors, notes = _usable_vectors(source.name, stored, embedder.model_id, use_fields)
    if vectors is not None and meta.model_id == embedder.model_id and meta.fields == use_fields:
        vectors, notes = _checked(source.name, stored, vectors, embedder, use_fields, notes)
    stored_vectors = None if vectors is None else StoredVectors(vectors, meta.model_id, meta.fields, owned=True,
                                                                alternates=stored.alternates)
    cache = EmbeddingCache.in_dir(cache_dir) if cache_dir else None
    try:
        faqs = build_faqset(source.name, stored.entries, CachedEmbedder(embedder, cache) if cache else embedder,
                            fields=use_fields, stored=stored_vectors, progress=progress)
    finally:
        if cache is not None:
            cache.close()
    return replace(faqs, notes=located.notes + stored.notes + notes + faqs.notes)


def _checked(name: str, stored: StoredFaqs, vectors: np.ndarray, embedder: Embedder, fields: str,
             notes: tuple[str, ...]) -> tuple[np.ndarray | None, tuple[str, ...]]:
    """The stored vectors if a spot check agrees they are ``embedder``'s, else ``None`` and a note."""
    if vectors.shape != (len(stored.entries), embedder.dim):
        return vectors, notes  # build_faqset says what is wrong with them
    worst = spot_check(stored.entries, vectors, embedder, fields)
    if not np.isfinite(worst) or worst >= SPOT_CHECK_MIN_COSINE:  # NaN rows: build_faqset names them
        return vectors, notes
    note = (f"{name}: the stored vectors say {embedder.model_id} made them, but {SPOT_CHECK_ROWS} re-embedded rows "
            f"disagree (agreement {worst:.2f}, below {SPOT_CHECK_MIN_COSINE}): another model made them; re-embedded.")
    log.warning(note)
    return None, notes + (note,)


def _usable_vectors(name: str, stored: StoredFaqs, model_id: str,
                    fields: str) -> tuple[np.ndarray | None, tuple[str, ...]]:
    """The stored vectors unless nothing says how they were made, and notes on what will be re-embedded."""
    meta, vectors = stored.meta, stored.embeddings
    if vectors is None:
        return None, ()
    notes = []
    if meta is None:
        notes.append(f"{name}: the embeddings do not say which model made them; re-embedded the text.")
        vectors = None
    elif meta.rows not in (-1, len(stored.entries)):
        notes.append(f"{name}: the card says {meta.rows} rows but the data has {len(stored.entries)}.")
    if meta is not None and meta.model_id == model_id and meta.fields != fields:
        notes.append(f"{name}: the vectors embed the {meta.fields} but {fields} was asked for; re-embedded.")
    for note in notes:
        log.warning(note)
    return vectors, tuple(notes)
