"""The demo in a real browser: Debian's Chromium driven by Playwright, headless.

A user types a question and presses Enter; an uploaded FAQ file full of markup
must show as text and run nothing.
"""

from __future__ import annotations

import json
import re
import shutil
import uuid
from pathlib import Path
from urllib.parse import urlencode

import pytest

from tests.support.app_runner import ROOT, RunningApp
from tests.support.tutorial import TUTORIAL_QUERY

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
WAIT_MS = 30_000  # every wait is bounded
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"  # package.json; `make test` installs it
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


SIZES = {"desktop": (1280, 800), "phone": (390, 844)}
TALL = {"desktop": (1280, 1600), "phone": (390, 844)}  # the whole results and the data panel in view at once


@pytest.fixture(params=list(TALL))
def page(request, browser, app):
    """A fresh page at desktop and at phone size: every test that takes it runs at both."""
    context, page = open_page(browser, app, *TALL[request.param])
    yield page
    context.close()


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


def test_the_map_is_described_in_words_and_the_page_says_what_it_searches(sized):
    about = sized.locator("#about").inner_text()
    assert "13 FAQs about Medicare" in about and "FAQ data" in about  # and where to bring one's own
    sized.locator("#faq-map").get_by_text("each grey point is one of 13 FAQs").wait_for()
    assert sized.locator("#send-feedback").is_hidden()  # no "Send" before there is anything to say
    ask(sized, "I lost my Medicare card, how can I get a new one?")
    sized.locator("#send-feedback").wait_for()
    sized.locator("#faq-map").get_by_text("your question (blue) lies nearest to “How do I get a replacement "
                                          "Medicare card?”").wait_for()


def serious_violations(page) -> list[str]:
    """What axe-core's standard rules (WCAG 2.1 A and AA, and best practice) find serious or critical on the
    page as it is now."""
    assert AXE.exists(), "axe-core is missing: run `npm ci` (make test does)"
    page.wait_for_function("() => { const examples = [...document.querySelectorAll('.gallery-item')]; "
                           "return document.title === 'FAQ search' && examples.length > 0 "
                           "&& examples.every(e => e.textContent.trim()) }")  # Gradio has drawn the page
    page.add_script_tag(path=str(AXE))
    return page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
        ".filter(v => ['serious', 'critical'].includes(v.impact))"
        ".map(v => v.id + ': ' + v.nodes.map(n => n.target.join(' ') + ' ' + n.html.slice(0, 300)).join(', '))")


def test_axe_finds_nothing_serious_before_and_after_a_search(sized):
    assert serious_violations(sized) == []
    ask(sized, TUTORIAL_QUERY)
    cards(sized).nth(4).wait_for()
    sized.locator("#data-source").get_by_text("FAQ data").first.click()  # its controls too
    sized.locator("#hub-id").wait_for()
    assert serious_violations(sized) == []


FOCUS_RING = """() => {
  const e = document.activeElement;
  if (!e || e === document.body) return null;
  const s = getComputedStyle(e);
  const ring = (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0) || s.boxShadow !== 'none';
  return {name: e.id || e.getAttribute('aria-label') || e.outerHTML.slice(0, 80), ring};
}"""


def test_every_control_shows_where_the_keyboard_is(sized):
    ask(sized, TUTORIAL_QUERY)
    cards(sized).nth(4).wait_for()
    sized.locator("#data-source").get_by_text("FAQ data").first.click()
    sized.locator("#hub-id").wait_for()
    sized.locator("#question textarea").focus()
    reached, unringed = set(), []
    for _ in range(45):  # the question box to the page's end
        sized.keyboard.press("Tab")
        found = sized.evaluate(FOCUS_RING)
        if found:
            reached.add(found["name"])
            if not found["ring"]:
                unringed.append(found["name"])
    assert any("range" in name for name in reached)  # the top-k slider is reached, and shows it
    assert unringed == []


def test_headings_and_bold_text_are_in_one_font_with_every_glyph(page):
    ask(page, "How much does Part B cost each month?")
    cards(page).nth(4).wait_for()
    fonts = page.evaluate("() => [...document.querySelectorAll('h1, #results h2, #results .faq-tag, button')]"
                          ".map(e => getComputedStyle(e).fontFamily)")
    assert fonts and not [f for f in fonts if "Source Sans" in f]  # Gradio's face lacks small letters' glyphs


def test_a_long_question_stays_in_view_as_it_is_typed(sized):
    question = "I moved to another state last year and my employer coverage ended, so " * 3 + "what now?"
    box = sized.locator("#question textarea")
    box.fill(question)
    assert box.evaluate("e => e.scrollHeight <= e.clientHeight + 2")  # every line shown, none scrolled away
    box.press("Enter")  # Enter still asks
    cards(sized).first.wait_for()


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
    assert page.locator("[data-testid='toast-body']").count() == 0  # a hint, not a red error


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


