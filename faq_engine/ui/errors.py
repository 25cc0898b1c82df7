"""How the app words an error for a visitor: what went wrong, then what a visitor of the page can do.

The library's errors name no flag or variable; each carries an :class:`~faq_engine.errors.Advice`,
which this table words for someone using the page (the command line has its own table,
``cli/errors.py``). Advice a visitor cannot act on (installing packages, server settings) is
not shown: the message alone is, and the server's log keeps the rest.
"""

from __future__ import annotations

import functools
import html
import logging
from typing import Callable

import gradio as gr

from ..errors import Advice, EmbeddingApiError, FaqEngineError, VectorStoreError

log = logging.getLogger(__name__)

ADVICE: dict[Advice, str] = {
    Advice.NAME_COLUMNS: 'Name your question column "question" (and the answer column "answer"), then upload the '
                         "file again.",
    Advice.CONNECT_HUB: "The Hub cannot be reached from this app right now: try again later.",
    Advice.HUB_TOKEN: "If it is private or gated, paste a token that can read it in the token box.",
    Advice.USE_LOCAL_EMBEDDER: "Please try again in a minute.",
}
UNEXPECTED = "Something went wrong on the server; the error is in its log. Please try again."
# The services behind the app fail in ways a visitor can do nothing about, and their messages name what a
# visitor must not see (an internal address, a server's own words): the log keeps those, the page says this.
SERVICES: dict[type[FaqEngineError], str] = {
    EmbeddingApiError: "The service that reads questions is not answering properly right now. Please try again "
                       "in a minute.",
    VectorStoreError: "The FAQ store is not answering properly right now. Please try again in a minute.",
}


def describe(err: FaqEngineError) -> str:
    """The text a visitor reads for ``err`` (plain text: callers escape it for where it is shown)."""
    for kind, words in SERVICES.items():
        if isinstance(err, kind):
            log.warning("%s shown to a visitor as: %s", err, words)
            return words
    advice = ADVICE.get(err.advice) if err.advice is not None else None
    return f"{err} {advice}" if advice else str(err)


def user_errors(fn: Callable) -> Callable:
    """Show expected failures as a short ``gr.Error`` and unexpected ones without a traceback."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except gr.Error:
            raise
        except FaqEngineError as err:
            log.warning("%s: %s", fn.__name__, err)
            # gr.Error renders HTML; escaping shows file names and FAQ text literally. An empty question is
            # an error for an API client, but on the page it only clears the results with a hint: no toast.
            raise gr.Error(html.escape(describe(err), quote=False), print_exception=False,
                           visible=not err.fields.get("empty")) from None
        except Exception:
            log.exception("Unexpected error in %s", fn.__name__)
            raise gr.Error(UNEXPECTED, print_exception=False) from None

    return wrapper
