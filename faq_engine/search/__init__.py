"""Search: embed a question, rank the FAQs, report each hit's score, similarity and match.

The seam is :class:`~.engine.Engine`: the CLI, the app and evaluation see only it. Its two
implementations are :class:`~.memory.MemoryEngine` (a FAQ set in memory) and
``qdrant.engine.QdrantEngine`` (a Qdrant collection, imported only when asked for).
Pure ranking, no I/O: ``ranking`` (top-k), ``index`` (the exact in-memory index),
``lexical`` (BM25), ``hybrid`` (the one blend both engines use), ``match`` (the calibrated
probability that a hit answers the question) and ``hits`` (the results). ``bm25_cache``
keeps a BM25 index on disk.
"""

from .engine import Answer, Engine, EngineInfo, FaqSample
from .hits import SearchHit, confident_match
from .memory import MemoryEngine

__all__ = ["Answer", "Engine", "EngineInfo", "FaqSample", "MemoryEngine", "SearchHit", "confident_match"]
