"""Search a Qdrant collection as :class:`~faq_engine.search.engine.SearchEngine` searches memory.

The same :class:`~faq_engine.search.hits.SearchHit`s, ordered the same way, with the same
similarity, match and confidence rule. The hybrid is rebuilt from Qdrant's answers exactly
as the in-memory blend computes it: candidates are the union of the best dense and the best
BM25 points, each scored ``(1 - w) * similarity + w * bm25 / best_bm25`` (:mod:`.hybrid`).
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from ..embedders.base import Embedder
from ..errors import ConfigError
from ..settings import DEFAULT_METHOD, METHOD_CHOICES
from ..vectors import l2_normalize
from .calibration import Calibration, match_threshold, packaged_table
from .engine import Answer, is_confident, validate_query
from .hits import SearchHit
from .hybrid import BM25_WEIGHT
from .qdrant_store import DENSE, EXACT_BELOW, QdrantStore
from .sparse import query_vector

CANDIDATES = 100  # best points taken from each ranking before blending


class QdrantEngine:
    """Semantic search over a Qdrant collection (see the module docstring)."""

    def __init__(self, store: QdrantStore, embedder: Embedder, *, method: str = DEFAULT_METHOD,
                 threshold: float | None = None, exact: bool | None = None,
                 calibration: Calibration | None = None) -> None:
        if method not in METHOD_CHOICES:
            raise ConfigError(f"Unknown search method {method!r}; choose one of {', '.join(METHOD_CHOICES)}.")
        self.store, self.embedder, self.method = store, embedder, method
        self.meta = store.check(embedder.model_id, embedder.dim)
        self.calibration = calibration or packaged_table().get(embedder.model_id, method, self.meta.fields)
        self.threshold = match_threshold() if threshold is None else float(threshold)
        self.exact = self.meta.rows < EXACT_BELOW if exact is None else exact
        self._tokenizer = None
        if method != "dense":
            from .lexical import Tokenizer

            self._tokenizer = Tokenizer()

    def search(self, query: str, k: int = 5) -> list[SearchHit]:
        """The ``k`` best FAQs for ``query``, best first."""
        return self.search_batch([query], k)[0]

    def answer(self, query: str, k: int = 5) -> Answer:
        """The ``k`` best FAQs for ``query`` with the query's vector."""
        cleaned = validate_query(query)
        vector = l2_normalize(self.embedder.embed([cleaned]))[0]
        k = max(1, int(k))
        ranked = self._ranked(cleaned, vector, k + 1, with_vectors=True)
        hit_vectors = np.asarray([point.vector[DENSE] for _, _, point in ranked[:k]], dtype=np.float32)
        return Answer(tuple(self._hits(ranked, k)), vector, self.embedder.characters_read(cleaned),
                      l2_normalize(hit_vectors) if len(ranked) else None)

    def search_batch(self, queries: Sequence[str], k: int = 5, *,
                     vectors: np.ndarray | None = None) -> list[list[SearchHit]]:
        """Answer several queries (one embedding call, then one Qdrant query or three per question)."""
        cleaned = [validate_query(q) for q in queries]
        if not cleaned:
            return []
        vectors = l2_normalize(self.embedder.embed(cleaned) if vectors is None else vectors)
        if len(vectors) != len(cleaned):
            raise ConfigError(f"Got {len(vectors)} query vectors for {len(cleaned)} queries.")
        k = max(1, int(k))  # one more than shown: the last hit's match needs its margin over the next
        return [self._hits(self._ranked(q, v, k + 1), k) for q, v in zip(cleaned, vectors)]

    def _ranked(self, query: str, vector: np.ndarray, k: int, with_vectors: bool = False) -> list[tuple]:
        """The ``k`` best points for one question, as ``(score, cosine, point)``, best first."""
        if self.method == "dense":
            return [(float(p.score), float(p.score), p) for p in self.store.dense(vector, k, exact=self.exact,
                                                                                  with_vectors=with_vectors)]
        lexical = {p.id: p for p in self.store.sparse(query_vector(query, self._tokenizer), max(k, CANDIDATES))}
        if self.method == "bm25":
            ranked = sorted(lexical.values(), key=lambda p: -p.score)[:k]
            return [(float(p.score), _cosine(p, vector), p) for p in ranked]
        dense = {p.id: p for p in self.store.dense(vector, max(k, CANDIDATES), exact=self.exact, with_vectors=True)}
        top_bm25 = max((p.score for p in lexical.values()), default=0.0)
        blended = []
        for pid in dense.keys() | lexical.keys():
            point = dense.get(pid) or lexical[pid]
            similarity = _cosine(point, vector)
            share = lexical[pid].score / top_bm25 if pid in lexical and top_bm25 > 0 else 0.0
            blended.append(((1 - BM25_WEIGHT) * similarity + BM25_WEIGHT * share, point.payload["id"], similarity,
                            point))
        blended.sort(key=lambda t: (-t[0], t[1]))
        return [(score, similarity, point) for score, _, similarity, point in blended[:k]]

    def _hits(self, ranked: list[tuple], k: int) -> list[SearchHit]:
        """The first ``k`` ranked points as hits (a point past them only lends its score to the margin)."""
        matches = [None] * len(ranked)
        if self.calibration is not None:
            scores, similarities = (np.array([r[i] for r in ranked], dtype=np.float64) for i in (0, 1))
            matches = self.calibration.matches(scores, similarities).tolist()
        hits = []
        for rank, ((score, similarity, point), match) in enumerate(zip(ranked[:k], matches), start=1):
            p = point.payload
            hits.append(SearchHit(rank, p["id"], p["question"], p["answer"], float(score), p.get("url", ""),
                                  is_confident(match, self.threshold), similarity, match))
        return hits


def _cosine(point, vector: np.ndarray) -> float:
    """The similarity of a stored point to the (unit) question vector: a dot product, as Qdrant scores it."""
    return float(np.asarray(point.vector[DENSE], dtype=np.float32) @ vector)
