"""The settings of the test environment (``tests/conftest.py`` points every cache at a temp folder and
clears every token before anything is imported)."""

from __future__ import annotations

import dataclasses
import os

from faq_engine.settings import Settings


def env_settings(**changes) -> Settings:
    """The settings of this test environment (temp caches, no token), with ``changes`` applied."""
    return dataclasses.replace(Settings.from_env(os.environ), **changes)
