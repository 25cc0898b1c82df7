"""The page's look, to WCAG 2.1 AA: one font with every glyph, text at 4.5:1 or more, and a focus ring
on every control (Gradio's defaults miss all three; see tests/test_browser.py's axe-core checks)."""

from __future__ import annotations

from .results import CSS as RESULTS_CSS

# Gradio's bundled semi-bold face holds only some glyphs, so bold text mixed two fonts ("Part ᴀ"): the
# system's own sans-serif has them all. axe-core measured the primary orange (#f97316) under white text at 2.8:1
# and Gradio's footer, the slider's bounds and the upload's "- or -" (#bbbbc2 on white) at 1.9:1, under the 4.5:1
# AA asks; the darker colours here pass its check (tests/test_browser.py).
PAGE_CSS = """
.gradio-container, .gradio-container button, .gradio-container input, .gradio-container textarea{
  font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans","Liberation Sans",Arial,sans-serif !important}
:root, .dark{--button-primary-background-fill:#c2410c;--button-primary-background-fill-hover:#9a3412;
  --button-primary-text-color:#ffffff;--button-primary-border-color:#c2410c;--input-placeholder-color:#4b5563}
footer, footer a, footer button, footer div, .gradio-container .max_value, .gradio-container .min_value,
#upload .or{
  color:#4b5563 !important}
.gradio-container input:focus-visible, .gradio-container textarea:focus-visible,
.gradio-container button:focus-visible, .gradio-container a:focus-visible,
.gradio-container [role=radio]:focus-visible{
  outline:3px solid #1d4ed8 !important;outline-offset:2px}
#about{margin-top:-6px}
"""
CSS = PAGE_CSS + RESULTS_CSS

# Gradio names its upload area "Click to upload or drop files" while it reads "Drop File Here - or - Click to
# Upload": someone who speaks to their computer says what they see, and would not find it. Its text names it.
PAGE_JS = """() => {
  const unname = () => document.querySelectorAll('.upload-container[aria-label]')
    .forEach(e => e.removeAttribute('aria-label'));
  new MutationObserver(unname).observe(document.body,
    {subtree: true, childList: true, attributes: true, attributeFilter: ['aria-label']});
  unname();
}"""
