"""The Gradio demo: ask in your own words, see the best FAQs, their scores and a map.

:func:`build_demo` turns a ready :class:`~faq_engine.search.engine.Engine` into a
``gr.Blocks`` app; nothing starts until the caller launches it. The layout is here;
what it shows is :mod:`.render`'s, what it does :mod:`.handlers`'.
"""

from __future__ import annotations

from types import SimpleNamespace

import gradio as gr

from ..faqs.limits import APP_LIMITS
from ..learning.log import QuestionLog
from ..search.engine import MAX_QUESTION_CHARS, Engine
from ..settings import DEFAULT_DATASET, DEFAULT_TOP_K, Settings
from .errors import user_errors
from .handlers import MAX_DATA_BYTES, MAX_K, DemoHandlers
from .render import MAP_COLOURS, View, about, corpus_for, map_props, placeholder, render

# Searches in flight at once. The local model is CPU-bound, so more would only queue on the
# cores; a search through the Inference API waits on the network, so a few overlap. Loading a
# dataset (embedding a whole file) runs one at a time.
DEFAULT_CONCURRENCY = 4
# Gradio refuses a file of another type or over its size cap in the browser, with a passing toast and nothing in
# the data panel: so it takes any type, and files up to 4x the cap, and load_file says in the panel what to fix.
# (Past that the toast it is: a file of 100 MB is no FAQ file mistaken.)
MAX_UPLOAD_SIZE = f"{4 * MAX_DATA_BYTES // 2**20}mb"  # pass to launch(max_file_size=...)
EXAMPLES = ["How can Medicare help me?", "I lost my Medicare card, how do I get a new one?",
            "How much does Part B cost each month?", "Can I stop my Part B coverage?",
            "What is the best pizza topping?"]


def build_demo(engine: Engine, settings: Settings, *, concurrency: int = DEFAULT_CONCURRENCY,
               log: QuestionLog | None = None) -> gr.Blocks:
    """The demo app for ``engine``: a question box, top-k, results table, map and data source; with a question
    ``log`` (opt-in), every search and every answer to "did one of these answer your question?" is logged.

    The model and the default FAQs' vectors are warmed up here, so the first
    question is as fast as the rest. Launch the result with ``.launch()``.
    """
    default = corpus_for(engine, _origin(engine))  # nothing rebuilt: the map samples the engine's own FAQs
    handlers = DemoHandlers(default, settings, EXAMPLES if default.origin == "bundled" else None, log)
    render(handlers.search(EXAMPLES[0], 1, None)[1])  # warm-up: model, map, HTML
    blank = View(default, ())  # before any search
    _, _, _, status = render(blank)
    ui = SimpleNamespace()
    with gr.Blocks(title="FAQ search") as demo:
        ui.demo = demo
        ui.corpus = gr.State(None)  # the key of this session's own FAQ set; None means the default one
        ui.view = gr.State(None)
        _question_row(ui, handlers)
        ui.about = gr.Markdown(about(default), elem_id="about")
        # The answer comes first: right under the question, before any control or explanation.
        ui.message = gr.Markdown("", elem_id="message")
        ui.results = gr.HTML("", elem_id="results", padding=False)
        _feedback_row(ui)
        ui.examples = gr.Examples(handlers.examples, inputs=[ui.question], cache_examples=False,
                                  label="Try one of these")
        ui.top_k = gr.Slider(1, MAX_K, value=DEFAULT_TOP_K, step=1, label="How many FAQs (top-k)", elem_id="top-k")
        ui.status = gr.Markdown(status, elem_id="status")
        _data_source_panel(ui)
        ui.map = gr.ScatterPlot(x="x", y="y", color="kind", color_map=MAP_COLOURS, color_title="Points",
                                tooltip=["kind", "question", "score"], elem_id="faq-map",
                                label="Map of the FAQs (PCA of their embeddings)", **map_props(blank))
        with gr.Accordion("Results as JSON (what the API returns)", open=False):
            ui.raw = gr.JSON(label="Results", elem_id="raw")
        _wire(ui, handlers)
    demo.queue(default_concurrency_limit=concurrency)
    return demo


def _origin(engine: Engine) -> str:
    info = engine.describe()
    if info.backend != "memory":
        return info.backend
    return "bundled" if info.name == DEFAULT_DATASET else "default"


def _question_row(ui: SimpleNamespace, handlers: DemoHandlers) -> None:
    gr.Markdown("# Ask the FAQ\nAsk in your own words: FAQs are found by meaning, not by shared keywords.")
    with gr.Row(equal_height=True):
        # One line that grows as a long question is typed (Enter still asks), so all of it stays in view; on a
        # phone it takes the whole width and the button goes below it.
        ui.question = gr.Textbox(label="Your question", placeholder=placeholder(handlers.examples), scale=5,
                                 min_width=320, lines=1, max_lines=8, max_length=MAX_QUESTION_CHARS,
                                 elem_id="question")
        ui.ask = gr.Button("Search", variant="primary", scale=1, min_width=90, elem_id="search")
    notice = handlers.feedback.notice  # while the question log is on, the page says so
    ui.logged = gr.Markdown(notice, elem_id="log-notice", visible=bool(notice))


