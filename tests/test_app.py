"""The Gradio demo: the launched app through gradio_client, and its view code in-process.

The app runs as ``python app.py`` in a subprocess (once for this module), exactly as
on a Space, with Hub requests going to a loopback Hub.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time

import gradio as gr
import numpy as np
import pytest
from gradio_client import Client, handle_file
from gradio_client.exceptions import AppError

from faq_engine import __version__
from faq_engine.embedders.fallback import FallbackEmbedder
from faq_engine.errors import ApiAuthError
from faq_engine.faqs.dataset_format import DatasetMeta
from faq_engine.faqs.entry import FaqEntry
from faq_engine.faqs.faqset import FaqSet
from faq_engine.faqs.hub import HubAccess, push_dataset
from faq_engine.faqs.loader import load_bundled
from faq_engine.faqs.writer import write_dataset
from faq_engine.jobs import load_engine
from faq_engine.search.match import Calibration, Logistic
from faq_engine.search.memory import MemoryEngine
from faq_engine.settings import Settings
from faq_engine.ui.errors import user_errors
from faq_engine.ui.handlers import BIG_LOAD, DemoHandlers, _time_left
from faq_engine.ui.render import MAP_COLOURS, MAX_MAP_POINTS, View, corpus_for, make_corpus, map_frame, md_text, render
from tests.support.app_runner import ROOT, RunningApp
from tests.support.env import env_settings
from tests.support.fakes import HashEmbedder
from tests.support.files import write_csv
from tests.support.hub_server import HUB_TOKEN
from tests.support.tutorial import TUTORIAL_IDS, TUTORIAL_QUERY, TUTORIAL_SCORES


@pytest.fixture(scope="module")
def app(hub):
    running = RunningApp({"HF_ENDPOINT": hub.url}).wait_ready()
    yield running
    running.stop()


@pytest.fixture(scope="module")
def reference_engine(app):
    """The engine the app should agree with, built here from the app's own environment."""
    return load_engine(Settings.from_env(app.env))


def client(app) -> Client:
    return Client(app.url, verbose=False, download_files=False)



PETS = [
    ("How often should I feed my cat?", "Adult cats eat two meals a day."),
    ("How do I stop my dog from barking at night?", "Exercise it in the evening and ignore the barking."),
    ("Can rabbits live outdoors in winter?", "Only with a sheltered, insulated hutch."),
]


# --- the launched app ----------------------------------------------------------------


def test_importing_app_starts_nothing():
    code = "import sys, app; print(sorted(m for m in ('gradio', 'torch', 'onnxruntime', 'faq_engine.ui') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


def test_start_up_runs_no_example_through_the_engine(app):
    # On a Space, cached examples would spend the API budget at every start.
    assert not any("Caching examples" in line for line in app.output)