def test_a_file_of_another_type_or_too_large_is_explained_in_the_data_panel_and_the_set_stays(page, tmp_path):
    ask(page, TUTORIAL_QUERY)
    cards(page).nth(4).wait_for()
    page.locator("#data-source").get_by_text("FAQ data").first.click()
    notes = tmp_path / "notes.txt"
    notes.write_text("question,answer\nA?,B.\n", encoding="utf-8")
    page.locator("#upload input[type=file]").set_input_files(str(notes))
    page.locator("#data-message").get_by_text("notes.txt: unsupported file type '.txt'; use CSV (.csv)").wait_for()
    huge = tmp_path / "huge.csv"
    huge.write_text("question,answer\n" + "x" * (26 * 2**20) + ",y\n", encoding="utf-8")
    page.locator("#upload input[type=file]").set_input_files(str(huge))
    page.locator("#data-message").get_by_text("huge.csv is 26.0 MB: upload a file of at most 25 MB").wait_for()
    assert page.locator("[data-testid='toast-body']").count() == 0  # said where the file was given, not a toast
    assert "huge" not in page.locator("#upload").inner_text()  # the refused file is not shown as loaded
    assert "13 questions" in page.locator("#status").inner_text() and cards(page).count() == 5  # all stays
    page.wait_for_timeout(500)
    assert "huge.csv is" in page.locator("#data-message").inner_text()  # the emptied box changed nothing else


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
    assert "2 FAQs" in page.locator("#about").inner_text()
    page.locator("#reset").click()
    page.locator("#data-message").get_by_text("Searching the 13").wait_for()
    wait_for_faq_points(page, 13)
    page.locator("#upload").get_by_text("Drop File Here").wait_for()  # the upload box no longer names pets.csv
    assert "pets" not in page.locator("#upload").inner_text()
    assert "13 FAQs" in page.locator("#about").inner_text()


def test_a_question_asked_while_a_set_loads_says_which_set_answered_then_is_asked_again(page, tmp_path):
    path, fresh = tmp_path / "widgets.csv", uuid.uuid4().hex  # seconds to embed: its own texts, none cached
    path.write_text("question,answer\n" + "".join(f"How do I configure widget number {i} for team {7 * i} "
                                                   f"({fresh})?,Open the settings and choose widget {i}.\n"
                                                   for i in range(2000)), encoding="utf-8")
    page.locator("#data-source").get_by_text("FAQ data").first.click()
    page.locator("#upload input[type=file]").set_input_files(str(path))
    progress = page.locator("#data-source").get_by_text(re.compile(r"/2k FAQs"))  # FAQs, not texts (4k)
    progress.first.wait_for()
    page.locator("#data-source").get_by_text(re.compile(r"Embedding the FAQs, about \d+ s left")).first.wait_for()
    ask(page, "How do I set up widget 12?")
    page.locator("#message").get_by_text("widgets.csv is still loading: these answers come from the medicare "
                                          "FAQs").wait_for()
    page.locator("#data-message").get_by_text("Loaded 2000 FAQs").wait_for(timeout=120_000)
    page.locator("#results .faq-best").get_by_text("How do I configure widget number 12 for team 84 (").wait_for()
    assert "still loading" not in page.locator("#message").inner_text()


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


def test_the_cards_say_in_words_how_likely_each_answer_is_also_for_a_question_in_spanish(page):
    ask(page, "I lost my Medicare card, how can I get a new one?")  # right
    page.locator("#results .faq-best").get_by_text("Likely answers your question (").wait_for()
    ask(page, "How do I replace my lost driver's license?")  # a near miss: close words, another card
    page.locator("#message").get_by_text("This FAQ set does not seem to answer that").wait_for()
    assert "Possibly related (" in page.locator("#results .faq-best").inner_text()  # not a confident answer
    ask(page, "What is the best pizza topping?")  # nothing in the set is near it
    page.locator("#results .faq-best").get_by_text("Probably not it (").wait_for()
    assert "This FAQ set does not seem to answer that" in page.locator("#message").inner_text()
    ask(page, "¿Cómo obtengo una nueva tarjeta de Medicare?")  # confident before the cap; right 1 time in 4
    page.locator("#message").get_by_text("Your question seems to be in Spanish. These FAQs are in English").wait_for()
    said = re.search(r"(?:Possibly related|Probably not it) \((\d+)%\)", page.locator("#results .faq-best").inner_text())
    assert said and int(said.group(1)) <= 25  # capped at what the model earns on such questions
    assert "Likely answers" not in page.locator("#results").inner_text()
