"""The end-to-end jobs, as library calls: open a search engine, publish an embedded dataset, index into Qdrant.

These wire the layers below together (FAQ source -> embedder -> search engine, or
FAQ source -> embedder -> dataset folder -> Hub); the CLI and the app call them, and
nothing else decides between memory and Qdrant (:func:`open_engine`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ._version import __version__
from .embedders.base import Embedder, Progress
from .embedders.cache import CachedEmbedder, CacheStats, EmbeddingCache
from .embedders.factory import make_embedder
from .errors import DatasetError
from .faqs.alternates import embed_alternates, embed_alternates_texts, flat, owners_of
from .faqs.dataset_format import DatasetMeta
from .faqs.entry import Entries
from .faqs.faqset import FUSED, embed_entries
from .faqs.headers import Columns
from .faqs.hub import HubAccess, PushResult
from .faqs.loader import load_faqs, locate, read_source
from .faqs.proposals import MergeReport
from .faqs.source import Source
from .faqs.writer import DatasetWriter
from .search.engine import Engine
from .search.memory import MemoryEngine
from .settings import Settings


def open_log(settings: Settings):
    """The question log the settings name (``settings.log``: a folder, or ``hf://datasets/owner/name``), or
    ``None`` when logging is off (the default) or its Hub dataset cannot be reached."""
    from .learning.hub_log import hub_log, hub_repo
    from .learning.log import QuestionLog

    if not settings.log:
        return None
    options = dict(days=settings.log_days, max_bytes=int(settings.log_max_mb * 2**20))
    repo_id = hub_repo(settings.log)
    if repo_id is None:
        return QuestionLog(Path(settings.log).expanduser(), **options)
    folder = settings.cache_dir / "question-log" / repo_id.replace("/", "--")
    return hub_log(repo_id, folder, token=settings.token, endpoint=settings.hub_endpoint,
                   every_minutes=settings.log_push_minutes, **options)


def hub_access(settings: Settings) -> HubAccess:
    """How the settings reach the Hub: their token (the user's own) and endpoint."""
    return HubAccess(settings.token, settings.hub_endpoint)


def open_engine(settings: Settings, *, embedder: Embedder | None = None, progress: Progress | None = None,
                exact: bool | None = None) -> Engine:
    """The engine the settings name: the Qdrant collection when ``settings.qdrant`` is set, else
    ``settings.dataset`` loaded into memory."""
    if settings.qdrant is not None:  # an empty location is an error (said by the parser), never memory in its place
        return load_qdrant_engine(settings, embedder=embedder, exact=exact)
    return load_engine(settings, embedder=embedder, progress=progress)


def load_engine(settings: Settings, *, embedder: Embedder | None = None,
                progress: Progress | None = None) -> MemoryEngine:
    """Load ``settings.dataset`` into memory and return a ready :class:`MemoryEngine`."""
    embedder = embedder or make_embedder(settings)
    faqs = load_faqs(settings.dataset, embedder, fields=settings.fields, cache_dir=settings.cache_dir,
                     hub=hub_access(settings), progress=progress)
    lexical = None
    if settings.method != "dense":  # the saved BM25 index of these questions, built only the first time
        from .search.bm25_cache import load_or_build

        lexical = load_or_build(faqs.entries, settings.cache_dir)
    return MemoryEngine(faqs, embedder, method=settings.method, threshold=settings.threshold, lexical=lexical,
                        exact=settings.exact or None)  # by default, the set's size chooses


PUBLISH_CHUNK = 8192  # FAQs embedded and written at a time


@dataclass(frozen=True)
class Published:
    """What :func:`publish` did: rows read and written, what the cache saved, where it was pushed."""

    rows: int
    data_file: Path
    model_id: str
    cache: CacheStats
    cache_path: Path
    push: PushResult | None = None


def publish(source: str | Source, output: Path, embedder: Embedder, *, fields: str, cache_dir: Path,
            columns: Columns = Columns(), hub: HubAccess = HubAccess(), push_to: str | None = None,
            private: bool = False, progress: Progress | None = None) -> Published:
    """Embed every FAQ of ``source`` (through the embedding cache), write the dataset folder
    ``output`` (Parquet + card), and push it to the Hub repo ``push_to`` if given."""
    from .faqs.hub import push_dataset, require_write_token

    if push_to:
        require_write_token(hub.token)  # before the embedding work, not after it
    entries = Entries.of(read_source(locate(Source.parse(source), hub).path, columns).entries)
    total = len(entries)
    meta = DatasetMeta(embedder.model_id, embedder.dim, fields != FUSED, fields, total, __version__)
    title = f"FAQ embeddings: {push_to or Path(str(source)).stem}"
    cache = EmbeddingCache.in_dir(cache_dir)
    cached = CachedEmbedder(embedder, cache)
    try:
        # Chunk by chunk: memory stays bounded however many FAQs there are, and a run killed midway
        # resumes from the cache, embedding only what it had not reached.
        with DatasetWriter(Path(output), meta, title, push_to) as writer:
            for start in range(0, total, PUBLISH_CHUNK):
                part = Entries(entries.table.slice(start, PUBLISH_CHUNK))
                report = None if progress is None else (lambda done, _, s=start: progress(s + done, total))
                writer.write(part, embed_entries(cached, part, fields, report), embed_alternates(cached, part).vectors)
    finally:
        cache.close()
    data_file = Path(output) / writer.names[0]
    pushed = push_dataset(Path(output), push_to, access=hub, private=private) if push_to else None
    return Published(total, data_file, embedder.model_id, cached.stats, cache.path, pushed)


def qdrant_store(settings: Settings):
    """The Qdrant collection the settings name (``settings.qdrant``: a URL or a folder)."""
    from .search.qdrant.location import QdrantLocation
    from .search.qdrant.store import QdrantStore

    location = QdrantLocation.parse(settings.qdrant or "", settings.qdrant_api_key)
    return QdrantStore(location.connect(), settings.qdrant_collection, str(location), remote=location.url is not None,
                       deadline=settings.qdrant_deadline, reconnect=location.connect)


def load_qdrant_engine(settings: Settings, *, embedder: Embedder | None = None, exact: bool | None = None):
    """A :class:`~faq_engine.search.qdrant.engine.QdrantEngine` over the collection the settings name (``exact``:
    ``settings.exact``'s if ``None``; ``None`` again lets the collection's size choose)."""
    from .search.qdrant.engine import QdrantEngine

    exact = exact if exact is not None else settings.exact or None
    return QdrantEngine(qdrant_store(settings), embedder or make_embedder(settings), method=settings.method,
                        threshold=settings.threshold, exact=exact)


def index_faqs(settings: Settings, *, embedder: Embedder | None = None, progress: Progress | None = None):
    """Load ``settings.dataset`` (any source) and bring the Qdrant collection in line with it:
    create it if needed, upsert the FAQs that are new or changed, delete the ones that are gone."""
    from .search.qdrant.sync import sync

    embedder = embedder or make_embedder(settings)
    faqs = load_faqs(settings.dataset, embedder, fields=settings.fields, cache_dir=settings.cache_dir,
                     hub=hub_access(settings))
    return sync(qdrant_store(settings), faqs, progress=progress)


@dataclass(frozen=True)
class AlternatesAdded:
    """What :func:`add_alternates` did: each proposal's fate, and how many texts it embedded."""

    report: MergeReport
    embedded: int


def add_alternates(dataset: Path, proposals: Path, embedder: Embedder, *, cache_dir: Path) -> AlternatesAdded:
    """Add the proposed phrasings (JSONL of ``{"faq_id", "question"}``) to a local FAQ set: a raw FAQ file, or a
    folder written by ``embed`` (whose stored vectors are kept; only the new phrasings are embedded).
    Unknown ids and phrasings a FAQ already has are reported, not added; the set is replaced whole."""
    from .faqs.proposals import merge, read_proposals, rewrite_file

    path = Path(dataset)
    wanted = read_proposals(proposals)
    stored = read_source(path)
    entries = Entries.of(stored.entries)
    phrasings, report = merge(entries, wanted)
    cache = EmbeddingCache.in_dir(cache_dir)
    cached = CachedEmbedder(embedder, cache)
    try:
        if path.is_dir() and stored.meta is not None:
            _rewrite_dataset(path, stored, entries.with_alternates(phrasings), cached)
        elif path.is_file():
            rewrite_file(path, entries.column("id"), phrasings)
            cached.embed_batched([p.question for p in report.added])  # ready in the cache for the next load
        else:
            raise DatasetError(f"{path}: not a FAQ file nor an embedded dataset folder.")
    finally:
        cache.close()
    return AlternatesAdded(report, cached.stats.embedded)


def _rewrite_dataset(folder: Path, stored, entries: Entries, embedder: Embedder) -> None:
    """Write ``entries`` (with their new phrasings) over the dataset folder, reusing every stored vector."""
    meta = stored.meta
    if stored.embeddings is None or meta.model_id != embedder.model_id:
        raise DatasetError(f"{folder}: its vectors were made by {meta.model_id}, not {embedder.model_id}: use that "
                           "model, or embed the set again.")
    def keyed(phrasings: list[list[str]]) -> list[tuple[int, str]]:  # (FAQ row, phrasing), in storage order
        return list(zip(owners_of(phrasings).tolist(), flat(phrasings)))

    known = {}
    if stored.alternates is not None:
        known = dict(zip(keyed(Entries.of(stored.entries).alternates()), stored.alternates))
    wanted = keyed(entries.alternates())
    new = [key for key in wanted if key not in known]
    fresh = dict(zip(new, embed_alternates_texts(embedder, [text for _, text in new])))
    vectors = np.asarray([known.get(key, fresh.get(key)) for key in wanted], dtype=np.float32)
    with DatasetWriter(folder, meta, f"FAQ embeddings: {folder.name}") as writer:
        writer.write(entries, stored.embeddings, vectors.reshape(len(wanted), meta.dim))


def gaps_report(settings: Settings):
    """The gaps report of the question log ``settings.log`` for the FAQ set ``settings.dataset``."""
    from .learning import gaps
    from .learning.hub_log import download_log, hub_repo
    from .learning.log import read_folder
    from .learning.records import parse_lines

    if not settings.log:
        raise DatasetError("Name the question log: a folder, or hf://datasets/owner/name.")
    repo_id = hub_repo(settings.log)
    folder = Path(settings.log).expanduser() if repo_id is None else download_log(
        repo_id, token=settings.token, endpoint=settings.hub_endpoint)
    if not folder.is_dir():
        raise DatasetError(f"{settings.log}: there is no question log there.")
    engine = load_engine(settings)
    records = gaps.of_set(parse_lines(read_folder(folder)), engine.describe().name, settings.log_days)
    return gaps.report(records, engine)
