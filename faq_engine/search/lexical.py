"""Keyword search: BM25 scores of a question against the FAQ questions.

Dense embeddings can miss questions that hinge on a rare word (a product name, an
acronym); BM25 rewards exactly those. Text is lowercased, split into word tokens,
cleared of English stop words (bm25s' list) and (by default) stemmed with the
Snowball English stemmer, so "premiums" matches "premium". The scores are Lucene's
BM25, as bm25s computes them (the tests check it against bm25s), but built for all
documents at once in numpy and scipy: a million questions index in seconds.

``bm25s`` and scipy take about 0.4 s to import, so they are imported only when an
index is built: ``import faq_engine`` and dense-only search never pay for them.
"""

from __future__ import annotations

import itertools
import json
import logging
import re
import threading
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Sequence

import numpy as np

# The token pattern of bm25s and scikit-learn: runs of two or more word characters.
TOKEN_PATTERN = re.compile(r"(?u)\b\w\w+\b")
# Okapi BM25 as Lucene scores it. FAQ questions are short and alike in length, so a long one is rarely
# long for being off topic: with a light length normalisation (b = 0.3, not the usual 0.75) the default hybrid
# ranks covidfaq better and the other two dev sets the same (benchmarks/fusion_options.py prints both).
K1 = 1.5
B = 0.3
VOCAB_FILE = "faq_engine_vocab.json"
ARRAYS = ("data", "indices", "indptr")  # the saved sparse matrix

if TYPE_CHECKING:
    from scipy import sparse


def _bm25s():
    import bm25s

    # bm25s sets its own logger to DEBUG on import, which would print index-building
    # chatter through whatever handler the application configured.
    logging.getLogger("bm25s").setLevel(logging.WARNING)
    return bm25s


class Tokenizer:
    """Lowercase, split into words, drop English stop words, optionally stem."""

    def __init__(self, *, stopwords: bool = True, stemming: bool = True) -> None:
        self._stopwords = frozenset(_bm25s().stopwords.STOPWORDS_EN) if stopwords else frozenset()
        self._stemmer = None
        if stemming:
            import Stemmer  # PyStemmer

            self._stemmer = Stemmer.Stemmer("english")
        self._stems: dict[str, str] = {}  # a word is stemmed once, however often it occurs
        # A PyStemmer object must not be used by two threads at once (the app serves requests in threads).
        self._lock = threading.Lock()

    def __call__(self, text: str) -> list[str]:
        """The BM25 terms of ``text``, in order (repeats kept)."""
        tokens = [t for t in TOKEN_PATTERN.findall(text.lower()) if t not in self._stopwords]
        if self._stemmer is None or not tokens:
            return tokens
        stems = self._stems
        new = [t for t in tokens if t not in stems]
        if new:
            with self._lock:
                stems.update(zip(new, self._stemmer.stemWords(new)))
        return [stems[t] for t in tokens]


def score_matrix(docs: Sequence[Sequence[int]], vocab_size: int, k1: float = K1, b: float = B) -> sparse.csc_matrix:
    """Lucene BM25 of every (document, term) pair, as a sparse ``(documents, terms)`` matrix.

    ``idf = ln(1 + (N - df + 0.5) / (df + 0.5))`` and ``tf / (tf + k1 * (1 - b + b * dl / avgdl))``,
    computed for all pairs at once (the same numbers as bm25s' ``lucene`` method).
    """
    from scipy import sparse

    lengths = np.fromiter(map(len, docs), dtype=np.int64, count=len(docs))
    terms = np.fromiter(itertools.chain.from_iterable(docs), dtype=np.int64, count=int(lengths.sum()))
    owners = np.repeat(np.arange(len(docs), dtype=np.int64), lengths)
    pairs, tf = np.unique(owners * vocab_size + terms, return_counts=True)
    doc, term = np.divmod(pairs, vocab_size)
    df = np.bincount(term, minlength=vocab_size)
    idf = np.log(1.0 + (len(docs) - df + 0.5) / (df + 0.5))
    avgdl = lengths.mean() if len(docs) and lengths.sum() else 1.0
    values = idf[term] * tf / (tf + k1 * (1.0 - b + b * lengths[doc] / avgdl))
    return sparse.csc_matrix((values.astype(np.float32), (doc, term)), shape=(len(docs), vocab_size))


