"""Use the Inference API while it works, the local model once it does not, and say so.

Both embed with the same model, so vectors from either live in one vector space:
FAQs embedded by one are searchable with the other, and switching mid-session
changes nothing the user can see except the status line.
"""

from __future__ import annotations

import logging
import threading
from typing import Callable, Sequence

import numpy as np

from ..errors import ConfigError, EmbeddingApiError
from .base import Embedder

log = logging.getLogger(__name__)


class FallbackEmbedder(Embedder):
    """``primary`` (the API) until it raises :class:`EmbeddingApiError`, then ``fallback()`` for good.

    Every API failure counts (unreachable, refused token, used-up credits, odd
    answers): the retries have already run, and the local model answers the same
    question in the same vector space.  The switch is logged as a WARNING and
    shown by :attr:`status`.  ``fallback`` is a factory so the local model is only
    loaded if it is needed.
    """

    def __init__(self, primary: Embedder, fallback: Callable[[], Embedder]) -> None:
        self.primary = primary
        self.model_id, self.dim = primary.model_id, primary.dim
        self._make_fallback = fallback
        self._fallback: Embedder | None = None
        self._reason: str | None = None
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"FallbackEmbedder(primary={self.primary!r}, status={self.status!r})"

    @property
    def batch_size(self) -> int:
        """The preferred texts per call of whichever embedder answers now."""
        return (self._fallback or self.primary).batch_size

    @property
    def vector_source(self) -> str:
        """Who computes the vectors now: the API until it fails, then the local model."""
        return (self._fallback or self.primary).vector_source

    def characters_read(self, text: str) -> int | None:
        """How much of ``text`` whichever embedder answers now reads."""
        return (self._fallback or self.primary).characters_read(text)

    @property
    def fell_back(self) -> bool:
        """Whether the local model has taken over."""
        return self._fallback is not None

    @property
    def reason(self) -> str | None:
        """Why the API was given up, or ``None`` while it is in use."""
        return self._reason

    @property
    def status(self) -> str:
        """``"Inference API"`` (or the endpoint) while it works, then ``"local model (fell back: ...)"``."""
        if self._fallback is None:
            return self.primary.status
        return f"{self._fallback.status} (fell back: {self._reason})"

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Embed with the API, or with the local model once the API has failed."""
        if self._fallback is None:
            try:
                return self.primary.embed(texts)
            except EmbeddingApiError as err:
                self._switch(err)
        assert self._fallback is not None
        return self._fallback.embed(texts)

    def _switch(self, err: EmbeddingApiError) -> None:
        with self._lock:
            if self._fallback is not None:  # another thread switched first
                return
            fallback = self._make_fallback()
            if (fallback.model_id, fallback.dim) != (self.model_id, self.dim):
                raise ConfigError(
                    f"The API failed and the local model ({fallback.model_id}) cannot replace "
                    f"{self.model_id}: its vectors would not match the FAQs. {err}"
                ) from err
            self._reason = err.reason  # short, for the status line; the full message goes to the log
            self._fallback = fallback
        log.warning("%s failed, so the local model is used from now on: %s",
                    self.primary.status, err)
