"""Retrieval quality of FAQ search: top-1, MRR@10, recall@5, hit@5, confidence rates and calibration.

Pure: rankings and labels in, numbers out. A labelled query names the FAQ ids that
answer it; a query with no relevant id is out of domain: it counts towards how often
"no confident match" is reported, and its best hit is wrong when calibration is measured.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Sequence

from ..errors import DatasetError
from ..faqs.tables import json_lines
from .reliability import ReliabilityBin, expected_calibration_error, reliability_bins

MRR_CUTOFF = 10
RECALL_K = 5


@dataclass(frozen=True)
class LabelledQuery:
    """A query and the ids of the FAQs that answer it (none: out of domain)."""

    query: str
    relevant: tuple[str, ...] = ()

    @property
    def in_domain(self) -> bool:
        """Whether some FAQ answers this query."""
        return bool(self.relevant)


@dataclass(frozen=True)
class Selective:
    """``ece_shown``: calibration error of every shown hit's match; ``precision``: the share of confident best
    hits that are right; ``coverage``: the share of answerable queries given a confident best hit;
    ``curve``: ``(coverage, risk)`` when only the queries with the highest best match are answered."""

    ece_shown: float | None
    precision: float | None
    coverage: float | None
    curve: tuple[tuple[float, float], ...]

    def to_dict(self, digits: int = 4) -> dict:
        """The JSON form printed by ``faq-engine eval --json``."""
        def r(x: float | None) -> float | None:
            return None if x is None else round(x, digits)

        return {"ece_shown": r(self.ece_shown), "confident_precision": r(self.precision),
                "confident_coverage": r(self.coverage),
                "risk_coverage": [{"coverage": r(c), "risk": r(k)} for c, k in self.curve]}


@dataclass(frozen=True)
class MethodScores:
    """Quality of one search method on one query set.

    Ranking metrics average over the ``n`` in-domain queries. ``ood_rejected`` is
    the share of the ``n_ood`` out-of-domain queries shown "no confident match";
    ``in_domain_confident`` the share of in-domain queries shown a confident match.
    ``ece`` is the expected calibration error of the best hit's ``match`` over all queries
    (10 bins; an out-of-domain query's best hit is wrong), ``reliability`` its bins.
    A value is ``None`` when there is nothing to average over (or no match to judge).
    """

    top1: float | None
    mrr10: float | None
    recall5: float | None
    hit5: float | None
    n: int
    in_domain_confident: float | None
    ood_rejected: float | None
    n_ood: int
    ece: float | None = None
    reliability: tuple[ReliabilityBin, ...] = ()
    selective: Selective | None = None  # the shown hits' calibration, confident precision and coverage
    threshold: float | None = None  # the match a hit needed to count as confident

    def to_dict(self, digits: int = 4) -> dict:
        """The JSON form printed by ``faq-engine eval --json``."""
        def r(x: float | None) -> float | None:
            return None if x is None else round(x, digits)

        return {
            "top1": r(self.top1), "mrr@10": r(self.mrr10), "recall@5": r(self.recall5), "hit@5": r(self.hit5),
            "n": self.n, "in_domain_confident": r(self.in_domain_confident),
            "ood_rejected": r(self.ood_rejected), "n_ood": self.n_ood, "ece": r(self.ece), "threshold": self.threshold,
            "reliability": [{"low": b.low, "high": b.high, "count": b.count, "mean_match": r(b.mean_match),
                             "accuracy": r(b.accuracy)} for b in self.reliability],
            **(self.selective.to_dict(digits) if self.selective is not None else {}),
        }


def reciprocal_rank(ranked: Sequence[str], relevant: Iterable[str], cutoff: int = MRR_CUTOFF) -> float:
    """1 / rank of the first relevant id within the first ``cutoff``, else 0."""
    wanted = set(relevant)
    for rank, faq_id in enumerate(ranked[:cutoff], start=1):
        if faq_id in wanted:
            return 1.0 / rank
    return 0.0


def recall_at(ranked: Sequence[str], relevant: Iterable[str], k: int = RECALL_K) -> float:
    """The share of the relevant ids found in the first ``k``."""
    wanted = set(relevant)
    return len(wanted & set(ranked[:k])) / len(wanted) if wanted else 0.0


def hit_at(ranked: Sequence[str], relevant: Iterable[str], k: int = RECALL_K) -> bool:
    """Whether any relevant id is in the first ``k``."""
    return bool(set(relevant) & set(ranked[:k]))


def _mean(values: Sequence[float]) -> float | None:
    return sum(values) / len(values) if values else None


def evaluate(
    ranked_ids: Sequence[Sequence[str]], top_confident: Sequence[bool], queries: Sequence[LabelledQuery],
    top_match: Sequence[float | None] | None = None,
) -> MethodScores:
    """Score one method: ``ranked_ids[i]`` is its ranking for ``queries[i]`` (best first, at
    least 10 deep for exact MRR@10), ``top_confident[i]`` whether it showed a confident match,
    ``top_match[i]`` (optional) its best hit's match."""
    if not len(ranked_ids) == len(top_confident) == len(queries):
        raise ValueError("ranked_ids, top_confident and queries must have one entry per query")
    if top_match is not None and len(top_match) != len(queries):
        raise ValueError("top_match must have one entry per query")
    rows = list(zip(ranked_ids, top_confident, queries))
    inside = [(ranked, conf, q.relevant) for ranked, conf, q in rows if q.in_domain]
    outside = [conf for _, conf, q in rows if not q.in_domain]
    return MethodScores(
        top1=_mean([float(bool(r) and r[0] in set(rel)) for r, _, rel in inside]),
        mrr10=_mean([reciprocal_rank(r, rel) for r, _, rel in inside]),
        recall5=_mean([recall_at(r, rel) for r, _, rel in inside]),
        hit5=_mean([float(hit_at(r, rel)) for r, _, rel in inside]),
        n=len(inside),
        in_domain_confident=_mean([float(c) for _, c, _ in inside]),
        ood_rejected=_mean([float(not c) for c in outside]),
        n_ood=len(outside),
        **_calibration(ranked_ids, queries, top_match),
    )


def _calibration(ranked_ids: Sequence[Sequence[str]], queries: Sequence[LabelledQuery],
                 top_match: Sequence[float | None] | None) -> dict:
    """``ece`` and ``reliability`` of the best hits' matches, when every query has one."""
    if not queries or top_match is None or any(m is None for m in top_match):
        return {}
    right = [bool(r) and r[0] in set(q.relevant) for r, q in zip(ranked_ids, queries)]
    return {"ece": expected_calibration_error(top_match, right),
            "reliability": tuple(reliability_bins(top_match, right))}


def parse_queries(lines: Iterable[str], where: str = "queries") -> list[LabelledQuery]:
    """Parse JSONL lines of ``{"query": str, "relevant": [ids]}``; blank lines are skipped.

    Raises :class:`DatasetError` naming the line that is not in that shape.
    """
    out = []
    for number, row in json_lines(lines, where):
        query = row.get("query") if isinstance(row, dict) else None
        relevant = row.get("relevant", []) if isinstance(row, dict) else None
        if not isinstance(query, str) or not query.strip() or not isinstance(relevant, list):
            raise DatasetError(
                f'{where}, line {number}: expected {{"query": "<text>", "relevant": [<FAQ ids>]}} '
                '(use "relevant": [] for a question no FAQ answers).'
            )
        out.append(LabelledQuery(query.strip(), tuple(str(r) for r in relevant)))
    if not out:
        raise DatasetError(f"{where}: no queries found; add one JSON object per line.")
    return out
