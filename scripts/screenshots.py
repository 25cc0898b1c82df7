"""Screenshots of the demo answering a question in a user's words, at desktop and phone sizes, for the README.

Starts ``python app.py`` (its default ranking), drives Debian's Chromium with Playwright,
and writes docs/screenshot-desktop.png (1280x800) and docs/screenshot-phone.png (390x844).

    python -m scripts.screenshots
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

from tests.support.app_runner import RunningApp  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync"]
QUESTION = "I lost my Medicare card, how can I get a new one?"


def main() -> None:
    from playwright.sync_api import sync_playwright

    app = RunningApp({"FAQ_ENGINE_METHOD": "", "FAQ_ENGINE_FIELDS": ""}).wait_ready()  # empty: the defaults
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
            for name, (width, height) in {"desktop": (1280, 800), "phone": (390, 844)}.items():
                page = browser.new_page(viewport={"width": width, "height": height})
                page.goto(app.url, timeout=30_000)
                box = page.locator("#question textarea, #question input").first
                box.fill(QUESTION)
                box.press("Enter")
                page.locator("#results .faq-best").wait_for(timeout=30_000)
                path = ROOT / "docs" / f"screenshot-{name}.png"
                page.screenshot(path=str(path))
                print(f"wrote {path.relative_to(ROOT)}")
                page.close()
            browser.close()
    finally:
        app.stop()


if __name__ == "__main__":
    main()
