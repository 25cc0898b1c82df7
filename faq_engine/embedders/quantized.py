"""The 8-bit variant of the local model: ONNX Runtime's dynamic quantization of the same graph.

Weights are stored as int8 per output channel and activations quantized on the fly: the model
runs about 2.3x faster on CPUs with 8-bit dot products (AVX-VNNI), at a cosine of about 0.994 to
the float model's vectors. It is measured, not used: ``python -m benchmarks.upload_speed`` prints
its speed and its top-1 beside the float model's: it loses up to 4.5 points of top-1 on the dev
sets; and since activations are scaled per batch, a text's vector depends on its batch mates.
Its vectors carry their own model id (:data:`INT8_MODEL_ID`), so the embedding cache, the
dataset check and the engines would never mix them with the float model's.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from pathlib import Path

from ..settings import MODEL_ID

log = logging.getLogger(__name__)

INT8_MODEL_ID = f"{MODEL_ID}#int8"
QUANTIZER_VERSION = "1"  # part of the cached file's name: change it when the quantization settings change


def int8_graph_path(float_graph: Path) -> Path:
    """Where the 8-bit graph made from the cached float graph ``float_graph`` is kept (beside it)."""
    return float_graph.with_name(f"{float_graph.stem}-int8-v{QUANTIZER_VERSION}.onnx")


def quantize(source: Path, target: Path) -> None:
    """Write the 8-bit graph of the float graph ``source`` to ``target``, atomically."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=target.parent, prefix=".quantize-"))
    try:
        # Per channel: one scale per output column, which keeps the vectors closer to the float model's than one
        # scale per matrix did in a first trial (benchmarks/upload_speed.py prints the agreement of this one).
        quantize_dynamic(str(source), str(staging / target.name), weight_type=QuantType.QInt8, per_channel=True)
        os.replace(staging / target.name, target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def ensure_int8_graph(float_graph: Path | bytes) -> Path | bytes:
    """The 8-bit graph for ``float_graph``: a file cached beside it, or bytes when it cannot be cached (no cache
    folder, or a read-only one)."""
    if isinstance(float_graph, Path):
        target = int8_graph_path(float_graph)
        if target.is_file():
            return target
        try:
            quantize(float_graph, target)
            return target
        except OSError as err:
            log.warning("Could not cache the 8-bit graph in %s (%s); making it in memory.", target.parent, err)
    with tempfile.TemporaryDirectory(prefix="faq-engine-int8-") as folder:
        source = float_graph
        if isinstance(float_graph, bytes):
            source = Path(folder) / "model.onnx"
            source.write_bytes(float_graph)
        quantize(source, Path(folder) / "int8.onnx")
        return (Path(folder) / "int8.onnx").read_bytes()
