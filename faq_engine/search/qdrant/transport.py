"""An HTTP transport for qdrant-client that stops reading an answer past a size cap.

qdrant-client reads a server's answer whole; the time deadline bounds how long, not how much.
A server (or a proxy in front of it) answering gigabytes would fill the process's memory first.
"""

from __future__ import annotations

import httpx

MAX_ANSWER_BYTES = 64 * 2**20  # a search answers ~100 points of FAQ text and vectors: a few MB at most


class AnswerTooLarge(Exception):
    """The answer passed the cap; raised while reading it, so nothing more is read."""

    def __init__(self, cap: int) -> None:
        super().__init__(f"the answer is larger than {cap / 2**20:g} MB")
        self.cap = cap


class _Capped(httpx.SyncByteStream):
    def __init__(self, inner: httpx.SyncByteStream, cap: int) -> None:
        self._inner, self._cap = inner, cap

    def __iter__(self):
        seen = 0
        for chunk in self._inner:
            seen += len(chunk)
            if seen > self._cap:
                raise AnswerTooLarge(self._cap)
            yield chunk

    def close(self) -> None:
        self._inner.close()


class CappedTransport(httpx.BaseTransport):
    """``httpx.HTTPTransport`` whose answers raise :class:`AnswerTooLarge` once past ``cap`` bytes."""

    def __init__(self, cap: int = MAX_ANSWER_BYTES) -> None:
        self._inner, self._cap = httpx.HTTPTransport(), cap

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        answer = self._inner.handle_request(request)
        return httpx.Response(answer.status_code, headers=answer.headers, stream=_Capped(answer.stream, self._cap),
                              extensions=answer.extensions)

    def close(self) -> None:
        self._inner.close()
