"""The search seam: :class:`Engine`, the one view of search that the CLI, the app and evaluation have.

An engine embeds the question, ranks FAQs and reports each hit's score, similarity and
``match``. What every engine shares is written here once: validating questions, one
embedding call per batch, clamping ``k``, turning a ranking into :class:`SearchHit`
records with their match (:mod:`.match`) and confidence. An engine only implements
:meth:`Engine._rank` (the FAQs in order, with their scores and similarities) plus
:meth:`Engine.describe` and :meth:`Engine.sample`. The in-memory engine
(:mod:`.memory`) and the Qdrant engine (:mod:`.qdrant`) are the two; a new backend
subclasses :class:`Engine` and gives the same answers for the same inputs.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Sequence

import numpy as np

from ..embedders.base import Embedder
from ..errors import ConfigError, InvalidQueryError
from ..faqs.entry import FaqEntry
from ..settings import DEFAULT_METHOD, DEFAULT_TOP_K, METHOD_CHOICES, Fields, Method
from ..vectors import check_dim, l2_normalize
from .hits import SearchHit
from .language import foreign
from .match import Calibration, packaged_table

# The model reads 256 tokens (about 1,000 to 1,500 characters of English); a question far past that is
# not a question, and tokenising megabytes costs seconds and memory on a shared server.
MAX_QUESTION_CHARS = 20_000


def validate_query(query: str) -> str:
    """Return ``query`` stripped, or raise :class:`InvalidQueryError` if it is empty or far too long."""
    if not isinstance(query, str) or not query.strip():
        raise InvalidQueryError("The question is empty: type a question to search for.", empty=True)
    if any("\ud800" <= ch <= "\udfff" for ch in query):  # half a character: no tokenizer or page takes it
        raise InvalidQueryError("The question holds characters that are not text (lone surrogates): type it again.")
    if len(query) > MAX_QUESTION_CHARS:
        raise InvalidQueryError(f"The question is {len(query):,} characters long: ask in at most "
                                f"{MAX_QUESTION_CHARS:,} (the model reads about the first 1,000).")
    return query.strip()


@dataclass(frozen=True, eq=False)
class Ranking:
    """One question's FAQs in ranked order, best first, as an engine's :meth:`Engine._rank` returns them.

    ``scores`` order the list (never increasing), ``similarities`` are the dot products of the
    unit question vector with the FAQs' vectors; ``vectors`` are those FAQ vectors when asked for.
    """

    entries: Sequence[FaqEntry]
    scores: np.ndarray
    similarities: np.ndarray
    vectors: np.ndarray | None = None


@dataclass(frozen=True, eq=False)
class Answer:
    """The hits for one question, and the question's vector (the app draws it on its map)."""

    hits: tuple[SearchHit, ...]
    vector: np.ndarray
    characters_read: int | None = None  # set when the model read only the question's beginning
    hit_vectors: np.ndarray | None = None  # the hits' vectors, best first (the app draws them)
    language: str | None = None  # the question's language when it is surely not English (its match is lowered)


@dataclass(frozen=True)
class EngineInfo:
    """What an engine searches, for a status line: its name, size, embedded text and where it lives."""

    name: str
    size: int
    fields: Fields
    backend: str  # "memory" or "Qdrant"
    notes: tuple[str, ...] = field(default=())


@dataclass(frozen=True, eq=False)
class FaqSample:
    """Some FAQs with their vectors (the app's map): all of a small set, a spread of a large one."""

    ids: list[str]
    questions: list[str]
    vectors: np.ndarray


