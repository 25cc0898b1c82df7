"""``match``: the calibrated probability that a hit answers the question. Pure: no I/O but the package data.

Logistic regressions over features of the hit: its ranking ``score``, its ``margin`` over the
next hit (a clear winner is likelier right than one of several look-alikes) and, for the hits
after the first, its ``lead`` over the best hit (``score - best score``, at most 0: a FAQ far
behind the best is rarely another answer). ``scripts/fit_calibration.py`` fitted them on the
top 5 hits of the dev questions of three FAQ sets (Medicare paraphrases, covidfaq, stackfaq;
out-of-domain questions answered by no FAQ), each set searched whole and with half its FAQs
removed (so a question whose answer is gone teaches what an on-topic miss looks like), the
sets weighted alike; one model for the best hit and one for the others, per ranking method and
embedded text, written to ``calibration.json`` beside this file. No floor zeroes a hit: a far
hit's match is low because such hits were rarely right. Down a list, ``match`` never
increases: each hit's is capped by the one above it.

A hit is *confident* when its match reaches its ranking's threshold, chosen in the same fit as
the lowest at which the confident best hits of every dev set are right at least 90% of the
time. A model with no fitted calibration gives no match, and nothing is flagged.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import numpy as np

DATA_FILE = "calibration.json"


FEATURES = ("score", "margin", "lead")


@dataclass(frozen=True)
class Logistic:
    """``sigmoid(w . features + bias)`` over :data:`FEATURES` (a missing weight is 0)."""

    weights: tuple[float, float, float]
    bias: float

    def __call__(self, features: np.ndarray) -> np.ndarray:
        logit = np.asarray(features, dtype=np.float64) @ np.asarray(self.weights) + self.bias
        return 1.0 / (1.0 + np.exp(-np.clip(logit, -50.0, 50.0)))

    def to_dict(self) -> dict:
        """The JSON form of ``calibration.json``."""
        return {**{name: round(w, 6) for name, w in zip(FEATURES, self.weights)}, "bias": round(self.bias, 6)}

    @classmethod
    def from_dict(cls, raw: dict) -> Logistic:
        """Read :meth:`to_dict`'s form."""
        return cls(tuple(float(raw.get(name, 0.0)) for name in FEATURES), float(raw["bias"]))


def features(scores: np.ndarray, exhausted: bool = False) -> np.ndarray:
    """``(score, margin over the next, lead over the best)`` of each hit of one list, best first.

    Pass one more hit than shown: the last hit's margin needs the next score (that extra hit
    gets a margin of 0, the cautious reading). ``exhausted``: the list holds every FAQ that
    could come next (a one-FAQ set, or BM25's every keyword match), so its last hit leads the
    rest, which score nothing, by its whole score.
    """
    s = np.asarray(scores, dtype=np.float64)
    if not len(s):
        return np.zeros((0, len(FEATURES)))
    return np.c_[s, np.append(s[:-1] - s[1:], s[-1] if exhausted else 0.0), s - s[0]]


# The share of confident best hits that must be right, on every dev set: what "confident" promises.
CONFIDENT_PRECISION = 0.9


@dataclass(frozen=True)
class Calibration:
    """The match of the hits of one ranking: ``best`` for the first hit, ``others`` for the rest, never rising
    down the list; a hit whose match reaches ``threshold`` is confident."""

    best: Logistic
    others: Logistic
    threshold: float = 0.5

    def matches(self, scores: np.ndarray, exhausted: bool = False) -> np.ndarray:
        """The match of each hit of one list, from its ranking scores (best first; see :func:`features`)."""
        x = features(scores, exhausted)
        return np.minimum.accumulate(np.concatenate([self.best(x[:1]), self.others(x[1:])]))

    def to_dict(self) -> dict:
        """The JSON form of ``calibration.json``."""
        return {"best": self.best.to_dict(), "others": self.others.to_dict(), "threshold": self.threshold}

    @classmethod
    def from_dict(cls, raw: dict) -> Calibration:
        """Read :meth:`to_dict`'s form."""
        return cls(Logistic.from_dict(raw["best"]), Logistic.from_dict(raw["others"]), float(raw["threshold"]))


@dataclass(frozen=True)
class CalibrationTable:
    """The fitted calibrations of one model."""

    model_id: str
    by_ranking: dict[str, Calibration]

    def get(self, model_id: str, method: str, fields: str) -> Calibration | None:
        """The calibration of a ranking (``method`` over ``fields``), or ``None`` if none was fitted."""
        return self.by_ranking.get(key(method, fields)) if model_id == self.model_id else None


def key(method: str, fields: str) -> str:
    """How a ranking is named in the table: ``hybrid/both``."""
    return f"{method}/{fields}"


def parse_table(raw: dict) -> CalibrationTable:
    """A table from the JSON form that ``scripts/fit_calibration.py`` writes."""
    fits = {name: Calibration.from_dict(c) for name, c in raw["calibrations"].items()}
    return CalibrationTable(str(raw["model_id"]), fits)


@lru_cache(maxsize=1)
def packaged_table() -> CalibrationTable:
    """The calibrations shipped in the package."""
    text = resources.files(__package__).joinpath(DATA_FILE).read_text(encoding="utf-8")
    return parse_table(json.loads(text))
