"""FAQ sets: validated entries plus their embeddings in one vector space."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Sequence

import numpy as np

from ..embedders.base import Embedder, Progress
from ..errors import DatasetError
from ..vectors import check_dim, l2_normalize
from .alternates import AlternateVectors, checked, embed_alternates
from .columnar import BATCH_ROWS
from .dataset_format import FUSED, QUESTION_WEIGHT
from .entry import Entries, FaqEntry, row_list, texts_for, validate_entries

log = logging.getLogger(__name__)


# "both" (QUESTION_WEIGHT * e(question) + (1 - QUESTION_WEIGHT) * e(question + answer), of unit vectors e): its
# dot product with a unit question vector is the same weighted mean of the two cosines, so one matrix and one
# product serve both texts, as fast as one. The question alone matches paraphrases of it; the answer adds the
# words real users ask with (benchmarks/fusion_options.py: 0.25 is best over the three dev sets).
def fuse(question_vectors: np.ndarray, both_vectors: np.ndarray) -> np.ndarray:
    """The "both" vectors from the question's and the question + answer's (normalised here)."""
    fused = l2_normalize(question_vectors) * np.float32(QUESTION_WEIGHT)
    fused += l2_normalize(both_vectors) * np.float32(1.0 - QUESTION_WEIGHT)
    return fused


def embed_entries(embedder: Embedder, entries: Sequence[FaqEntry], fields: str,
                  progress: Progress | None = None) -> np.ndarray:
    """The vectors of ``entries`` for the embedded text ``fields`` (``question``, ``question+answer`` or
    ``both``), in one batched call."""
    if fields != FUSED:
        return embedder.embed_batched(texts_for(entries, fields), progress=progress)
    texts = texts_for(entries, "question")
    if progress is not None:  # two texts a FAQ: the count said is of FAQs, as the reader expects
        progress = _per_faq(progress, len(entries))
    vectors = embedder.embed_batched(texts + texts_for(entries, "question+answer"), progress=progress)
    return fuse(vectors[: len(texts)], vectors[len(texts) :])


def _per_faq(progress: Progress, faqs: int) -> Progress:
    """``progress`` told FAQs done of ``faqs`` when it is called with texts done of all texts."""
    return lambda done, total: progress(done * faqs // max(total, 1), faqs)


@dataclass(frozen=True, eq=False)
class FaqSet:
    """FAQ entries and their embeddings (row ``i`` embeds ``entries[i]``): L2-normalised, except that the
    fused ``both`` vectors keep the length that makes a dot product the weighted mean of two cosines.

    ``notes`` are notices for the user about how the set was loaded (re-embedded,
    served from a cached copy, ...). ``alternates`` holds the vectors of the FAQs' other
    phrasings when any FAQ has one.
    """

    name: str
    entries: Entries
    embeddings: np.ndarray
    model_id: str
    fields: str = "question"
    notes: tuple[str, ...] = field(default=())
    alternates: AlternateVectors | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "entries", Entries.of(self.entries))  # FAQ objects in, columns kept
        if self.alternates is not None and len(self.alternates) and self.alternates.owners[-1] >= len(self.entries):
            raise DatasetError("Alternate phrasings belong to FAQ rows the set does not have.")

    def __len__(self) -> int:
        return len(self.entries)


def _shaped(vectors: np.ndarray, dim: int, n: int) -> np.ndarray:
    arr = np.asarray(vectors, dtype=np.float32)
    if arr.ndim != 2 or arr.shape[0] != n:
        raise DatasetError(f"Expected {n} embeddings, found an array of shape {tuple(arr.shape)}.")
    check_dim(arr, dim, "The stored embeddings")
    return arr


def _scan_and_normalize(arr: np.ndarray, normalize: bool = True) -> None:
    """One pass over the rows, block by block: their norms find NaN, infinite and all-zero rows (no model
    makes an all-zero sentence vector), and (with ``normalize``) blocks not yet of unit length are scaled in
    place."""
    bad, zero = [], []
    for start in range(0, len(arr), BATCH_ROWS):
        block = arr[start : start + BATCH_ROWS]
        norms = np.sqrt(np.einsum("ij,ij->i", block, block, dtype=np.float64))  # float64: no overflow
        bad.extend((np.flatnonzero(~np.isfinite(norms)) + start).tolist())
        zero.extend((np.flatnonzero(norms == 0) + start).tolist())
        if normalize and not (bad or zero) and np.any(np.abs(norms - 1.0) > 1e-4):
            block /= norms[:, None].astype(np.float32)
    if bad:
        raise DatasetError(f"Embeddings in row(s) {row_list(bad)} contain NaN or infinity: re-embed the data.")
    if zero:
        raise DatasetError(f"Embeddings in row(s) {row_list(zero)} are all zeros: re-embed the data.")


def validate_vectors(vectors: np.ndarray, dim: int, n: int, *, in_place: bool = False,
                     normalize: bool = True) -> np.ndarray:
    """Raise :class:`DatasetError` unless ``vectors`` is ``(n, dim)``, finite and has no all-zero row; return
    them L2-normalised (unless ``normalize`` is false: fused vectors keep their length). One pass, block by
    block (a million rows need no full-size temporaries); ``in_place`` normalises the caller's own array
    instead of a copy (the loader's freshly read matrix)."""
    arr = _shaped(vectors, dim, n)
    if not (in_place and arr.flags.writeable and arr.flags.c_contiguous):
        arr = np.array(arr, dtype=np.float32, order="C")
    _scan_and_normalize(arr, normalize)
    return arr


# Stored vectors that claim to come from the embedder's model are re-embedded on a few rows first.
# The same model on another runtime (ONNX or torch, CPU or a server's GPU) agrees to a cosine above
# 0.999; another model's vectors, even of the same size, live in another space and score far lower.
SPOT_CHECK_ROWS = 3
SPOT_CHECK_MIN_COSINE = 0.99


def spot_check(entries: Sequence[FaqEntry], vectors: np.ndarray, embedder: Embedder, fields: str,
               rows: Sequence[int] | None = None) -> float:
    """The lowest agreement between stored and freshly embedded vectors over ``rows`` (by default a few evenly
    spaced ones): their cosine, and for fused vectors, which keep their length, also ``1 - |1 - length ratio|``."""
    if rows is None:
        rows = np.unique(np.linspace(0, len(entries) - 1, min(SPOT_CHECK_ROWS, len(entries))).round().astype(int))
    fresh = embed_entries(embedder, [entries[i] for i in rows], fields)
    stored = np.asarray(vectors, dtype=np.float32)[rows]
    agreement = np.sum(l2_normalize(stored) * l2_normalize(fresh), axis=1)
    if fields == FUSED:  # a score is a dot product with these: a vector 100 times too long scores 100 times more
        ratio = np.linalg.norm(stored, axis=1) / np.maximum(np.linalg.norm(fresh, axis=1), 1e-12)
        agreement = np.minimum(agreement, 1.0 - np.abs(1.0 - ratio))
    return float(np.min(agreement))


@dataclass(frozen=True, eq=False)
class StoredVectors:
    """Vectors found with the FAQs, and what made them (``None`` where the source does not say)."""

    vectors: np.ndarray
    model_id: str | None
    fields: str | None
    owned: bool = False  # the loader's own copy: may be normalised in place
    alternates: np.ndarray | None = None  # the alternate phrasings' vectors, flattened in row order


def build_faqset(
    name: str,
    entries: Sequence[FaqEntry],
    embedder: Embedder,
    *,
    fields: str = "question",
    stored: StoredVectors | None = None,
    progress: Progress | None = None,
) -> FaqSet:
    """Validate ``entries`` and pair them with embeddings from ``embedder``'s vector space.

    Stored vectors are reused only when they were made by the same model from the
    same fields; otherwise the text is re-embedded (with a note), so vector spaces
    are never mixed.
    """
    entries = Entries.of(entries)
    validate_entries(entries)
    notes: tuple[str, ...] = ()
    if stored is not None and stored.model_id == embedder.model_id and (stored.fields or "question") == fields:
        vectors = validate_vectors(stored.vectors, embedder.dim, len(entries), in_place=stored.owned,
                                   normalize=fields != FUSED)
    else:
        if stored is not None and stored.model_id != embedder.model_id:
            notes = (f"{name}: stored embeddings were made by {stored.model_id!r}, not {embedder.model_id!r}; "
                     "re-embedded the text.",)
            log.warning(notes[0])
        vectors = embed_entries(embedder, entries, fields, progress)
    return FaqSet(name, entries, vectors, embedder.model_id, fields, notes, _alternates(entries, embedder, stored))


def _alternates(entries: Entries, embedder: Embedder, stored: StoredVectors | None) -> AlternateVectors | None:
    """The alternate phrasings' vectors: stored ones when the same model made them, else embedded now."""
    if not entries.has_alternates:
        return None
    if stored is not None and stored.alternates is not None and stored.model_id == embedder.model_id:
        return checked(stored.alternates, entries, embedder.dim)
    return embed_alternates(embedder, entries)