def test_a_bad_setting_stops_the_app_with_a_message_not_a_traceback():
    env = {**os.environ, "FAQ_ENGINE_METHOD": "fuzzy", "GRADIO_ANALYTICS_ENABLED": "False"}
    out = subprocess.run([sys.executable, "app.py"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 1
    assert "FAQ_ENGINE_METHOD='fuzzy' is not one of" in out.stderr and "Traceback" not in out.stderr


def test_api_search_is_the_engines_own_search(app, reference_engine):
    hits = client(app).predict(TUTORIAL_QUERY, 5, api_name="/search")
    expected = [h.to_dict() for h in reference_engine.search(TUTORIAL_QUERY, 5)]
    assert hits == expected  # same ids, order and scores, every field
    assert json.loads(json.dumps(hits)) == hits
    assert [h["id"] for h in hits] == TUTORIAL_IDS
    assert [round(h["score"], 4) for h in hits] == TUTORIAL_SCORES
    assert hits[0]["id"] == "8" and round(hits[0]["score"], 4) == 0.7565


def test_top_k_is_honoured_within_the_slider_range(app):
    c = client(app)
    assert len(c.predict("How do I replace my Medicare card?", 1, api_name="/search")) == 1
    ten = c.predict("How do I replace my Medicare card?", 10, api_name="/search")
    assert [h["rank"] for h in ten] == list(range(1, 11))
    with pytest.raises(AppError, match="greater than maximum value 10"):
        c.predict("How do I replace my Medicare card?", 50, api_name="/search")


def test_an_empty_question_is_a_message_not_a_traceback(app):
    with pytest.raises(AppError) as info:
        client(app).predict("   ", 5, api_name="/search")
    assert "question is empty" in str(info.value)
    assert "Traceback" not in str(info.value)


def test_an_uploaded_file_is_searched_only_in_that_session(app, tmp_path):
    mine, other = client(app), client(app)
    mine.predict(handle_file(str(write_csv(tmp_path / "pets.csv", [{"question": q, "answer": a} for q, a in PETS]))), api_name="/load_file")
    hits = mine.predict("what should my kitten eat", 3, api_name="/search")
    assert hits[0]["question"] == "How often should I feed my cat?"
    assert {h["question"] for h in hits} == {q for q, _ in PETS}
    assert other.predict(TUTORIAL_QUERY, 1, api_name="/search")[0]["id"] == "8"  # another session: untouched
    mine.predict(api_name="/use_default")
    assert mine.predict(TUTORIAL_QUERY, 1, api_name="/search")[0]["id"] == "8"


def test_a_bad_file_says_what_to_fix_in_the_data_panel(app, tmp_path):
    bad = tmp_path / "faq.csv"
    bad.write_text("title,body\nHello,World\n", encoding="utf-8")
    c = client(app)
    message = c.predict(handle_file(str(bad)), api_name="/load_file")[0]  # the data panel's message
    assert "no question column" in message and "'title', 'body'" in message
    assert 'Name your question column "question"' in message and "--question-column" not in message
    assert "Traceback" not in message and str(tmp_path) not in message
    assert c.predict(TUTORIAL_QUERY, 1, api_name="/search")[0]["id"] == "8"  # the FAQ set in use is untouched
    empty = tmp_path / "faq.jsonl"
    empty.write_text('{"question": "Fine?", "answer": "Yes"}\n{"question": " ", "answer": "No"}\n', encoding="utf-8")
    assert "Empty question in row\\(s\\) 2" in c.predict(handle_file(str(empty)), api_name="/load_file")[0]
    odd = tmp_path / "faq.txt"
    odd.write_text("question?\n", encoding="utf-8")
    said = client(app).predict(handle_file(str(odd)), api_name="/load_file")[0]
    assert "faq.txt: unsupported file type '.txt'; use CSV" in said  # said in the panel, not a toast


def test_uploads_are_capped_in_size(app, tmp_path):
    big = tmp_path / "huge.csv"
    with big.open("w", encoding="utf-8") as fh:
        fh.write("question,answer\n")
        fh.write(("What is this padding for?," + "x" * 1000 + "\n") * 26_000)  # 26 MB
    said = client(app).predict(handle_file(str(big)), api_name="/load_file")[0]
    assert "huge.csv is 25.5 MB: upload a file of at most 25 MB" in said
    with big.open("a", encoding="utf-8") as fh:  # past 4x the cap, the server takes no more of it
        fh.write(("What is this padding for?," + "x" * 1000 + "\n") * 80_000)
    with pytest.raises(ValueError, match="exceeds the maximum file size"):
        client(app).predict(handle_file(str(big)), api_name="/load_file")


def test_a_hub_dataset_loads_for_the_session(app, hub, embedder, tmp_path):
    entries = [FaqEntry(str(i), q, a) for i, (q, a) in enumerate(PETS)]
    meta = DatasetMeta(embedder.model_id, embedder.dim, True, "question", len(entries), __version__)
    write_dataset(tmp_path / "pets", entries, embedder.embed([e.question for e in entries]), meta, "pets", "user/pets")
    push_dataset(tmp_path / "pets", "user/pets", access=HubAccess(HUB_TOKEN, hub.url))
    c = client(app)
    _, _, _, status, *_ = c.predict("user/pets", "", api_name="/load_hub")
    assert "user/pets" in status and "3 questions" in status and "Hub dataset" in status
    assert c.predict("my dog is noisy at night", 1, api_name="/search")[0]["id"] == "1"


@pytest.mark.parametrize("text, message", [
    ("user/no-such-faqs", "was not found"),
    ("tests/data", "is not a Hub dataset id"),  # a folder next to app.py: never read from the browser
    ("/etc/passwd", "is not a Hub dataset id"),
    ("", "Type a Hub dataset id"),
])
def test_the_hub_box_only_loads_hub_datasets(app, text, message):
    said = client(app).predict(text, "", api_name="/load_hub")[0]  # in the data panel; nothing else changes
    assert message in said and "Traceback" not in said


def test_only_search_and_feedback_are_documented(app):
    info = client(app).view_api(print_info=False, return_format="dict")
    assert list(info["named_endpoints"]) == ["/search", "/feedback"]
    params = [(p["parameter_name"], p["python_type"]["type"]) for p in info["named_endpoints"]["/feedback"]["parameters"]]
    assert params == [("question", "str"), ("faq_id", "str"), ("helpful", "bool")]


# --- the Space card ------------------------------------------------------------------------

SPACE_COLOURS = {"red", "yellow", "green", "blue", "indigo", "purple", "pink", "gray"}


def test_the_readme_is_a_valid_space_card_for_this_app():
    from huggingface_hub import SpaceCard

    text = (ROOT / "README.md").read_text(encoding="utf-8")
    assert text.startswith("---\n"), "README.md must start with the Space's YAML front matter"
    card = SpaceCard(text).data.to_dict()
    pin = re.search(r"^gradio==(\S+)$", (ROOT / "requirements.txt").read_text(), re.M).group(1)
    assert card["sdk"] == "gradio" and str(card["sdk_version"]) == pin
    assert card["app_file"] == "app.py" and (ROOT / card["app_file"]).is_file()
    assert card["title"] and card["emoji"] and card["license"]
    assert card["colorFrom"] in SPACE_COLOURS and card["colorTo"] in SPACE_COLOURS
    assert 0 < len(card["short_description"]) <= 60
    assert "sentence-transformers/all-MiniLM-L6-v2" in card["models"] and card["datasets"]
    assert 'api_name="/search"' in text and "python app.py" in text


# --- the view, in-process ---------------------------------------------------------------


def fake_corpus(n: int) -> tuple[DemoHandlers, HashEmbedder]:
    fake = HashEmbedder("fake-model", 16)
    entries = tuple(FaqEntry(str(i), f"question {i}", f"answer {i}") for i in range(n))
    faqs = FaqSet("fake", entries, fake.embed([e.question for e in entries]), fake.model_id)
    fake.calls.clear()
    corpus = make_corpus(faqs, MemoryEngine(faqs, fake, method="dense"), "test")
    return DemoHandlers(corpus, env_settings()), fake


def test_the_question_is_embedded_once_per_search():
    handlers, fake = fake_corpus(50)
    hits, view = handlers.search("  where is my answer  ", 5, None)
    assert fake.calls == [["where is my answer"]]
    np.testing.assert_allclose(view.query_vector, fake.embed(["where is my answer"])[0])


def test_the_map_marks_the_question_and_its_nearest_faqs(embedder):
    engine = MemoryEngine(load_bundled("medicare", embedder), embedder, method="dense")
    handlers = DemoHandlers(make_corpus(engine.faqs, engine, "bundled"), env_settings())
    hits, view = handlers.search(TUTORIAL_QUERY, 5, None)
    frame = map_frame(view)
    assert frame["kind"].value_counts().to_dict() == {"FAQ": 8, "nearest FAQs": 5, "your question": 1}
    nearest = frame[frame["kind"] == "nearest FAQs"]
    assert set(nearest["question"]) == {h["question"] for h in hits}
    assert nearest.iloc[-1]["question"] == hits[0]["question"]  # the best is drawn last, on top
    assert nearest.iloc[-1]["score"] == f"{hits[0]['score']:.3f}"
    query = frame[frame["kind"] == "your question"].iloc[0]
    expected = view.corpus.projection.transform(embedder.embed([TUTORIAL_QUERY]))[0]
    assert (query["x"], query["y"]) == pytest.approx(tuple(expected), abs=1e-3)


def test_before_a_search_the_map_shows_every_faq_and_keeps_all_colours():
    handlers, _ = fake_corpus(20)
    frame = map_frame(View(handlers.default, ()))
    drawn = frame.dropna(subset=["x", "y"])
    assert len(drawn) == 20 and set(drawn["kind"]) == {"FAQ"}
    assert set(frame["kind"]) == set(MAP_COLOURS)  # legend colours stay fixed in the browser


def test_a_large_set_is_sampled_on_the_map_but_never_drops_a_hit():
    handlers, _ = fake_corpus(MAX_MAP_POINTS * 3)
    hits, view = handlers.search("question 4", 10, None)
    frame = map_frame(view)
    assert len(frame) <= MAX_MAP_POINTS + 10 + 1
    assert {h["question"] for h in hits} <= set(frame[frame["kind"] == "nearest FAQs"]["question"])


def calibrated_corpus(handlers: DemoHandlers, bias: float):
    """The fake set with a calibration whose every match is ``sigmoid(bias)``."""
    flat = Logistic((0.0, 0.0, 0.0), bias)
    engine = MemoryEngine(handlers.default.engine.faqs, handlers.default.engine.embedder, method="dense",
                          calibration=Calibration(flat, flat))
    return corpus_for(engine, "test")


def test_no_confident_match_is_said_above_the_nearest_faqs_with_the_best_match():
    handlers, _ = fake_corpus(30)
    view = handlers.search("something unrelated", 3, calibrated_corpus(handlers, -1.0))[1]  # 27% match
    message, results, _, _ = render(view)
    assert "This FAQ set does not seem to answer that" in message and "27% match" in message and "50%" in message
    assert '<p class="faq-explain"><b>The nearest FAQs (none seems to answer your question)' in results
    assert results.startswith('<section aria-live="polite" aria-label="Search results">')
    assert results.count("Possibly related (27%)") == 3 and results.count("27% match") == 3
    strong = handlers.search("something", 3, calibrated_corpus(handlers, 2.0))[1]  # 88% match
    message, results, _, _ = render(strong)
    assert "does not seem to answer" not in message and results.count("Likely answers your question (88%)") == 3
    weak = handlers.search("something", 3, calibrated_corpus(handlers, -3.0))[1]  # 5% match
    assert render(weak)[1].count("Probably not it (5%)") == 3


class RefusingApi:
    """An Inference API stand-in that refuses the token, as a revoked one is refused."""

    model_id = "sentence-transformers/all-MiniLM-L6-v2"
    dim = 384
    status = "Inference API"

    def embed(self, texts):
        raise ApiAuthError("The Inference API refused the token (401): create a new one with read access.")


def test_the_status_line_says_which_embedder_answers_and_why_it_fell_back(embedder):
    api = FallbackEmbedder(RefusingApi(), lambda: embedder)
    faqs = load_bundled("medicare", embedder)
    handlers = DemoHandlers(make_corpus(faqs, MemoryEngine(faqs, api, method="dense"), "bundled"), env_settings())
    before = render(View(handlers.default, ()))[3]
    assert "**Embedder:** Inference API" in before
    assert "**Model:** sentence\\-transformers/all\\-MiniLM\\-L6\\-v2" in before
    assert "**FAQs:** medicare (bundled, 13 questions)" in before
    hits, view = handlers.search(TUTORIAL_QUERY, 5, None)
    assert hits[0]["id"] == "8"  # answered by the local model
    after = render(view)[3]
    embedder_part = after.split(" · ")[0]
    assert embedder_part.startswith("**Embedder:** local model \\(fell back: ") and "token" in embedder_part


def test_markdown_text_is_shown_literally():
    text = md_text("<script>alert(1)</script> *bold* [link](x) `code`")
    assert "<" not in text and ">" not in text
    assert "&lt;script&gt;" in text and r"\*bold\*" in text and r"\[link\]\(x\)" in text


def test_unexpected_failures_are_a_generic_message():
    with pytest.raises(gr.Error) as info:
        user_errors(lambda: 1 / 0)()
    assert "went wrong" in info.value.message and "ZeroDivision" not in info.value.message


def test_the_upload_estimate_comes_from_the_pace_so_far():
    started = time.monotonic() - 10  # 10 s for the first 100 FAQs
    assert _time_left(started, 100, 300) == ", about 20 s left"
    assert _time_left(started, 100, 1000) == ", about 2 min left"
    assert _time_left(started, 0, 300) == "" and _time_left(started, 300, 300) == ""  # no pace yet, or done


def test_one_large_set_loads_at_a_time_so_small_ones_still_can(tmp_path):
    handlers, _ = fake_corpus(5)
    big, small = tmp_path / "big.csv", tmp_path / "small.csv"
    big.write_text("question,answer\n" + "".join(f"Q{i}?,A{i}.\n" for i in range(BIG_LOAD + 1)), encoding="utf-8")
    small.write_text("question,answer\nQ?,A.\n", encoding="utf-8")
    quiet = dict(progress=lambda *a, **k: None)
    assert handlers._big_load.acquire(blocking=False)  # another visitor's large set is loading
    said = handlers.load_file(str(big), **quiet)[1]
    assert "Another large FAQ set is being loaded" in said and len(handlers.sessions) == 0
    assert "Loaded **1**" in handlers.load_file(str(small), **quiet)[1]  # a small one is not held up
    handlers._big_load.release()  # that load ended
    assert f"Loaded **{BIG_LOAD + 1}**" in handlers.load_file(str(big), **quiet)[1]
    assert handlers._big_load.acquire(blocking=False)  # and this one gave its room back
