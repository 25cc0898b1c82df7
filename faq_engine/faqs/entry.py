"""One FAQ entry, and the checks every FAQ set must pass."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Sequence

from ..errors import DatasetError


@dataclass(frozen=True)
class FaqEntry:
    """One FAQ: a stable id, the question, its answer and an optional source URL."""

    id: str
    question: str
    answer: str = ""
    url: str = ""


def texts_for(entries: Iterable[FaqEntry], fields: str) -> list[str]:
    """The text that represents each FAQ for embedding: the question, or question + answer."""
    if fields == "question":
        return [e.question for e in entries]
    return [f"{e.question} {e.answer}".strip() for e in entries]


def row_list(indices: Sequence[int], limit: int = 10) -> str:
    """Row numbers (1-based) for a message: the first ``limit``, then how many more."""
    shown = ", ".join(str(i + 1) for i in indices[:limit])
    more = f" and {len(indices) - limit} more" if len(indices) > limit else ""
    return f"{shown}{more}"


def validate_entries(entries: Sequence[FaqEntry]) -> None:
    """Raise :class:`DatasetError` naming the rows (1-based) that are unusable."""
    if not entries:
        raise DatasetError("The FAQ data has no rows: add at least one question.")
    empty = [i for i, e in enumerate(entries) if not (e.question or "").strip()]
    if empty:
        raise DatasetError(f"Empty question in row(s) {row_list(empty)}: every FAQ needs a question.")
    seen: dict[str, int] = {}
    dupes = []
    for i, e in enumerate(entries):
        if e.id in seen:
            dupes.append(i)
        seen.setdefault(e.id, i)
    if dupes:
        ids = sorted({entries[i].id for i in dupes})
        raise DatasetError(
            f"Duplicate id(s) {', '.join(map(repr, ids[:10]))} in row(s) {row_list(dupes)}: ids must be unique."
        )
