"""Qdrant as the search backend past one machine's memory (the ``qdrant`` extra: ``qdrant-client``).

``store`` is all of faq-engine's Qdrant traffic (a server or cluster by URL, or embedded mode
in a folder), with timeouts, bounded retries and typed errors; ``sync`` brings a collection in
line with a FAQ set; ``sparse`` turns BM25 into sparse vectors; ``engine`` is the
:class:`~faq_engine.search.engine.Engine` over a collection. Nothing here is imported by
``import faq_engine``: the CLI and the app import it only when a Qdrant location is set.
"""