def _check_arrays(data: np.ndarray, indices: np.ndarray, indptr: np.ndarray, rows: int, terms: int) -> None:
    """Raise ``ValueError`` unless the arrays make a valid ``(rows, terms)`` CSC matrix of finite scores."""
    if data.ndim != 1 or indices.ndim != 1 or indptr.ndim != 1 or len(indptr) != terms + 1:
        raise ValueError("the arrays have the wrong shapes")
    if len(data) != len(indices) or indptr[0] != 0 or indptr[-1] != len(indices) or np.any(np.diff(indptr) < 0):
        raise ValueError("the column pointers do not match the entries")
    if len(indices) and (indices.min() < 0 or indices.max() >= rows or not np.isfinite(data).all()):
        raise ValueError("a row index is out of range, or a score is not finite")


class Bm25Index:
    """A BM25 index over a fixed list of texts (row ``i`` scores ``texts[i]``).

    Built once; :meth:`scores` is read-only and safe to call from several threads.
    """

    def __init__(self, texts: Iterable[str], *, stopwords: bool = True, stemming: bool = True,
                 k1: float = K1, b: float = B) -> None:
        self.tokenizer = Tokenizer(stopwords=stopwords, stemming=stemming)
        corpus = [self.tokenizer(t) for t in texts]
        self.size = len(corpus)
        self._vocab: dict[str, int] = {}
        ids = [[self._vocab.setdefault(tok, len(self._vocab)) for tok in doc] for doc in corpus]
        # A corpus of stop words only has nothing to match: every score stays 0.
        self._matrix = score_matrix(ids, len(self._vocab), k1, b) if self._vocab else None

    def save(self, folder: Path, key: str = "") -> None:
        """Write the index into ``folder`` (the matrix's arrays, the vocabulary and the ``key`` it is saved
        under), to :meth:`load` later."""
        folder.mkdir(parents=True, exist_ok=True)
        (folder / VOCAB_FILE).write_text(json.dumps({"size": self.size, "vocab": self._vocab, "key": key}),
                                         encoding="utf-8")
        if self._matrix is not None:
            for name in ARRAYS:
                np.save(folder / f"{name}.npy", getattr(self._matrix, name))

    @classmethod
    def load(cls, folder: Path, *, key: str = "", size: int | None = None, stopwords: bool = True,
             stemming: bool = True) -> Bm25Index:
        """An index written by :meth:`save`, its arrays memory-mapped rather than read, after checking it is the
        index of ``key`` over ``size`` texts and that every array is in bounds (``ValueError`` if not: a damaged
        or planted index would otherwise crash the process in scipy's code)."""
        from scipy import sparse

        saved = json.loads((folder / VOCAB_FILE).read_text(encoding="utf-8"))
        index = cls.__new__(cls)
        index.tokenizer = Tokenizer(stopwords=stopwords, stemming=stemming)
        index.size, index._vocab = int(saved["size"]), dict(saved["vocab"])
        if saved.get("key", "") != key or (size is not None and index.size != size):
            raise ValueError("it is not the index of these questions")
        index._matrix = None
        if index._vocab:
            data, indices, indptr = (np.load(folder / f"{name}.npy", mmap_mode="r") for name in ARRAYS)
            _check_arrays(data, indices, indptr, index.size, len(index._vocab))
            index._matrix = sparse.csc_matrix((data, indices, indptr), shape=(index.size, len(index._vocab)),
                                              copy=False)
        return index

    def scores(self, queries: Sequence[str]) -> np.ndarray:
        """BM25 score of every query against every text, shape ``(len(queries), size)``.

        Scores are >= 0; a query sharing no term with a text scores 0 against it. A term the
        query repeats counts as often as it occurs.
        """
        out = np.zeros((len(queries), self.size), dtype=np.float32)
        if self._matrix is None:
            return out
        for row, query in enumerate(queries):
            counts = Counter(self._vocab[t] for t in self.tokenizer(query) if t in self._vocab)
            if counts:
                weights = np.fromiter(counts.values(), dtype=np.float32, count=len(counts))
                out[row] = self._matrix[:, list(counts)] @ weights
        return out
