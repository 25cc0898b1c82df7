"""The Gradio demo: ask in your own words, see the best FAQs, their scores and a map.

:func:`build_demo` turns a ready :class:`~faq_engine.engine.SearchEngine` into a
``gr.Blocks`` app; nothing starts until the caller launches it. Every text that
comes from a FAQ, a file or the user is shown as text (a Dataframe cell, a plot
tooltip, or escaped Markdown), never as HTML.
"""

from __future__ import annotations

import functools
import html
import logging
import re
from dataclasses import dataclass, replace
from pathlib import Path
from types import SimpleNamespace
from typing import Any, Callable, Sequence

import gradio as gr
import numpy as np
import pandas as pd

from .embedding import validate_query
from .engine import SearchEngine
from .errors import DatasetError, FaqEngineError
from .fallback import describe_embedder
from .faqs import FaqSet
from .models import SearchHit, confident_match
from .projection import Projection, fit_pca
from .settings import Settings

log = logging.getLogger(__name__)

DEFAULT_K = 5
MAX_K = 10
# Searches in flight at once. The local model is CPU-bound, so more would only queue on the
# cores; a search through the Inference API waits on the network, so a few overlap. Loading a
# dataset (embedding a whole file) runs one at a time.
DEFAULT_CONCURRENCY = 4
MAX_MAP_POINTS = 2000
UPLOAD_TYPES = [".csv", ".json", ".jsonl", ".parquet"]
MAX_UPLOAD_SIZE = "25mb"  # pass to launch(max_file_size=...): tens of thousands of FAQs, not a disk's worth
EXAMPLES = ["How can Medicare help me?", "I lost my Medicare card, how do I get a new one?",
            "How much does Part B cost each month?", "Can I stop my Part B coverage?",
            "What is the best pizza topping?"]
TABLE_HEADERS = ["Rank", "Question", "Answer", "Score"]
MAP_COLOURS = {"FAQ": "#b8bcc6", "nearest FAQs": "#ea580c", "your question": "#2563eb"}
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-!|~])")


def md_text(text: str) -> str:
    """``text`` escaped so that Markdown shows it literally (no HTML, no formatting)."""
    return _MD_SPECIAL.sub(r"\\\1", html.escape(" ".join(str(text).split()), quote=False))


@dataclass(frozen=True, eq=False)
class Corpus:
    """One searchable FAQ set with its map: the default one, or a session's own upload."""

    engine: SearchEngine
    projection: Projection
    coords: np.ndarray
    origin: str

    @property
    def faqs(self) -> FaqSet:
        return self.engine.faqs


def make_corpus(faqs: FaqSet, like: SearchEngine, origin: str, *, threshold: float | None = None) -> Corpus:
    """A :class:`Corpus` for ``faqs``, searched with ``like``'s embedder and method.

    ``threshold=None`` lets the engine pick the one calibrated for ``faqs.fields``.
    """
    engine = type(like)(faqs, like.embedder, method=like.method, threshold=threshold)
    projection = fit_pca(faqs.embeddings)
    return Corpus(engine, projection, projection.transform(faqs.embeddings), origin)


@dataclass(frozen=True, eq=False)
class View:
    """What one search shows: the hits and where the question lands on the map."""

    corpus: Corpus
    hits: tuple[SearchHit, ...]
    query_vector: np.ndarray | None = None


def _status(corpus: Corpus) -> str:
    engine, faqs = corpus.engine, corpus.faqs
    parts = [
        f"**Embedder:** {md_text(describe_embedder(engine.embedder))}",
        f"**Model:** {md_text(engine.embedder.model_id)}",
        f"**FAQs:** {md_text(faqs.name)} ({md_text(corpus.origin)}, {len(faqs)} questions)",
        f"**Ranking:** {md_text(engine.method)}",
        f"**Embedded text:** {md_text(faqs.fields)}",
        f"**Confident at:** ≥ {engine.threshold:.2f}",
    ]
    notes = "".join(f"\n\n_{md_text(note)}_" for note in faqs.notes)
    return " · ".join(parts) + notes


