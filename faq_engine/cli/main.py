"""The ``faq-engine`` command: the root parser registers each sub-command's module.

A command parses its options, calls the library and prints; the work itself lives
in :mod:`faq_engine.jobs`, :mod:`faq_engine.faqs`, :mod:`faq_engine.search`
and :mod:`faq_engine.evaluation`.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from typing import Sequence

from .._version import __version__
from ..errors import FaqEngineError, scrub
from ..settings import Settings
from . import alternates, embed, evaluate, gaps, index, search
from .errors import describe

COMMANDS = (search, embed, index, evaluate, gaps, alternates)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``faq-engine``."""
    parser = argparse.ArgumentParser(prog="faq-engine", description="Semantic FAQ search with all-MiniLM-L6-v2.")
    parser.add_argument("--version", action="version", version=f"faq-engine {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress and decisions to stderr")
    sub = parser.add_subparsers(dest="command", required=True)
    for command in COMMANDS:
        command.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``faq-engine`` console script; returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    for name, value in vars(args).items():
        # Bytes that are not UTF-8 reach Python as lone surrogates, which no tokenizer or terminal takes.
        if isinstance(value, str) and any("\ud800" <= ch <= "\udfff" for ch in value):
            parser.error(f"the {name.replace('_', '-')} argument is not valid UTF-8 text")
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, format="%(levelname)s: %(message)s")
    try:
        return args.func(args, Settings.from_env(os.environ))
    except FaqEngineError as err:
        print(f"faq-engine: error: {describe(err)}", file=sys.stderr)
        return 1
    except BrokenPipeError:  # e.g. `faq-engine search ... | head`: the reader left, nothing to report
        sys.stderr.close()
        return 0
    except KeyboardInterrupt:
        print("faq-engine: interrupted", file=sys.stderr)
        return 130
    except OSError as err:  # the machine's own trouble (a full disk, a folder it may not write): its words
        where = f" ({err.filename})" if err.filename else ""
        print(f"faq-engine: error: {scrub(err.strerror or str(err))}{where}.", file=sys.stderr)
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
