"""The shape of the package: declared seams instead of capability probes, optional backends imported lazily,
and a one-way import graph."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

import faq_engine

PACKAGE = Path(faq_engine.__file__).parent
IMPORT_GRAPH = PACKAGE.parents[1] / "shared" / "tools" / "import_graph.py"


def test_no_capability_is_probed_with_hasattr():
    probes = []
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "hasattr":
                probes.append(f"{path.relative_to(PACKAGE)}:{node.lineno}")
    assert probes == []


def test_importing_the_package_loads_no_optional_backend():
    code = ("import sys, faq_engine, faq_engine.search, faq_engine.jobs\n"
            "print([m for m in sys.modules if m.startswith(('qdrant_client', 'faq_engine.search.qdrant', 'gradio',"
            " 'torch'))])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    assert out.stdout.strip() == "[]"


@pytest.mark.skipif(not IMPORT_GRAPH.is_file(), reason="the shared import-graph tool is not beside this checkout")
def test_the_import_graph_has_no_cycle_and_no_oversized_file():
    out = subprocess.run([sys.executable, str(IMPORT_GRAPH), str(PACKAGE), "--json"], capture_output=True, text=True,
                         timeout=120, check=True)
    graph = json.loads(out.stdout)
    assert graph["cycles"] == [] and graph["files_over_300"] == [] and graph["functions_over_40"] == []