def _message(view: View) -> str:
    if not view.hits:
        return ""
    best = max(view.hits, key=lambda h: h.score)  # a hybrid ranking need not put it first
    threshold = view.corpus.engine.threshold
    if confident_match(view.hits):
        return f"Best match scores **{best.score:.3f}** (confident: at or above {threshold:.2f})."
    return (
        f"### ⚠️ No confident match\nThe best score, **{best.score:.3f}**, is below the confidence "
        f"threshold of {threshold:.2f}. These are the nearest FAQs; try rephrasing the question."
    )


def _table(hits: Sequence[SearchHit]) -> Any:
    frame = pd.DataFrame([[h.rank, h.question, h.answer, round(h.score, 3)] for h in hits], columns=TABLE_HEADERS)
    if frame.empty:
        return frame
    # The bar is a CSS background on the score cell; its text stays a plain number.
    return frame.style.format({"Score": "{:.3f}"}).bar(subset=["Score"], vmin=0.0, vmax=1.0, color="#fdba74")


def _map_rows(n: int, hit_rows: set[int]) -> list[int]:
    """FAQ rows drawn on the map: all of a small set, an even sample of a large one; hits last (on top)."""
    sample = np.unique(np.linspace(0, n - 1, min(n, MAX_MAP_POINTS)).round().astype(int)).tolist()
    return [i for i in sample if i not in hit_rows]


def map_frame(view: View) -> pd.DataFrame:
    """The points of the map: every FAQ (sampled if many), the nearest FAQs, and the question."""
    corpus = view.corpus
    entries = corpus.faqs.entries
    rank_of = {h.id: h.rank for h in view.hits}
    hit_rows = sorted((i for i, e in enumerate(entries) if e.id in rank_of), key=lambda i: -rank_of[entries[i].id])
    scores = None
    if view.query_vector is not None:
        scores = corpus.faqs.embeddings @ np.asarray(view.query_vector, dtype=np.float32)
    records = []
    for i in _map_rows(len(entries), set(hit_rows)) + hit_rows:
        kind = "nearest FAQs" if entries[i].id in rank_of else "FAQ"
        score = f"{scores[i]:.3f}" if scores is not None else ""
        x, y = corpus.coords[i]
        records.append((float(x), float(y), kind, entries[i].question, score))
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
    if view.query_vector is None:
        caption = f"Each grey point is one of the {len(view.corpus.faqs)} FAQs; similar questions lie close together."
    else:
        caption = f"Blue: your question. Orange: its {len(view.hits)} nearest FAQs. Grey: the other FAQs."
    return {"value": map_frame(view), "caption": caption, **_axis_titles(view.corpus)}


def render(view: View) -> tuple[str, Any, Any, str]:
    """Message, results table, map and status line for one search."""
    return _message(view), _table(view.hits), gr.ScatterPlot(**map_props(view)), _status(view.corpus)


