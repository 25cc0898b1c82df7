"""What a search returns: small frozen records, serialised only at the edges (CLI JSON, UI)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Sequence


@dataclass(frozen=True)
class SearchHit:
    """One ranked answer to a query.

    ``score`` is the score the results are ordered by, so it never increases down a list:
    the cosine similarity for ``dense``, the blend of scaled cosine and BM25 (0 to 1) for
    ``hybrid``, BM25 for ``bm25``. ``similarity`` is always the cosine similarity between
    the query and the FAQ's embedded text (for ``both``, the weighted mean of its two cosines).
    ``match`` is the calibrated probability that this FAQ answers the query (``None`` when no
    calibration was fitted for the model), and ``confident`` whether it reached the threshold.
    """

    rank: int
    id: str
    question: str
    answer: str
    score: float
    url: str = ""
    confident: bool = True
    similarity: float | None = None  # None: the same as score (a cosine ranking)
    match: float | None = None

    def __post_init__(self) -> None:
        if self.similarity is None:
            object.__setattr__(self, "similarity", self.score)

    def to_dict(self) -> dict:
        """A JSON-serialisable dict (the CLI's and the app's wire format)."""
        return asdict(self)


def match_text(match: float | None) -> str:
    """A match as people read it: ``"87% match"`` (never 100%: it is a probability), ``""`` when there is none."""
    if match is None:
        return ""
    return f"{min(99, round(match * 100))}% match"


def confident_match(hits: Sequence[SearchHit]) -> bool:
    """Whether any hit shown is a confident match; if none is, the user is told "no confident match".

    Any, not the first: a keyword ranking may put a weaker cosine first.
    """
    return any(h.confident for h in hits)
