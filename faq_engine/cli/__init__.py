"""The ``faq-engine`` command line: ``main`` registers ``search``, ``embed`` and ``eval``."""

from .main import main
from .search import format_table

__all__ = ["main", "format_table"]
