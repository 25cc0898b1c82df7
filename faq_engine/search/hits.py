"""What a search returns: small frozen records, serialised only at the edges (CLI JSON, UI)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Sequence


@dataclass(frozen=True)
class SearchHit:
    """One ranked answer to a query.

    ``score`` is always the cosine similarity between the query and the FAQ's
    embedded text, whichever method ordered the results. ``confident`` says
    whether the hit cleared the calibrated confidence threshold.
    """

    rank: int
    id: str
    question: str
    answer: str
    score: float
    url: str = ""
    confident: bool = True

    def to_dict(self) -> dict:
        """A JSON-serialisable dict (the CLI's and the app's wire format)."""
        return asdict(self)


def confident_match(hits: Sequence[SearchHit]) -> bool:
    """Whether any hit shown is a confident match; if none is, the user is told "no confident match".

    Any, not the first: a keyword ranking may put a weaker cosine first.
    """
    return any(h.confident for h in hits)
