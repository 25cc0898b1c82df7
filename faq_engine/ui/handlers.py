"""The demo's event handlers: search, and per-session FAQ sets (a Hub dataset or an upload)."""

from __future__ import annotations

import logging
import math
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import gradio as gr
import numpy as np

from ..errors import BusyError, DatasetError, FaqEngineError, InvalidQueryError
from ..faqs.hub import HubAccess
from ..faqs.limits import APP_LIMITS
from ..faqs.loader import load_faqs
from ..faqs.source import Source
from ..faqs.tables import format_of
from ..learning.log import QuestionLog
from ..search.engine import MAX_QUESTION_CHARS
from ..search.hits import SearchHit
from ..settings import DEFAULT_TOP_K, Settings
from .errors import describe
from .feedback import NONE_OF_THESE, Feedback, choices
from .render import Corpus, View, about, examples_for, make_corpus, map_frame, map_props, md_text, placeholder, render
from .sessions import SessionStore, release_memory

log = logging.getLogger(__name__)

MAX_K = 10
# What one visitor may load: an upload or a Hub dataset's FAQ files, and the FAQs in them. Tens of
# thousands of FAQs take a minute or two to embed on two cores; more would hold the server.
MAX_DATA_BYTES = 25 * 2**20  # and faqs.limits.APP_LIMITS: rows, characters per field, text in all
SET_BUDGET = 16 * APP_LIMITS.rows  # FAQs held for all visitors' own sets together
EVICTED = ("**Your FAQ set was unloaded** to make room for other visitors' sets: these answers come from the "
           "{name} FAQs. Upload your file again to search it.")
# A set of more FAQs than this takes a minute or more to embed on two cores: one such load at a time, so the
# other load slot stays free for everyone else's small ones.
BIG_LOAD = 2_000
BUSY = (f"Another large FAQ set is being loaded right now, and this one has more than {BIG_LOAD:,} FAQs: try again "
        "in a few minutes, or upload fewer FAQs.")
STILL_LOADING = ("**{new} is still loading**: these answers come from the {name} FAQs. Your question is asked "
                 "again when it is ready.")


