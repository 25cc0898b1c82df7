"""``GET /api/search?q=...&k=5``: the search as plain JSON, beside the Gradio app on the same server and port.

No queue, no event stream, no session: one request, one answer, the same hits (and fields) as
Gradio's ``/search`` over the app's default FAQ set, with the same validation and words. Questions
that arrive together are embedded in one call (:class:`Batcher`). Each client (by address, as the
server sees it: behind a proxy, uvicorn's ``FORWARDED_ALLOW_IPS`` lets it read the client's) may make
``FAQ_ENGINE_SEARCH_RATE`` searches a second (default 20), in bursts of twice that; past that it is
answered 429 with ``Retry-After``.
"""

from __future__ import annotations

import asyncio
import logging
import queue
import threading
import time
from collections import OrderedDict
from concurrent.futures import Future
from dataclasses import dataclass

from ..errors import FaqEngineError, InvalidQueryError
from ..learning.log import QuestionLog
from ..search.engine import Engine, validate_query
from ..search.hits import SearchHit
from ..settings import DEFAULT_TOP_K, Settings
from .errors import UNEXPECTED, describe
from .feedback import Feedback
from .handlers import MAX_K

log = logging.getLogger(__name__)

PATH = "/api/search"
MAX_BATCH = 32  # questions embedded in one call
MAX_CLIENTS = 10_000  # clients whose allowance is remembered (the least recent are forgotten)


@dataclass
class _Asked:
    question: str
    k: int
    answer: Future


class Batcher:
    """One worker thread answers every question: it takes all that have queued (up to :data:`MAX_BATCH`) and
    searches them with one embedding call, so concurrent questions share the model's fixed cost."""

    def __init__(self, engine: Engine, max_batch: int = MAX_BATCH) -> None:
        self.engine, self.max_batch = engine, max_batch
        self._queue: queue.SimpleQueue[_Asked] = queue.SimpleQueue()
        self.batches: list[int] = []  # the size of each batch so far (the last thousand), for measurement
        threading.Thread(target=self._work, name="json-api-batcher", daemon=True).start()

    def ask(self, question: str, k: int) -> Future:
        """A future of the ``k`` best hits for ``question`` (validated by the caller)."""
        asked = _Asked(question, k, Future())
        self._queue.put(asked)
        return asked.answer

    def _work(self) -> None:
        while True:
            batch = [self._queue.get()]
            while len(batch) < self.max_batch:
                try:
                    batch.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            self.batches = [*self.batches[-999:], len(batch)]
            self._answer(batch)

    def _answer(self, batch: list[_Asked]) -> None:
        try:
            results = self.engine.search_batch([a.question for a in batch], max(a.k for a in batch))
        except Exception as err:  # every waiting request hears of it; the worker lives on
            for asked in batch:
                asked.answer.set_exception(err)
            return
        for asked, hits in zip(batch, results):
            asked.answer.set_result(hits[: asked.k])


class Allowance:
    """A token bucket per client: ``rate`` searches a second, up to ``burst`` saved (``rate`` 0: no limit)."""

    def __init__(self, rate: float, burst: int | None = None, clients: int = MAX_CLIENTS) -> None:
        self.rate, self.burst, self.clients = rate, burst or max(1, int(2 * rate)), clients
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()
        self._lock = threading.Lock()

    def take(self, client: str, now: float | None = None) -> bool:
        """Whether ``client`` may search now (and if so, one search is spent)."""
        if self.rate <= 0:
            return True
        now = time.monotonic() if now is None else now
        with self._lock:
            tokens, then = self._buckets.pop(client, (float(self.burst), now))
            tokens = min(float(self.burst), tokens + (now - then) * self.rate)
            allowed = tokens >= 1.0
            self._buckets[client] = (tokens - 1.0 if allowed else tokens, now)
            while len(self._buckets) > self.clients:
                self._buckets.popitem(last=False)
            return allowed


def parse_k(raw: str | None) -> int:
    """``k`` from the query string: a whole number from 1 to :data:`MAX_K` (default 5)."""
    if raw is None or raw == "":
        return DEFAULT_TOP_K
    if not raw.strip().isdigit() or not 1 <= int(raw) <= MAX_K:
        raise InvalidQueryError(f"k must be a whole number from 1 to {MAX_K}.")
    return int(raw)


def routes(engine: Engine, settings: Settings, log: QuestionLog | None = None) -> list:
    """The API's routes, for ``FastAPI(routes=...)`` (Gradio's ``launch(app_kwargs={"routes": ...})``); with a
    question ``log``, its searches are logged as the page's are."""
    from fastapi.responses import ORJSONResponse
    from starlette.routing import Route

    batcher, allowance, feedback = Batcher(engine), Allowance(settings.search_rate), Feedback(log)
    name = engine.describe().name

    async def search(request) -> ORJSONResponse:
        client = request.client.host if request.client else "?"
        if not allowance.take(client):
            return ORJSONResponse({"error": f"Too many searches: at most {allowance.rate:g} a second from one "
                                            "address. Try again in a moment."}, status_code=429,
                                  headers={"Retry-After": "1"})
        try:
            question = validate_query(request.query_params.get("q", ""))
            k = parse_k(request.query_params.get("k"))
            hits: list[SearchHit] = await asyncio.wrap_future(batcher.ask(question, k))
        except FaqEngineError as err:
            status = 400 if isinstance(err, InvalidQueryError) else 503
            return ORJSONResponse({"error": describe(err)}, status_code=status)
        except Exception:
            log.exception("Unexpected error in %s", PATH)
            return ORJSONResponse({"error": UNEXPECTED}, status_code=500)
        feedback.searched(question, name, hits)
        return ORJSONResponse([h.to_dict() for h in hits])

    return [Route(PATH, search, methods=["GET"])]
