"""What one FAQ source may hold, checked while it is read: before anything large is decoded.

A small Parquet file can decode to gigabytes (a dictionary-encoded or highly compressed text
column), so rows are counted from the files' metadata, text columns are read one row group at
a time within a byte budget (dictionary-encoded ones stay encoded until their lengths are
checked), and every field has a length cap. The app reads visitors' data with
:data:`APP_LIMITS`; the command line reads its own user's with the looser :data:`CLI_LIMITS`.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import DatasetError


@dataclass(frozen=True)
class ReadLimits:
    """``rows``: FAQs at most; ``field_chars``: characters in one question, answer or phrasing;
    ``text_bytes``: the text of the whole set, decoded (``None``: no limit)."""

    rows: int | None = None
    field_chars: int | None = None
    text_bytes: int | None = None

    def check_rows(self, rows: int, where: str) -> None:
        """Refuse more than ``rows`` FAQs."""
        if self.rows is not None and rows > self.rows:
            raise DatasetError(f"{where} has {rows:,} FAQs; at most {self.rows:,} can be loaded here. Split it, or "
                               "run faq-engine on your own machine.", rows=rows, max_rows=self.rows)

    def check_text(self, size: int, where: str) -> None:
        """Refuse more than ``text_bytes`` of text."""
        if self.text_bytes is not None and size > self.text_bytes:
            raise DatasetError(f"{where} holds more than {self.text_bytes / 2**20:,.0f} MB of text; at most that can "
                               "be loaded here.", text_bytes=size)

    def check_field(self, longest: int, row: int, column: str, where: str) -> None:
        """Refuse a field longer than ``field_chars``; ``row`` is 0-based."""
        if self.field_chars is not None and longest > self.field_chars:
            raise DatasetError(f"{where}: the {column} in row {row + 1} has {longest:,} characters; at most "
                               f"{self.field_chars:,} are read here.", column=column, row=row + 1)


CLI_LIMITS = ReadLimits(field_chars=1_000_000)  # the command line's user reads their own data
# A visitor's set: tens of thousands of FAQs take a minute or two to embed on two cores; a FAQ's
# text is read by the model only up to about 1,000 characters.
APP_LIMITS = ReadLimits(rows=20_000, field_chars=20_000, text_bytes=64 * 2**20)
