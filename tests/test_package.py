"""The public API: everything in __all__ exists, and importing the package stays cheap."""

from __future__ import annotations

import subprocess
import sys

import faq_engine


def test_every_public_name_exists():
    assert [name for name in faq_engine.__all__ if not hasattr(faq_engine, name)] == []
    assert faq_engine.LocalEmbedder is faq_engine.OnnxEmbedder
    assert issubclass(faq_engine.ApiAuthError, PermissionError) and issubclass(faq_engine.DatasetError, ValueError)


def test_importing_the_package_loads_no_heavy_library():
    heavy = ("torch", "sentence_transformers", "gradio", "requests", "bm25s", "datasets", "onnxruntime")
    code = f"import sys, faq_engine; print([m for m in {heavy!r} if m in sys.modules])"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    assert out.stdout.strip() == "[]"
