"""New alternate phrasings proposed for a FAQ set: read, checked against the set, merged, written back.

A proposal is a JSONL line ``{"faq_id": ..., "question": ...}`` (other keys, such as the
``votes`` of ``faq-engine gaps``, are ignored). Merging never drops one silently: a
proposal is added, or reported as naming an unknown FAQ, or as one the FAQ already has.
Raw FAQ files are rewritten in their own format (the alternates column added or extended),
whole or not at all.
"""

from __future__ import annotations

import csv
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from ..errors import DatasetError
from .entry import ALTERNATES, Entries
from .tables import CSV_SEPARATOR, format_of, json_lines, read_rows, split_phrasings


@dataclass(frozen=True)
class Proposal:
    """One phrasing proposed for one FAQ, and the line it came from."""

    faq_id: str
    question: str
    line: int


@dataclass(frozen=True)
class MergeReport:
    """What a merge did with each proposal."""

    added: tuple[Proposal, ...]
    unknown: tuple[Proposal, ...]  # no FAQ has that id
    duplicates: tuple[Proposal, ...]  # the FAQ's question, one of its phrasings, or proposed twice


def read_proposals(path: str | Path) -> list[Proposal]:
    """The proposals of a JSONL file; a line that is not one names its number."""
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8-sig").split("\n")
    except (OSError, UnicodeDecodeError) as err:
        raise DatasetError(f"Cannot read {path.name}: {getattr(err, 'strerror', None) or err}.") from err
    proposals = []
    for number, row in json_lines(lines, path.name):
        if not isinstance(row, dict) or not isinstance(row.get("faq_id"), (str, int)) \
                or not isinstance(row.get("question"), str) or not row["question"].strip():
            raise DatasetError(f'{path.name}, line {number}: expected {{"faq_id": ..., "question": ...}} with a '
                               "question.")
        proposals.append(Proposal(str(row["faq_id"]), " ".join(row["question"].split()), number))
    return proposals


def merge(entries: Entries, proposals: Sequence[Proposal]) -> tuple[list[list[str]], MergeReport]:
    """Each FAQ's phrasings with the proposals added, and what became of each proposal."""
    row_of = {faq_id: row for row, faq_id in enumerate(entries.column("id"))}
    questions = entries.column("question")
    phrasings = [list(p) for p in entries.alternates()]
    added, unknown, duplicates = [], [], []
    for proposal in proposals:
        row = row_of.get(proposal.faq_id)
        if row is None:
            unknown.append(proposal)
            continue
        known = {questions[row].casefold(), *(p.casefold() for p in phrasings[row])}
        if proposal.question.casefold() in known:
            duplicates.append(proposal)
            continue
        phrasings[row].append(proposal.question)
        added.append(proposal)
    return phrasings, MergeReport(tuple(added), tuple(unknown), tuple(duplicates))


def rewrite_file(path: Path, ids: Sequence[str], phrasings: Sequence[Sequence[str]], id_column: str = "id") -> None:
    """Write ``phrasings`` (one list per FAQ, in ``ids`` order) into the raw FAQ file ``path``, in its format,
    keeping every other column as it was; the file is replaced whole or not at all."""
    fmt = format_of(path)
    by_id = dict(zip(ids, phrasings))
    if fmt == "parquet":
        _rewrite_parquet(path, by_id, id_column)
        return
    rows = read_rows(path, fmt)
    for number, row in enumerate(rows):
        faq_id = str(row.get(id_column, number)).strip() if id_column in row else str(number)
        row[ALTERNATES] = list(by_id.get(faq_id, split_phrasings(row.get(ALTERNATES))))
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        with tmp.open("w", encoding="utf-8", newline="") as fh:
            if fmt == "csv":
                _write_csv(fh, rows)
            elif fmt == "json":
                json.dump(rows, fh, ensure_ascii=False, indent=1)
            else:
                fh.writelines(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)
        os.replace(tmp, path)
    except OSError as err:
        raise DatasetError(f"Cannot write {path.name}: {err.strerror or err}.") from err
    finally:
        tmp.unlink(missing_ok=True)


def _write_csv(fh, rows: list[dict]) -> None:
    names = list(dict.fromkeys(key for row in rows for key in row))
    writer = csv.DictWriter(fh, fieldnames=names)
    writer.writeheader()
    for row in rows:
        writer.writerow({**row, ALTERNATES: f" {CSV_SEPARATOR} ".join(row[ALTERNATES])})


def _rewrite_parquet(path: Path, by_id: dict, id_column: str) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pq.read_table(path)
    ids = table.column(id_column).cast(pa.string()).to_pylist() if id_column in table.column_names \
        else [str(i) for i in range(table.num_rows)]
    column = pa.array([list(by_id.get(i, ())) for i in ids], pa.list_(pa.string()))
    if ALTERNATES in table.column_names:
        table = table.drop_columns([ALTERNATES])
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        pq.write_table(table.append_column(ALTERNATES, column), tmp)
        os.replace(tmp, path)
    except OSError as err:
        raise DatasetError(f"Cannot write {path.name}: {err.strerror or err}.") from err
    finally:
        tmp.unlink(missing_ok=True)
