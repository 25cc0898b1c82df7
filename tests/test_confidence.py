"""The calibrated "no confident match": paraphrases stay confident, unrelated questions do not."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from faq_engine.cli import main
from faq_engine.evaluation.runner import read_queries
from faq_engine.faqs.loader import load_faqs
from faq_engine.search.engine import THRESHOLDS, SearchEngine
from faq_engine.settings import DEFAULT_METHOD

PARAPHRASES = Path(__file__).parent / "data" / "medicare_paraphrases.jsonl"


def test_paraphrase_set_covers_every_faq_and_has_unrelated_questions(embedder):
    queries = read_queries(str(PARAPHRASES))
    ids = {e.id for e in load_faqs("medicare", embedder).entries}
    per_faq = {i: sum(i in q.relevant for q in queries) for i in ids}
    assert min(per_faq.values()) >= 3
    assert sum(not q.in_domain for q in queries) >= 20


def best_hits(engine: SearchEngine):
    queries = read_queries(str(PARAPHRASES))
    results = engine.search_batch([q.query for q in queries], 5)
    inside = [hits[0] for q, hits in zip(queries, results) if q.in_domain]
    outside = [(q.query, hits[0]) for q, hits in zip(queries, results) if not q.in_domain]
    return inside, outside, results


@pytest.mark.parametrize("fields, min_ood_rejected", [("question+answer", 1.0), ("question", 0.95)])
def test_unrelated_questions_are_rejected_and_paraphrases_stay_confident(embedder, fields, min_ood_rejected):
    engine = SearchEngine(load_faqs("medicare", embedder, fields=fields), embedder, method=DEFAULT_METHOD)
    inside, outside, _ = best_hits(engine)
    confident = sum(h.confident for h in inside) / len(inside)
    accepted = [q for q, h in outside if h.confident]
    assert confident >= 0.95
    assert 1 - len(accepted) / len(outside) >= min_ood_rejected, accepted


@pytest.mark.parametrize("method", ["dense", "bm25", "hybrid"])
def test_each_hit_is_confident_exactly_when_its_cosine_reaches_the_threshold(embedder, method):
    faqs = load_faqs("medicare", embedder, fields="question+answer")
    engine = SearchEngine(faqs, embedder, method=method)
    assert engine.threshold == THRESHOLDS["question+answer"]
    for hits in best_hits(engine)[2]:
        assert [h.confident for h in hits] == [h.similarity >= engine.threshold for h in hits]
    assert SearchEngine(faqs, embedder, method=method, threshold=0.99).search("What is TRICARE?", 1)[0].confident is False


def test_cli_says_no_confident_match_for_bread_but_not_for_a_paraphrase(capsys, embedder):
    assert main(["search", "How do I bake bread?", "--json"]) == 0
    assert not any(h["confident"] for h in json.loads(capsys.readouterr().out))
    assert main(["search", "How do I bake bread?", "-k", "2"]) == 0
    assert capsys.readouterr().out.startswith("No confident match")
    assert main(["search", "I lost my Medicare card, how can I get a new one?", "--json", "-k", "1"]) == 0
    (hit,) = json.loads(capsys.readouterr().out)
    assert hit["id"] == "0" and hit["confident"] is True


def test_threshold_from_the_environment_overrides_the_calibrated_one(capsys, monkeypatch, embedder):
    monkeypatch.setenv("FAQ_ENGINE_THRESHOLD", "0.99")
    assert main(["search", "I lost my Medicare card, how can I get a new one?", "--json", "-k", "1"]) == 0
    assert json.loads(capsys.readouterr().out)[0]["confident"] is False
