"""BM25 as sparse vectors, for engines that score sparse dot products and apply IDF themselves (Qdrant).

The same tokeniser and stemmer as :class:`~faq_engine.search.lexical.Bm25Index`, and the same
Lucene BM25: a FAQ's value for a term is ``tf / (tf + k1 * (1 - b + b * dl / avgdl))``; a
question's is how often the term occurs in it; the engine multiplies by the term's IDF
``ln(1 + (N - df + 0.5) / (df + 0.5))``, which it keeps up to date as FAQs come and go.
Term ids are a stable 32-bit hash of the stemmed term, so no vocabulary has to be shared.
Pure: no I/O.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from typing import Iterable, Sequence

from ..lexical import K1, B, Tokenizer

SparseVector = tuple[list[int], list[float]]


def term_id(term: str) -> int:
    """The sparse index of a (stemmed) term."""
    return int.from_bytes(hashlib.blake2b(term.encode("utf-8"), digest_size=4).digest(), "little")


def average_length(texts: Iterable[str], tokenizer: Tokenizer) -> float:
    """The mean number of terms per text (BM25's ``avgdl``); 1.0 for an empty corpus."""
    lengths = [len(tokenizer(t)) for t in texts]
    return (sum(lengths) / len(lengths)) if lengths and sum(lengths) else 1.0


def document_vector(text: str, tokenizer: Tokenizer, avgdl: float) -> SparseVector:
    """A FAQ's BM25 term weights, before IDF."""
    terms = tokenizer(text)
    norm = K1 * (1 - B + B * len(terms) / avgdl)
    weights: dict[int, float] = {}
    for term, tf in Counter(terms).items():
        index = term_id(term)
        weights[index] = weights.get(index, 0.0) + tf / (tf + norm)
    return sorted(weights), [weights[i] for i in sorted(weights)]


def query_vector(text: str, tokenizer: Tokenizer) -> SparseVector:
    """A question's terms, counted (a repeated term counts again, as in the in-memory BM25)."""
    counts: dict[int, float] = {}
    for term in tokenizer(text):
        counts[term_id(term)] = counts.get(term_id(term), 0.0) + 1.0
    return sorted(counts), [counts[i] for i in sorted(counts)]


def document_vectors(texts: Sequence[str], tokenizer: Tokenizer, avgdl: float) -> list[SparseVector]:
    """:func:`document_vector` of each text."""
    return [document_vector(t, tokenizer, avgdl) for t in texts]
