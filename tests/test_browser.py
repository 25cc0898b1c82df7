"""The demo in a real browser: Debian's Chromium driven by Playwright, headless.

A user types a question and presses Enter; an uploaded FAQ file full of markup
must show as text and run nothing.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from urllib.parse import urlencode

import pytest

from tests.support.app_runner import RunningApp
from tests.support.tutorial import TUTORIAL_QUERY

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
WAIT_MS = 30_000  # every wait is bounded
SCRIPT = "<script>alert(1)</script>"
IMAGE = "<img src=x onerror=alert(1)>"
HOSTILE_FAQS = [
    (f"How do I reset my password? {SCRIPT}", f"Use the reset link. {IMAGE}"),
    (f"Where is my invoice? {IMAGE}", f"Under Billing. {SCRIPT}"),
    ("How do I close my account?", "Write to support **today** [here](javascript:alert(1))."),
]

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists() and not shutil.which("chromium"),
                                reason="needs Debian's chromium (make chromium)")


@pytest.fixture(scope="module")
def app():
    running = RunningApp({}).wait_ready()
    yield running
    running.stop()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def open_page(browser, app, width: int, height: int):
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    page.dialogs = []  # every alert/confirm/prompt the page tries to open
    page.on("dialog", lambda dialog: (page.dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(app.url, timeout=WAIT_MS)
    return context, page


@pytest.fixture
def page(browser, app):
    context, page = open_page(browser, app, 1280, 1600)
    yield page
    context.close()


SIZES = {"desktop": (1280, 800), "phone": (390, 844)}


@pytest.fixture(params=list(SIZES))
def sized(request, browser, app):
    context, page = open_page(browser, app, *SIZES[request.param])
    yield page
    context.close()


def cards(page):
    return page.locator("#results .faq-card")


def ask(page, question: str) -> None:
    box = page.locator("#question textarea, #question input").first
    box.fill(question)
    box.press("Enter")


def on_screen(page, locator) -> bool:
    box, height = locator.bounding_box(), page.viewport_size["height"]
    return box is not None and 0 <= box["y"] and box["y"] + 24 <= height


def test_the_best_answer_comes_first_on_screen_at_desktop_and_phone_sizes(sized):
    ask(sized, "I lost my Medicare card, how can I get a new one?")
    best = sized.locator("#results .faq-best")
    best.get_by_text("How do I get a replacement Medicare card?").wait_for()
    assert best.locator(".faq-answer").inner_text().startswith("Sign in to your Medicare account online")
    assert on_screen(sized, best.locator(".faq-answer"))  # no scrolling needed to read it
    assert cards(sized).count() == 5 and "Likely answers your question (" in best.inner_text()
    matches = [int(t.split("% match")[0].split()[-1]) for t in cards(sized).locator(".faq-meta").all_inner_texts()]
    assert matches[0] >= 50 and matches == sorted(matches, reverse=True)  # "87% match", never rising
    assert best.locator("a[href^='https://']").count() == 1  # its source
    assert sized.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")  # never sideways
    marks = sized.locator("#faq-map g.mark-symbol path[aria-label*='your question']")
    marks.first.wait_for(state="attached")
    assert sized.locator("#faq-map g.mark-symbol path[aria-label*='nearest FAQs']").count() == 5


def test_scores_never_increase_down_the_list_and_are_explained(page):
    ask(page, "How much does Part B cost each month?")
    cards(page).nth(4).wait_for()
    metas = cards(page).locator(".faq-meta").all_inner_texts()
    shown = [float(t.split("similarity ")[1].split()[0]) for t in metas]  # the app here ranks by cosine
    assert shown == sorted(shown, reverse=True)
    assert "Ordered by similarity" in page.locator("#results .faq-explain").inner_text()


def test_clicking_an_unrelated_example_says_the_faqs_do_not_answer_it(page):
    page.get_by_text("What is the best pizza topping?", exact=True).click()
    page.locator("#message").get_by_text("This FAQ set does not seem to answer that").wait_for()
    assert page.locator("#question textarea, #question input").first.input_value() == "What is the best pizza topping?"
    assert cards(page).count() > 0 and "Probably not it (" in cards(page).first.inner_text()  # still reachable


def test_top_k_reruns_and_an_empty_question_clears_with_a_hint(page):
    ask(page, TUTORIAL_QUERY)
    cards(page).nth(4).wait_for()
    slider = page.locator("#top-k input[type=number]")
    slider.fill("2")
    slider.press("Enter")
    page.wait_for_function("() => document.querySelectorAll('#results .faq-card').length === 2")
    ask(page, "   ")
    page.locator("#message").get_by_text("Type a question above").wait_for()
    assert cards(page).count() == 0


def test_a_long_question_is_said_to_be_cut(page):
    ask(page, "I would like to understand my options in some detail. " * 40 + TUTORIAL_QUERY)
    page.locator("#message").get_by_text("the model read only its first").wait_for()


def test_a_bad_upload_is_explained_in_the_data_panel_and_keeps_the_results(page, tmp_path):
    ask(page, TUTORIAL_QUERY)
    cards(page).nth(4).wait_for()
    bad = tmp_path / "faqs.csv"
    bad.write_text("title,body\nHow?,So.\n", encoding="utf-8")
    page.locator("#data-source").get_by_text("FAQ data").first.click()
    page.locator("#upload input[type=file]").set_input_files(str(bad))
    page.locator("#data-message").get_by_text('Name your question column "question"').wait_for()
    assert cards(page).count() == 5 and "14 questions" not in page.locator("#status").inner_text()
    assert "13 questions" in page.locator("#status").inner_text()


def upload_pets(page, tmp_path) -> None:
    """Upload a two-FAQ set through the data panel, and wait until it is loaded."""
    path = tmp_path / "pets.csv"
    path.write_text("question,answer\nHow often should I feed my cat?,Twice a day.\n"
                    "Can rabbits live outdoors?,With shelter.\n", encoding="utf-8")
    page.locator("#data-source").get_by_text("FAQ data").first.click()
    page.locator("#upload input[type=file]").set_input_files(str(path))
    page.locator("#data-message").get_by_text("Loaded 2 FAQs").wait_for()


def test_a_new_dataset_changes_the_map_examples_and_placeholder(page, tmp_path):
    upload_pets(page, tmp_path)
    page.get_by_text("Can rabbits live outdoors?", exact=True).wait_for()  # an example from the new set
    box = page.locator("#question textarea, #question input").first
    assert box.get_attribute("placeholder") == "e.g. How often should I feed my cat?"
    assert "2 questions" in page.locator("#status").inner_text()
    page.locator("#faq-map").get_by_text("2 FAQs").wait_for()


def test_markup_in_faqs_shows_literally_and_runs_nothing(page, tmp_path):
    path = tmp_path / f"faqs {IMAGE}.jsonl"
    path.write_text("".join(json.dumps({"question": q, "answer": a}) + "\n" for q, a in HOSTILE_FAQS), encoding="utf-8")
    page.locator("#data-source").get_by_text("FAQ data").first.click()
    page.locator("#upload input[type=file]").set_input_files(str(path))
    page.locator("#data-message").get_by_text("Loaded 3 FAQs").wait_for()
    ask(page, f"I forgot my password {SCRIPT}")
    best = page.locator("#results .faq-best")
    best.get_by_text(SCRIPT, exact=False).wait_for()
    assert best.locator("h2").inner_text().strip() == HOSTILE_FAQS[0][0]
    assert best.locator(".faq-answer").inner_text().strip() == HOSTILE_FAQS[0][1]
    assert "3 questions" in page.locator("#status").inner_text()
    # The map's tooltips show the questions as text too.
    for mark in page.locator("#faq-map g.mark-symbol path[aria-label]").all():
        mark.hover(force=True)
    page.locator("#faq-map g.mark-symbol path[aria-label*='reset my password']").hover(force=True)
    tooltip = page.locator("#vg-tooltip-element")
    tooltip.get_by_text(HOSTILE_FAQS[0][0]).wait_for()
    assert tooltip.locator("script, img").count() == 0
    page.get_by_text("Results as JSON").click()  # the raw results, as the API returns them
    page.locator("#raw").get_by_text(HOSTILE_FAQS[0][0], exact=False).first.wait_for()
    assert page.dialogs == []
    assert page.locator("img[src='x'], #results script, #results img, #status script").count() == 0
    assert page.evaluate("() => document.querySelectorAll('a[href^=\"javascript\"]').length") == 0


def wait_for_faq_points(page, n: int) -> None:
    """Until the map draws ``n`` FAQ points (not the question, not its nearest FAQs)."""
    page.wait_for_function("n => document.querySelectorAll(\"#faq-map g.mark-symbol path[aria-label*='kind: FAQ']\")"
                           ".length === n", arg=n, timeout=15_000)


def test_the_map_redraws_its_points_when_the_faq_set_changes(page, tmp_path):
    wait_for_faq_points(page, 13)
    upload_pets(page, tmp_path)
    wait_for_faq_points(page, 2)
    page.locator("#reset").click()
    page.locator("#data-message").get_by_text("Searching the 13").wait_for()
    wait_for_faq_points(page, 13)


def test_a_shared_link_opens_the_page_with_its_question_answered(browser, app):
    context, page = open_page(browser, app, 1280, 900)
    page.goto(f"{app.url}/?{urlencode({'q': 'I lost my Medicare card, how can I get a new one?'})}")
    best = page.locator("#results .faq-best")
    best.get_by_text("How do I get a replacement Medicare card?").wait_for()
    assert page.locator("#question textarea, #question input").first.input_value().startswith("I lost my Medicare")
    link = best.locator("a.faq-self")
    assert link.get_attribute("href") == "?" + urlencode({"q": "I lost my Medicare card, how can I get a new one?"}) + "#faq-1"
    sources = page.locator("#results a[aria-label^='Source of: ']")
    assert sources.count() == cards(page).locator("a", has_text="Source").count() > 0  # named by their FAQ
    assert page.locator("#results section[aria-live='polite']").count() == 1
    context.close()
