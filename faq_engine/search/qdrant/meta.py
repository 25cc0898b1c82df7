"""A faq-engine collection's metadata: what its vectors are, and whether its last index run finished."""

from __future__ import annotations

from dataclasses import MISSING, dataclass

from ..._version import __version__
from ...errors import Advice, CollectionMismatchError
from ...settings import FIELDS_CHOICES


@dataclass(frozen=True)
class CollectionMeta:
    """What a collection's vectors are: checked before every search and update."""

    model_id: str
    dim: int
    fields: str
    avgdl: float
    rows: int = 0
    content_hash: str = ""
    faq_engine_version: str = __version__
    phrasings: bool = False  # the collection has the alternates multivector (made by faq-engine 0.2 or later)


# What each metadata field must be: a collection whose metadata says otherwise was damaged or forged.
_META_TYPES = {"model_id": str, "dim": int, "fields": str, "avgdl": (int, float), "rows": int, "content_hash": str,
               "faq_engine_version": str, "phrasings": bool}


def meta_of(raw: dict, collection: str, where: str) -> CollectionMeta:
    """The :class:`CollectionMeta` stored in a collection, after checking every field's type."""
    for name, kind in _META_TYPES.items():
        default = CollectionMeta.__dataclass_fields__[name].default
        value = raw.get(name, None if default is MISSING else default)
        bad = (not isinstance(value, kind) or (kind is int and isinstance(value, bool))  # checked first
               or (name in ("dim", "rows", "avgdl") and not value >= 0)  # NaN too
               or (name == "fields" and value not in FIELDS_CHOICES))
        if bad:
            raise CollectionMismatchError(f"Collection {collection!r} at {where} has damaged faq-engine metadata "
                                          f"({name} is {str(value)[:40]!r}).", advice=Advice.QDRANT_OTHER_COLLECTION,
                                          collection=collection)
    return CollectionMeta(**{k: raw[k] for k in CollectionMeta.__dataclass_fields__ if k in raw})
