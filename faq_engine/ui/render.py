"""What the demo shows for a search: message, results, map and status line. No events here.

Every text that comes from a FAQ, a file or the user is shown as text (escaped HTML in
the results, a plot tooltip, or escaped Markdown), never as markup.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import Any

import gradio as gr
import numpy as np
import pandas as pd

from ..faqs.faqset import FaqSet
from ..search.engine import Engine, EngineInfo, FaqSample
from ..search.hits import SearchHit, confident_match, match_text
from ..search.language import language_name
from ..search.memory import MemoryEngine
from .projection import Projection, fit_pca
from .results import results_html

MAX_MAP_POINTS = 2000
# What the bundled sets are about, said on the landing page (an uploaded set is described by its questions).
TOPICS = {"medicare": "Medicare: who can get it, its parts, cards, costs and how to enrol"}
METHOD_WORDS = {"dense": "by meaning", "bm25": "by shared keywords (BM25)", "hybrid": "by meaning and shared keywords"}
FIELD_WORDS = {"question": "the FAQs' questions", "question+answer": "the FAQs' questions with their answers",
               "both": "the FAQs' questions, and their questions with answers"}
MAP_COLOURS = {"FAQ": "#b8bcc6", "nearest FAQs": "#ea580c", "your question": "#2563eb"}
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-!|~])")


def md_text(text: str) -> str:
    """``text`` escaped so that Markdown shows it literally (no HTML, no formatting)."""
    return _MD_SPECIAL.sub(r"\\\1", html.escape(" ".join(str(text).split()), quote=False))


@dataclass(frozen=True, eq=False)
class Corpus:
    """One searchable FAQ set with its map: the default one (in memory or in Qdrant), or a session's upload."""

    engine: Engine
    info: EngineInfo
    sample: FaqSample  # the FAQs drawn on the map
    projection: Projection
    coords: np.ndarray  # the sample's map coordinates
    origin: str

    @property
    def name(self) -> str:
        """The FAQ set's name."""
        return self.info.name

    @property
    def size(self) -> int:
        """How many FAQs the set holds."""
        return self.info.size


def make_corpus(faqs: FaqSet, like: Engine, origin: str, *, threshold: float | None = None) -> Corpus:
    """A :class:`Corpus` for ``faqs`` in memory, searched with ``like``'s embedder and method.

    ``threshold=None`` lets the engine pick the one calibrated for ``faqs.fields``.
    """
    return corpus_for(MemoryEngine(faqs, like.embedder, method=like.method, threshold=threshold), origin)


def corpus_for(engine: Engine, origin: str) -> Corpus:
    """The corpus of any engine: the map's PCA is fitted on (and coordinates made for) a sample of its FAQs."""
    sample = engine.sample(MAX_MAP_POINTS)
    projection = fit_pca(sample.vectors)
    return Corpus(engine, engine.describe(), sample, projection, projection.transform(sample.vectors), origin)


@dataclass(frozen=True, eq=False)
class View:
    """What one search shows: the hits and where the question lands on the map."""

    corpus: Corpus
    hits: tuple[SearchHit, ...]
    query_vector: np.ndarray | None = None
    characters_read: int | None = None  # the model read only this much of a long question
    hit_vectors: np.ndarray | None = None  # the hits' vectors, best first (drawn on the map)
    question: str = ""  # what was asked (each result links to the page answering it)
    language: str | None = None  # the question's language when it is surely not English


def _status(corpus: Corpus) -> str:
    engine = corpus.engine
    parts = [
        f"**Embedder:** {md_text(engine.embedder.status)}",
        f"**Model:** {md_text(engine.embedder.model_id)}",
        f"**FAQs:** {md_text(corpus.name)} ({md_text(corpus.origin)}, {corpus.size} questions)",
        f"**Ranked:** {METHOD_WORDS.get(engine.method, md_text(engine.method))}",
        f"**Compared with:** {FIELD_WORDS.get(corpus.info.fields, md_text(corpus.info.fields))}",
        f"**Confident at:** a match of {engine.threshold:.0%}",
    ]
    notes = "".join(f"\n\n_{md_text(note)}_" for note in corpus.info.notes)
    return " · ".join(parts) + notes


def about(corpus: Corpus) -> str:
    """The landing page's line on what the current FAQ set covers, and where to bring one's own."""
    if not corpus.size:
        return (f"**This FAQ set ({md_text(corpus.name)}) is empty:** nothing can be found in it. Upload FAQs of "
                "your own under **FAQ data** below.")
    topic = TOPICS.get(corpus.name) if corpus.origin == "bundled" else None
    if topic is None:
        first = corpus.sample.questions[0] if corpus.sample.questions else ""
        topic = f"the questions of {md_text(corpus.name)}, such as “{md_text(first)}”"
    return (f"**You are searching {corpus.size:,} FAQs** about {topic}. Have FAQs of your own? Upload them "
            "under **FAQ data** below.")


