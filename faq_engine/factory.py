"""Wiring: build the embedder and the engine that the settings describe."""

from __future__ import annotations

from .embedding import Embedder
from .engine import SearchEngine
from .faqs import Progress, load_bundled
from .local import SentenceTransformersEmbedder
from .settings import Settings

_LOCAL: Embedder | None = None


def local_embedder() -> Embedder:
    """The process-wide local embedder (the model is loaded once, lazily)."""
    global _LOCAL
    if _LOCAL is None:
        _LOCAL = SentenceTransformersEmbedder()
    return _LOCAL


def make_embedder(settings: Settings) -> Embedder:
    """The embedder chosen by ``settings.embedder``."""
    return local_embedder()


def load_engine(settings: Settings, *, embedder: Embedder | None = None, progress: Progress | None = None) -> SearchEngine:
    """Load ``settings.dataset`` and return a ready :class:`SearchEngine`."""
    embedder = embedder or make_embedder(settings)
    from .sources import load_faqs  # every source: bundled, local file/folder, Hub dataset id

    faqs = load_faqs(settings.dataset, embedder, fields=settings.fields, cache_dir=settings.cache_dir,
                     token=settings.token, progress=progress)
    return SearchEngine(faqs, embedder, method=settings.method, threshold=settings.threshold)