def _feedback_row(ui: SimpleNamespace) -> None:
    with gr.Row(equal_height=True):
        ui.answered = gr.Radio([], label="Did one of these answer your question?", visible=False, scale=5,
                               elem_id="answered")
        ui.send = gr.Button("Send", size="sm", scale=1, min_width=80, elem_id="send-feedback", visible=False)
    ui.thanks = gr.Markdown("", elem_id="feedback-message")


def _data_source_panel(ui: SimpleNamespace) -> None:
    with gr.Accordion("FAQ data: bundled, a Hub dataset, or your own file", open=False, elem_id="data-source"):
        with gr.Row(equal_height=True):
            ui.hub_id = gr.Textbox(label="Hugging Face dataset id", placeholder="namespace/name[@revision]",
                                   scale=4, max_lines=1, elem_id="hub-id")
            ui.load_hub = gr.Button("Load", scale=1, elem_id="load-hub")
        ui.hub_token = gr.Textbox(label="Hugging Face token, only for a private dataset (used for this load, "
                                        "never stored)", type="password", max_lines=1, elem_id="hub-token")
        ui.upload = gr.File(label="Or upload a CSV, JSON, JSONL or Parquet file with question and answer columns "
                                  f"(at most {MAX_DATA_BYTES // 2**20} MB and {APP_LIMITS.rows:,} FAQs)",
                            type="filepath", elem_id="upload")
        ui.reset = gr.Button("Use the bundled FAQs again", size="sm", elem_id="reset")
        ui.data_message = gr.Markdown("", elem_id="data-message")


def _wire(ui: SimpleNamespace, handlers: DemoHandlers) -> None:
    search, show = user_errors(handlers.search_event), handlers.show_event
    searched = dict(inputs=[ui.question, ui.top_k, ui.corpus], outputs=[ui.raw, ui.view])
    shown = dict(inputs=[ui.view], api_visibility="private", show_progress="hidden",
                 outputs=[ui.message, ui.results, ui.map, ui.status, ui.answered, ui.send, ui.thanks])
    cleared = dict(inputs=[ui.question, ui.corpus], outputs=[ui.message, ui.results, ui.map, ui.raw],
                   api_visibility="private")
    asked = gr.on([ui.ask.click, ui.question.submit], search, api_name="search", **searched)
    asked.success(show, **shown)
    asked.failure(handlers.clear_if_empty, **cleared)  # an empty question clears the results, with a hint
    ui.examples.load_input_event.success(search, api_visibility="private", **searched).success(show, **shown)
    ui.top_k.change(user_errors(handlers.rerun_event), api_visibility="private", **searched).success(show, **shown)
    # Callable by clients (per client session) but kept off the API page: /search is the API.
    loaded = dict(outputs=[ui.corpus, ui.data_message, ui.results, ui.map, ui.status, ui.raw, ui.examples.dataset,
                           ui.question, ui.answered, ui.send, ui.about, ui.upload], api_visibility="undocumented",
                  concurrency_limit=2, concurrency_id="load")
    # The browser's chart keeps its old points when its axes and its data change in one update: the points
    # are sent again on their own once the set has changed.
    redrawn = dict(fn=handlers.map_event, inputs=[ui.corpus], outputs=[ui.map], api_visibility="private",
                   show_progress="hidden")
    # A question asked while the set loaded was answered from the old set (and said so): it is asked again.
    again = dict(fn=user_errors(handlers.rerun_event), api_visibility="private", show_progress="hidden", **searched)

    def then(event) -> None:
        event.success(**redrawn).success(**again).success(show, **shown)

    then(gr.on([ui.load_hub.click, ui.hub_id.submit], user_errors(handlers.load_hub),
               inputs=[ui.hub_id, ui.hub_token], api_name="load_hub", **loaded))
    then(ui.upload.upload(user_errors(handlers.load_file), inputs=[ui.upload], api_name="load_file", **loaded))
    then(ui.reset.click(user_errors(handlers.use_default), api_name="use_default", **loaded))
    then(ui.upload.clear(user_errors(handlers.use_default), **{**loaded, "api_visibility": "private"}))
    ui.send.click(user_errors(handlers.answered_event), inputs=[ui.view, ui.answered], outputs=[ui.thanks],
                  api_visibility="private")
    gr.api(user_errors(handlers.feedback_event), api_name="feedback")
    # A shared link, ?q=...: the page opens with that question answered.
    ui.demo.load(user_errors(handlers.address_event), outputs=[ui.question, ui.raw, ui.view, *shown["outputs"]],
                 api_visibility="private", show_progress="hidden")
    ui.demo.unload(handlers.end_session)  # the visitor left: their FAQ set goes with them
