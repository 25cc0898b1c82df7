"""The app's side of learning from visitors: log each search and each answer to "did one of these answer you?".

Only when the owner turned the question log on (``FAQ_ENGINE_LOG``): then the page says so in
one line, every search is logged, and feedback is too, at most :data:`MAX_FEEDBACK` times per
session (more is thanked for and dropped, so no visitor can flood the log). With logging off,
feedback is accepted and dropped without an error.
"""

from __future__ import annotations

from typing import Sequence

from ..errors import InvalidQueryError
from ..learning.log import QuestionLog
from ..learning.records import feedback, searched
from ..search.engine import MAX_QUESTION_CHARS
from ..search.hits import SearchHit
from .sessions import SessionStore

MAX_FEEDBACK = 20  # feedback one session may send
MAX_FAQ_ID = 200  # characters
NONE_OF_THESE = ""  # the faq_id of "none of these"
THANKS = "Thank you: the owner of these FAQs uses your answer to improve them."
NOTICE = ("_Questions asked here and answers to \"did one of these answer your question?\" are logged, with no "
          "account, address or cookie, so the owner can improve the FAQs._")


class Feedback:
    """Logs searches and feedback to ``log`` (or drops them when it is ``None``)."""

    def __init__(self, log: QuestionLog | None) -> None:
        self.log = log
        self._sent: SessionStore[int] = SessionStore(capacity=10_000)

    @property
    def notice(self) -> str:
        """The line the page shows while logging is on ("" when off)."""
        return NOTICE if self.log is not None else ""

    def searched(self, question: str, faqs: str, hits: Sequence[SearchHit]) -> None:
        """Log a search and the hits it showed."""
        if self.log is not None and hits:
            self.log.add(searched(question, faqs, hits))

    def give(self, question: str, faq_id: str, helpful: bool, faqs: str, session: str) -> str:
        """Log that ``faq_id`` answered ``question`` (or not; ``faq_id=""`` and not helpful: none of the hits did)."""
        if not isinstance(question, str) or not question.strip() or len(question) > MAX_QUESTION_CHARS:
            raise InvalidQueryError("Feedback needs the question it is about (at most "
                                    f"{MAX_QUESTION_CHARS:,} characters).")
        if not isinstance(faq_id, str) or len(faq_id) > MAX_FAQ_ID or not isinstance(helpful, bool):
            raise InvalidQueryError("Feedback names a FAQ id (or none) and whether it helped (true or false).")
        sent = self._sent.get(session) or 0
        if self.log is not None and sent < MAX_FEEDBACK:
            self._sent.put(session, sent + 1)
            self.log.add(feedback(question, faqs, faq_id, helpful))
        return THANKS


def choices(hits: Sequence[SearchHit]) -> list[tuple[str, str]]:
    """The answers to "did one of these answer your question?": each shown FAQ, then "none of these"."""
    return [(f"{h.rank}. {h.question}", h.id) for h in hits] + ([("None of these", NONE_OF_THESE)] if hits else [])
