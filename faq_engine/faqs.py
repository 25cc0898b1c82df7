"""FAQ collections: validated entries plus their embeddings in one vector space."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from importlib import resources
from typing import Callable, Sequence

import numpy as np

from .embedding import Embedder, check_dim, embed_batched, l2_normalize, texts_for
from .errors import DatasetError
from .models import FaqEntry
from .settings import DEFAULT_FIELDS

log = logging.getLogger(__name__)

BUNDLED = ("medicare",)
Progress = Callable[[int, int], None]


@dataclass(frozen=True, eq=False)
class FaqSet:
    """FAQ entries and their L2-normalised embeddings (row ``i`` embeds ``entries[i]``)."""

    name: str
    entries: tuple[FaqEntry, ...]
    embeddings: np.ndarray
    model_id: str
    fields: str = "question"
    notes: tuple[str, ...] = field(default=())

    def __len__(self) -> int:
        return len(self.entries)


def _rows(indices: Sequence[int], limit: int = 10) -> str:
    shown = ", ".join(str(i + 1) for i in indices[:limit])
    more = f" and {len(indices) - limit} more" if len(indices) > limit else ""
    return f"{shown}{more}"


def validate_entries(entries: Sequence[FaqEntry]) -> None:
    """Raise :class:`DatasetError` naming the rows (1-based) that are unusable."""
    if not entries:
        raise DatasetError("The FAQ data has no rows: add at least one question.")
    empty = [i for i, e in enumerate(entries) if not (e.question or "").strip()]
    if empty:
        raise DatasetError(f"Empty question in row(s) {_rows(empty)}: every FAQ needs a question.")
    seen: dict[str, int] = {}
    dupes = []
    for i, e in enumerate(entries):
        if e.id in seen:
            dupes.append(i)
        seen.setdefault(e.id, i)
    if dupes:
        ids = sorted({entries[i].id for i in dupes})
        raise DatasetError(
            f"Duplicate id(s) {', '.join(map(repr, ids[:10]))} in row(s) {_rows(dupes)}: ids must be unique."
        )


def validate_vectors(vectors: np.ndarray, dim: int, n: int) -> np.ndarray:
    """Check shape, dimension and finiteness of stored embeddings; return them normalised."""
    arr = np.asarray(vectors, dtype=np.float32)
    if arr.ndim != 2 or arr.shape[0] != n:
        raise DatasetError(f"Expected {n} embeddings, found an array of shape {tuple(arr.shape)}.")
    check_dim(arr, dim, "The stored embeddings")
    bad = np.flatnonzero(~np.isfinite(arr).all(axis=1))
    if bad.size:
        raise DatasetError(f"Embeddings in row(s) {_rows(bad.tolist())} contain NaN or infinity: re-embed the data.")
    return l2_normalize(arr)


def build_faqset(
    name: str,
    entries: Sequence[FaqEntry],
    embedder: Embedder,
    *,
    fields: str = "question",
    stored: np.ndarray | None = None,
    stored_model_id: str | None = None,
    stored_fields: str | None = None,
    progress: Progress | None = None,
) -> FaqSet:
    """Validate ``entries`` and pair them with embeddings from ``embedder``'s vector space.

    Stored vectors are reused only when they were made by the same model from the
    same fields; otherwise the text is re-embedded (with a note), so vector spaces
    are never mixed.
    """
    entries = tuple(entries)
    validate_entries(entries)
    notes: list[str] = []
    if stored is not None and stored_model_id == embedder.model_id and (stored_fields or "question") == fields:
        vectors = validate_vectors(stored, embedder.dim, len(entries))
    else:
        if stored is not None and stored_model_id != embedder.model_id:
            notes.append(
                f"{name}: stored embeddings were made by {stored_model_id!r}, not {embedder.model_id!r}; re-embedded the text."
            )
            log.warning(notes[-1])
        vectors = embed_batched(embedder, texts_for(entries, fields), progress=progress)
    return FaqSet(name, entries, vectors, embedder.model_id, fields, tuple(notes))


def _entry(raw: dict) -> FaqEntry:
    return FaqEntry(str(raw["id"]), raw["question"], raw.get("answer", ""), raw.get("url", ""))


def load_bundled(name: str, embedder: Embedder, *, fields: str | None = None, progress: Progress | None = None) -> FaqSet:
    """Load a FAQ set shipped inside the package (``medicare``).

    The file stores vectors for each choice of embedded text, so either loads instantly.
    """
    fields = fields or DEFAULT_FIELDS
    if name not in BUNDLED:
        raise DatasetError(f"No bundled FAQ set named {name!r}; bundled: {', '.join(BUNDLED)}.")
    raw = json.loads(resources.files("faq_engine.data").joinpath(f"{name}.json").read_text(encoding="utf-8"))
    entries = [_entry(r) for r in raw["faqs"]]
    stored = raw["embeddings"].get(fields)
    return build_faqset(
        name, entries, embedder, fields=fields, stored=None if stored is None else np.asarray(stored, np.float32),
        stored_model_id=raw["model_id"], stored_fields=fields, progress=progress,
    )
