"""Qdrant as the FAQ index: one collection per FAQ set, reached by URL (a server or cluster) or a folder.

Each FAQ is one point (id: a UUID derived from the FAQ id) holding its dense vector
(``dense``, cosine), its BM25 terms (``bm25``, sparse, IDF applied by Qdrant) and its
text as payload. The collection's metadata records the model, dimension, embedded text,
BM25's average length and a hash of the content, so a collection made with another
model is refused, and re-indexing sends only what changed. All Qdrant traffic of
faq-engine goes through here, with a timeout, bounded retries and typed errors.
"""

from __future__ import annotations

import hashlib
import time
import uuid
from dataclasses import asdict, dataclass
from typing import Callable, Sequence

import numpy as np

from ...errors import (
    Advice,
    CollectionMismatchError,
    TransientError,
    VectorStoreAuthError,
    VectorStoreError,
    VectorStoreUnavailableError,
    scrub,
)
from ...faqs.entry import Entries
from ...retry import RetryPolicy, call_with_retries
from ..lexical import K1, B
from .deadline import CALL_DEADLINE, OutOfTime, within
from .meta import CollectionMeta, meta_of
from .sparse import SparseVector
from .transport import AnswerTooLarge

DENSE, SPARSE, PHRASINGS = "dense", "bm25", "alternates"  # PHRASINGS: a multivector, one per alternate
NAMESPACE = uuid.UUID("6f0b7a52-2f7e-4e55-9a3c-8d1e2b4c6a90")  # FAQ id -> point id, the same everywhere
EXACT_BELOW = 20_000  # points; an exact scan below, HNSW above (overridable)
# Above it, a server walks its HNSW graph over 1-bit codes of the dense vectors (kept in RAM, a 32nd of the
# floats) and re-scores this many times the points asked for with the float vectors: the compact-code scan
# of the in-memory engine (faq_engine/search/compact.py), done by Qdrant. Not measured here: no server runs
# here, and the embedded mode takes the setting but always scans floats.
OVERSAMPLING = 8.0
UPSERT_BATCH = 256
SCROLL_PAGE = 1024


@dataclass(frozen=True)
class SyncReport:
    """What an index run changed."""

    upserted: int
    deleted: int
    unchanged: int


def point_id(faq_id: str) -> str:
    """The point id of a FAQ: stable across runs and machines."""
    return str(uuid.uuid5(NAMESPACE, faq_id))


def faq_hash(payload: dict, fields: str) -> str:
    """What a point's content depends on: its text, its row in the FAQ set (ties are broken by it), the
    embedded fields and the BM25 constants (its sparse vector's term weights), so a change to any of them
    rewrites the point on the next index run."""
    parts = [payload[k] for k in ("id", "question", "answer", "url")] + [str(payload["row"])]
    parts += ["\x1e".join(payload.get("alternates", ()))]
    text = "\x1f".join([fields, f"bm25:{K1}:{B}"] + parts)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def payload_of(entry, row: int) -> dict:
    """A FAQ's point payload, without its hash."""
    return {"id": entry.id, "question": entry.question, "answer": entry.answer, "url": entry.url, "row": int(row),
            "alternates": list(entry.alternates)}


