"""What a FAQ source string names, parsed once: a bundled set, a local path, or a Hub dataset.

``medicare`` is bundled; an existing file or folder is a path (only where paths
are allowed: never for a visitor of the public app); anything else must be a Hub
dataset id ``namespace/name`` with an optional ``@revision``, checked as the Hub
checks them, so a revision can never be used as a path.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from ..errors import DatasetError

BUNDLED = ("medicare",)
FORMATS = {".csv": "csv", ".json": "json", ".jsonl": "jsonl", ".ndjson": "jsonl", ".parquet": "parquet"}
# The Hub's rules: letters, digits, '-', '_', '.'; no '--' or '..'; at most 96 characters a part.
_REPO_PART = r"[A-Za-z0-9](?:[\w.-]{0,94}[A-Za-z0-9_])?"
_REPO_ID = re.compile(rf"^{_REPO_PART}/{_REPO_PART}$", re.ASCII)
# A branch, tag or commit: git ref characters only, no '..', no leading '/' or '-', at most 255.
_REVISION = re.compile(r"^(?!.*\.\.)(?!.*//)[A-Za-z0-9_][\w.\-/]{0,254}$", re.ASCII)


def is_repo_id(text: str) -> bool:
    """Whether ``text`` (without ``@revision``) is a valid Hub ``namespace/name`` id."""
    return bool(_REPO_ID.fullmatch(text)) and "--" not in text and ".." not in text


def is_revision(text: str) -> bool:
    """Whether ``text`` is a valid branch, tag or commit name (never a path)."""
    return bool(_REVISION.fullmatch(text)) and not text.endswith(("/", ".lock", "."))


def split_revision(text: str) -> tuple[str, str | None]:
    """``"user/faqs@v2"`` -> ``("user/faqs", "v2")``; no ``@`` -> revision ``None``."""
    repo_id, sep, revision = text.partition("@")
    return repo_id, (revision or None) if sep else None


@dataclass(frozen=True)
class Source:
    """A parsed FAQ source: ``kind`` is ``"bundled"``, ``"path"`` or ``"hub"``.

    ``label`` is what messages and the FAQ set call it, when that is not ``text``: the app
    names an upload by the visitor's file name, never by its path on the server.
    """

    kind: str
    text: str
    path: Path | None = None
    repo_id: str | None = None
    revision: str | None = None
    label: str = ""

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        """What to call this source in messages and as the FAQ set's name."""
        return self.label or self.text

    @classmethod
    def parse(cls, source: str | Path | Source, *, allow_paths: bool = True) -> Source:
        """Parse a source as typed by a user; raise :class:`DatasetError` saying what is accepted."""
        if isinstance(source, Source):
            return source
        text = str(source).strip()
        if text in BUNDLED:
            return cls("bundled", text)
        if allow_paths and _exists(text):
            return cls("path", text, path=Path(text).expanduser())
        return cls.hub(text, allow_paths=allow_paths)

    @classmethod
    def hub(cls, text: str, *, allow_paths: bool = False) -> Source:
        """Parse ``namespace/name[@revision]`` strictly: a Hub id, never a path. A dataset's page address
        (``https://huggingface.co/datasets/namespace/name[/tree/revision]``) is taken for its id."""
        text = from_url(text.strip())
        repo_id, revision = split_revision(text)
        if not is_repo_id(repo_id) or (allow_paths and Path(repo_id).suffix.lower() in FORMATS):
            known = ", ".join(BUNDLED)
            what = f"a file or folder, a bundled set ({known}) or " if allow_paths else ""
            raise DatasetError(f"{_shown(text)} is not {what}a Hub dataset id: use 'namespace/name' "
                               "(optionally '@revision').")
        if revision is not None and not is_revision(revision):
            raise DatasetError(f"{_shown(revision)} is not a valid revision: use a branch, tag or commit id.")
        return cls("hub", text.strip(), repo_id=repo_id, revision=revision)


_DATASET_URL = re.compile(r"^https?://[^/\s]+/datasets/([^/\s?#]+/[^/\s?#]+)"
                          r"(?:/(?:tree|blob|resolve)/([^/\s?#]+)(?:/[^\s?#]*)?)?/?(?:[?#].*)?$", re.ASCII)


def from_url(text: str) -> str:
    """``namespace/name[@revision]`` from a dataset page's address; any other text as it is."""
    match = _DATASET_URL.match(text)
    if match is None:
        return text
    repo_id, revision = match.groups()
    return f"{repo_id}@{revision}" if revision else repo_id


def _shown(text: str, limit: int = 80) -> str:
    """``text`` quoted for a message: one line, and short."""
    flat = " ".join(text.split())
    return repr(flat if len(flat) <= limit else flat[:limit] + "…")


def _exists(text: str) -> bool:
    """Whether ``text`` names an existing file or folder (a name no file system takes names none)."""
    try:
        return Path(text).expanduser().exists()
    except (OSError, ValueError):  # too long, a NUL byte
        return False
