"""The learning loop through the running app: visitors ask and answer "did one of these answer you?", the owner
reads `faq-engine gaps`, accepts the suggested phrasings with `faq-engine alternates add`, and the FAQs find them."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from gradio_client import Client

from faq_engine.evaluation.runner import read_queries
from faq_engine.faqs.loader import load_bundled, load_faqs
from faq_engine.search.memory import MemoryEngine
from tests.support.app_runner import RunningApp
from tests.support.cli import run_cli
from tests.support.hub_server import HUB_TOKEN

THEMES = {  # three things visitors ask that no Medicare FAQ answers
    "cats": ["How often should I feed my cat?", "What food is best for a kitten?",
             "Why does my cat scratch the furniture?", "How do I litter train a kitten?",
             "Is it safe to give my cat milk?", "How long do indoor cats live?", "How can I stop my cat from biting?",
             "When should I take my kitten to the vet?", "Why is my cat not eating?",
             "How do I introduce a new cat to my other cat?"],
    "pasta": ["How long should I boil spaghetti?", "How much salt goes in pasta water?",
              "How do I make fresh pasta dough?", "What sauce goes well with penne?",
              "How do I keep pasta from sticking together?", "Can I freeze cooked pasta?",
              "How do I make a carbonara sauce?", "What is al dente pasta?", "How much dry pasta per person?",
              "Should I rinse pasta after cooking?"],
    "tires": ["How often should I rotate my car tires?", "What tire pressure should my car have?",
              "How do I change a flat tire?", "When do car tires need replacing?", "How do I check tire tread depth?",
              "Are winter tires worth it?", "Why does my tire keep losing air?", "How long do car tires last?",
              "Can I drive on a spare tire on the highway?", "What do the numbers on a tire mean?"],
}
PARAPHRASES = Path(__file__).parent / "data" / "medicare_paraphrases.jsonl"
SETTINGS = {"FAQ_ENGINE_METHOD": "hybrid", "FAQ_ENGINE_FIELDS": "both"}  # the defaults, not the tutorial's


@pytest.fixture
def medicare_folder(tmp_path, embedder):
    """The Medicare FAQs as a dataset folder written by `faq-engine embed` (what `alternates add` grows)."""
    folder = tmp_path / "medicare"
    folder.mkdir()
    source = folder / "medicare.jsonl"
    source.write_text("".join(json.dumps({"id": e.id, "question": e.question, "answer": e.answer, "url": e.url}) + "\n"
                              for e in load_bundled("medicare", embedder).entries), encoding="utf-8")
    done = run_cli("embed", str(source), "-o", str(folder / "dataset"), "--no-progress")
    assert done.returncode == 0, done.stderr
    return folder / "dataset"


def visit(app: RunningApp) -> list[dict]:
    """30 questions outside the set, 20 inside; on 5 inside ones, a lower hit "answered my question"."""
    client = Client(app.url, verbose=False, download_files=False)
    inside = [q.query for q in read_queries(str(PARAPHRASES)) if q.relevant][:20]
    for question in [q for theme in THEMES.values() for q in theme]:
        client.predict(question, 5, api_name="/search")
    marked = []
    for number, question in enumerate(inside):
        hits = client.predict(question, 5, api_name="/search")
        if number % 4 == 0:  # five of them: the second hit is the one that answered
            client.predict(question, hits[1]["id"], True, api_name="/feedback")
            marked.append({"faq_id": hits[1]["id"], "question": question})
    return marked


def gaps(log: str, dataset: Path, **env: str) -> dict:
    run = run_cli("gaps", log, "--dataset", str(dataset), "--json", env=env)
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout)


def check_report(report: dict, marked: list[dict]) -> None:
    largest = report["unanswered"][:3]
    themes = {name: set(questions) for name, questions in THEMES.items()}
    found = [next(n for n, qs in themes.items() if set(g["questions"]) <= qs) for g in largest]
    assert sorted(found) == sorted(THEMES) and [g["count"] for g in largest] == [10, 10, 10]
    assert all(len(g["questions"]) == 5 and g["nearest"]["id"] for g in largest)
    suggested = {(s["faq_id"], s["question"]): s["votes"] for s in report["suggested"]}
    assert all(suggested.get((m["faq_id"], m["question"])) == 1 for m in marked)


def accept_and_check(log: Path, report: dict, marked: list[dict], dataset: Path, tmp_path: Path, embedder) -> None:
    accepted = tmp_path / "accepted.jsonl"  # the owner accepts every suggestion as it is
    text = run_cli("gaps", str(log), "--dataset", str(dataset), "--suggested", str(accepted))
    assert text.returncode == 0 and "asked 10 time(s); nearest FAQ" in text.stdout
    assert f"Suggested alternates: {len(report['suggested'])} phrasing(s)" in text.stdout
    assert [json.loads(line) for line in accepted.read_text().splitlines()] == report["suggested"]
    added = run_cli("alternates", "add", str(dataset), str(accepted))
    assert added.returncode == 0 and f"Added {len(report['suggested'])} phrasing(s)" in added.stdout, added.stderr
    engine = MemoryEngine(load_faqs(str(dataset), embedder), embedder)
    for m in marked:
        first = engine.search(m["question"], 5)[0]
        assert first.id == m["faq_id"] and first.match >= 0.5, (m, first)


def wait_for_lines(folder: Path, n: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if sum(len(p.read_text().splitlines()) for p in folder.glob("questions-*.jsonl")) >= n:
            return
        time.sleep(0.2)
    raise AssertionError(f"the log in {folder} never reached {n} lines")


def test_the_loop_with_a_log_folder(medicare_folder, tmp_path, embedder):
    log = tmp_path / "log"
    app = RunningApp({**SETTINGS, "FAQ_ENGINE_DATASET": str(medicare_folder), "FAQ_ENGINE_LOG": str(log)})
    try:
        marked = visit(app.wait_ready())
        wait_for_lines(log, 50 + len(marked))
    finally:
        app.stop()
    records = [json.loads(line) for p in log.glob("questions-*.jsonl") for line in p.read_text().splitlines()]
    assert {r["kind"] for r in records} == {"search", "feedback"}
    assert all(set(r) <= {"kind", "time", "question", "faqs", "hits", "confident", "faq_id", "helpful"} for r in records)
    report = gaps(str(log), medicare_folder)
    check_report(report, marked)
    accept_and_check(log, report, marked, medicare_folder, tmp_path, embedder)


def test_the_loop_with_a_log_on_the_hub(hub, medicare_folder, tmp_path, embedder):
    hub_env = {"HF_ENDPOINT": hub.url, "HF_TOKEN": HUB_TOKEN}
    app = RunningApp({**SETTINGS, **hub_env, "FAQ_ENGINE_DATASET": str(medicare_folder),
                      "FAQ_ENGINE_LOG": "hf://datasets/user/questions", "FAQ_ENGINE_LOG_PUSH_MINUTES": "0.02",
                      "FAQ_ENGINE_CACHE_DIR": str(tmp_path / "cache")})
    try:
        marked = visit(app.wait_ready())
        deadline = time.monotonic() + 60
        while True:  # the scheduler uploads every 1.2 s here: wait for every record to be on the Hub
            time.sleep(1.5)
            report = gaps("hf://datasets/user/questions", medicare_folder, **hub_env)
            if sum(g["count"] for g in report["unanswered"][:3]) == 30 and len(report["suggested"]) >= len(marked):
                break
            assert time.monotonic() < deadline, report
    finally:
        app.stop()
    assert hub.state.repos[("dataset", "user/questions")].private  # visitors' questions are not published
    check_report(report, marked)