class QdrantStore:
    """One collection of FAQ points; every call is retried on transient failures and mapped to typed errors."""

    def __init__(self, client, collection: str, where: str, *, remote: bool = False,
                 policy: RetryPolicy | None = None, sleep: Callable[[float], object] | None = None,
                 deadline: float = CALL_DEADLINE, reconnect: Callable[[], object] | None = None) -> None:
        self.client, self.collection, self.where, self.remote = client, collection, where, remote
        self.deadline = deadline  # seconds for one call, every attempt included (a server's calls only)
        self.policy = policy or RetryPolicy(max_attempts=3, deadline=deadline)
        self._sleep, self._reconnect = sleep, reconnect

    def _call(self, what: str, fn):
        kwargs = {} if self._sleep is None else {"sleep": self._sleep}
        started = time.monotonic()

        def attempt():
            if not self.remote:
                return _mapped(fn, what, self.where)
            try:
                return within(lambda: _mapped(fn, what, self.where), self.deadline - (time.monotonic() - started),
                              self._abandon)
            except OutOfTime:
                raise VectorStoreUnavailableError(f"Qdrant at {self.where} did not answer within {self.deadline:g} s "
                                                  f"when asked to {what}.") from None

        return call_with_retries(attempt, self.policy, giving_up=VectorStoreUnavailableError, **kwargs)

    def _abandon(self) -> None:
        """Drop the client of a call that ran out of time (and its connection), and start a fresh one."""
        stale = self.client
        try:
            stale.close()
        except Exception:  # closing a client that is mid-answer may fail in many ways: it is dropped all the same
            pass
        if self._reconnect is not None:
            self.client = self._reconnect()

    def meta(self) -> CollectionMeta | None:
        """The collection's metadata, or ``None`` when there is no such collection."""
        if not self._call("check the collection", lambda: self.client.collection_exists(self.collection)):
            return None
        info = self._call("read the collection", lambda: self.client.get_collection(self.collection))
        raw = (info.config.metadata or {}).get("faq_engine")
        if not isinstance(raw, dict):
            raise CollectionMismatchError(f"Collection {self.collection!r} at {self.where} was not made by "
                                          "faq-engine.", advice=Advice.QDRANT_OTHER_COLLECTION,
                                          collection=self.collection)
        return meta_of(raw, self.collection, self.where)

    def check(self, model_id: str, dim: int) -> CollectionMeta:
        """The metadata, after checking the vectors are ``model_id``'s; else a clear error."""
        meta = self.meta()
        if meta is None:
            raise VectorStoreError(f"There is no collection {self.collection!r} at {self.where}.",
                                   advice=Advice.QDRANT_INDEX_FIRST, collection=self.collection)
        if (meta.model_id, meta.dim) != (model_id, dim):
            raise CollectionMismatchError(
                f"Collection {self.collection!r} holds {meta.dim}-dimensional vectors of {meta.model_id}, but the "
                f"questions are embedded with {model_id} ({dim}).", advice=Advice.QDRANT_OTHER_COLLECTION,
                collection=self.collection)
        return meta

    def create(self, meta: CollectionMeta) -> None:
        """Create the collection: dense vectors, BM25 sparse vectors with IDF, and the metadata."""
        from qdrant_client import models

        # Dot product: unit vectors score their cosine, and fused "both" vectors their weighted mean of two.
        dense = models.VectorParams(size=meta.dim, distance=models.Distance.DOT)
        vectors = {DENSE: dense}
        if meta.phrasings:  # a FAQ's alternate phrasings, scored by the closest one (MaxSim)
            vectors[PHRASINGS] = models.VectorParams(size=meta.dim, distance=models.Distance.DOT,
                                                     multivector_config=models.MultiVectorConfig(
                                                         comparator=models.MultiVectorComparator.MAX_SIM))
        self._call("create the collection", lambda: self.client.create_collection(
            self.collection, vectors_config=vectors,
            sparse_vectors_config={SPARSE: models.SparseVectorParams(modifier=models.Modifier.IDF)},
            quantization_config=models.BinaryQuantization(binary=models.BinaryQuantizationConfig(always_ram=True)),
            metadata={"faq_engine": asdict(meta)}))

    def set_meta(self, meta: CollectionMeta) -> None:
        """Record ``meta`` (after an index run)."""
        self._call("update the collection", lambda: self.client.update_collection(
            self.collection, metadata={"faq_engine": asdict(meta)}))

    def hashes(self) -> dict[str, str]:
        """``FAQ id -> content hash`` of every point, page by page."""
        found: dict[str, str] = {}
        offset = None
        while True:  # bounded: each page moves the offset on, and the last one returns None
            points, offset = self._call("list the points", lambda o=offset: self.client.scroll(
                self.collection, limit=SCROLL_PAGE, offset=o, with_payload=["id", "hash"], with_vectors=False))
            found.update({p.payload["id"]: p.payload.get("hash", "") for p in points})
            if offset is None:
                return found

    def upsert(self, entries: Entries, rows: Sequence[int], vectors: np.ndarray, sparse: Sequence[SparseVector],
               fields: str, phrasings: Sequence[np.ndarray] | None = None) -> None:
        """Write these FAQs' points (one batch); ``rows`` are their places in the FAQ set, ``phrasings`` each
        FAQ's alternate phrasing vectors."""
        from qdrant_client import models

        points = []
        for i, (entry, row, vector, (indices, values)) in enumerate(zip(entries, rows, vectors, sparse)):
            payload = payload_of(entry, row)
            payload["hash"] = faq_hash(payload, fields)
            named = {DENSE: vector.tolist(), SPARSE: models.SparseVector(indices=indices, values=values)}
            if phrasings is not None and len(phrasings[i]):
                named[PHRASINGS] = phrasings[i].tolist()
            points.append(models.PointStruct(id=point_id(entry.id), payload=payload, vector=named))
        self._call("write points", lambda: self.client.upsert(self.collection, points=points, wait=True))

    def delete(self, faq_ids: Sequence[str]) -> None:
        """Remove these FAQs' points."""
        from qdrant_client import models

        for start in range(0, len(faq_ids), UPSERT_BATCH):
            ids = [point_id(i) for i in faq_ids[start : start + UPSERT_BATCH]]
            self._call("delete points", lambda ids=ids: self.client.delete(
                self.collection, points_selector=models.PointIdsList(points=ids), wait=True))

    def dense(self, vector: np.ndarray, k: int, *, exact: bool, using: str = DENSE,
              with_vectors: Sequence[str] = ()) -> list:
        """The ``k`` nearest points by dot product with their own vector (``using=DENSE``) or with their closest
        alternate phrasing (``using=PHRASINGS``), best first, with the named vectors asked for."""
        from qdrant_client import models

        # Embedded mode always scans exactly (and warns about search parameters): they go to servers only.
        codes = None if exact else models.QuantizationSearchParams(rescore=True, oversampling=OVERSAMPLING)
        params = models.SearchParams(exact=exact, quantization=codes) if self.remote else None
        query = np.asarray(vector, dtype=np.float32).tolist()
        return self._call("search", lambda: self.client.query_points(
            self.collection, query=query if using == DENSE else [query], using=using, limit=k,
            with_payload=True, with_vectors=list(with_vectors) or False, search_params=params)).points

    def sparse(self, vector: SparseVector, k: int, *, with_vectors: Sequence[str] = (DENSE,)) -> list:
        """The ``k`` best points by BM25, best first (with their named vectors, to score them by similarity)."""
        from qdrant_client import models

        indices, values = vector
        if not indices:
            return []
        return self._call("search", lambda: self.client.query_points(
            self.collection, query=models.SparseVector(indices=indices, values=values), using=SPARSE, limit=k,
            with_payload=True, with_vectors=list(with_vectors))).points

    def sample(self, n: int) -> list:
        """Up to ``n`` points with their dense vectors (for the map)."""
        points, _ = self._call("sample points", lambda: self.client.scroll(
            self.collection, limit=n, with_payload=True, with_vectors=[DENSE]))
        return points


