"""The search engine: embed the question, rank the FAQs, report scores and confidence."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

from ..embedders.base import Embedder
from ..errors import ConfigError, InvalidQueryError
from ..faqs.faqset import FaqSet
from ..settings import DEFAULT_METHOD, METHOD_CHOICES
from ..vectors import check_dim
from .calibration import Calibration, match_threshold, packaged_table
from .hits import SearchHit
from .hybrid import blend_scores
from .index import ExactIndex
from .ranking import top_k_from_scores

# The model reads 256 tokens (about 1,000 to 1,500 characters of English); a question far past that is
# not a question, and tokenising megabytes costs seconds and memory on a shared server.
MAX_QUESTION_CHARS = 20_000


def validate_query(query: str) -> str:
    """Return ``query`` stripped, or raise :class:`InvalidQueryError` if it is empty or far too long."""
    if not isinstance(query, str) or not query.strip():
        raise InvalidQueryError("The question is empty: type a question to search for.")
    if len(query) > MAX_QUESTION_CHARS:
        raise InvalidQueryError(f"The question is {len(query):,} characters long: ask in at most "
                                f"{MAX_QUESTION_CHARS:,} (the model reads about the first 1,000).")
    return query.strip()


@dataclass(frozen=True, eq=False)
class Answer:
    """The hits for one question, and the question's vector (the app draws it on its map)."""

    hits: tuple[SearchHit, ...]
    vector: np.ndarray
    characters_read: int | None = None  # set when the model read only the question's beginning
    hit_vectors: np.ndarray | None = None  # the hits' vectors, best first (the app draws them)


class SearchEngine:
    """Semantic search over one :class:`FaqSet` with one :class:`Embedder`.

    ``method`` sets the order of the results (``dense``: cosine, ``bm25``: keywords of
    the FAQ questions, ``hybrid``: a blend of both, see :mod:`.hybrid`), and each hit's
    ``score`` is the one it was ordered by; its ``similarity`` is always the cosine
    between the question and the FAQ. Its ``match`` is the calibrated probability that it
    answers the question (:mod:`.calibration`), and it is ``confident`` when the match reaches
    ``threshold`` (by default the calibrated one).
    """

    def __init__(
        self,
        faqs: FaqSet,
        embedder: Embedder,
        *,
        method: str = DEFAULT_METHOD,
        threshold: float | None = None,
        lexical=None,
        calibration: Calibration | None = None,
    ) -> None:
        if method not in METHOD_CHOICES:
            raise ConfigError(f"Unknown search method {method!r}; choose one of {', '.join(METHOD_CHOICES)}.")
        if faqs.model_id != embedder.model_id:
            raise ConfigError(
                f"The FAQs were embedded with {faqs.model_id!r} but the embedder is {embedder.model_id!r}."
            )
        check_dim(faqs.embeddings, embedder.dim, "The FAQ embeddings")
        self.index = ExactIndex(faqs.embeddings, trusted=True)  # validated by FaqSet: unit rows, or fused ones
        self.faqs = faqs
        self.embedder = embedder
        self.method = method
        self.calibration = calibration or packaged_table().get(embedder.model_id, method, faqs.fields)
        self.threshold = match_threshold() if threshold is None else float(threshold)
        self._lexical = None
        if method != "dense":  # built once here, so the first search is as fast as the rest
            from .lexical import Bm25Index  # imports bm25s (~0.4 s): only for the methods that need it

            self._lexical = lexical or Bm25Index(faqs.entries.column("question"))

    def search(self, query: str, k: int = 5) -> list[SearchHit]:
        """The ``k`` best FAQs for ``query``, best first."""
        return self.search_batch([query], k)[0]

    def answer(self, query: str, k: int = 5) -> Answer:
        """The ``k`` best FAQs for ``query`` together with the query's vector (embedded once)."""
        cleaned = validate_query(query)
        vectors = self.embedder.embed([cleaned])
        rows, hits = self._rank([cleaned], k, vectors)[0]
        return Answer(tuple(hits), vectors[0], self.embedder.characters_read(cleaned), self.faqs.embeddings[rows])

    def search_batch(
        self, queries: Sequence[str], k: int = 5, *, vectors: np.ndarray | None = None
    ) -> list[list[SearchHit]]:
        """Answer several queries with one embedding call.

        ``vectors`` are the queries' embeddings when the caller already has them
        (evaluation compares methods on one embedding), so nothing is embedded twice.
        """
        cleaned = [validate_query(q) for q in queries]
        return [hits for _, hits in self._rank(cleaned, k, vectors)] if cleaned else []

    def _rank(self, queries: list[str], k: int, vectors: np.ndarray | None) -> list[tuple[np.ndarray, list]]:
        """Rows and hits of each (validated) query, best first."""
        if vectors is None:
            vectors = self.embedder.embed(queries)
        check_dim(np.asarray(vectors), self.embedder.dim, "The query vectors")
        if len(vectors) != len(queries):
            raise ConfigError(f"Got {len(vectors)} query vectors for {len(queries)} queries.")
        k = max(0, int(k))
        if self._lexical is None:  # one more than shown: the last hit's match needs its margin over the next
            rows, cosines = self.index.search(vectors, k + 1)
            return [self._hits(r, c, c, k) for r, c in zip(rows, cosines)]
        out = []
        # BM25 always indexes the FAQ questions: with the answers added, BM25 alone and the hybrid over
        # question+answer vectors rank worse on both dev sets (benchmarks/fusion_options.py).
        for start, dense in self.index.chunks(vectors):
            lexical = self._lexical.scores(queries[start : start + len(dense)])
            ranking = lexical if self.method == "bm25" else blend_scores(dense, lexical)
            rows, scores = top_k_from_scores(ranking, k + 1)
            out += [self._hits(r, s, dense[i, r], k) for i, (r, s) in enumerate(zip(rows, scores))]
        return out

    def _hits(self, rows: np.ndarray, scores: np.ndarray, cosines: np.ndarray,
              k: int) -> tuple[np.ndarray, list[SearchHit]]:
        """The first ``k`` of these ranked rows as hits (a row past them only lends its score to the margin)."""
        matches = [None] * len(rows)
        if self.calibration is not None:
            matches = self.calibration.matches(scores, cosines).tolist()
        hits = []
        for rank, (row, score, cosine, match) in enumerate(
                zip(rows[:k].tolist(), scores.tolist(), cosines.tolist(), matches), start=1):
            entry = self.faqs.entries[row]
            hits.append(SearchHit(rank, entry.id, entry.question, entry.answer, float(score), entry.url,
                                  is_confident(match, self.threshold), float(cosine), match))
        return rows[:k], hits


def is_confident(match: float | None, threshold: float) -> bool:
    """Whether a hit of this match counts as a confident answer (with no calibration, nothing is flagged)."""
    return match is None or match >= threshold