class Engine(ABC):
    """Semantic search over one FAQ set with one :class:`Embedder` (see the module docstring).

    ``method`` sets the order of the results (``dense``: similarity, ``bm25``: keywords of the FAQ
    questions, ``hybrid``: the blend of :mod:`.hybrid`), and each hit's ``score`` is the one it was
    ordered by; its ``similarity`` is always the dot product of the unit question vector and the
    FAQ's vector. Its ``match`` is the calibrated probability that it answers the question, and it is
    ``confident`` when the match reaches ``threshold`` (by default the one calibrated for the ranking).
    """

    def __init__(self, embedder: Embedder, fields: Fields, *, method: Method = DEFAULT_METHOD,
                 threshold: float | None = None, calibration: Calibration | None = None) -> None:
        if method not in METHOD_CHOICES:
            raise ConfigError(f"Unknown search method {method!r}; choose one of {', '.join(METHOD_CHOICES)}.")
        self.embedder = embedder
        self.method: Method = method
        self.calibration = calibration or packaged_table().get(embedder.model_id, method, fields)
        fitted = self.calibration.threshold if self.calibration is not None else Calibration.threshold
        self.threshold = fitted if threshold is None else float(threshold)

    def search(self, query: str, k: int = DEFAULT_TOP_K) -> list[SearchHit]:
        """The ``k`` best FAQs for ``query``, best first."""
        return self.search_batch([query], k)[0]

    def answer(self, query: str, k: int = DEFAULT_TOP_K) -> Answer:
        """The ``k`` best FAQs for ``query`` with the query's vector and the hits' vectors (embedded once)."""
        cleaned = validate_query(query)
        vectors = self._query_vectors([cleaned], None)
        k = _clamp(k)
        ranking = self._rank([cleaned], vectors, k + 1, with_vectors=True)[0] if k else None
        language = foreign(cleaned)
        hits = self._hits(ranking, k, language is not None) if ranking is not None else []
        hit_vectors = ranking.vectors[: len(hits)] if ranking is not None and ranking.vectors is not None else None
        return Answer(tuple(hits), vectors[0], self.embedder.characters_read(cleaned), hit_vectors, language)

    def search_batch(self, queries: Sequence[str], k: int = DEFAULT_TOP_K, *,
                     vectors: np.ndarray | None = None) -> list[list[SearchHit]]:
        """Answer several queries with one embedding call.

        ``vectors`` are the queries' embeddings when the caller already has them
        (evaluation compares methods on one embedding), so nothing is embedded twice.
        """
        cleaned = [validate_query(q) for q in queries]
        if not cleaned:
            return []
        vectors = self._query_vectors(cleaned, vectors)
        k = _clamp(k)
        if not k:
            return [[] for _ in cleaned]
        # One more than shown: the last hit's match needs its margin over the next.
        rankings = self._rank(cleaned, vectors, k + 1, with_vectors=False)
        # The language only lowers a match: with no calibration there is none, and the detector need not run.
        return [self._hits(ranking, k, self.calibration is not None and foreign(q) is not None)
                for q, ranking in zip(cleaned, rankings)]

    @abstractmethod
    def _rank(self, queries: list[str], vectors: np.ndarray, depth: int, *, with_vectors: bool) -> list[Ranking]:
        """The ``depth`` best FAQs of each (validated) question, given its unit vector; ties go to the FAQ that
        comes first in the set. ``bm25`` lists only FAQs sharing a term with the question."""

    @abstractmethod
    def describe(self) -> EngineInfo:
        """What this engine searches (for a status line)."""

    @abstractmethod
    def sample(self, n: int) -> FaqSample:
        """Up to ``n`` FAQs with their vectors, spread over the set (for a map)."""

    def _query_vectors(self, queries: list[str], vectors: np.ndarray | None) -> np.ndarray:
        vectors = self.embedder.embed(queries) if vectors is None else np.asarray(vectors, dtype=np.float32)
        check_dim(vectors, self.embedder.dim, "The query vectors")
        if len(vectors) != len(queries):
            raise ConfigError(f"Got {len(vectors)} query vectors for {len(queries)} queries.")
        return l2_normalize(vectors)

    def _hits(self, ranking: Ranking, k: int, foreign_question: bool = False) -> list[SearchHit]:
        """The first ``k`` ranked FAQs as hits (one past them only lends its score to the margin); a question in
        another language than English gets matches no higher than the model earns on such questions."""
        scores = np.asarray(ranking.scores, dtype=np.float64)
        similarities = np.asarray(ranking.similarities, dtype=np.float64)
        matches: list = [None] * len(scores)
        if self.calibration is not None and len(scores):
            matches = self._matches([e.question for e in ranking.entries[: len(scores)]], scores, k)
            if foreign_question:
                matches = [min(m, FOREIGN_MATCH) for m in matches]
        return [SearchHit(rank, e.id, e.question, e.answer, float(score), e.url, is_confident(match, self.threshold),
                          float(similarity), match)
                for rank, (e, score, similarity, match)
                in enumerate(zip(ranking.entries[:k], scores.tolist(), similarities.tolist(), matches), start=1)]


    def _matches(self, questions: list[str], scores: np.ndarray, k: int) -> list[float]:
        """The hits' match. A question a set holds twice is one candidate, not two rivals: the margin is taken
        over the next other question, and its twin shares its match."""
        first: dict[str, int] = {}
        owner = [first.setdefault(" ".join(q.casefold().split()), i) for i, q in enumerate(questions)]
        kept = sorted(first.values())
        # Fewer than k + 1 FAQs ranked: nothing else was in the running (a tiny set, or BM25's last match).
        found = self.calibration.matches(scores[kept], exhausted=len(scores) <= k)
        of = dict(zip(kept, found.tolist()))
        return np.minimum.accumulate([of[o] for o in owner]).tolist()


# The best hit was right for 6 of 24 questions written in six other languages about the Medicare FAQs, many
# of them shown as confident (benchmarks/languages.py): a match above that would claim what it does not know.
FOREIGN_MATCH = 0.25


def _clamp(k: int) -> int:
    return max(0, int(k))


def is_confident(match: float | None, threshold: float) -> bool:
    """Whether a hit of this match counts as a confident answer (with no calibration, nothing is flagged)."""
    return match is None or match >= threshold
