"""The demo in a real browser: Debian's Chromium driven by Playwright, headless.

A user types a question and presses Enter; an uploaded FAQ file full of markup
must show as text and run nothing.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from app_runner import RunningApp
from conftest import TUTORIAL_QUERY

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


@pytest.fixture
def page(browser, app):
    context = browser.new_context(viewport={"width": 1280, "height": 1600})
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    page.dialogs = []  # every alert/confirm/prompt the page tries to open
    page.on("dialog", lambda dialog: (page.dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(app.url, timeout=WAIT_MS)
    yield page
    context.close()


def cell(page, row: int, col: int):
    return page.locator(f'#results [data-testid="cell-{row}-{col}"]')


def ask(page, question: str) -> None:
    box = page.locator("#question textarea, #question input").first
    box.fill(question)
    box.press("Enter")


def test_typing_a_question_and_pressing_enter_shows_the_top_faq_and_its_score(page):
    ask(page, TUTORIAL_QUERY)
    top = "How can I get help with my Medicare Part A and Part B premiums?"
    cell(page, 0, 1).get_by_text(top).wait_for()
    assert cell(page, 0, 0).inner_text().strip() == "1"
    assert cell(page, 0, 3).inner_text().strip() == "0.757"
    bar = cell(page, 0, 3).get_attribute("style") or ""
    assert "linear-gradient" in bar and "75.7%" in bar  # the score bar: as long as the score
    assert page.locator("#status").get_by_text("local model").count() == 1
    assert "No confident match" not in page.locator("#message").inner_text()
    # The map marks the question and its nearest FAQs.
    marks = page.locator("#faq-map g.mark-symbol path[aria-label*='your question']")
    marks.first.wait_for(state="attached")
    assert page.locator("#faq-map g.mark-symbol path[aria-label*='nearest FAQs']").count() == 5


def test_clicking_an_unrelated_example_says_no_confident_match(page):
    page.get_by_text("What is the best pizza topping?", exact=True).click()
    page.locator("#message").get_by_text("No confident match").wait_for()
    assert page.locator("#question textarea, #question input").first.input_value() == "What is the best pizza topping?"
    assert cell(page, 0, 1).inner_text().strip()  # the nearest FAQs are still listed


def test_markup_in_faqs_shows_literally_and_runs_nothing(page, tmp_path):
    path = tmp_path / f"faqs {IMAGE}.jsonl"
    path.write_text("".join(json.dumps({"question": q, "answer": a}) + "\n" for q, a in HOSTILE_FAQS), encoding="utf-8")
    page.locator("#data-source").get_by_text("FAQ data").first.click()
    page.locator("#upload input[type=file]").set_input_files(str(path))
    page.locator("#message").get_by_text("Loaded 3 FAQs").wait_for()
    ask(page, f"I forgot my password {SCRIPT}")
    cell(page, 0, 1).get_by_text(SCRIPT, exact=False).wait_for()
    assert cell(page, 0, 1).inner_text().strip() == HOSTILE_FAQS[0][0]
    assert cell(page, 0, 2).inner_text().strip() == HOSTILE_FAQS[0][1]
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
    assert page.locator("img[src='x'], #results script, #status script").count() == 0
    assert page.evaluate("() => document.querySelectorAll('a[href^=\"javascript\"]').length") == 0
