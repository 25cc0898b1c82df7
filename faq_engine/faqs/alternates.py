"""The vectors of the FAQs' alternate phrasings ("other ways people ask this"), kept beside the FAQ vectors.

One unit vector per phrasing, in one contiguous float32 matrix, with ``owners[i]`` the row of the
FAQ phrasing ``i`` belongs to (ascending: the phrasings of row 0 first, then row 1's, ...).
A search scores a FAQ by its closest phrasing (:mod:`faq_engine.search.phrasings`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

from ..embedders.base import Embedder, Progress
from ..errors import DatasetError
from ..vectors import l2_normalize
from .entry import Entries


@dataclass(frozen=True, eq=False)
class AlternateVectors:
    """``vectors[i]`` embeds a phrasing of the FAQ in row ``owners[i]``."""

    vectors: np.ndarray  # (m, dim) float32, unit rows
    owners: np.ndarray  # (m,) int64, ascending

    def __len__(self) -> int:
        return len(self.owners)

    def of_rows(self, rows: Sequence[int]) -> list[np.ndarray]:
        """The phrasing vectors of each of these FAQ rows (an empty ``(0, dim)`` array for a FAQ with none)."""
        starts = np.searchsorted(self.owners, rows, side="left")
        ends = np.searchsorted(self.owners, rows, side="right")
        return [self.vectors[s:e] for s, e in zip(starts, ends)]


def owners_of(phrasings: Sequence[Sequence[str]]) -> np.ndarray:
    """The FAQ row of each phrasing, flattened in row order."""
    lengths = np.fromiter((len(p) for p in phrasings), dtype=np.int64, count=len(phrasings))
    return np.repeat(np.arange(len(phrasings), dtype=np.int64), lengths)


def flat(phrasings: Sequence[Sequence[str]]) -> list[str]:
    """Every phrasing, in row order."""
    return [text for row in phrasings for text in row]


def embed_alternates(embedder: Embedder, entries: Entries, progress: Progress | None = None) -> AlternateVectors:
    """Embed every alternate phrasing of ``entries`` (through whatever cache ``embedder`` has)."""
    phrasings = entries.alternates()
    return AlternateVectors(embed_alternates_texts(embedder, flat(phrasings), progress), owners_of(phrasings))


def embed_alternates_texts(embedder: Embedder, texts: Sequence[str], progress: Progress | None = None) -> np.ndarray:
    """Unit vectors of these phrasings, ``(len(texts), dim)``."""
    if not texts:
        return np.zeros((0, embedder.dim), np.float32)
    return l2_normalize(embedder.embed_batched(list(texts), progress=progress)).reshape(len(texts), embedder.dim)


def checked(vectors: np.ndarray, entries: Entries, dim: int) -> AlternateVectors:
    """Stored phrasing vectors as :class:`AlternateVectors`, after checking they fit the entries' phrasings."""
    phrasings = entries.alternates()
    arr = np.asarray(vectors, dtype=np.float32)
    count = sum(len(p) for p in phrasings)
    if arr.shape != (count, dim) or not np.isfinite(arr).all():
        raise DatasetError(f"The stored alternate vectors have shape {tuple(arr.shape)}, not ({count}, {dim}), or are "
                           "not finite: re-embed the data.")
    return AlternateVectors(l2_normalize(arr), owners_of(phrasings))
