"""Search: rank a FAQ set's vectors (exact cosine), its questions' keywords (BM25), or a blend.

``ranking``, ``lexical`` and ``hybrid`` are pure scoring; ``engine`` embeds the
question and turns the ranking into :class:`~faq_engine.search.hits.SearchHit` records.
"""

from .hits import SearchHit, confident_match

__all__ = ["SearchHit", "confident_match"]
