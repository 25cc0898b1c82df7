"""FAQ entries: one :class:`FaqEntry`, a columnar :class:`Entries` of many, and the checks they must pass."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Iterator, Sequence, overload

from ..errors import DatasetError

COLUMNS = ("id", "question", "answer", "url")
ALTERNATES = "alternates"  # other phrasings of the question: a list of strings, often empty


@dataclass(frozen=True)
class FaqEntry:
    """One FAQ: a stable id, the question, its answer, an optional source URL, and other ways people ask it."""

    id: str
    question: str
    answer: str = ""
    url: str = ""
    alternates: tuple[str, ...] = ()


class Entries(Sequence[FaqEntry]):
    """Many FAQs in Arrow columns (``id``, ``question``, ``answer``, ``url``: strings, never null; and
    ``alternates``, lists of strings, present only when some FAQ has one).

    A million FAQs stay a few Arrow buffers instead of a million Python objects: a
    :class:`FaqEntry` is made only when one is asked for (a search hit, say).
    """

    def __init__(self, table) -> None:
        import pyarrow as pa
        import pyarrow.compute as pc

        columns = {}
        for name in COLUMNS:  # each step only where needed: a million rows of our own format need none
            column = table.column(name) if name in table.column_names else pa.nulls(table.num_rows, pa.string())
            column = column if column.type == pa.string() else column.cast(pa.string())
            column = pc.fill_null(column, "") if column.null_count else column
            columns[name] = column.combine_chunks() if column.num_chunks != 1 else column
        if ALTERNATES in table.column_names:
            columns[ALTERNATES] = _phrasings(table.column(ALTERNATES))
        self.table = pa.table(columns)
        self.validated = False  # set by validate_entries: a set is checked once however often it is passed on
        self._columns = [self.table.column(name).chunk(0) if self.table.num_rows else None
                         for name in COLUMNS + ((ALTERNATES,) if self.has_alternates else ())]

    @classmethod
    def of(cls, entries: Iterable[FaqEntry]) -> Entries:
        """Entries from FAQ objects (already :class:`Entries`: returned as they are)."""
        if isinstance(entries, Entries):
            return entries
        import pyarrow as pa

        rows = list(entries)
        columns = {name: pa.array([getattr(e, name) for e in rows], pa.string()) for name in COLUMNS}
        if any(e.alternates for e in rows):
            columns[ALTERNATES] = pa.array([list(e.alternates) for e in rows], pa.list_(pa.string()))
        return cls(pa.table(columns))

    @property
    def has_alternates(self) -> bool:
        """Whether the entries carry an alternates column (some FAQ has another phrasing)."""
        return ALTERNATES in self.table.column_names

    def __len__(self) -> int:
        return self.table.num_rows

    @overload
    def __getitem__(self, index: int) -> FaqEntry: ...

    @overload
    def __getitem__(self, index: slice) -> list[FaqEntry]: ...

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        i = int(index) + (len(self) if int(index) < 0 else 0)
        if not 0 <= i < len(self):
            raise IndexError(index)
        values = [column[i].as_py() for column in self._columns]
        return FaqEntry(*values[: len(COLUMNS)], *(tuple(v) for v in values[len(COLUMNS) :]))

    def __iter__(self) -> Iterator[FaqEntry]:
        columns = [self.column(name) for name in COLUMNS]
        if self.has_alternates:
            columns.append([tuple(a) for a in self.alternates()])
        return iter([FaqEntry(*row) for row in zip(*columns)])

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Sequence):
            return NotImplemented
        return len(self) == len(other) and list(self) == list(other)

    __hash__ = None  # type: ignore[assignment]

    def column(self, name: str) -> list[str]:
        """One column as Python strings (``id``, ``question``, ``answer`` or ``url``)."""
        return self.table.column(name).to_pylist()

    def alternates(self) -> list[list[str]]:
        """Each FAQ's other phrasings (empty lists when none has any)."""
        if not self.has_alternates:
            return [[] for _ in range(len(self))]
        return self.table.column(ALTERNATES).to_pylist()

    def with_alternates(self, alternates: Sequence[Sequence[str]]) -> Entries:
        """These entries with each FAQ's alternates replaced (one list per FAQ)."""
        import pyarrow as pa

        table = self.table.drop_columns([ALTERNATES]) if self.has_alternates else self.table
        if any(alternates):
            table = table.append_column(ALTERNATES, pa.array([list(a) for a in alternates], pa.list_(pa.string())))
        return Entries(table)


def _phrasings(column):
    """An alternates column as ``list<string>``: stripped, blank and repeated phrasings dropped, nulls empty."""
    import pyarrow as pa

    rows = []
    for value in column.to_pylist():  # small next to the FAQs: a list per FAQ, most of them empty
        seen: dict[str, None] = {}
        for text in value if isinstance(value, (list, tuple)) else ():
            text = str(text).strip() if text is not None else ""
            if text:
                seen.setdefault(text)
        rows.append(list(seen))
    return pa.array(rows, pa.list_(pa.string()))


def texts_for(entries: Sequence[FaqEntry], fields: str) -> list[str]:
    """The text that represents each FAQ for embedding: the question, or question + answer.

    (``both`` is embedded as both of these: see :func:`faq_engine.faqs.faqset.embed_entries`.)
    """
    if fields not in ("question", "question+answer"):
        raise ValueError(f"texts_for: fields must be 'question' or 'question+answer', not {fields!r}")
    if isinstance(entries, Entries):
        questions = entries.column("question")
        if fields == "question":
            return questions
        return [f"{q} {a}".strip() for q, a in zip(questions, entries.column("answer"))]
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
    import pyarrow.compute as pc

    entries = Entries.of(entries)
    if entries.validated:
        return
    if not len(entries):
        raise DatasetError("The FAQ data has no rows: add at least one question.")
    questions = entries.table.column("question")
    empty = pc.indices_nonzero(pc.equal(pc.utf8_length(pc.utf8_trim_whitespace(questions)), 0)).to_pylist()
    if empty:
        raise DatasetError(f"Empty question in row(s) {row_list(empty)}: every FAQ needs a question.")
    ids = entries.table.column("id")
    if pc.count_distinct(ids).as_py() == len(entries):
        entries.validated = True
        return
    seen: dict[str, int] = {}
    dupes = []
    for i, faq_id in enumerate(ids.to_pylist()):  # only when there are duplicates: name them
        if faq_id in seen:
            dupes.append(i)
        seen.setdefault(faq_id, i)
    if dupes:
        ids = sorted({entries[i].id for i in dupes})
        raise DatasetError(
            f"Duplicate id(s) {', '.join(map(repr, ids[:10]))} in row(s) {row_list(dupes)}: ids must be unique."
        )