class DemoHandlers:
    """The event handlers, bound to the default corpus and the settings for loading data.

    A visitor's own FAQ set lives in :attr:`sessions` under their session id; the page
    only holds that id, so the set is freed when the session ends (:meth:`end_session`).
    """

    def __init__(self, default: Corpus, settings: Settings, examples: list[str] | None = None,
                 log: QuestionLog | None = None) -> None:
        self.default = default
        self.settings = settings
        self.examples = examples or examples_for(default)  # the default set's questions to try
        # Visitors' sets, bounded in number and in FAQs held: as many as 16 of the largest uploads allowed.
        self.sessions: SessionStore[Corpus] = SessionStore(weigh=lambda corpus: corpus.size,
                                                           budget=SET_BUDGET)
        self.feedback = Feedback(log)
        self.loading: dict[str, str] = {}  # session -> the name of the FAQ set it is loading now
        self._big_load = threading.Semaphore()

    def corpus(self, key: str | None) -> Corpus:
        """The FAQ set of session ``key``, else the default one."""
        return self.sessions.get(key) or self.default

    def rerun_event(self, question: str, top_k: float, key: str | None, request: gr.Request = None) -> tuple:
        """Top-k or the FAQ set changed: search the current question again (without one, nothing is shown)."""
        if not (question or "").strip():
            return gr.skip(), None
        return self.search_event(question, top_k, key, request)

    def clear_if_empty(self, question: str, key: str | None) -> tuple:
        """After a failed search: an empty question clears the results, with a hint; other failures keep them."""
        if (question or "").strip():
            return gr.skip(), gr.skip(), gr.skip(), gr.skip()
        blank_map = gr.ScatterPlot(**map_props(View(self.corpus(key), ())))  # this session's set, unmarked
        return "Type a question above, in your own words, and press Enter.", "", blank_map, gr.skip()

    def search_event(self, question: str, top_k: float, key: str | None,
                     request: gr.Request = None) -> tuple[list[dict], Shown]:
        """``/search``: the hits as JSON-ready dicts, and what to draw (kept small: no FAQ set in it)."""
        hits, view = self.search(question, top_k, self.corpus(key))
        self.feedback.searched(question, view.corpus.name, view.hits)
        return hits, Shown(key, view.hits, view.query_vector, view.characters_read, view.hit_vectors, question,
                           self._notice(key, view.corpus, request), view.language)

    def _notice(self, key: str | None, corpus: Corpus, request: gr.Request | None) -> str:
        """What the page says above a search's results about the set that answered it, if anything."""
        if self.sessions.was_dropped(key):
            return EVICTED.format(name=md_text(self.default.name))
        loading = self.loading.get(getattr(request, "session_hash", None) or "")
        return STILL_LOADING.format(new=md_text(loading), name=md_text(corpus.name)) if loading else ""

    def show_event(self, shown: Shown | None) -> tuple:
        """Message, results, map and status line for the last search, and the feedback choices."""
        if shown is None:  # nothing was searched (a page opened without a question in its address)
            return (gr.skip(),) * 7
        view = View(self.corpus(shown.key), shown.hits, shown.vector, shown.characters_read, shown.hit_vectors,
                    shown.question, shown.language)
        message, *rest = render(view)
        message = f"{shown.notice}\n\n{message}".strip() if shown.notice else message
        asked = bool(shown.hits)  # "did one of these answer your question?" once there are FAQs to choose from
        return (message, *rest, gr.Radio(choices=choices(shown.hits), value=None, visible=asked),
                gr.Button(visible=asked), "")

    def feedback_event(self, question: str, faq_id: str, helpful: bool, request: gr.Request = None) -> str:
        """``/feedback``: ``faq_id`` answered ``question`` (``helpful``), or not; ``faq_id=""`` with
        ``helpful=False`` means none of the shown FAQs did. Logged only when the question log is on."""
        key = _session(request)
        return self.feedback.give(question, faq_id, helpful, self.corpus(key).name, key)

    def answered_event(self, shown: Shown | None, faq_id: str | None, request: gr.Request = None) -> str:
        """The page's "did one of these answer your question?" for the last search: a FAQ, or "none of these"."""
        if shown is None or not shown.hits:
            return "Search first, then say whether one of the FAQs answered your question."
        if faq_id is None:
            return "Choose the FAQ that answered your question, or \"None of these\"."
        return self.feedback_event(shown.question, faq_id, faq_id != NONE_OF_THESE, request)

    def map_event(self, key: str | None) -> gr.ScatterPlot:
        """The map's points for the session's FAQ set, before any search (sent on their own: see the layout)."""
        return gr.ScatterPlot(value=map_frame(View(self.corpus(key), ())))

    def address_event(self, request: gr.Request = None) -> tuple:
        """A page opened at ``?q=...`` (a shared link): that question, answered and drawn in one step (nothing is
        read back from the page, so a search the visitor makes meanwhile is never overwritten)."""
        question = ((request.query_params.get("q") if request is not None else None) or "")[:MAX_QUESTION_CHARS]
        if not question.strip():
            return (gr.skip(),) * 10
        hits, shown = self.search_event(question, DEFAULT_TOP_K, None)
        return (question, hits, shown, *self.show_event(shown))

    def end_session(self, request: gr.Request) -> None:
        """The visitor left: free their FAQ set now."""
        self._forget(request)

    def _forget(self, request: gr.Request | None) -> None:
        key = request.session_hash if request else None
        if self.sessions.get(key) is not None:
            self.sessions.drop(key)
            release_memory()

    def search(self, question: str, top_k: float, corpus: Corpus | None) -> tuple[list[dict], View]:
        """The ``top_k`` FAQs closest to ``question``, best first, as JSON-ready dicts."""
        corpus = corpus or self.default
        # The question is embedded once: the engine ranks with its vector and the map draws it
        # (a second embedding would spend Inference API budget on a Space).
        if isinstance(top_k, bool) or not isinstance(top_k, (int, float)) or not math.isfinite(top_k):
            raise InvalidQueryError(f"How many FAQs to show must be a number from 1 to {MAX_K}.")
        answer = corpus.engine.answer(question, max(1, min(MAX_K, int(top_k))))
        view = View(corpus, answer.hits, answer.vector, answer.characters_read, answer.hit_vectors,
                    language=answer.language)
        return [h.to_dict() for h in answer.hits], view

    def load_hub(self, dataset_id: str, token: str = "", request: gr.Request = None, progress=gr.Progress()) -> tuple:
        """Load a Hub dataset (``namespace/name[@revision]``) for this session.

        Anonymously, or with the ``token`` the visitor typed (used for this load only): the
        server's own token embeds questions and nothing else, so a visitor can never read
        the owner's private datasets.
        """
        dataset_id = (dataset_id or "").strip()
        if not dataset_id:
            return self._failed("Type a Hub dataset id such as 'namespace/faqs', then press Load.")
        try:
            # Only Hub ids, parsed strictly: a path on the server must never be readable from the browser.
            source = Source.hub(dataset_id)
            if Path(source.repo_id).exists():  # also a folder on the server: say no rather than guess
                raise DatasetError(f"{dataset_id!r} is not a Hub dataset id: use 'namespace/name' "
                                   "(optionally '@revision').")
        except DatasetError as err:
            return self._failed(describe(err))
        try:  # the visitor's own token, for this load only; never a cached copy instead of the Hub's answer
            access = HubAccess((token or "").strip() or None, self.settings.hub_endpoint, max_bytes=MAX_DATA_BYTES,
                               cache_fallback=False)
        except FaqEngineError as err:
            return self._failed(describe(err))
        return self._load(source, dataset_id, "Hub dataset", _session(request), progress, access)

    def load_file(self, path: str, request: gr.Request = None, progress=gr.Progress()) -> tuple:
        """Load an uploaded CSV/JSON/JSONL/Parquet file for this session."""
        if not isinstance(path, str) or not path:  # an API call without a file
            return self._failed("Choose a CSV, JSON, JSONL or Parquet file to upload.")
        name = Path(path).name  # the visitor's own file name: the server's folder is never shown
        try:
            format_of(Path(path))
            size = Path(path).stat().st_size
        except (DatasetError, OSError) as err:
            return self._failed(describe(err) if isinstance(err, DatasetError) else f"{name} could not be read.",
                                clear_upload=True)
        if size > MAX_DATA_BYTES:
            return self._failed(f"{name} is {size / 2**20:.1f} MB: upload a file of at most "
                                f"{MAX_DATA_BYTES // 2**20} MB (or split it).", clear_upload=True)
        return self._load(Source("path", path, path=Path(path), label=name), name, "uploaded file",
                          _session(request), progress)

    def use_default(self, request: gr.Request = None) -> tuple:
        """Go back to the default FAQ set."""
        self._forget(request)  # the session's own set is not needed any more
        default = self.default
        return self._loaded(None, default, f"Searching the {default.size} {md_text(default.name)} FAQs again.")

    def _load(self, source: Source, name: str, origin: str, key: str, progress: gr.Progress,
              access: HubAccess = HubAccess()) -> tuple:
        started, big = time.monotonic(), []

        def report(done: int, total: int) -> None:
            if total > BIG_LOAD and not big:  # the first word of the embedding says how big the set is
                if not self._big_load.acquire(blocking=False):
                    raise BusyError(BUSY)
                big.append(self._big_load)
            progress((done, total), desc=f"Embedding the FAQs{_time_left(started, done, total)}", unit="FAQs")

        progress(0.0, desc=f"Loading {name}")
        self.loading[key] = name  # a question asked meanwhile says which set answers it
        try:
            faqs = load_faqs(source, self.default.engine.embedder, fields=self.settings.fields,
                             cache_dir=self.settings.cache_dir, hub=access, limits=APP_LIMITS, progress=report)
        except FaqEngineError as err:  # said in the data panel; the current set and results stay
            log.warning("Could not load %s: %s", name, err)
            return self._failed(describe(err))
        finally:
            self.loading.pop(key, None)
            for held in big:
                held.release()
        corpus = make_corpus(faqs, self.default.engine, origin, threshold=self.settings.threshold)
        self.sessions.put(key, corpus)
        notes = "".join(f"\n\n_{md_text(note)}_" for note in faqs.notes)  # how it was read, said where it was asked
        file = gr.skip() if source.kind == "path" else None  # an upload stays shown; a Hub load clears it
        return self._loaded(key, corpus, f"Loaded **{len(faqs)}** FAQs from {md_text(name)}. Ask away.{notes}",
                            file)

    def _loaded(self, key: str | None, corpus: Corpus, note: str, file=None) -> tuple:
        """Everything that depends on the FAQ set changes with it: map, status, examples, placeholder, the
        about line, and the upload box (cleared unless the set is its file)."""
        _, _, plot, status = render(View(corpus, ()))
        examples = self.examples if corpus is self.default else examples_for(corpus)
        return (key, note, "", plot, status, None, gr.Dataset(samples=[[q] for q in examples]),
                gr.Textbox(placeholder=placeholder(examples)), gr.Radio(choices=[], value=None, visible=False),
                gr.Button(visible=False), about(corpus), file)

    @staticmethod
    def _failed(message: str, *, clear_upload: bool = False) -> tuple:
        """Only the data panel's message changes (and a refused upload leaves the upload box): the current FAQ
        set, results and map stay."""
        return (gr.skip(), f"⚠️ {md_text(message)}") + (gr.skip(),) * 9 + (None if clear_upload else gr.skip(),)


@dataclass(frozen=True, eq=False)
class Shown:
    """What the page keeps of a search to draw it: the session's key, the hits and the question's vector."""

    key: str | None
    hits: tuple[SearchHit, ...]
    vector: np.ndarray | None
    characters_read: int | None = None
    hit_vectors: np.ndarray | None = None
    question: str = ""
    notice: str = ""  # said above the results (the visitor's own set was unloaded, ...)
    language: str | None = None  # the question's language when it is surely not English


def _time_left(started: float, done: int, total: int) -> str:
    """", about 2 min left" from the pace so far; nothing before the first batch or after the last."""
    if not 0 < done < total:
        return ""
    seconds = (time.monotonic() - started) / done * (total - done)
    return f", about {max(1, round(seconds))} s left" if seconds < 90 else f", about {round(seconds / 60)} min left"


def _session(request: gr.Request | None) -> str:
    """The visitor's session id (a fresh one where there is no request: a direct call)."""
    return getattr(request, "session_hash", None) or uuid.uuid4().hex
