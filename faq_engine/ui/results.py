"""The results as people read them: the best answer first, as an answer, then the other close matches.

Built as HTML here, with every text from a FAQ, a file or the visitor escaped and every
link checked (only ``http`` and ``https`` become links): nothing a FAQ says is ever markup.
"""

from __future__ import annotations

import html
from typing import Sequence
from urllib.parse import urlencode, urlsplit

from ..search.hits import SearchHit, confident_match, match_text
from ..search.hybrid import BM25_WEIGHT

# Readable on a phone: no fixed widths, long words wrap, nothing scrolls inside the page.
CSS = """
#results .faq-card{border:1px solid #e5e7eb;border-radius:12px;padding:14px 16px;margin:0 0 12px;
  overflow-wrap:anywhere}
#results .faq-best{border-color:#2563eb;box-shadow:0 1px 4px rgba(37,99,235,.18)}
#results .faq-weak{border-style:dashed}
#results .faq-card h2{margin:0 0 6px;font-size:1.05rem;line-height:1.35}
#results .faq-answer{margin:0 0 8px;white-space:pre-wrap;line-height:1.45}
#results .faq-meta{display:flex;flex-wrap:wrap;gap:8px 14px;align-items:center;font-size:.85rem;color:#4b5563}
#results .faq-bar{display:inline-block;width:90px;height:8px;border-radius:4px;background:#e5e7eb;
  vertical-align:middle}
#results .faq-bar span{display:block;height:8px;border-radius:4px;background:#ea580c}
#results .faq-tag{border-radius:999px;padding:1px 8px;font-weight:600}
#results .faq-yes{background:#dcfce7;color:#14532d}
#results .faq-maybe{background:#fef9c3;color:#713f12}
#results .faq-no{background:#f3f4f6;color:#374151}
#results .faq-explain{font-size:.85rem;color:#4b5563;margin:4px 0 10px}
"""
MATCH = "The percentage is the estimated chance that the FAQ answers your question."
POSSIBLY = 0.2  # a match from here up to the confident one is "possibly related"
EXPLAIN = {
    "dense": f"Ordered by similarity: the cosine of the question's and each FAQ's sentence embeddings. {MATCH}",
    "hybrid": f"Ordered by score: {100 - round(100 * BM25_WEIGHT)}% similarity of meaning and "
              f"{round(100 * BM25_WEIGHT)}% shared keywords (BM25). {MATCH}",
    "bm25": f"Ordered by keyword score (BM25). Similarity is the cosine of the sentence embeddings. {MATCH}",
}


def safe_link(url: str, question: str = "") -> str:
    """An ``<a>`` to ``url`` if it is an http(s) address, else nothing; named by the FAQ it is the source of."""
    parts = urlsplit((url or "").strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return ""
    href = html.escape(url.strip(), quote=True)
    name = html.escape(f"Source of: {question}", quote=True) if question else "Source"
    return f'<a href="{href}" target="_blank" rel="noopener noreferrer nofollow" aria-label="{name}">Source</a>'


def verdict(hit: SearchHit) -> tuple[str, str]:
    """What a visitor reads of a hit's match, and its tag's style: "Likely answers your question (92%)",
    "Possibly related (40%)" or "Probably not it (3%)" (a confident hit is the first kind)."""
    percent = f" ({match_text(hit.match).split()[0]})" if hit.match is not None else ""
    if hit.confident:
        return f"Likely answers your question{percent}", "faq-yes"
    if hit.match is not None and hit.match >= POSSIBLY:
        return f"Possibly related{percent}", "faq-maybe"
    return f"Probably not it{percent}", "faq-no"


def _meta(hit: SearchHit, method: str, question: str = "") -> str:
    # The bar shows what a reader wants to know: how likely this FAQ answers them (the similarity if no calibration).
    level = hit.match if hit.match is not None else hit.similarity
    width = max(0.0, min(1.0, level)) * 100
    words, style = verdict(hit)
    tag = f'<span class="faq-tag {style}">{html.escape(words)}</span>'
    match = f"<b>{match_text(hit.match)}</b> · " if hit.match is not None else ""
    score = f" · score {hit.score:.3f}" if method != "dense" else ""
    title = "match" if hit.match is not None else "similarity"
    bar = f'<span class="faq-bar" title="{title}"><span style="width:{width:.1f}%"></span></span>'
    self_link = ""
    if question:  # the page answering this question, scrolled to this FAQ: a link to share
        href = html.escape(f"?{urlencode({'q': question})}#faq-{hit.rank}", quote=True)
        name = html.escape(f"Link to this answer: {hit.question}", quote=True)
        self_link = f'<a href="{href}" class="faq-self" aria-label="{name}">Link to this answer</a>'
    return (f'<div class="faq-meta">{bar}<span>{match}similarity {hit.similarity:.3f}{score}</span>{tag}'
            f"{safe_link(hit.url, hit.question)}{self_link}</div>")


def _card(hit: SearchHit, method: str, best: bool, question: str = "") -> str:
    kind = "faq-card faq-best" if best else "faq-card"
    if not hit.confident:
        kind += " faq-weak"
    asked, (question, answer) = question, (html.escape(hit.question), html.escape(hit.answer))
    heading = f"<h2>{question}</h2>" if best else f"<h2>{hit.rank}. {question}</h2>"
    body = f'{heading}<p class="faq-answer">{answer}</p>{_meta(hit, method, asked)}'
    return f'<div class="{kind}" id="faq-{hit.rank}" data-rank="{hit.rank}">{body}</div>'


def results_html(hits: Sequence[SearchHit], method: str, question: str = "") -> str:
    """The best match as a card with its full answer and source, then the others, each with its scores (and,
    given the ``question``, a link to the page answering it)."""
    if not hits:
        return ""
    lead = "Best answer" if confident_match(hits) else "The nearest FAQs (none seems to answer your question)"
    explain = html.escape(EXPLAIN.get(method, ""))
    cards = "".join(_card(h, method, i == 0, question) for i, h in enumerate(hits))
    # A live region: a screen reader announces new results without the visitor moving there.
    return (f'<section aria-live="polite" aria-label="Search results"><p class="faq-explain"><b>{lead}.</b> '
            f"{explain}</p>{cards}</section>")
