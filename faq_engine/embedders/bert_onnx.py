"""Build the all-MiniLM-L6-v2 encoder as an ONNX graph straight from its safetensors weights.

No torch and no exporter: the BERT forward pass that sentence-transformers runs
(embeddings, 6 encoder layers, mean pooling) is written out with ``onnx.helper``
so the graph is reproducible byte for byte from the weights and ``config.json``.
The graph takes ``input_ids`` and ``attention_mask`` (int64, ``[batch, seq]``)
and returns ``sentence_embedding`` (float32, ``[batch, hidden]``), mean-pooled
over the real tokens but not yet L2-normalised.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

import numpy as np

# Bump whenever the graph below changes: it is part of the cache key.
BUILDER_VERSION = "3"
OPSET = 17


@dataclass(frozen=True)
class BertConfig:
    """The sizes of a BERT encoder, read from ``config.json``."""

    hidden: int
    heads: int
    layers: int
    intermediate: int
    eps: float

    @classmethod
    def from_file(cls, path: Path) -> BertConfig:
        """Read the fields the graph needs from a Hugging Face ``config.json``."""
        raw = json.loads(Path(path).read_text(encoding="utf-8"))
        if raw.get("hidden_act", "gelu") != "gelu" or raw.get("position_embedding_type", "absolute") != "absolute":
            raise ValueError(f"{path}: only BERT with exact GELU and absolute positions is supported")
        return cls(raw["hidden_size"], raw["num_attention_heads"], raw["num_hidden_layers"],
                   raw["intermediate_size"], float(raw["layer_norm_eps"]))


class _Graph:
    """A tiny node/initializer accumulator with automatic, readable value names."""

    def __init__(self, weights: Mapping[str, np.ndarray]) -> None:
        from onnx import helper

        self._helper = helper
        self.weights = weights
        self.nodes: list = []
        self.inits: list = []
        self._names: set[str] = set()
        self._count = 0

    def const(self, name: str, value: np.ndarray) -> str:
        """An initializer named ``name`` (added once; later calls reuse it)."""
        from onnx import numpy_helper

        if name not in self._names:
            self._names.add(name)
            self.inits.append(numpy_helper.from_array(np.ascontiguousarray(value), name))
        return name

    def weight(self, key: str, transpose: bool = False) -> str:
        value = self.weights[key]
        return self.const(key, value.T if transpose else value)

    def op(self, op_type: str, *inputs: str, output: str | None = None, **attrs) -> str:
        """Append a node and return the name of its (single) output."""
        self._count += 1
        out = output or f"{op_type.lower()}_{self._count}"
        self.nodes.append(self._helper.make_node(op_type, list(inputs), [out], **attrs))
        return out


    def split(self, x: str, parts: int, axis: int) -> list[str]:
        """Split ``x`` into ``parts`` equal pieces along ``axis``."""
        self._count += 1
        outs = [f"split_{self._count}_{i}" for i in range(parts)]
        self.nodes.append(self._helper.make_node("Split", [x], outs, axis=axis))
        return outs


def _ints(*values: int) -> np.ndarray:
    return np.array(values, dtype=np.int64)


def _scalar(value: float) -> np.ndarray:
    return np.array(value, dtype=np.float32)


def _dense(g: _Graph, x: str, prefix: str) -> str:
    # One Gemm (matmul + bias) on [tokens, in]; transB reads torch's [out, in] layout as it is.
    return g.op("Gemm", x, g.weight(f"{prefix}.weight"), g.weight(f"{prefix}.bias"), transB=1)


def _layer_norm(g: _Graph, x: str, prefix: str, eps: float) -> str:
    weight, bias = g.weight(f"{prefix}.weight"), g.weight(f"{prefix}.bias")
    return g.op("LayerNormalization", x, weight, bias, axis=-1, epsilon=eps)


def _embeddings(g: _Graph, cfg: BertConfig) -> str:
    """Word + token type + position embeddings, LayerNorm, flattened to ``[tokens, hidden]``."""
    words = g.op("Gather", g.weight("embeddings.word_embeddings.weight"), "input_ids")
    # Single-sentence input: every token type is 0, so its embedding is one constant row.
    token_type = g.const("token_type_row", g.weights["embeddings.token_type_embeddings.weight"][0])
    seq_len = g.op("Slice", g.op("Shape", "input_ids"), g.const("one", _ints(1)), g.const("two", _ints(2)))
    positions = g.op("Slice", g.weight("embeddings.position_embeddings.weight"), g.const("zero", _ints(0)), seq_len,
                     g.const("axis0", _ints(0)))
    summed = g.op("Add", g.op("Add", words, token_type), positions)
    normed = _layer_norm(g, summed, "embeddings.LayerNorm", cfg.eps)
    return g.op("Reshape", normed, g.const("flat_shape", _ints(-1, cfg.hidden)))


def _attention(g: _Graph, x: str, mask_bias: str, qkv_shape: str, prefix: str, cfg: BertConfig) -> str:
    """Self-attention on ``[tokens, hidden]``; query, key and value come from one fused Gemm."""
    w, b = (np.concatenate([g.weights[f"{prefix}.self.{n}.{part}"] for n in ("query", "key", "value")])
            for part in ("weight", "bias"))
    qkv = g.op("Gemm", x, g.const(f"{prefix}.self.qkv.weight", w), g.const(f"{prefix}.self.qkv.bias", b), transB=1)
    # [batch, seq, 3 * heads, head] -> [batch, 3 * heads, seq, head] -> 3 x [batch, heads, seq, head]
    stacked = g.op("Transpose", g.op("Reshape", qkv, qkv_shape), perm=[0, 2, 1, 3])
    q, k, v = g.split(stacked, 3, axis=1)
    scale = g.const("attention_scale", _scalar(1.0 / math.sqrt(cfg.hidden // cfg.heads)))
    scores = g.op("MatMul", q, g.op("Transpose", k, perm=[0, 1, 3, 2]))
    probs = g.op("Softmax", g.op("Add", g.op("Mul", scores, scale), mask_bias), axis=-1)
    context = g.op("Transpose", g.op("MatMul", probs, v), perm=[0, 2, 1, 3])
    merged = g.op("Reshape", context, g.const("flat_shape", _ints(-1, cfg.hidden)))
    residual = g.op("Add", _dense(g, merged, f"{prefix}.output.dense"), x)
    return _layer_norm(g, residual, f"{prefix}.output.LayerNorm", cfg.eps)


def _gelu(g: _Graph, x: str) -> str:
    # Exact (erf) GELU, as BERT's "gelu": 0.5 * x * (1 + erf(x / sqrt(2))).
    erf = g.op("Erf", g.op("Div", x, g.const("sqrt2", _scalar(math.sqrt(2.0)))))
    return g.op("Mul", g.op("Mul", x, g.op("Add", erf, g.const("one_f", _scalar(1.0)))), g.const("half", _scalar(0.5)))


def _layer(g: _Graph, x: str, mask_bias: str, qkv_shape: str, index: int, cfg: BertConfig) -> str:
    prefix = f"encoder.layer.{index}"
    attended = _attention(g, x, mask_bias, qkv_shape, f"{prefix}.attention", cfg)
    inner = _gelu(g, _dense(g, attended, f"{prefix}.intermediate.dense"))
    out = g.op("Add", _dense(g, inner, f"{prefix}.output.dense"), attended)
    return _layer_norm(g, out, f"{prefix}.output.LayerNorm", cfg.eps)


def _mean_pool(g: _Graph, hidden: str, mask: str) -> str:
    # sentence-transformers' Pooling: sum over real tokens / max(count, 1e-9).
    weights = g.op("Unsqueeze", mask, g.const("last_axis", _ints(-1)))
    summed = g.op("ReduceSum", g.op("Mul", hidden, weights), g.const("seq_axis", _ints(1)), keepdims=0)
    count = g.op("ReduceSum", weights, g.const("seq_axis", _ints(1)), keepdims=0)
    floor = g.const("count_floor", _scalar(1e-9))
    return g.op("Div", summed, g.op("Max", count, floor), output="sentence_embedding")


def build_model(weights: Mapping[str, np.ndarray], cfg: BertConfig):
    """The encoder + mean pooling as an ``onnx.ModelProto`` (pure function of its inputs)."""
    from onnx import TensorProto, helper

    g = _Graph(weights)
    mask = g.op("Cast", "attention_mask", to=TensorProto.FLOAT)
    # Additive mask: 0 for real tokens, the most negative float for padding (as transformers does).
    lowest = g.const("lowest", _scalar(np.finfo(np.float32).min))
    inverted = g.op("Sub", g.const("one_f", _scalar(1.0)), mask)
    mask_bias = g.op("Unsqueeze", g.op("Mul", inverted, lowest), g.const("head_axes", _ints(1, 2)))
    batch_seq = g.op("Shape", "input_ids")
    qkv_shape = g.op("Concat", batch_seq, g.const("qkv_dims", _ints(3 * cfg.heads, cfg.hidden // cfg.heads)), axis=0)
    x = _embeddings(g, cfg)
    for index in range(cfg.layers):
        x = _layer(g, x, mask_bias, qkv_shape, index, cfg)
    hidden_shape = g.op("Concat", batch_seq, g.const("hidden_dim", _ints(cfg.hidden)), axis=0)
    _mean_pool(g, g.op("Reshape", x, hidden_shape), mask)
    dims = ["batch", "seq"]
    graph = helper.make_graph(
        g.nodes, "minilm_encoder",
        [helper.make_tensor_value_info(n, TensorProto.INT64, dims) for n in ("input_ids", "attention_mask")],
        [helper.make_tensor_value_info("sentence_embedding", TensorProto.FLOAT, ["batch", cfg.hidden])],
        g.inits,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)], producer_name="faq-engine")
    model.ir_version = 8
    return model


def build_from_folder(folder: Path):
    """Read ``model.safetensors`` and ``config.json`` from ``folder`` and build the graph."""
    from safetensors.numpy import load_file

    weights = load_file(str(Path(folder) / "model.safetensors"))
    return build_model(weights, BertConfig.from_file(Path(folder) / "config.json"))
