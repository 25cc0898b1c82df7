"""Every cap is enforced while reading: a small file that decodes to gigabytes is refused before it is decoded."""

from __future__ import annotations

import subprocess
import sys

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from faq_engine.errors import DatasetError
from faq_engine.faqs.limits import APP_LIMITS, ReadLimits
from faq_engine.faqs.loader import load_faqs, read_source
from tests.support.fakes import HashEmbedder
from tests.support.files import write_csv


def bomb(path, rows: int, chars: int, row_group: int | None = None):
    """A Parquet file of ``rows`` identical ``chars``-long questions: dictionary-encoded, it is a few KB."""
    question = pa.DictionaryArray.from_arrays(pa.array([0] * rows, pa.int32()), pa.array(["x" * chars]))
    table = pa.table({"question": question, "answer": question})
    pq.write_table(table, path, row_group_size=row_group or rows)
    return path


def test_a_file_with_too_many_rows_is_refused_from_its_metadata(tmp_path):
    path = bomb(tmp_path / "rows.parquet", 2_000_000, 1_000, row_group=500_000)
    assert path.stat().st_size < 2**20
    with pytest.raises(DatasetError, match="has 2,000,000 FAQs; at most 20,000"):
        read_source(path, limits=APP_LIMITS)


def test_text_past_the_budget_is_refused_before_it_is_decoded(tmp_path):
    path = bomb(tmp_path / "text.parquet", 15_000, 19_000)  # 15,000 rows: under the row cap; 570 MB of text
    with pytest.raises(DatasetError, match="more than 64 MB of text"):
        read_source(path, limits=APP_LIMITS)


def test_a_field_past_its_cap_is_refused_naming_the_row(tmp_path):
    path = bomb(tmp_path / "long.parquet", 3, 25_000)
    with pytest.raises(DatasetError, match="the question in row 1 has 25,000 characters; at most 20,000"):
        read_source(path, limits=APP_LIMITS)
    csv = write_csv(tmp_path / "long.csv", [{"question": "How?", "answer": "x" * 30_000}])
    with pytest.raises(DatasetError, match="the answer in row 1 has 30,000 characters"):
        load_faqs(str(csv), HashEmbedder(), limits=APP_LIMITS)
    assert len(read_source(csv).entries) == 1  # the command line's own data: a looser cap


def test_the_app_reads_the_bomb_without_growing(tmp_path):
    """The visitor's 0.2 MB file: refused with the peak memory of the process reading it barely moved."""
    path = bomb(tmp_path / "bomb.parquet", 2_000_000, 1_000, row_group=20_000)
    code = (f"import resource, sys\nfrom faq_engine.faqs.limits import ReadLimits\n"
            f"from faq_engine.faqs.loader import read_source\nbefore = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
            f"try:\n    read_source({str(path)!r}, limits=ReadLimits(rows=None, field_chars=20_000, text_bytes=64 * 2**20))\n"
            f"except Exception as err:\n    print(type(err).__name__)\n"
            f"print((resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) // 1024)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    kind, grown_mb = out.stdout.split()
    assert kind == "DatasetError" and int(grown_mb) < 200  # MB: a row group's dictionary, never the 2 GB of text


def test_faqs_within_the_limits_read_as_before(tmp_path):
    path = bomb(tmp_path / "fine.parquet", 10, 100)
    entries = read_source(path, limits=ReadLimits(rows=10, field_chars=100, text_bytes=2_000)).entries
    assert len(entries) == 10 and entries[0].question == "x" * 100