def _message(view: View) -> str:
    if not view.hits:
        return ""
    threshold = view.corpus.engine.threshold
    cut = ""
    if view.characters_read is not None:
        cut = (f"\n\n_Your question is long: the model read only its first {view.characters_read:,} "
               "characters. Put the question itself first._")
    if view.language is not None:
        cut += (f"\n\n_Your question seems to be in {language_name(view.language)}. These FAQs are in English, "
                "and the search reads English best: the matches below are lowered to what it earns on such "
                "questions. Asking in English works best._")
    if confident_match(view.hits):
        return cut.strip()
    best = view.hits[0]  # matches never rise down the list
    return (
        f"### This FAQ set does not seem to answer that\nThe nearest FAQs are below; the best is a "
        f"**{match_text(best.match)}**, less than the {threshold:.0%} needed to call it an answer. Try rephrasing "
        f"your question.{cut}"
    )


def map_frame(view: View) -> pd.DataFrame:
    """The points of the map: every FAQ (sampled if many), the nearest FAQs, and the question.

    Only drawn points are touched: a million FAQs cost no more per question than a thousand.
    """
    corpus, sample = view.corpus, view.corpus.sample
    hits = list(reversed(view.hits))  # the best is drawn last, on top
    hit_ids = {h.id for h in hits}
    keep = np.asarray([i not in hit_ids for i in sample.ids], dtype=bool)
    dim = sample.vectors.shape[1]
    hit_vectors = np.zeros((0, dim), np.float32) if view.hit_vectors is None else view.hit_vectors[::-1]
    vectors = np.concatenate([sample.vectors[keep], hit_vectors])
    coords = np.concatenate([corpus.coords[keep], corpus.projection.transform(hit_vectors).reshape(-1, 2)])
    kinds = ["FAQ"] * int(keep.sum()) + ["nearest FAQs"] * len(hit_vectors)
    questions = [q for q, k in zip(sample.questions, keep) if k] + [h.question for h in hits][: len(hit_vectors)]
    scores = [""] * len(vectors)
    if view.query_vector is not None:
        scores = [f"{s:.3f}" for s in vectors @ np.asarray(view.query_vector, dtype=np.float32)]
    records = [(float(x), float(y), kind, q, s) for (x, y), kind, q, s in zip(coords, kinds, questions, scores)]
    if view.query_vector is not None:
        x, y = corpus.projection.transform(view.query_vector)[0]
        records.append((float(x), float(y), "your question", "(your question)", ""))
    # The browser fixes the colour legend when the chart is first drawn, from the kinds in
    # the data; a point without coordinates for each kind keeps all three, and is not drawn.
    present = {r[2] for r in records}
    records += [(np.nan, np.nan, kind, "", "") for kind in MAP_COLOURS if kind not in present]
    return pd.DataFrame(records, columns=["x", "y", "kind", "question", "score"]).round({"x": 4, "y": 4})


def _axis_titles(corpus: Corpus) -> dict[str, str]:
    a, b = corpus.projection.explained
    return {"x_title": f"PC1 ({a:.0%} of variance)", "y_title": f"PC2 ({b:.0%} of variance)"}


def map_props(view: View) -> dict[str, Any]:
    """Value, axis titles and caption of the map for ``view``."""
    return {"value": map_frame(view), "caption": map_words(view), **_axis_titles(view.corpus)}


def map_words(view: View) -> str:
    """The map described in words, for everyone who does not see it (its caption)."""
    drawn = min(view.corpus.size, MAX_MAP_POINTS)
    faqs = f"{view.corpus.size:,} FAQs" if drawn == view.corpus.size else f"{drawn:,} of the {view.corpus.size:,} FAQs"
    if view.query_vector is None or not view.hits:
        return (f"The map in words: each grey point is one of {faqs}, placed by meaning, so similar questions lie "
                "close together. Ask a question to see where it lands among them.")
    best = view.hits[0]
    return (f"The map in words: your question (blue) lies nearest to “{best.question}” (similarity "
            f"{best.similarity:.2f}); orange marks its {len(view.hits)} nearest FAQs, grey the rest of {faqs}. "
            "Points close together mean similar things.")


def render(view: View) -> tuple[str, str, Any, str]:
    """Message, results (the best answer first), map and status line for one search."""
    results = results_html(view.hits, view.corpus.engine.method, view.question)
    return _message(view), results, gr.ScatterPlot(**map_props(view)), _status(view.corpus)


def placeholder(examples: list[str]) -> str:
    """The question box's placeholder: the first example to try, if there is one."""
    return f"e.g. {examples[0]}" if examples else "Type your question"


def examples_for(corpus: Corpus, n: int = 5) -> list[str]:
    """Questions to try on ``corpus``: its own, spread over the set."""
    questions = corpus.sample.questions
    step = max(1, len(questions) // n)
    return questions[::step][:n]