def _mapped(fn, what: str, where: str):
    """``fn()``, with Qdrant's and the network's errors as faq-engine's (transient ones retried)."""
    from qdrant_client.http.exceptions import ResponseHandlingException, UnexpectedResponse

    try:
        return fn()
    except UnexpectedResponse as err:
        status, detail = err.status_code, scrub(str(err.content[:300], "utf-8", "replace"))
        if status in (401, 403):
            raise VectorStoreAuthError(f"Qdrant at {where} refused the API key ({status}) when asked to {what}.",
                                       advice=Advice.QDRANT_API_KEY) from None
        if status is not None and (status >= 500 or status == 429):
            raise TransientError(f"Qdrant at {where} answered {status} when asked to {what}") from None
        raise VectorStoreError(f"Qdrant at {where} could not {what} ({status}): {detail}") from None
    except ResponseHandlingException as err:
        if isinstance(err.source, AnswerTooLarge):  # no retry: the next answer would be as large
            raise VectorStoreError(f"Qdrant at {where} answered too much when asked to {what} "
                                   f"({err.source}).") from None
        raise TransientError(f"Could not reach Qdrant at {where} to {what} ({type(err.source).__name__})") from None
    except (ConnectionError, TimeoutError, OSError) as err:
        raise TransientError(f"Could not reach Qdrant at {where} to {what} ({type(err).__name__})") from None
    except (RuntimeError, ValueError) as err:  # embedded mode: a locked folder, an unknown collection, ...
        raise VectorStoreError(f"Qdrant at {where} could not {what}: {scrub(str(err))}") from None
