"""The Qdrant engine: the same :class:`~faq_engine.search.engine.Engine` over a Qdrant collection.

Qdrant finds the candidates (its best dense points, its best BM25 points, or both); each
candidate is then scored here exactly as the in-memory engine scores it: its similarity
is the dot product of its stored vector with the unit question vector, its BM25 is
Qdrant's, and the hybrid is the one blend of :mod:`..hybrid` over the candidates (whose
best BM25 is the collection's best, as BM25's own best points are among them). Ties go
to the FAQ that comes first in the set (each point records its row).
"""

from __future__ import annotations

import logging
import math

import numpy as np

from ...embedders.base import Embedder
from ...errors import Advice, CollectionMismatchError
from ...faqs.entry import FaqEntry
from ...faqs.faqset import SPOT_CHECK_MIN_COSINE, SPOT_CHECK_ROWS, spot_check
from ...settings import DEFAULT_METHOD, Method
from ..engine import Engine, EngineInfo, FaqSample, Ranking
from ..hybrid import blend_scores
from ..match import Calibration
from ..phrasings import closest
from .sparse import query_vector
from .store import DENSE, EXACT_BELOW, PHRASINGS, QdrantStore

log = logging.getLogger(__name__)

CANDIDATES = 100  # best points taken from each ranking before blending
# An index run records the collection's content hash last: without one, a run stopped part way.
INTERRUPTED = ("Collection {collection!r} was not indexed to the end (an index run stopped part way): some FAQs may "
               "be missing or out of date until it is indexed again.")


class QdrantEngine(Engine):
    """Search a Qdrant collection (see the module docstring); ``exact`` forces an exact scan on a server
    (by default below :data:`~.store.EXACT_BELOW` points)."""

    def __init__(self, store: QdrantStore, embedder: Embedder, *, method: Method = DEFAULT_METHOD,
                 threshold: float | None = None, exact: bool | None = None,
                 calibration: Calibration | None = None) -> None:
        meta = store.check(embedder.model_id, embedder.dim)
        _spot_check(store, embedder, meta.fields)
        super().__init__(embedder, meta.fields, method=method, threshold=threshold, calibration=calibration)
        self.store, self.meta = store, meta
        self.notes = () if meta.content_hash else (INTERRUPTED.format(collection=store.collection),)
        for note in self.notes:
            log.warning(note)
        self.exact = meta.rows < EXACT_BELOW if exact is None else exact
        self._vectors = (DENSE, PHRASINGS) if meta.phrasings else (DENSE,)
        self._tokenizer = None
        if method != "dense":
            from ..lexical import Tokenizer

            self._tokenizer = Tokenizer()

    def describe(self) -> EngineInfo:
        """The collection's name, size and embedded text."""
        return EngineInfo(f"{self.store.collection} (Qdrant)", self.meta.rows, self.meta.fields, "Qdrant", self.notes)

    def sample(self, n: int) -> FaqSample:
        """Up to ``n`` points of the collection, with their vectors."""
        points = self.store.sample(n) if n > 0 else []
        vectors = np.asarray([p.vector[DENSE] for p in points], dtype=np.float32).reshape(len(points), self.meta.dim)
        return FaqSample([p.payload["id"] for p in points], [p.payload["question"] for p in points], vectors)

    def _rank(self, queries: list[str], vectors: np.ndarray, depth: int, *, with_vectors: bool) -> list[Ranking]:
        return [self._rank_one(q, v, depth) for q, v in zip(queries, vectors)]

    def _rank_one(self, query: str, vector: np.ndarray, depth: int) -> Ranking:
        points, bm25 = {}, {}
        if self.method != "dense":
            for p in self.store.sparse(query_vector(query, self._tokenizer), max(depth, CANDIDATES),
                                       with_vectors=self._vectors):
                points[p.id], bm25[p.id] = p, float(p.score)
        if self.method != "bm25":
            limit = depth if self.method == "dense" else max(depth, CANDIDATES)
            # The best by their own vector and the best by their closest phrasing: the best by either is among them.
            for using in self._vectors:
                found = self.store.dense(vector, limit, exact=self.exact, using=using, with_vectors=self._vectors)
                points.update((p.id, p) for p in found)
        ids = list(points)
        stored = np.asarray([points[i].vector[DENSE] for i in ids], dtype=np.float32).reshape(len(ids), len(vector))
        similarity = self._similarity(stored, [points[i].vector.get(PHRASINGS) for i in ids], vector)
        lexical = np.asarray([bm25.get(i, 0.0) for i in ids], dtype=np.float32)
        scores = {"dense": similarity, "bm25": lexical}.get(self.method)
        if scores is None:
            scores = blend_scores(similarity[None, :], lexical[None, :])[0]
        rows = [points[i].payload.get("row", math.inf) for i in ids]
        order = sorted(range(len(ids)), key=lambda j: (-scores[j], rows[j], points[ids[j]].payload["id"]))[:depth]
        entries = [_entry(points[ids[j]].payload) for j in order]
        return Ranking(entries, scores[order], similarity[order], stored[order])

    @staticmethod
    def _similarity(stored: np.ndarray, phrasings: list, vector: np.ndarray) -> np.ndarray:
        """Each point's similarity: to its own vector, or to its closest alternate phrasing (as in memory)."""
        similarity = stored @ vector.astype(np.float32)
        with_phrasings = [j for j, p in enumerate(phrasings) if p]
        if with_phrasings:
            alternates = np.concatenate([np.asarray(phrasings[j], dtype=np.float32) for j in with_phrasings])
            owners = np.repeat(with_phrasings, [len(phrasings[j]) for j in with_phrasings])
            closest(similarity[None, :], (alternates @ vector.astype(np.float32))[None, :], owners)
        return similarity


def _spot_check(store: QdrantStore, embedder: Embedder, fields: str) -> None:
    """Re-embed a few points' text and refuse the collection unless their stored vectors agree: its metadata
    says which model made them, but only the vectors can show it (as for a dataset's stored vectors)."""
    points = store.sample(SPOT_CHECK_ROWS)
    if not points:  # an empty collection: nothing to check (it answers nothing, as an empty set in memory does)
        return
    stored = np.asarray([p.vector[DENSE] for p in points], dtype=np.float32)
    worst = spot_check([_entry(p.payload) for p in points], stored, embedder, fields, rows=range(len(points)))
    if not np.isfinite(worst) or worst < SPOT_CHECK_MIN_COSINE:
        raise CollectionMismatchError(
            f"Collection {store.collection!r} at {store.where} says {embedder.model_id} made its vectors, but "
            f"{len(points)} re-embedded points disagree (agreement {worst:.2f}): another model made them.",
            advice=Advice.QDRANT_OTHER_COLLECTION, collection=store.collection)


def _entry(payload: dict) -> FaqEntry:
    return FaqEntry(payload["id"], payload["question"], payload["answer"], payload.get("url", ""),
                    tuple(payload.get("alternates", ())))
