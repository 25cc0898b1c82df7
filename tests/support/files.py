"""FAQ files as people write them."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Iterable, Mapping


def write_csv(path: Path, rows: Iterable[Mapping[str, str]], columns: tuple[str, ...] | None = None) -> Path:
    """A CSV with a header row (``columns``, by default the first row's keys), quoted as spreadsheets quote."""
    rows = list(rows)
    fieldnames = list(columns or (rows[0].keys() if rows else ("question", "answer")))
    with Path(path).open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=fieldnames)
        writer.writeheader()
        writer.writerows(rows)
    return Path(path)
