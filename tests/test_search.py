"""End-to-end search on the bundled Medicare FAQs: the tutorial's table, bad input, no network."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

from faq_engine.errors import ConfigError, InvalidQueryError
from faq_engine.faqs.loader import load_bundled
from faq_engine.search.memory import MemoryEngine
from tests.support.cli import run_cli
from tests.support.tutorial import TUTORIAL_IDS, TUTORIAL_QUERY, TUTORIAL_SCORES

# Blocks every socket connection except loopback, as if the machine had no network.
NO_NETWORK = textwrap.dedent(
    """
    import socket, sys
    def _refuse(*args, **kwargs):
        raise OSError("network is unreachable (test)")
    socket.socket.connect = _refuse
    socket.socket.connect_ex = _refuse
    socket.create_connection = _refuse
    socket.getaddrinfo = _refuse
    from faq_engine.cli import main
    sys.exit(main(sys.argv[1:]))
    """
)


@pytest.fixture(scope="module")
def engine(embedder):
    return MemoryEngine(load_bundled("medicare", embedder, fields="question"), embedder, method="dense")



def assert_tutorial_table(hits: list[dict]) -> None:
    assert [h["id"] for h in hits] == TUTORIAL_IDS
    for hit, expected in zip(hits, TUTORIAL_SCORES):
        assert hit["score"] == pytest.approx(expected, abs=1e-3)


def test_engine_reproduces_the_tutorial_table(engine):
    assert_tutorial_table([h.to_dict() for h in engine.search(TUTORIAL_QUERY, 5)])


def test_cli_json_reproduces_the_tutorial_table_with_network_cut():
    env = {"HF_HUB_OFFLINE": ""}  # unset-equivalent: nothing may depend on offline mode
    result = run_cli("search", TUTORIAL_QUERY, "--top-k", "5", "--json", "--method", "dense", "--fields", "question", code=NO_NETWORK, env=env)
    assert result.returncode == 0, result.stderr
    hits = json.loads(result.stdout)
    assert_tutorial_table(hits)
    assert set(hits[0]) >= {"rank", "id", "question", "answer", "score"}
    assert [h["rank"] for h in hits] == [1, 2, 3, 4, 5]


def test_cli_table_is_readable():
    result = run_cli("search", TUTORIAL_QUERY, "--top-k", "3", "--method", "dense", "--fields", "question")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("rank"))
    first = lines[header + 1]
    assert "How can I get help with my Medicare Part A and Part B premiums?" in first
    assert "0.7565" in first and "% match" in first


def test_cli_errors_are_one_clear_line_and_nonzero():
    result = run_cli("search", "   ")
    assert result.returncode != 0
    assert result.stderr.strip().count("\n") == 0
    assert "question is empty" in result.stderr and "Traceback" not in result.stderr
    bad_env = run_cli("search", "x", env={"FAQ_ENGINE_EMBEDDER": "gpu"})
    assert bad_env.returncode != 0 and "FAQ_ENGINE_EMBEDDER" in bad_env.stderr


@pytest.mark.parametrize("query", ["", " \n\t "])
def test_empty_query_is_rejected(engine, query):
    with pytest.raises(InvalidQueryError, match="empty"):
        engine.search(query)


def test_very_long_query_is_answered(engine):
    query = ("How can Medicare help me pay my premiums? " * 300)[:10_000]
    hits = engine.search(query, 3)
    assert len(hits) == 3 and hits[0].id == "8"


def test_top_k_is_clamped_and_batch_matches_single(engine):
    assert len(engine.search(TUTORIAL_QUERY, 50)) == 13
    batch = engine.search_batch([TUTORIAL_QUERY, "What is TRICARE?"], 2)
    single = engine.search(TUTORIAL_QUERY, 2)
    assert [h.id for h in batch[0]] == [h.id for h in single]
    assert [h.score for h in batch[0]] == pytest.approx([h.score for h in single], abs=1e-5)
    assert batch[1][0].id == "11"


def test_unknown_method_is_a_config_error(engine):
    with pytest.raises(ConfigError, match="method"):
        MemoryEngine(engine.faqs, engine.embedder, method="magic")


def test_precomputed_query_vectors_give_the_same_hits(engine, embedder):
    vectors = embedder.embed([TUTORIAL_QUERY])
    assert engine.search_batch([TUTORIAL_QUERY], 5, vectors=vectors) == [engine.search(TUTORIAL_QUERY, 5)]
    with pytest.raises(ConfigError, match="2 query vectors for 1"):
        engine.search_batch([TUTORIAL_QUERY], 5, vectors=embedder.embed(["a", "b"]))


def test_no_confident_match_only_when_no_shown_hit_is_confident():
    from faq_engine.cli import format_table
    from faq_engine.search.hits import SearchHit, confident_match

    keyword_first = [SearchHit(1, "a", "q1", "", 0.30, confident=False), SearchHit(2, "b", "q2", "", 0.60)]
    assert confident_match(keyword_first) and not format_table(keyword_first).startswith("No confident match")
    weak = [SearchHit(1, "a", "q1", "", 0.30, confident=False)]
    assert not confident_match(weak) and format_table(weak).startswith("No confident match")


def test_a_file_of_questions_is_answered_in_one_run_in_order(tmp_path):
    base = ["How can Medicare help me?", "What is TRICARE?", "How do I sign up for Medicare?"]
    questions = [line for i in range(1000) for line in ([base[i % 3], ""] if i % 4 == 0 else [base[i % 3]])]
    path = tmp_path / "questions.txt"
    path.write_text("\n".join(questions) + "\n", encoding="utf-8")
    result = run_cli("search", "--queries", str(path), "--json", "-k", "3", "--method", "dense", "--fields", "question")
    assert result.returncode == 0, result.stderr
    answers = json.loads(result.stdout)
    assert len(answers) == len(questions) == 1250  # answer i is line i: a blank line's is empty
    asked = [q for q in questions if q]
    single = {q: [h["id"] for h in json.loads(run_cli("search", q, "--json", "-k", "3", "--method", "dense",
                                                      "--fields", "question").stdout)] for q in set(asked)}
    assert [[h["id"] for h in hits] for hits in answers] == [single[q] if q else [] for q in questions]


def test_questions_from_stdin_and_a_bad_line_named(tmp_path):
    run = subprocess.run([sys.executable, "-m", "faq_engine", "search", "--queries", "-", "--json"],
                         input="How can Medicare help me?\nWhat is TRICARE?\n", capture_output=True, text=True,
                         timeout=120)
    assert run.returncode == 0 and len(json.loads(run.stdout)) == 2
    path = tmp_path / "q.txt"
    path.write_text("How can Medicare help me?\n" + "x" * 30_000 + "\n", encoding="utf-8")
    bad = run_cli("search", "--queries", str(path))
    assert bad.returncode == 1 and "line 2" in bad.stderr and "Traceback" not in bad.stderr
    closed = subprocess.run([sys.executable, "-m", "faq_engine", "search", "--queries", "-"], stdin=subprocess.DEVNULL,
                            capture_output=True, text=True, timeout=120)
    assert closed.returncode == 1 and "holds no question" in closed.stderr and "Traceback" not in closed.stderr
    endless = run_cli("search", "--queries", "/dev/zero")
    assert endless.returncode == 1 and "holds more than 256 MB" in endless.stderr


@pytest.mark.parametrize("method", ["dense", "bm25", "hybrid"])
def test_the_score_shown_never_increases_down_the_list(embedder, method):
    engine = MemoryEngine(load_bundled("medicare", embedder), embedder, method=method)
    for question in (TUTORIAL_QUERY, "How much does Part B cost each month?", "premiums tricare late penalty"):
        hits = engine.search(question, 13)
        assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
        assert all(set(h.to_dict()) == {"rank", "id", "question", "answer", "score", "url", "confident", "similarity",
                                         "match"} for h in hits)
        assert [h.match for h in hits] == sorted((h.match for h in hits), reverse=True)
