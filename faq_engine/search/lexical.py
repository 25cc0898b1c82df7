"""Keyword search: BM25 scores of a question against the FAQ questions (with ``bm25s``).

Dense embeddings can miss questions that hinge on a rare word (a product name, an
acronym); BM25 rewards exactly those. Text is lowercased, split into word tokens,
cleared of English stop words and (by default) stemmed with the Snowball English
stemmer, so "premiums" matches "premium".

``bm25s`` pulls in scipy and takes about 0.4 s to import, so it is imported only
when an index is built: ``import faq_engine`` and dense-only search never pay for it.
"""

from __future__ import annotations

import json
import logging
import re
import threading
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np

# The token pattern of bm25s and scikit-learn: runs of two or more word characters.
TOKEN_PATTERN = re.compile(r"(?u)\b\w\w+\b")
# Okapi BM25 as Lucene scores it, with the usual constants.
K1 = 1.5
B = 0.75
VOCAB_FILE = "faq_engine_vocab.json"


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
        # A PyStemmer object must not be used by two threads at once (the app serves requests in threads).
        self._lock = threading.Lock()

    def __call__(self, text: str) -> list[str]:
        """The BM25 terms of ``text``, in order (repeats kept)."""
        tokens = [t for t in TOKEN_PATTERN.findall(text.lower()) if t not in self._stopwords]
        if self._stemmer is not None and tokens:
            with self._lock:
                tokens = self._stemmer.stemWords(tokens)
        return tokens


class Bm25Index:
    """A BM25 index over a fixed list of texts (row ``i`` scores ``texts[i]``).

    Built once; :meth:`scores` is read-only and safe to call from several threads.
    """

    def __init__(self, texts: Iterable[str], *, stopwords: bool = True, stemming: bool = True) -> None:
        self.tokenizer = Tokenizer(stopwords=stopwords, stemming=stemming)
        corpus = [self.tokenizer(t) for t in texts]
        self.size = len(corpus)
        self._vocab: dict[str, int] = {}
        ids = [[self._vocab.setdefault(tok, len(self._vocab)) for tok in doc] for doc in corpus]
        self._bm25 = None
        if self._vocab:  # a corpus of stop words only has nothing to match: every score stays 0
            self._bm25 = _bm25s().BM25(k1=K1, b=B, method="lucene")
            self._bm25.index((ids, dict(self._vocab)), show_progress=False)

    def save(self, folder: Path) -> None:
        """Write the index into ``folder`` (bm25s' arrays and our vocabulary), to :meth:`load` later."""
        folder.mkdir(parents=True, exist_ok=True)
        (folder / VOCAB_FILE).write_text(json.dumps({"size": self.size, "vocab": self._vocab}), encoding="utf-8")
        if self._bm25 is not None:
            self._bm25.save(str(folder), show_progress=False)

    @classmethod
    def load(cls, folder: Path, *, stopwords: bool = True, stemming: bool = True) -> Bm25Index:
        """An index written by :meth:`save`, its arrays memory-mapped rather than read."""
        saved = json.loads((folder / VOCAB_FILE).read_text(encoding="utf-8"))
        index = cls.__new__(cls)
        index.tokenizer = Tokenizer(stopwords=stopwords, stemming=stemming)
        index.size, index._vocab = int(saved["size"]), dict(saved["vocab"])
        index._bm25 = _bm25s().BM25.load(str(folder), mmap=True, show_progress=False) if index._vocab else None
        return index

    def scores(self, queries: Sequence[str]) -> np.ndarray:
        """BM25 score of every query against every text, shape ``(len(queries), size)``.

        Scores are >= 0; a query sharing no term with a text scores 0 against it.
        """
        out = np.zeros((len(queries), self.size), dtype=np.float32)
        if self._bm25 is None:
            return out
        for row, query in enumerate(queries):
            term_ids = [self._vocab[t] for t in self.tokenizer(query) if t in self._vocab]
            if term_ids:
                out[row] = self._bm25.get_scores_from_ids(term_ids)
        return out