def _user_errors(fn: Callable) -> Callable:
    """Show expected failures as a short ``gr.Error`` and unexpected ones without a traceback."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except gr.Error:
            raise
        except FaqEngineError as err:
            log.warning("%s: %s", fn.__name__, err)
            # gr.Error renders HTML; escaping shows file names and FAQ text literally.
            raise gr.Error(html.escape(str(err), quote=False), print_exception=False) from None
        except Exception:
            log.exception("Unexpected error in %s", fn.__name__)
            raise gr.Error("Something went wrong on the server; the error is in its log. Please try again.",
                           print_exception=False) from None

    return wrapper


class DemoHandlers:
    """The event handlers, bound to the default corpus and the settings for loading data."""

    def __init__(self, default: Corpus, settings: Settings) -> None:
        self.default = default
        self.settings = settings

    def search(self, question: str, top_k: float, corpus: Corpus | None) -> tuple[list[dict], View]:
        """The ``top_k`` FAQs closest to ``question``, best first, as JSON-ready dicts."""
        corpus = corpus or self.default
        query = validate_query(question)
        # Embedded once, here: the engine ranks with the vector and the map draws it
        # (a second embedding would spend Inference API budget on a Space).
        vector = corpus.engine.embedder.embed([query])
        hits = corpus.engine.search_batch([query], max(1, min(MAX_K, int(top_k))), vectors=vector)[0]
        return [h.to_dict() for h in hits], View(corpus, tuple(hits), vector[0])

    def load_hub(self, dataset_id: str, progress=gr.Progress()) -> tuple:
        """Load a Hub dataset (``namespace/name[@revision]``) for this session."""
        from .hub import is_repo_id, split_revision

        dataset_id = (dataset_id or "").strip()
        if not dataset_id:
            raise DatasetError("Type a Hub dataset id such as 'namespace/faqs', then press Load.")
        repo_id, _ = split_revision(dataset_id)
        # Only Hub ids: a path on the server must never be readable from the browser.
        if not is_repo_id(repo_id) or Path(repo_id).exists():
            raise DatasetError(f"{dataset_id!r} is not a Hub dataset id: use 'namespace/name' "
                               "(optionally '@revision').")
        return self._load(dataset_id, dataset_id, "Hub dataset", progress)

    def load_file(self, path: str, progress=gr.Progress()) -> tuple:
        """Load an uploaded CSV/JSON/JSONL/Parquet file for this session."""
        return self._load(path, Path(path).name, "uploaded file", progress)

    def use_default(self) -> tuple:
        """Go back to the default FAQ set."""
        faqs = self.default.faqs
        return self._loaded(None, self.default, f"Searching the {len(faqs)} {md_text(faqs.name)} FAQs again.")

    def _load(self, source: str, name: str, origin: str, progress: gr.Progress) -> tuple:
        from .sources import load_faqs

        def report(done: int, total: int) -> None:
            progress((done, total), desc="Embedding the FAQs", unit="FAQs")

        progress(0.0, desc=f"Loading {name}")
        faqs = load_faqs(source, self.default.engine.embedder, fields=self.settings.fields,
                         cache_dir=self.settings.cache_dir, token=self.settings.token, progress=report)
        # Name the set as the user knows it, not by the server's temporary path.
        faqs = replace(faqs, name=name, notes=tuple(n.replace(str(source), name) for n in faqs.notes))
        corpus = make_corpus(faqs, self.default.engine, origin, threshold=self.settings.threshold)
        return self._loaded(corpus, corpus, f"Loaded **{len(faqs)}** FAQs from {md_text(name)}. Ask away.")

    def _loaded(self, state: Corpus | None, corpus: Corpus, note: str) -> tuple:
        _, table, plot, status = render(View(corpus, ()))
        return state, note, table, plot, status, None


def build_demo(engine: SearchEngine, settings: Settings | None = None, *,
               concurrency: int = DEFAULT_CONCURRENCY) -> gr.Blocks:
    """The demo app for ``engine``: a question box, top-k, results table, map and data source.

    The model and the default FAQs' vectors are warmed up here, so the first
    question is as fast as the rest. Launch the result with ``.launch()``.
    """
    settings = settings or Settings.from_env()
    origin = "bundled" if engine.faqs.name == "medicare" else "default"
    handlers = DemoHandlers(make_corpus(engine.faqs, engine, origin, threshold=engine.threshold), settings)
    render(handlers.search(engine.faqs.entries[0].question, 1, None)[1])  # warm-up: model, pandas Styler
    blank = View(handlers.default, ())  # before any search
    _, table, _, status = render(blank)
    ui = SimpleNamespace()
    with gr.Blocks(title="FAQ search") as demo:
        ui.corpus = gr.State(None)  # this session's own FAQ set; None means the default one
        ui.view = gr.State(None)
        gr.Markdown("# Ask the FAQ\nType a question in your own words: FAQs are found by meaning (cosine "
                    "similarity of all-MiniLM-L6-v2 sentence embeddings), not by shared keywords.")
        with gr.Row(equal_height=True):
            ui.question = gr.Textbox(label="Your question", placeholder="e.g. How can Medicare help me?",
                                     scale=5, max_lines=1, elem_id="question")
            ui.ask = gr.Button("Search", variant="primary", scale=1, elem_id="search")
        ui.top_k = gr.Slider(1, MAX_K, value=DEFAULT_K, step=1, label="How many FAQs (top-k)", elem_id="top-k")
        ui.examples = gr.Examples(EXAMPLES, inputs=[ui.question], cache_examples=False, label="Try one of these")
        ui.status = gr.Markdown(status, elem_id="status")
        ui.message = gr.Markdown("", elem_id="message")
        ui.results = gr.Dataframe(table, headers=TABLE_HEADERS, datatype=["number", "str", "str", "number"],
                                  interactive=False, wrap=True, label="Closest FAQs", elem_id="results",
                                  column_widths=["7%", "33%", "48%", "12%"])
        ui.map = gr.ScatterPlot(x="x", y="y", color="kind", color_map=MAP_COLOURS, color_title="Points",
                                tooltip=["kind", "question", "score"], elem_id="faq-map",
                                label="Map of the FAQs (PCA of their embeddings)", **map_props(blank))
        with gr.Accordion("Results as JSON (what the API returns)", open=False):
            ui.raw = gr.JSON(label="Results", elem_id="raw")
        _data_source_panel(ui)
        _wire(ui, handlers)
    demo.queue(default_concurrency_limit=concurrency)
    return demo


def _data_source_panel(ui: SimpleNamespace) -> None:
    with gr.Accordion("FAQ data: bundled, a Hub dataset, or your own file", open=False, elem_id="data-source"):
        with gr.Row(equal_height=True):
            ui.hub_id = gr.Textbox(label="Hugging Face dataset id", placeholder="namespace/name[@revision]",
                                   scale=4, max_lines=1, elem_id="hub-id")
            ui.load_hub = gr.Button("Load", scale=1, elem_id="load-hub")
        ui.upload = gr.File(label="Or upload a CSV, JSON, JSONL or Parquet file with question and answer columns",
                            file_types=UPLOAD_TYPES, type="filepath", elem_id="upload")
        ui.reset = gr.Button("Use the bundled FAQs again", size="sm", elem_id="reset")


def _wire(ui: SimpleNamespace, handlers: DemoHandlers) -> None:
    search = _user_errors(handlers.search)
    searched = dict(inputs=[ui.question, ui.top_k, ui.corpus], outputs=[ui.raw, ui.view])
    shown = dict(inputs=[ui.view], outputs=[ui.message, ui.results, ui.map, ui.status],
                 api_visibility="private", show_progress="hidden")
    gr.on([ui.ask.click, ui.question.submit], search, api_name="search", **searched).success(render, **shown)
    ui.examples.load_input_event.success(search, api_visibility="private", **searched).success(render, **shown)
    # Callable by clients (per client session) but kept off the API page: /search is the API.
    loaded = dict(outputs=[ui.corpus, ui.message, ui.results, ui.map, ui.status, ui.raw],
                  api_visibility="undocumented", concurrency_limit=1, concurrency_id="load")
    gr.on([ui.load_hub.click, ui.hub_id.submit], _user_errors(handlers.load_hub), inputs=[ui.hub_id],
          api_name="load_hub", **loaded)
    ui.upload.upload(_user_errors(handlers.load_file), inputs=[ui.upload], api_name="load_file", **loaded)
    ui.reset.click(_user_errors(handlers.use_default), api_name="use_default", **loaded)
    ui.upload.clear(_user_errors(handlers.use_default), **{**loaded, "api_visibility": "private"})
