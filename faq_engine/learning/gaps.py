"""The gaps report: what visitors asked that the FAQs do not answer, and the phrasings they marked as answered.

``unanswered``: questions shown no confident match, or answered "none of these", grouped by
meaning (average-linkage clusters of their embeddings), largest group first, each with a few
examples and the nearest FAQ. ``suggested``: phrasings visitors said a FAQ answered although
that FAQ was not already the confident first hit, with their votes: reviewed by the owner,
they become alternates (``faq-engine alternates add``). Nothing here changes a FAQ set.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta, timezone
from typing import Sequence

import numpy as np

from ..errors import DatasetError
from ..search.engine import Engine
from .records import Record

# Average cosine distance that still joins two groups of questions: on questions about three topics, 0.6
# splits each topic into two or three groups, while 0.75 keeps each topic whole and the topics apart.
GROUP_DISTANCE = 0.75
MAX_QUESTIONS = 5_000  # distinct unanswered questions clustered (the most frequent): memory grows with its square
EXAMPLES = 5


@dataclass(frozen=True)
class NearestFaq:
    """The existing FAQ closest to a group of questions."""

    id: str
    question: str
    match: float | None


@dataclass(frozen=True)
class Gap:
    """Questions that mean the same and that no FAQ answered: how many times asked, a few of them, the nearest FAQ."""

    count: int
    questions: tuple[str, ...]
    nearest: NearestFaq | None


@dataclass(frozen=True)
class Suggestion:
    """A phrasing that visitors said FAQ ``faq_id`` answered, and how many said so."""

    faq_id: str
    question: str
    votes: int


@dataclass(frozen=True)
class GapsReport:
    """The report: ``unanswered`` groups, largest first, and ``suggested`` phrasings, most votes first."""

    unanswered: tuple[Gap, ...]
    suggested: tuple[Suggestion, ...]
    records: int

    def to_dict(self) -> dict:
        """The JSON form: ``{"unanswered": [...], "suggested": [...]}``."""
        return {"unanswered": [asdict(g) for g in self.unanswered], "suggested": [asdict(s) for s in self.suggested]}


def of_set(records: Sequence[Record], name: str, days: float | None = None) -> list[Record]:
    """The records about FAQ set ``name`` (from the last ``days``); an error naming the sets the log has if none."""
    cutoff = datetime.now(timezone.utc) - timedelta(days=days) if days else None
    kept = [r for r in records if r.faqs == name and (cutoff is None or r.when >= cutoff)]
    if records and not kept:
        sets = ", ".join(repr(n) for n, _ in Counter(r.faqs for r in records).most_common(5))
        raise DatasetError(f"The log has no recent records of the FAQ set {name!r}; it has records of {sets}.")
    return kept


def report(records: Sequence[Record], engine: Engine) -> GapsReport:
    """The gaps report of ``records`` (one FAQ set's: :func:`of_set`) against that set's ``engine``."""
    answered = {_key(r.question) for r in records if r.kind == "feedback" and r.helpful and r.faq_id}
    asked = Counter(r.question for r in records if _key(r.question) not in answered and (
        (r.kind == "search" and r.confident is False) or (r.kind == "feedback" and not r.helpful and not r.faq_id)))
    return GapsReport(tuple(_groups(asked, engine)), tuple(_suggestions(records, engine)), len(records))


def _key(question: str) -> str:
    return " ".join(question.casefold().split())


def _groups(asked: Counter, engine: Engine) -> list[Gap]:
    from scipy.cluster.hierarchy import fcluster, linkage

    questions = [q for q, _ in asked.most_common(MAX_QUESTIONS)]
    if not questions:
        return []
    vectors = engine.embedder.embed(questions)
    labels = np.ones(1, int) if len(questions) == 1 else fcluster(
        linkage(vectors, method="average", metric="cosine"), t=GROUP_DISTANCE, criterion="distance")
    groups = [np.flatnonzero(labels == label) for label in np.unique(labels)]
    # Each group's most typical question, searched in one batch with the vectors embedded above.
    centres = [int(m[np.argmax((vectors[m] @ vectors[m].T).sum(axis=1))]) for m in groups]
    nearest = engine.search_batch([questions[c] for c in centres], 1, vectors=vectors[centres])
    gaps = []
    for members, hits in zip(groups, nearest):
        near = NearestFaq(hits[0].id, hits[0].question, hits[0].match) if hits else None
        examples = sorted(members, key=lambda i: -asked[questions[i]])[:EXAMPLES]
        gaps.append(Gap(sum(asked[questions[i]] for i in members), tuple(questions[i] for i in examples), near))
    return sorted(gaps, key=lambda g: -g.count)


def _suggestions(records: Sequence[Record], engine: Engine) -> list[Suggestion]:
    votes = Counter((r.faq_id, r.question) for r in records if r.kind == "feedback" and r.helpful and r.faq_id)
    voted = votes.most_common()
    firsts = engine.search_batch([question for (_, question), _ in voted], 1) if voted else []
    # A phrasing already found first, and with confidence, has nothing to teach.
    return [Suggestion(faq_id, question, count) for ((faq_id, question), count), first in zip(voted, firsts)
            if not (first and first[0].id == faq_id and first[0].confident)]
