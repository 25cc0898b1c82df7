"""Where a Qdrant collection lives: a server's or cluster's URL, or a folder for embedded mode."""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlsplit

from ...errors import ConfigError, VectorStoreError, remember_secret, scrub
from .transport import MAX_ANSWER_BYTES, CappedTransport

TIMEOUT = 30  # seconds per request


@dataclass(frozen=True)
class QdrantLocation:
    """Where the collection lives: ``url`` of a server or cluster, or a local ``path`` (embedded mode)."""

    url: str | None = None
    path: str | None = None
    api_key: str | None = field(default=None, repr=False)

    @classmethod
    def parse(cls, text: str, api_key: str | None = None) -> QdrantLocation:
        """``http(s)://host:6333`` (the API key, if any, is sent only there), ``:memory:``, or a folder."""
        text = (text or "").strip()
        remember_secret(api_key)
        if not text:
            raise ConfigError("Name a Qdrant location: http(s)://host:6333, or a folder for embedded mode.")
        if text.lower().startswith(("http:", "https:")):
            try:
                parts = urlsplit(text)
                host, _ = parts.hostname, parts.port  # each raises on a malformed address
            except ValueError as err:
                raise ConfigError(f"{scrub(text)!r} is not a valid Qdrant URL ({err}): use http(s)://host:6333.") \
                    from None
            if not host:
                raise ConfigError(f"{scrub(text)!r} names no host: use http(s)://host:6333.")
            return cls(url=text, api_key=api_key)
        return cls(path=text)

    def __str__(self) -> str:
        if self.url is None:
            return self.path or ""
        parts = urlsplit(self.url)  # never credentials in messages
        return f"{parts.scheme}://{parts.hostname}{f':{parts.port}' if parts.port else ''}{parts.path}"

    def connect(self, timeout: int = TIMEOUT, max_bytes: int = MAX_ANSWER_BYTES):
        """A ``QdrantClient`` for this location (the same API for a server, a cluster and embedded mode); a
        server's answers are read up to ``max_bytes`` each."""
        from qdrant_client import QdrantClient

        if self.url is not None:
            return QdrantClient(url=self.url, api_key=self.api_key, timeout=timeout,
                                transport=CappedTransport(max_bytes))
        try:
            return QdrantClient(":memory:") if self.path == ":memory:" else QdrantClient(path=self.path)
        except RuntimeError as err:  # embedded mode locks its folder: one process at a time
            raise VectorStoreError(f"The Qdrant folder {self.path} is in use by another process (embedded mode "
                                   "allows one at a time): stop it, or run a Qdrant server and use its URL.") from err
        except OSError as err:
            raise VectorStoreError(f"Cannot open the Qdrant folder {self.path}: {err.strerror or err}.") from err
        except Exception as err:  # a folder of something else, or a damaged store: its reader fails its own ways
            raise VectorStoreError(f"The folder {self.path} is not a Qdrant store that can be read "
                                   f"({type(err).__name__}: {str(err)[:200]}).") from err
