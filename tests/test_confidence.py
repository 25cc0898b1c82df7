"""The calibrated match and "no confident match": paraphrases stay confident, unrelated questions do not."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from faq_engine.cli import main
from faq_engine.evaluation.calibration_fit import SHOWN, Searched, fit, score
from faq_engine.evaluation.runner import read_queries
from faq_engine.faqs.entry import FaqEntry
from faq_engine.faqs.faqset import build_faqset
from faq_engine.faqs.loader import load_faqs
from faq_engine.search.engine import FOREIGN_MATCH
from faq_engine.search.language import foreign
from faq_engine.search.match import CONFIDENT_PRECISION, Calibration, Logistic, key, packaged_table
from faq_engine.search.memory import MemoryEngine
from faq_engine.settings import DEFAULT_FIELDS, DEFAULT_METHOD, FIELDS_CHOICES, METHOD_CHOICES, MODEL_ID
from tests.support.fakes import HashEmbedder

PARAPHRASES = Path(__file__).parent / "data" / "medicare_paraphrases.jsonl"


def test_paraphrase_set_covers_every_faq_and_has_unrelated_questions(embedder):
    queries = read_queries(str(PARAPHRASES))
    ids = {e.id for e in load_faqs("medicare", embedder).entries}
    per_faq = {i: sum(i in q.relevant for q in queries) for i in ids}
    assert min(per_faq.values()) >= 3
    assert sum(not q.in_domain for q in queries) >= 20


def best_hits(engine: MemoryEngine):
    queries = read_queries(str(PARAPHRASES))
    results = engine.search_batch([q.query for q in queries], 5)
    # BM25 lists only FAQs that share a word with the question: a question sharing none gets no hit.
    inside = [hits[0] for q, hits in zip(queries, results) if q.in_domain and hits]
    outside = [(q.query, hits[0]) for q, hits in zip(queries, results) if not q.in_domain and hits]
    return inside, outside, results


@pytest.mark.parametrize("fields", FIELDS_CHOICES)
def test_confident_best_hits_are_right_nine_times_in_ten_and_no_unrelated_question_gets_one(embedder, fields):
    engine = MemoryEngine(load_faqs("medicare", embedder, fields=fields), embedder, method=DEFAULT_METHOD)
    queries = read_queries(str(PARAPHRASES))
    best = [(q, hits[0]) for q, hits in zip(queries, engine.search_batch([q.query for q in queries], 5))]
    confident = [h.id in q.relevant for q, h in best if h.confident]
    assert np.mean(confident) >= CONFIDENT_PRECISION
    assert len(confident) >= 0.5 * sum(q.in_domain for q in queries)  # half the paraphrases, at least
    assert [q.query for q, h in best if h.confident and not q.in_domain] == []  # all 30 out-of-domain questions


def test_the_default_match_is_near_the_truth_on_the_medicare_questions_and_never_overclaims(embedder):
    engine = MemoryEngine(load_faqs("medicare", embedder), embedder)
    queries = read_queries(str(PARAPHRASES))
    hits = [h[0] for h in engine.search_batch([q.query for q in queries], 5)]
    right = [h.id in q.relevant for h, q in zip(hits, queries)]  # out of domain: never right
    # Fitted with FAQs removed too, match is a little below the truth on a set that holds every answer:
    # the price of a low match when the answer is missing (benchmarks/match_loso.py).
    assert 0 <= np.mean(right) - np.mean([h.match for h in hits]) < 0.1
    assert np.mean([h.match for h, r in zip(hits, right) if r]) > 0.75
    assert max(h.match for h, q in zip(hits, queries) if not q.in_domain) < engine.threshold


@pytest.mark.parametrize("method", METHOD_CHOICES)
def test_each_hit_is_confident_exactly_when_its_match_reaches_the_threshold(embedder, method):
    faqs = load_faqs("medicare", embedder)
    engine = MemoryEngine(faqs, embedder, method=method)
    assert engine.calibration is not None and engine.threshold == engine.calibration.threshold
    for hits in best_hits(engine)[2]:
        matches = [h.match for h in hits]
        assert all(0.0 <= m <= 1.0 for m in matches) and matches == sorted(matches, reverse=True)
        assert [h.confident for h in hits] == [m >= engine.threshold for m in matches]
    strict = MemoryEngine(faqs, embedder, method=method, threshold=1.0)
    assert strict.search("What is TRICARE?", 1)[0].confident is False


def test_a_calibration_for_every_ranking_of_the_model_is_packaged():
    table = packaged_table()
    assert table.model_id == MODEL_ID
    for method in METHOD_CHOICES:
        for fields in FIELDS_CHOICES:
            fit = table.get(MODEL_ID, method, fields)
            assert fit is not None, key(method, fields)
            assert 0.5 <= fit.threshold < 1  # confident is never less likely right than wrong
            # A higher score, a wider margin or a smaller lag behind the best never lowers the match.
            assert min(fit.best.weights + fit.others.weights) >= 0
    assert table.get("another/model", DEFAULT_METHOD, DEFAULT_FIELDS) is None


def test_match_grows_with_score_and_margin_and_never_rises_down_a_list():
    fit = Calibration(Logistic((4.0, 20.0, 0.0), -2.0), Logistic((4.0, 20.0, 10.0), -3.0), threshold=0.8)

    def match(*scores):
        return fit.matches(np.array(scores))

    assert match(0.7, 0.4)[0] > match(0.7, 0.69)[0]  # the same score, a wider margin
    assert match(0.8, 0.5)[0] > match(0.7, 0.4)[0]  # the same margin, a higher score
    assert match(0.7)[0] == pytest.approx(1 / (1 + np.exp(-(4 * 0.7 - 2))))  # nothing after it: no margin
    assert 0 < match(0.2, 0.19)[0] < match(0.3, 0.29)[0]  # no floor: a far hit is unlikely, never zeroed
    down = match(0.6, 0.59, 0.2, 0.19)
    assert down[1] == down[0] and np.all(np.diff(down) <= 0)  # the runner-up's wide margin is capped
    assert match(0.9, 0.5, 0.4)[1] < match(0.6, 0.5, 0.4)[1]  # far behind the best: a lower match


def test_a_model_without_a_calibration_gives_no_match_and_flags_nothing():
    embedder = HashEmbedder()
    faqs = build_faqset("t", load_faqs("medicare", embedder, fields="question").entries, embedder)
    hits = MemoryEngine(faqs, embedder).search("How do I bake bread?", 3)
    assert [h.match for h in hits] == [None] * 3 and all(h.confident for h in hits)


def test_cli_says_no_confident_match_for_bread_but_not_for_a_paraphrase(capsys, embedder):
    assert main(["search", "How do I bake bread?", "--json"]) == 0
    assert not any(h["confident"] for h in json.loads(capsys.readouterr().out))
    assert main(["search", "How do I bake bread?", "-k", "2"]) == 0
    assert capsys.readouterr().out.startswith("No confident match")
    assert main(["search", "I lost my Medicare card, how can I get a new one?", "--json", "-k", "1"]) == 0
    (hit,) = json.loads(capsys.readouterr().out)
    assert hit["id"] == "0" and hit["confident"] is True


def test_cli_shows_each_hits_match(capsys, embedder):
    assert main(["search", "I lost my Medicare card, how can I get a new one?", "-k", "2"]) == 0
    out = capsys.readouterr().out
    assert "% match" in out
    assert main(["search", "I lost my Medicare card, how can I get a new one?", "--json", "-k", "2"]) == 0
    first, second = json.loads(capsys.readouterr().out)
    assert 0.5 <= first["match"] <= 1 and second["match"] <= first["match"]


def test_threshold_from_the_environment_overrides_the_calibrated_one(capsys, monkeypatch, embedder):
    monkeypatch.setenv("FAQ_ENGINE_THRESHOLD", "1")
    assert main(["search", "I lost my Medicare card, how can I get a new one?", "--json", "-k", "1"]) == 0
    assert json.loads(capsys.readouterr().out)[0]["confident"] is False


@pytest.mark.parametrize("fields", ["question", "both"])
def test_an_exact_match_in_a_set_of_one_faq_is_confident(embedder, fields):
    one = build_faqset("one", [FaqEntry("1", "How do I renew my passport?", "Online, with form DS-82.")], embedder,
                       fields=fields)
    # Not BM25: its scores grow with a word's rarity in the set, and in a set of one no word is rare.
    for method in ("dense", "hybrid"):
        engine = MemoryEngine(one, embedder, method=method)
        hit = engine.search("How do I renew my passport?")[0]
        assert hit.confident and hit.match >= 0.7, (method, hit.match)  # nothing else competes with it
        unrelated = engine.search("What is the best pizza topping?")
        assert not any(h.confident for h in unrelated)


@pytest.mark.parametrize("method", METHOD_CHOICES)
def test_a_question_the_set_holds_twice_is_one_candidate_not_two_rivals(embedder, method):
    faqs = load_faqs("medicare", embedder).entries
    twice = [*faqs, FaqEntry("again", "how do I get a  REPLACEMENT Medicare card?", "Ask Social Security.")]
    engine = MemoryEngine(build_faqset("twice", twice, embedder, fields=DEFAULT_FIELDS), embedder, method=method)
    once = MemoryEngine(build_faqset("once", list(faqs), embedder, fields=DEFAULT_FIELDS), embedder, method=method)
    hits = engine.search("How do I get a replacement Medicare card?", 5)
    assert {h.id for h in hits[:2]} == {"again", once.search("How do I get a replacement Medicare card?")[0].id}
    assert hits[0].confident and hits[1].confident and hits[1].match == hits[0].match  # twins, equally right
    assert not hits[2].confident  # the next other question is still a rival


def test_a_question_in_another_language_is_said_to_be_and_its_match_is_what_such_questions_earn(embedder):
    engine = MemoryEngine(load_faqs("medicare", embedder), embedder)
    spanish = engine.answer("¿Cómo obtengo una nueva tarjeta de Medicare?")
    assert spanish.language == "es" and spanish.hits  # the nearest FAQs are still shown
    assert all(h.match <= FOREIGN_MATCH and not h.confident for h in spanish.hits)  # confident before the cap
    english = engine.answer("How do I get a new Medicare card?")
    assert english.language is None and english.hits[0].confident
    for other in read_queries(str(PARAPHRASES)):  # no English question is taken for another language
        assert foreign(other.query) is None, other.query
    assert foreign("如何获得新的医疗保险卡？") and foreign("Wie bekomme ich eine neue Medicare-Karte?") == "de"


def synthetic_set(seed: int, shift: float) -> list[Searched]:
    """A set whose best hit is right more often the higher and clearer it scores, whole and with answers gone."""
    rng = np.random.default_rng(seed)
    scores = np.sort(rng.uniform(0.2, 0.9, (300, SHOWN + 1)), axis=1)[:, ::-1]
    p = 1 / (1 + np.exp(-(12 * (scores[:, 0] - 0.55 - shift) + 20 * (scores[:, 0] - scores[:, 1]))))
    right = np.zeros((300, SHOWN))
    right[:, 0] = rng.random(300) < p
    whole = Searched(scores, np.full(300, SHOWN + 1), right, np.ones(300, bool))
    gone = rng.random(300) < 0.5  # half the answers removed: those questions' hits are all wrong
    halved = Searched(scores, np.full(300, SHOWN + 1), right * ~gone[:, None], ~gone, whole=False)
    return [whole, halved]


def test_the_fit_picks_the_lowest_threshold_at_which_every_set_is_right_nine_times_in_ten():
    sets = {"easy": synthetic_set(0, -0.05), "hard": synthetic_set(1, 0.1)}
    fitted = fit(sets)
    assert min(fitted.best.weights + fitted.others.weights) >= 0
    tops = {name: (np.array([m[0] for m in lists[0].matches(fitted)]), lists[0].right[:, 0])
            for name, lists in sets.items()}

    def precise(t: float) -> bool:
        return all(right[top >= t].mean() >= CONFIDENT_PRECISION for top, right in tops.values() if (top >= t).any())

    assert precise(fitted.threshold)
    assert not any(precise(t) for t in np.round(np.arange(0.5, fitted.threshold - 0.005, 0.01), 2))  # the lowest
    found = score(fitted, sets["hard"])
    assert found["precision"] >= CONFIDENT_PRECISION and found["coverage"] > 0
    removed = [m[0] >= fitted.threshold for m, g in zip(sets["hard"][1].matches(fitted), ~sets["hard"][1].answerable)
               if g]
    assert found["removed_confident"] == pytest.approx(np.mean(removed))
