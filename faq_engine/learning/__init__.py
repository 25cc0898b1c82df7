"""Learning from visitors: an opt-in question log with feedback, and the gaps report that reads it.

``records`` is what one log line holds (a question and the hits shown, or a visitor's feedback:
never a token, an address or a cookie); ``log`` writes them in the background to a folder (JSONL,
rotated, with a retention and a size cap) or, through ``hub_log``, to a Hub dataset; ``gaps``
reads a log and reports what visitors ask that the FAQs do not answer, and the phrasings they
marked as answered. Nothing here changes a FAQ set: the owner reviews the report and adds what
they accept with ``faq-engine alternates add``.
"""
