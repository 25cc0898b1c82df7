"""The in-memory engine: a FAQ set's vectors in one float32 matrix, its questions in a BM25 index.

Exact: every FAQ is scored for every question (:class:`~faq_engine.search.index.ExactIndex`).
From :data:`~faq_engine.search.compact.COMPACT_FROM` FAQs on (unless ``exact``), a scan of compact
codes picks a short list and only that is scored, exactly (:mod:`.compact`): a million FAQs in a
few milliseconds, with the same scores. A question far from every FAQ is scanned whole. Past one
machine, the same :class:`~faq_engine.search.engine.Engine` runs on Qdrant
(:mod:`faq_engine.search.qdrant`).
"""

from __future__ import annotations

import numpy as np

from ..embedders.base import Embedder
from ..errors import ConfigError
from ..faqs.faqset import FaqSet
from ..settings import DEFAULT_METHOD, Method
from ..vectors import check_dim
from .compact import COMPACT_FROM, CompactIndex, available
from .engine import Engine, EngineInfo, FaqSample, Ranking
from .hybrid import blend_scores
from .index import ExactIndex
from .match import Calibration
from .phrasings import best_per_owner, closest
from .ranking import top_k_from_scores


class MemoryEngine(Engine):
    """Search one :class:`FaqSet` held in memory (see :class:`~faq_engine.search.engine.Engine`).

    ``lexical`` is a ready BM25 index of the FAQ questions (the saved one, say); without it,
    one is built here for the methods that need it, so the first search is as fast as the rest.
    ``exact``: ``True`` scans every FAQ's vector even in a large set, ``False`` scans codes even in a small one,
    ``None`` (the default) chooses by size (see :mod:`.compact`).
    """

    def __init__(self, faqs: FaqSet, embedder: Embedder, *, method: Method = DEFAULT_METHOD,
                 threshold: float | None = None, lexical=None, calibration: Calibration | None = None,
                 exact: bool | None = None) -> None:
        if faqs.model_id != embedder.model_id:
            raise ConfigError(
                f"The FAQs were embedded with {faqs.model_id!r} but the embedder is {embedder.model_id!r}."
            )
        check_dim(faqs.embeddings, embedder.dim, "The FAQ embeddings")
        super().__init__(embedder, faqs.fields, method=method, threshold=threshold, calibration=calibration)
        self.faqs = faqs
        self.index = ExactIndex(faqs.embeddings, trusted=True)  # validated by FaqSet: unit rows, or fused ones
        self.lexical = None  # the BM25 index of the FAQ questions, for the methods that use it
        if method != "dense":
            from .lexical import Bm25Index  # imports bm25s (~0.4 s): only for the methods that need it

            self.lexical = lexical or Bm25Index(faqs.entries.column("question"))
        self.compact = None  # the short-list scan of a large set (FAISS: imported only for one)
        if (len(faqs) >= COMPACT_FROM if exact is None else not exact) and available():
            self.compact = CompactIndex(self.index.matrix)

    def describe(self) -> EngineInfo:
        """The FAQ set's name, size, embedded text and loading notes."""
        return EngineInfo(self.faqs.name, len(self.faqs), self.faqs.fields, "memory", self.faqs.notes)

    def sample(self, n: int) -> FaqSample:
        """``n`` FAQs evenly spread over the set (all of a smaller one)."""
        size = len(self.faqs)
        rows = np.unique(np.linspace(0, size - 1, min(size, max(0, n))).round().astype(np.int64))
        table = self.faqs.entries.table
        return FaqSample(table.column("id").take(rows).to_pylist(), table.column("question").take(rows).to_pylist(),
                         self.faqs.embeddings[rows])

    def _rank(self, queries: list[str], vectors: np.ndarray, depth: int, *, with_vectors: bool) -> list[Ranking]:
        if self.compact is None:
            return self._rank_exact(queries, vectors, depth, with_vectors)
        if self.method == "bm25":
            return self._rank_keywords(queries, vectors, depth, with_vectors)
        near = self.compact.candidates(vectors, depth)
        out: list = [None] * len(queries)
        # A question far from every FAQ is scanned exactly: its codes cannot tell its nearest FAQs apart.
        far = [i for i, rows in enumerate(near) if rows is None]
        listed = [i for i, rows in enumerate(near) if rows is not None]
        if far:
            for i, ranking in zip(far, self._rank_exact([queries[i] for i in far], vectors[far], depth, with_vectors)):
                out[i] = ranking
        for i, ranking in zip(listed, self._rank_short_list([queries[i] for i in listed], vectors[listed],
                                                            [near[i] for i in listed], depth, with_vectors)):
            out[i] = ranking
        return out

    def _rank_exact(self, queries: list[str], vectors: np.ndarray, depth: int, with_vectors: bool) -> list[Ranking]:
        """Every FAQ scored for every question, in bounded blocks."""
        out = []
        alternates = self.faqs.alternates
        for start, similarity in self.index.chunks(vectors):  # bounded (questions x FAQs) blocks
            if alternates is not None:  # a FAQ is as close as its closest phrasing
                closest(similarity, vectors[start : start + len(similarity)] @ alternates.vectors.T, alternates.owners)
            ranking = similarity
            if self.lexical is not None:
                # BM25 always indexes the FAQ questions: with the answers added, BM25 alone and the hybrid over
                # question+answer vectors rank worse on both dev sets (benchmarks/fusion_options.py).
                lexical = self.lexical.scores(queries[start : start + len(similarity)])
                ranking = lexical if self.method == "bm25" else blend_scores(similarity, lexical)
            rows, scores = top_k_from_scores(ranking, depth)
            for i, (r, s) in enumerate(zip(rows, scores)):
                if self.method == "bm25":  # a FAQ that shares no term with the question is no keyword hit
                    r, s = r[s > 0], s[s > 0]
                out.append(self._ranking(r, s, similarity[i, r], with_vectors))
        return out

    def _ranking(self, rows: np.ndarray, scores: np.ndarray, similarities: np.ndarray, with_vectors: bool) -> Ranking:
        entries = [self.faqs.entries[row] for row in rows.tolist()]
        return Ranking(entries, scores, similarities, self.faqs.embeddings[rows] if with_vectors else None)

    def _rank_keywords(self, queries: list[str], vectors: np.ndarray, depth: int,
                       with_vectors: bool) -> list[Ranking]:
        """bm25 in a large set: keywords alone order the FAQs, so only the hits' similarities are computed."""
        out = []
        for vector, keyword in zip(vectors, self.lexical.scores(queries)):
            rows, scores = top_k_from_scores(keyword, depth)
            rows, scores = rows[0][scores[0] > 0], scores[0][scores[0] > 0]
            out.append(self._ranking(rows, scores, self._similarity(vector, rows), with_vectors))
        return out

    def _rank_short_list(self, queries: list[str], vectors: np.ndarray, near: list[np.ndarray], depth: int,
                         with_vectors: bool) -> list[Ranking]:
        """As :meth:`_rank_exact`, over each question's short list (``near``: the FAQs nearest by code), with the
        FAQs whose alternates are nearest and the best keyword matches added, all scored exactly."""
        lexical = self.lexical.scores(queries) if self.lexical is not None and queries else None
        out = []
        for i, vector in enumerate(vectors):
            take = min(KEYWORD_ROWS, len(self.faqs))
            extra = [] if lexical is None else [np.argpartition(-lexical[i], take - 1)[:take]]
            rows, similarity = self._closest_phrasing(vector, np.concatenate([near[i], *extra]))
            # The best keyword match is among the rows, so its BM25 divides theirs as it would over the whole set.
            ranking = similarity if lexical is None else blend_scores(similarity, lexical[i, rows])[0]
            order, scores = top_k_from_scores(ranking, depth)  # rows ascend: a tie goes to the FAQ first in the set
            out.append(self._ranking(rows[order[0]], scores[0], similarity[order[0]], with_vectors))
        return out

    def _closest_phrasing(self, vector: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``rows``, with the owners of the nearest alternates, in ascending order, and their similarity."""
        nearest = None if self.faqs.alternates is None else self._best_alternates(vector)
        if nearest is not None:
            owners, best = nearest
            rows = np.concatenate([rows, owners[np.argsort(-best)[: self.compact.shortlist]]])
        rows = np.sort(rows)  # sorted and deduplicated by hand: np.unique's hashing cost more than the sort
        rows = rows[np.concatenate(([True], rows[1:] != rows[:-1]))]
        return rows, self._similarity(vector, rows, nearest)

    def _similarity(self, vector: np.ndarray, rows: np.ndarray, nearest=None) -> np.ndarray:
        """The exact similarity of these FAQs: their own vector's, or their closest alternate's (``nearest``:
        :meth:`_best_alternates`, when already known)."""
        similarity = self.compact.scores(vector, rows)
        if self.faqs.alternates is not None:
            owners, best = nearest or self._best_alternates(vector)
            at = np.searchsorted(owners, rows).clip(max=max(0, len(owners) - 1))
            has = owners[at] == rows if len(owners) else np.zeros(len(rows), bool)
            similarity[has] = np.maximum(similarity[has], best[at[has]])
        return similarity

    def _best_alternates(self, vector: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The FAQs that have alternates (ascending), and each one's closest alternate's similarity."""
        alternates = self.faqs.alternates
        if not len(alternates):
            return np.zeros(0, np.int64), np.zeros(0, np.float32)
        return best_per_owner(alternates.vectors @ vector, alternates.owners)


# The best keyword matches added to a hybrid short list: a FAQ's keyword share can lift it past FAQs that the
# code scan kept, so the ones that share most words with the question are always scored.
KEYWORD_ROWS = 100
