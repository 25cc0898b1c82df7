"""The question log: what it writes and never writes, its limits, and that it never breaks a search."""

from __future__ import annotations

import json
import logging
import os
import shutil
import subprocess
import time

import pytest

from faq_engine.errors import InvalidQueryError
from faq_engine.faqs.loader import load_bundled
from faq_engine.learning.log import QuestionLog
from faq_engine.learning.records import Record, feedback, now, parse_lines, searched
from faq_engine.search.memory import MemoryEngine
from faq_engine.ui.feedback import MAX_FEEDBACK, THANKS
from faq_engine.ui.handlers import DemoHandlers
from faq_engine.ui.render import corpus_for
from tests.support.env import env_settings


def lines(folder) -> list[dict]:
    return [json.loads(line) for p in sorted(folder.glob("questions-*.jsonl")) for line in p.read_text().splitlines()]


@pytest.fixture(scope="module")
def engine(embedder):
    return MemoryEngine(load_bundled("medicare", embedder), embedder)


def handlers_with(engine, log) -> DemoHandlers:
    return DemoHandlers(corpus_for(engine, "bundled"), env_settings(), log=log)


def test_a_search_and_feedback_are_logged_without_tokens_or_anything_personal(engine, tmp_path):
    log = QuestionLog(tmp_path)
    handlers = handlers_with(engine, log)
    handlers.search_event("My token is hf_abcdefghijklmnop, how can Medicare help me?", 3, None)
    handlers.feedback_event("How can Medicare help me?", "7", True)
    handlers.feedback_event("What is the best pizza?", "", False)
    log.flush()
    search, helpful, none = lines(tmp_path)
    assert search["kind"] == "search" and "hf_abcdefghijklmnop" not in search["question"] and "***" in search["question"]
    assert search["faqs"] == "medicare" and len(search["hits"]) == 3 and set(search["hits"][0]) == {"id", "match"}
    assert (helpful["faq_id"], helpful["helpful"], none["faq_id"], none["helpful"]) == ("7", True, "", False)
    for record in (search, helpful, none):
        assert set(record) <= {"kind", "time", "question", "faqs", "hits", "confident", "faq_id", "helpful"}


def test_records_read_back_as_they_were_written_and_a_torn_line_is_skipped():
    record = searched("How can Medicare help me?", "medicare", [])
    assert Record.from_json(record.to_json()) == record
    assert parse_lines([feedback("q", "medicare", "7", True).to_json(), '{"kind": "search", "ti', ""])[0].faq_id == "7"


def test_feedback_is_bounded_per_session_and_accepted_without_a_log(engine, tmp_path):
    log = QuestionLog(tmp_path)
    handlers = handlers_with(engine, log)
    for _ in range(MAX_FEEDBACK + 15):
        assert handlers.feedback.give("How can Medicare help me?", "7", True, "medicare", "one-session") == THANKS
    handlers.feedback.give("How can Medicare help me?", "7", True, "medicare", "another-session")
    log.flush()
    assert len(lines(tmp_path)) == MAX_FEEDBACK + 1
    off = handlers_with(engine, None)
    assert off.feedback_event("How can Medicare help me?", "7", True) == THANKS and off.feedback.notice == ""
    assert handlers.feedback.notice  # the page says the log is on
    for bad in (("", "7", True), ("q", "x" * 300, True), ("q", "7", "yes")):
        with pytest.raises(InvalidQueryError):
            handlers.feedback_event(*bad)


def test_files_past_the_retention_and_the_size_cap_are_deleted(tmp_path):
    old = tmp_path / "questions-2020-01-01-aaaa-0.jsonl"
    old.write_text("{}\n")
    os.utime(old, (time.time() - 40 * 86_400,) * 2)
    big = [tmp_path / f"questions-2026-01-0{i}-bbbb-0.jsonl" for i in (1, 2)]
    for i, path in enumerate(big):
        path.write_text("x" * 600)
        os.utime(path, (time.time() - 10 + i,) * 2)
    log = QuestionLog(tmp_path, days=30, max_bytes=1000, rotate_bytes=200)
    assert not old.exists() and not big[0].exists() and big[1].exists()  # too old; then the oldest past the cap
    for _ in range(3):  # three writes: each finds the file of the one before past 200 bytes
        log.add(searched("How can Medicare help me? " * 10, "medicare", []))
        log.flush()
    assert len(list(tmp_path.glob(f"questions-{now()[:10]}-*.jsonl"))) == 3  # rotated past 200 bytes


@pytest.fixture
def read_only(tmp_path):
    """A folder no process may write to, root included (the immutable attribute); skipped where unsupported."""
    folder = tmp_path / "read-only"
    folder.mkdir()
    if subprocess.run(["chattr", "+i", str(folder)], capture_output=True).returncode != 0:
        pytest.skip("chattr +i is not supported here")
    yield folder
    subprocess.run(["chattr", "-i", str(folder)], check=True)


@pytest.mark.parametrize("fault", ["full", "deleted", "read-only"])
def test_a_log_that_cannot_be_written_turns_itself_off_and_searches_go_on(engine, tmp_path, caplog, fault, request):
    folder = request.getfixturevalue("read_only") if fault == "read-only" else tmp_path / "log"
    log = QuestionLog(folder)
    if fault == "full":  # every write fails with "No space left on device"
        (folder / f"questions-{now()[:10]}-{log._process}-0.jsonl").symlink_to("/dev/full")
    elif fault == "deleted":
        shutil.rmtree(folder)
    handlers = handlers_with(engine, log)
    with caplog.at_level(logging.WARNING):
        for _ in range(3):
            hits, _ = handlers.search_event("How can Medicare help me?", 3, None)
            assert len(hits) == 3
            log.flush()
    assert not log.enabled
    warnings = [r for r in caplog.records if "question log" in r.getMessage()]
    assert len(warnings) == 1 and "logging is off" in warnings[0].getMessage()


def test_the_page_says_in_one_line_when_questions_are_logged(engine, tmp_path):
    from faq_engine.ui import build_demo

    def notice(log):
        config = build_demo(engine, env_settings(), log=log).config
        return next(c["props"] for c in config["components"] if c["props"].get("elem_id") == "log-notice")

    on, off = notice(QuestionLog(tmp_path)), notice(None)
    assert on["visible"] is True and "logged" in on["value"] and "no account, address or cookie" in on["value"]
    assert off["visible"] is False
