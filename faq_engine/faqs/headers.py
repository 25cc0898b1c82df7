"""Which columns of a file people export hold the questions, answers, ids, links and alternates.

Spreadsheets write ``Question``, ``Answer `` or ``Reply``: a column the reader did not name
itself is matched whatever its case and spacing, or through a common synonym, and a note says
which column was read as what. A file with no answer column is refused: a FAQ needs one.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import Sequence

from ..errors import Advice, DatasetError
from .entry import ALTERNATES


@dataclass(frozen=True)
class Columns:
    """Which input columns hold the id, question, answer, URL and alternate phrasings."""

    question: str = "question"
    answer: str = "answer"
    id: str = "id"
    url: str = "url"
    alternates: str = ALTERNATES



SYNONYMS = {
    "question": ("question", "questions", "q", "query", "faq"),
    "answer": ("answer", "answers", "a", "reply", "replies", "response", "responses", "solution"),
    "id": ("id", "faq id", "faq_id", "key"),
    "url": ("url", "link", "source", "source url"),
    "alternates": ("alternates", "alternate questions", "alternate phrasings", "paraphrases"),
}
DEFAULTS = Columns()


def normal(name: str) -> str:
    """A column name as compared: no case, no spaces, underscores or dashes."""
    return "".join(ch for ch in str(name).casefold() if ch.isalnum())


SHOWN = 20  # columns named in an error: a file of a million columns gets a line, not megabytes


def resolve(found: Sequence[str], columns: Columns, where: str) -> tuple[Columns, tuple[str, ...]]:
    """The columns to read, each default name matched loosely; notes on every column read under another name.

    Raises :class:`DatasetError` naming the columns found when there is no question or no answer column.
    """
    chosen, notes = {}, []
    for role in (f.name for f in fields(Columns)):
        wanted = getattr(columns, role)
        if wanted in found or wanted != getattr(DEFAULTS, role):  # present as named, or named by the caller
            continue
        names = {normal(s) for s in SYNONYMS[role]}
        match = next((f for f in found if normal(f) in names), None)
        if match is not None:
            chosen[role] = match
            if normal(match) != normal(role):
                notes.append(f"{where}: read the {match!r} column as the {role}s.")
    resolved = replace(columns, **chosen)
    for role in ("question", "answer"):
        if getattr(resolved, role) not in found:
            shown = ", ".join(repr(str(f)[:80]) for f in found[:SHOWN]) or "(none)"
            shown += f" and {len(found) - SHOWN:,} more" if len(found) > SHOWN else ""
            raise DatasetError(f"{where}: no {role} column (named {getattr(resolved, role)!r}, or "
                               f"{', '.join(repr(s) for s in SYNONYMS[role][1:4])}); columns found: {shown}.",
                               advice=Advice.NAME_COLUMNS, column=role, found=tuple(found))
    return resolved, tuple(notes)
