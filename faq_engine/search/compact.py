"""Compact codes for a large FAQ set: a bit-code scan finds a short list, exact float32 scores order it.

A FAQ vector's code is the sign of each of its coordinates after the set's mean vector is taken
away (384 bits, 48 bytes, a 32nd of its float32 row): two vectors whose codes differ in few bits
point the same way. A question's code is scanned against every FAQ's by Hamming distance (FAISS's
binary flat index, a popcount over 48 bytes a FAQ), the :data:`SHORTLIST` nearest are kept, and
those within :data:`MARGIN` bits of the k-th nearest code are scored again exactly: each one's
float32 row times the unit question vector. The returned scores are therefore the exact cosines;
only a FAQ that the codes ranked outside that list can be missed. ``benchmarks/compact_index.py``
measures that on a million distinct real-model vectors.
Pure: no I/O.
"""

from __future__ import annotations

import numpy as np

# From this many FAQs on, the in-memory engine scans codes unless told to scan exactly: below it the exact
# scan is already fast (18.6 ms for a question at 100,000 FAQs, benchmarks/bench_scale.py) and nothing changes.
COMPACT_FROM = 200_000
# FAQs kept from the code scan, per question. At a million FAQs, 1,000 missed one of the exact top 10 for 23 of
# the 1,285 dev questions and 4,000 for 12 (benchmarks/compact_index.py): the misses are questions far from every
# FAQ, whose neighbours all lie about equally far.
SHORTLIST = 4_000
# Of the short list, only the FAQs whose codes are at most this many bits further from the question's than its
# k-th nearest code are scored: at a million FAQs 608 of the 4,000 on average, which missed no more of the
# exact top 10 than scoring all 4,000 did (benchmarks/compact_index.py prints the sweep).
MARGIN = 30
# A question whose k-th nearest code is this many bits away or more is far from every FAQ: its codes cannot tell
# its nearest FAQs apart, and the engine scans it exactly. At a million FAQs 29 of the 1,285 dev questions are:
# scanning them exactly takes the questions whose exact top 10 the list misses from 12 to none
# (benchmarks/compact_index.py).
FAR = 120
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

    def __init__(self, matrix: np.ndarray, shortlist: int = SHORTLIST, margin: int = MARGIN, far: int = FAR) -> None:
        import faiss  # a large set's dependency only: imported when one is indexed

        self.matrix = np.ascontiguousarray(matrix, dtype=np.float32)  # read in place by FAISS: no copy made
        self.shortlist = int(shortlist)
        self.margin = int(margin)
        self.far = int(far)
        # Centred first: all-MiniLM vectors share a common direction, and signs around the mean split them evenly.
        self.centre = matrix.mean(axis=0, dtype=np.float64).astype(np.float32)
        bits = 8 * -(-matrix.shape[1] // 8)  # whole bytes: packbits pads the last
        self._codes = faiss.IndexBinaryShards(bits, True, True)  # threaded; ids run on across the parts
        self._parts = [faiss.IndexBinaryFlat(bits) for _ in range(PARTS)]  # kept: the shards do not own them
        for part in self._parts:
            # Counting, not a heap: FAISS then keeps the nearest by a histogram of the 385 possible distances;
            # a heap of 4,000 rows cost about as much as the scan itself.
            part.use_heap = False
        bounds = np.linspace(0, len(matrix), PARTS + 1).astype(np.int64)
        for part, start, stop in zip(self._parts, bounds[:-1], bounds[1:]):
            for first in range(start, stop, 65_536):  # bounded temporaries: 65,536 rows at a time
                part.add(self._code(matrix[first : min(stop, first + 65_536)]))
            self._codes.add_shard(part)

    def candidates(self, queries: np.ndarray, k: int) -> list[np.ndarray | None]:
        """For each unit query, the rows of the FAQs among the :attr:`shortlist` nearest by code whose codes lie
        within :attr:`margin` bits of its ``k``-th nearest, in no set order; ``None`` for a query whose ``k``-th
        nearest code is :attr:`far` bits away or more (scan it exactly)."""
        depth = min(self.shortlist, len(self.matrix))
        if not depth:
            return [np.zeros(0, dtype=np.int64) for _ in queries]
        distances, rows = self._codes.search(self._code(queries), depth)
        at = min(max(k, 1), depth) - 1
        kth = np.partition(distances, at, axis=1)[:, at]
        return [None if limit >= self.far else r[(d <= limit + self.margin) & (r >= 0)].astype(np.int64)
                for d, r, limit in zip(distances, rows, kth)]

    def scores(self, query: np.ndarray, rows: np.ndarray) -> np.ndarray:
        """The exact scores of ``rows`` for one unit query: their float32 rows times it."""
        import faiss

        # FAISS reads the rows where they lie: gathering them into a copy first cost more than the products.
        rows = np.ascontiguousarray(rows, dtype=np.int64)
        if len(rows) and (rows.min() < 0 or rows.max() >= len(self.matrix)):  # FAISS would read past the matrix
            raise IndexError(f"rows must lie in [0, {len(self.matrix)})")
        query = np.ascontiguousarray(query, dtype=np.float32)
        out = np.empty(len(rows), dtype=np.float32)
        faiss.fvec_inner_products_by_idx(faiss.swig_ptr(out), faiss.swig_ptr(query), faiss.swig_ptr(self.matrix),
                                         faiss.swig_ptr(rows), self.matrix.shape[1], 1, len(rows))
        return out

    def _code(self, vectors: np.ndarray) -> np.ndarray:
        return np.packbits(np.asarray(vectors, dtype=np.float32) > self.centre, axis=1)
