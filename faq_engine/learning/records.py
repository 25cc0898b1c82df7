"""One line of the question log: a search (the question, the FAQ set, the hits shown) or a visitor's feedback.

Only what the owner needs to improve the FAQs: never a token, an IP address or a cookie. A
question is scrubbed of anything shaped like a token before it is kept (a visitor may paste one).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from typing import Iterable, Literal, Sequence

from ..errors import scrub
from ..search.hits import SearchHit

Kind = Literal["search", "feedback"]
MAX_TEXT = 2_000  # characters of a question kept in the log: the model reads fewer


@dataclass(frozen=True)
class ShownHit:
    """A hit as the log keeps it."""

    id: str
    match: float | None


@dataclass(frozen=True)
class Record:
    """One log line. ``faq_id=""`` with ``helpful=False`` is "none of these" (feedback on the whole list)."""

    kind: Kind
    time: str
    question: str
    faqs: str  # the FAQ set's name
    hits: tuple[ShownHit, ...] = field(default=())
    confident: bool | None = None  # a search: whether any shown hit was confident
    faq_id: str | None = None  # feedback: the FAQ it is about
    helpful: bool | None = None  # feedback: whether that FAQ answered the question

    def to_json(self) -> str:
        """The JSONL line (no trailing newline): the visitor's text cleaned here, off the search's thread."""
        raw = asdict(self)
        raw["question"] = clean(raw["question"])
        if raw["faq_id"] is not None:
            raw["faq_id"] = clean(raw["faq_id"])[:200]
        return json.dumps({k: v for k, v in raw.items() if v is not None and v != []}, ensure_ascii=False)

    @classmethod
    def from_json(cls, line: str) -> Record:
        """Parse a line written by :meth:`to_json` (``ValueError`` if it is not one)."""
        raw = json.loads(line)
        if not isinstance(raw, dict) or raw.get("kind") not in ("search", "feedback"):
            raise ValueError("not a question-log record")
        hits = tuple(ShownHit(str(h["id"]), h.get("match")) for h in raw.get("hits", ()))
        return cls(raw["kind"], str(raw["time"]), str(raw["question"]), str(raw.get("faqs", "")), hits,
                   raw.get("confident"), raw.get("faq_id"), raw.get("helpful"))

    @property
    def when(self) -> datetime:
        """The record's time."""
        return datetime.fromisoformat(self.time)


def now() -> str:
    """The time as a log records it: UTC, to the second."""
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()


def clean(text: str) -> str:
    """A visitor's text as the log keeps it: one line, no token shapes, bounded."""
    return scrub(" ".join(str(text).split()))[:MAX_TEXT]


def searched(question: str, faqs: str, hits: Sequence[SearchHit]) -> Record:
    """The record of a search."""
    return Record("search", now(), question[: 2 * MAX_TEXT], faqs, tuple(ShownHit(h.id, h.match) for h in hits),
                  confident=any(h.confident for h in hits))


def feedback(question: str, faqs: str, faq_id: str, helpful: bool) -> Record:
    """The record of a visitor's feedback (``faq_id=""``, ``helpful=False``: none of the hits answered)."""
    return Record("feedback", now(), question[: 2 * MAX_TEXT], faqs, faq_id=faq_id, helpful=bool(helpful))


def parse_lines(lines: Iterable[str]) -> list[Record]:
    """The records among ``lines``; lines that are not records (a torn last line, say) are skipped."""
    out = []
    for line in lines:
        if line.strip():
            try:
                out.append(Record.from_json(line))
            except (ValueError, KeyError, TypeError):
                continue
    return out
