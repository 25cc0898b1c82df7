"""Compact codes for a large FAQ set: a bit-code scan finds a short list, exact float32 scores order it.

A FAQ vector's code is the sign of each of its coordinates after the set's mean vector is taken
away (384 bits, 48 bytes, a 32nd of its float32 row): two vectors whose codes differ in few bits
point the same way. A question's code is scanned against every FAQ's by Hamming distance (FAISS's
binary flat index, a popcount over 48 bytes a FAQ), the :data:`SHORTLIST` nearest are kept, and
each is scored again exactly, its float32 row times the unit question vector. The returned scores
are therefore the exact cosines; only a FAQ that the codes ranked outside the short list can be
missed. ``benchmarks/compact_index.py`` measures that on a million distinct real-model vectors.
Pure: no I/O.
"""

from __future__ import annotations

import numpy as np

# From this many FAQs on, the in-memory engine scans codes unless told to scan exactly: below it the exact
# scan is already fast (18.6 ms for a question at 100,000 FAQs, benchmarks/bench_scale.py) and nothing changes.
COMPACT_FROM = 200_000
# FAQs kept from the code scan for exact scoring, per question. At a million FAQs, 2,000 missed one of the exact
# top 10 for 18 of the 1,285 dev questions and 4,000 for 12, at 1.2 ms more (benchmarks/compact_index.py): the
# misses are questions far from every FAQ, whose neighbours all lie about equally far.
SHORTLIST = 4_000
# The codes are scanned in this many parts at once, one thread each (FAISS scans one question on one thread).
PARTS = 2


def available() -> bool:
    """Whether FAISS, which scans the codes, can be imported here."""
    try:
        import faiss  # noqa: F401
    except ImportError:
        return False
    return True


class CompactIndex:
    """Sign codes of ``matrix``'s rows (kept, not copied) for a short list, and exact scores from ``matrix``."""

    def __init__(self, matrix: np.ndarray, shortlist: int = SHORTLIST) -> None:
        import faiss  # a large set's dependency only: imported when one is indexed

        self.matrix = matrix
        self.shortlist = int(shortlist)
        # Centred first: all-MiniLM vectors share a common direction, and signs around the mean split them evenly.
        self.centre = matrix.mean(axis=0, dtype=np.float64).astype(np.float32)
        bits = 8 * -(-matrix.shape[1] // 8)  # whole bytes: packbits pads the last
        self._codes = faiss.IndexBinaryShards(bits, True, True)  # threaded; ids run on across the parts
        self._parts = [faiss.IndexBinaryFlat(bits) for _ in range(PARTS)]
        bounds = np.linspace(0, len(matrix), PARTS + 1).astype(np.int64)
        for part, start, stop in zip(self._parts, bounds[:-1], bounds[1:]):
            for first in range(start, stop, 65_536):  # bounded temporaries: 65,536 rows at a time
                part.add(self._code(matrix[first : min(stop, first + 65_536)]))
            self._codes.add_shard(part)

    def __len__(self) -> int:
        return len(self.matrix)

    def candidates(self, queries: np.ndarray) -> np.ndarray:
        """The rows of the :attr:`shortlist` FAQs nearest each unit query by code, ``(q, s)``, in no set order."""
        depth = min(self.shortlist, len(self.matrix))
        if not depth:
            return np.zeros((len(queries), 0), dtype=np.int64)
        _, rows = self._codes.search(self._code(queries), depth)
        return rows.astype(np.int64)

    def scores(self, query: np.ndarray, rows: np.ndarray) -> np.ndarray:
        """The exact scores of ``rows`` for one unit query: their float32 rows times it."""
        # einsum, not BLAS: OpenBLAS's threads keep spinning after a call and slowed the code scan's threads.
        return np.einsum("ij,j->i", self.matrix[rows], query)

    def _code(self, vectors: np.ndarray) -> np.ndarray:
        return np.packbits(np.asarray(vectors, dtype=np.float32) > self.centre, axis=1)
