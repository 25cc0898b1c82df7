"""Bring a Qdrant collection in line with a FAQ set: only what changed is sent, what is gone is deleted."""

from __future__ import annotations

import hashlib
from dataclasses import replace

from ..._version import __version__
from ...embedders.base import Progress
from ...errors import Advice, CollectionMismatchError
from ...faqs.entry import COLUMNS, Entries
from ...faqs.faqset import FaqSet
from ..lexical import Tokenizer
from .meta import CollectionMeta
from .sparse import average_length, document_vectors
from .store import UPSERT_BATCH, QdrantStore, SyncReport, faq_hash, payload_of


def content_hash(faqs: FaqSet) -> str:
    """One hash of every FAQ's text and the embedded fields (recorded in the collection's metadata)."""
    digest = hashlib.sha256(f"{faqs.model_id}|{faqs.fields}".encode())
    for name in COLUMNS:
        for value in faqs.entries.column(name):
            digest.update(value.encode("utf-8") + b"\x1f")
    for phrasings in faqs.entries.alternates():
        digest.update("\x1e".join(phrasings).encode("utf-8") + b"\x1f")
    return digest.hexdigest()


def sync(store: QdrantStore, faqs: FaqSet, *, progress: Progress | None = None) -> SyncReport:
    """Create the collection if needed (refusing one made with another model), then upsert new or changed
    FAQs in batches and delete the ones no longer in ``faqs``."""
    tokenizer = Tokenizer()
    meta = store.meta()
    if meta is None:
        meta = CollectionMeta(faqs.model_id, int(faqs.embeddings.shape[1]), faqs.fields,
                              average_length(faqs.entries.column("question"), tokenizer), phrasings=True)
        store.create(meta)
    elif (meta.model_id, meta.dim, meta.fields) != (faqs.model_id, faqs.embeddings.shape[1], faqs.fields):
        raise CollectionMismatchError(
            f"Collection {store.collection!r} holds {meta.fields} vectors of {meta.model_id} ({meta.dim}), not "
            f"{faqs.fields} vectors of {faqs.model_id}.", advice=Advice.QDRANT_OTHER_COLLECTION,
            collection=store.collection)
    elif faqs.alternates is not None and not meta.phrasings:
        raise CollectionMismatchError(
            f"Collection {store.collection!r} was made before FAQs had alternate phrasings, and this set has some.",
            advice=Advice.QDRANT_OTHER_COLLECTION, collection=store.collection)
    # An existing collection keeps its BM25 average length: updates never rewrite every point.
    stored = store.hashes()
    entries = faqs.entries
    wanted = [i for i, e in enumerate(entries) if stored.get(e.id) != faq_hash(payload_of(e, i), faqs.fields)]
    gone = sorted(set(stored) - set(entries.column("id")))
    if (wanted or gone) and meta.content_hash:  # until the run ends, the collection says it is part way
        store.set_meta(replace(meta, content_hash=""))
    for start in range(0, len(wanted), UPSERT_BATCH):
        rows = wanted[start : start + UPSERT_BATCH]
        part = Entries(entries.table.take(rows))
        phrasings = faqs.alternates.of_rows(rows) if faqs.alternates is not None else None
        store.upsert(part, rows, faqs.embeddings[rows],
                     document_vectors(part.column("question"), tokenizer, meta.avgdl), faqs.fields, phrasings)
        if progress is not None:
            progress(min(start + UPSERT_BATCH, len(wanted)), len(wanted))
    store.delete(gone)
    store.set_meta(CollectionMeta(meta.model_id, meta.dim, meta.fields, meta.avgdl, len(entries),
                                  content_hash(faqs), __version__, meta.phrasings))
    return SyncReport(len(wanted), len(gone), len(entries) - len(wanted))
