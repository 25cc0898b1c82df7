"""Embedders: texts in, one L2-normalised float32 vector per text out.

``base`` declares the :class:`Embedder` base class; the local model runs on ONNX
Runtime (``onnx_runtime``, the default) or on torch (``torch_runtime``, the
reference); ``inference_api`` calls a Hugging Face feature-extraction endpoint;
``cache``, ``memo`` and ``fallback`` wrap another embedder; ``factory`` builds
the one the settings describe.
"""

from .base import Embedder, WrappedEmbedder

__all__ = ["Embedder", "WrappedEmbedder"]
