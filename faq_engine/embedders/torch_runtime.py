"""all-MiniLM-L6-v2 through sentence-transformers on torch: the reference implementation.

Not the default (that is :mod:`.onnx_runtime`, which needs no torch); chosen with
``FAQ_ENGINE_LOCAL_RUNTIME=sentence-transformers`` and used by the tests as the oracle.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Sequence

import numpy as np

from ..errors import ModelLoadError
from ..settings import MODEL_ID
from ..vectors import l2_normalize
from .base import Embedder
from .model_files import DIM, model_dir


class SentenceTransformersEmbedder(Embedder):
    """all-MiniLM-L6-v2 through sentence-transformers on torch (loaded lazily, once)."""

    model_id = MODEL_ID
    dim = DIM

    def __init__(self, folder: Path | None = None, batch_size: int = 64) -> None:
        self._folder = folder
        self._batch_size = batch_size
        self._model = None
        self._lock = threading.Lock()

    def _load(self):
        with self._lock:
            if self._model is None:
                try:
                    from sentence_transformers import SentenceTransformer

                    # local_files_only: never contact a hub, whatever HF_HUB_OFFLINE says.
                    self._model = SentenceTransformer(
                        str(self._folder or model_dir()), device="cpu", local_files_only=True
                    )
                except ModelLoadError:
                    raise
                except Exception as err:  # torch/ST raise many types; one clear message
                    raise ModelLoadError(f"Could not load the local model: {err}") from err
        return self._model

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Embed ``texts`` into L2-normalised float32 vectors of shape ``(n, 384)``."""
        if len(texts) == 0:
            return np.zeros((0, self.dim), dtype=np.float32)
        vectors = self._load().encode(
            list(texts), batch_size=self._batch_size, normalize_embeddings=True,
            convert_to_numpy=True, show_progress_bar=False,
        )
        return l2_normalize(vectors)
