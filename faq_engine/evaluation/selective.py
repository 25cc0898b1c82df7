"""How far ``match`` can be trusted as an answer: calibration over every shown hit, the precision and coverage
of "confident", and the risk-coverage curve. Pure: hits and labels in, numbers out.

A hit is right when its FAQ is one the query names; an out-of-domain query (it names none) has no
right hit, so a confident hit for it is a wrong answer.
"""

from __future__ import annotations

from typing import Sequence

from ..search.hits import SearchHit
from .metrics import LabelledQuery, Selective
from .reliability import expected_calibration_error

CURVE_POINTS = 10  # the risk-coverage curve at 10%, 20%, ... 100% of the queries answered


def selective(results: Sequence[Sequence[SearchHit]], queries: Sequence[LabelledQuery]) -> Selective | None:
    """The figures for one method's shown hits per query (``None`` when its hits carry no match)."""
    hits = [h for shown in results for h in shown]
    if not hits or any(h.match is None for h in hits):
        return None
    right = [[h.id in set(q.relevant) for h in shown] for shown, q in zip(results, queries)]
    ece = expected_calibration_error([h.match for shown in results for h in shown], [r for rs in right for r in rs])
    best = [(shown[0], rs[0]) if shown else (None, False) for shown, rs in zip(results, right)]
    confident = [ok for hit, ok in best if hit is not None and hit.confident]
    answerable = [hit is not None and hit.confident for (hit, _), q in zip(best, queries) if q.in_domain]
    return Selective(ece, _share(confident), _share(answerable), _curve(best))


def _share(flags: Sequence[bool]) -> float | None:
    return sum(flags) / len(flags) if flags else None


def _curve(best: Sequence[tuple[SearchHit | None, bool]]) -> tuple[tuple[float, float], ...]:
    """Answer the queries in order of their best match, most sure first: the error rate at each coverage."""
    ranked = sorted(best, key=lambda pair: -(pair[0].match if pair[0] is not None else -1.0))
    points = []
    for step in range(1, CURVE_POINTS + 1):
        answered = ranked[: max(1, round(len(ranked) * step / CURVE_POINTS))]
        points.append((len(answered) / len(ranked), sum(not ok for _, ok in answered) / len(answered)))
    return tuple(points)
