"""The search engine: embed the question, rank the FAQs, report scores and confidence."""

from __future__ import annotations

from typing import Sequence

import numpy as np

from .embedding import Embedder, check_dim, validate_query
from .errors import ConfigError
from .faqs import FaqSet
from .models import SearchHit
from .ranking import cosine_scores, top_k_from_scores
from .settings import METHOD_CHOICES

# Cosine similarity below which the best match is reported as "no confident match".
DEFAULT_THRESHOLD = 0.5


class SearchEngine:
    """Semantic search over one :class:`FaqSet` with one :class:`Embedder`.

    ``method`` only changes the order of the results; the reported ``score`` is
    always the cosine similarity between the question and the FAQ.
    """

    def __init__(
        self,
        faqs: FaqSet,
        embedder: Embedder,
        *,
        method: str = "dense",
        threshold: float | None = None,
    ) -> None:
        if method not in METHOD_CHOICES:
            raise ConfigError(f"Unknown search method {method!r}; choose one of {', '.join(METHOD_CHOICES)}.")
        if faqs.model_id != embedder.model_id:
            raise ConfigError(
                f"The FAQs were embedded with {faqs.model_id!r} but the embedder is {embedder.model_id!r}."
            )
        check_dim(faqs.embeddings, embedder.dim, "The FAQ embeddings")
        self.faqs = faqs
        self.embedder = embedder
        self.method = method
        self.threshold = DEFAULT_THRESHOLD if threshold is None else float(threshold)

    def search(self, query: str, k: int = 5) -> list[SearchHit]:
        """The ``k`` best FAQs for ``query``, best first."""
        return self.search_batch([query], k)[0]

    def search_batch(self, queries: Sequence[str], k: int = 5) -> list[list[SearchHit]]:
        """Answer several queries with one embedding call."""
        cleaned = [validate_query(q) for q in queries]
        if not cleaned:
            return []
        vectors = self.embedder.embed(cleaned)
        scores = cosine_scores(vectors, self.faqs.embeddings)
        order = self._order(cleaned, scores, k)
        return [self._hits(row_order, scores[i]) for i, row_order in enumerate(order)]

    def _order(self, queries: list[str], scores: np.ndarray, k: int) -> np.ndarray:
        indices, _ = top_k_from_scores(scores, k)
        return indices

    def _hits(self, indices: np.ndarray, scores: np.ndarray) -> list[SearchHit]:
        hits = []
        for rank, idx in enumerate(indices.tolist(), start=1):
            entry = self.faqs.entries[idx]
            score = float(scores[idx])
            hits.append(
                SearchHit(rank, entry.id, entry.question, entry.answer, score, entry.url, score >= self.threshold)
            )
        return hits
