"""The in-memory engine: a FAQ set's vectors in one float32 matrix, its questions in a BM25 index.

Exact: every FAQ is scored for every question (:class:`~faq_engine.search.index.ExactIndex`),
a million in a few tens of milliseconds on one machine. Past that, the same
:class:`~faq_engine.search.engine.Engine` runs on Qdrant (:mod:`faq_engine.search.qdrant`).
"""

from __future__ import annotations

import numpy as np

from ..embedders.base import Embedder
from ..errors import ConfigError
from ..faqs.faqset import FaqSet
from ..settings import DEFAULT_METHOD, Method
from ..vectors import check_dim
from .engine import Engine, EngineInfo, FaqSample, Ranking
from .hybrid import blend_scores
from .index import ExactIndex
from .match import Calibration
from .phrasings import closest
from .ranking import top_k_from_scores


class MemoryEngine(Engine):
    """Search one :class:`FaqSet` held in memory (see :class:`~faq_engine.search.engine.Engine`).

    ``lexical`` is a ready BM25 index of the FAQ questions (the saved one, say); without it,
    one is built here for the methods that need it, so the first search is as fast as the rest.
    """

    def __init__(self, faqs: FaqSet, embedder: Embedder, *, method: Method = DEFAULT_METHOD,
                 threshold: float | None = None, lexical=None, calibration: Calibration | None = None) -> None:
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
