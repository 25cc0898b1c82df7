"""Retrieval metrics, the ``faq-engine eval`` command, and quality on the external dev sets."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from faq_engine.cli import main
from faq_engine.embedders.memo import MemoEmbedder
from faq_engine.errors import ConfigError, DatasetError
from faq_engine.evaluation.metrics import LabelledQuery, evaluate, hit_at, parse_queries, recall_at, reciprocal_rank
from faq_engine.evaluation.reliability import expected_calibration_error, fit_logistic, reliability_bins
from faq_engine.evaluation.runner import parse_methods, read_queries, score_methods
from faq_engine.evaluation.selective import selective
from faq_engine.faqs.loader import load_faqs
from faq_engine.search.hits import SearchHit
from faq_engine.search.match import CONFIDENT_PRECISION
from faq_engine.settings import DEFAULT_FIELDS, DEFAULT_METHOD, METHOD_CHOICES
from tests.support.fakes import HashEmbedder

EVAL_DIR = Path(__file__).resolve().parents[1].parent / "shared" / "eval"
needs_eval_sets = pytest.mark.skipif(
    not (EVAL_DIR / "covidfaq" / "queries-dev.jsonl").is_file(),
    reason=f"the external eval sets are not at {EVAL_DIR} (../shared/eval next to the repo)",
)


def test_rank_metrics_on_a_hand_made_ranking():
    ranked = ["a", "b", "c", "d", "e", "f"]
    assert reciprocal_rank(ranked, {"c"}) == pytest.approx(1 / 3)
    assert reciprocal_rank(ranked, {"z"}) == 0.0
    assert reciprocal_rank(ranked, {"f"}, cutoff=5) == 0.0
    assert recall_at(ranked, {"b", "f"}) == 0.5 and recall_at(ranked, {"a", "e"}) == 1.0
    assert hit_at(ranked, {"e", "z"}) and not hit_at(ranked, {"f"})


def test_evaluate_averages_in_domain_queries_and_counts_confidence_separately():
    queries = [LabelledQuery("q1", ("a",)), LabelledQuery("q2", ("b", "x")), LabelledQuery("ood", ())]
    ranked = [["a", "b"], ["c", "b"], ["a", "b"]]
    s = evaluate(ranked, [True, False, False], queries)
    assert (s.n, s.n_ood) == (2, 1)
    assert s.top1 == 0.5 and s.mrr10 == pytest.approx(0.75) and s.recall5 == pytest.approx(0.75) and s.hit5 == 1.0
    assert s.in_domain_confident == 0.5 and s.ood_rejected == 1.0
    d = s.to_dict()
    assert set(d) >= {"top1", "mrr@10", "recall@5", "hit@5", "n", "ood_rejected", "in_domain_confident"}
    only_ood = evaluate([["a"]], [True], [LabelledQuery("ood")])
    assert only_ood.top1 is None and only_ood.ood_rejected == 0.0
    with pytest.raises(ValueError):
        evaluate([["a"]], [True, False], [LabelledQuery("q", ("a",))])


def test_query_files_are_parsed_and_bad_lines_are_named():
    parsed = parse_queries(['{"query": " Hi ", "relevant": [1, "b"]}', "", '{"query": "x", "relevant": []}'])
    assert parsed == [LabelledQuery("Hi", ("1", "b")), LabelledQuery("x", ())]
    with pytest.raises(DatasetError, match="line 2"):
        parse_queries(['{"query": "a", "relevant": []}', '{"question": "b"}'])
    with pytest.raises(DatasetError, match="line 1.*JSON"):
        parse_queries(["not json"])
    with pytest.raises(DatasetError, match="no queries"):
        parse_queries(["", "  "])


def test_methods_list_accepts_default_and_rejects_unknown_names():
    assert parse_methods("default", "hybrid") == ["hybrid"]
    assert parse_methods("dense, default,dense", "bm25") == ["dense", "bm25"]
    with pytest.raises(ConfigError, match="'dense,magic': use a comma-separated list"):
        parse_methods("dense,magic", "dense")


def test_memo_embedder_embeds_each_text_once():
    inner = HashEmbedder()
    memo = MemoEmbedder(inner)
    first = memo.embed(["a", "bb", "a"])
    again = memo.embed(["bb", "a"])
    assert inner.sent == ["a", "bb"]
    np.testing.assert_array_equal(again, first[[1, 0]])
    assert memo.embed([]).shape == (0, inner.dim)


@pytest.fixture()
def small_set(tmp_path):
    faqs = tmp_path / "faqs.jsonl"
    rows = [("f1", "How do I reset my password?", "Use the reset link."),
            ("f2", "What are your opening hours?", "We open at nine."),
            ("f3", "Can I return a product?", "Yes, within 30 days."),
            ("f4", "Do you ship abroad?", "We ship to most countries.")]
    faqs.write_text("\n".join(json.dumps({"id": i, "question": q, "answer": a}) for i, q, a in rows), encoding="utf-8")
    queries = tmp_path / "q.jsonl"
    lines = [{"query": q, "relevant": [i]} for i, q, _ in rows] + [{"query": "What is the capital of Peru?", "relevant": []}]
    queries.write_text("\n".join(json.dumps(x) for x in lines), encoding="utf-8")
    return str(faqs), str(queries)


def test_eval_command_prints_json_for_every_method(small_set, capsys, embedder):
    faqs, queries = small_set
    assert main(["eval", "--faqs", faqs, "--queries", queries, "--json", "--no-progress"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["default"] == DEFAULT_METHOD
    assert set(report) == {"default", *METHOD_CHOICES}
    for method in METHOD_CHOICES:
        assert report[method]["n"] == 4 and report[method]["n_ood"] == 1
    assert report["dense"]["top1"] == 1.0 and report["dense"]["in_domain_confident"] == 1.0
    assert report["dense"]["ood_rejected"] == 1.0


def test_eval_command_default_only_and_table(small_set, capsys, embedder):
    faqs, queries = small_set
    assert main(["eval", "--faqs", faqs, "--queries", queries, "--methods", "default", "--json", "--no-progress"]) == 0
    assert set(json.loads(capsys.readouterr().out)) == {"default", DEFAULT_METHOD}
    assert main(["eval", "--faqs", faqs, "--queries", queries, "--methods", "dense,bm25", "--no-progress"]) == 0
    out = capsys.readouterr().out
    rows = [line.split()[0] for line in out.splitlines()[2:4]]
    assert rows == ["dense", "bm25"] and "4 in domain, 1 out of domain" in out


def test_eval_reports_the_calibration_error_and_draws_the_reliability_diagram(small_set, tmp_path, capsys, embedder):
    from PIL import Image

    faqs, queries = small_set
    png = tmp_path / "reliability.png"
    assert main(["eval", "--faqs", faqs, "--queries", queries, "--json", "--no-progress", "--reliability", str(png)]) == 0
    report = json.loads(capsys.readouterr().out)
    for method in METHOD_CHOICES:
        bins = report[method]["reliability"]
        assert len(bins) == 10 and sum(b["count"] for b in bins) == 5  # every query, the out-of-domain one too
        assert 0 <= report[method]["ece"] <= 1
        assert len(report[method]["risk_coverage"]) == 10 and report[method]["risk_coverage"][-1]["coverage"] == 1
        assert {"ece_shown", "confident_precision", "confident_coverage"} <= set(report[method])
    with Image.open(png) as image:  # a column per method: its reliability diagram over its risk-coverage curve
        assert image.format == "PNG" and image.width > image.height > 800
    assert main(["eval", "--faqs", faqs, "--queries", queries, "--no-progress"]) == 0
    printed = capsys.readouterr().out
    assert "ECE" in printed.splitlines()[1] and "confident right" in printed and "risk when answering" in printed
    assert main(["eval", "--faqs", faqs, "--queries", queries, "--no-progress",
                 "--reliability", str(tmp_path / "missing" / "r.png")]) == 1
    assert "cannot write" in capsys.readouterr().err


def test_expected_calibration_error_on_hand_made_predictions():
    assert expected_calibration_error([0.95, 0.95, 0.15, 0.15], [True, True, False, False]) == pytest.approx(0.1)
    # Two bins: 0.8 predicted, right 1 of 2 (gap 0.3); 0.3 predicted, right 1 of 2 (gap 0.2).
    assert expected_calibration_error([0.8, 0.8, 0.3, 0.3], [True, False, True, False]) == pytest.approx(0.25)
    bins = reliability_bins([1.0, 0.05], [True, False])
    assert (bins[-1].count, bins[-1].accuracy, bins[0].count, bins[0].accuracy) == (1, 1.0, 1, 0.0)
    assert sum(b.count for b in bins) == 2 and bins[5].mean_match is None
    with pytest.raises(ValueError):
        expected_calibration_error([], [])


def test_the_logistic_fit_recovers_known_coefficients():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(20_000, 2))
    p = 1 / (1 + np.exp(-(2.0 * x[:, 0] - 1.0 * x[:, 1] + 0.5)))
    weights, bias = fit_logistic(x, rng.random(20_000) < p)
    np.testing.assert_allclose(weights, [2.0, -1.0], atol=0.1)
    assert bias == pytest.approx(0.5, abs=0.1)


def test_eval_command_rejects_queries_labelled_for_another_faq_set(small_set, tmp_path, capsys, embedder):
    faqs, _ = small_set
    wrong = tmp_path / "wrong.jsonl"
    wrong.write_text(json.dumps({"query": "hello", "relevant": ["covidfaq-1"]}), encoding="utf-8")
    assert main(["eval", "--faqs", faqs, "--queries", str(wrong), "--no-progress"]) == 1
    assert "'covidfaq-1'" in capsys.readouterr().err


DEV_SETS = {"medicare": ("medicare", Path(__file__).parent / "data" / "medicare_paraphrases.jsonl"),
            **{name: (EVAL_DIR / name / "faqs.jsonl", EVAL_DIR / name / "queries-dev.jsonl")
               for name in ("covidfaq", "stackfaq")}}


@pytest.fixture(scope="module")
def dev_results(embedder):
    """Scores of every method on the three dev sets, for the tutorial's and the default embedded text."""
    memo = MemoEmbedder(embedder)
    out = {}
    for name, (source, queries_file) in DEV_SETS.items():
        queries = read_queries(str(queries_file))
        for fields in ("question", DEFAULT_FIELDS):
            faqs = load_faqs(source, memo, fields=fields)
            out[name, fields] = score_methods(faqs, memo, queries, METHOD_CHOICES)
    return out


@needs_eval_sets
def test_the_default_ranking_never_loses_to_the_tutorials_and_is_better_on_average(dev_results):
    default = {name: dev_results[name, DEFAULT_FIELDS][DEFAULT_METHOD].top1 for name in DEV_SETS}
    tutorial = {name: dev_results[name, "question"]["dense"].top1 for name in DEV_SETS}
    assert all(default[name] >= tutorial[name] for name in DEV_SETS), (default, tutorial)
    assert np.mean(list(default.values())) >= 0.885 > np.mean(list(tutorial.values()))


@needs_eval_sets
def test_confident_best_hits_are_right_nine_times_in_ten_on_every_dev_set(dev_results):
    for name in DEV_SETS:
        found = dev_results[name, DEFAULT_FIELDS][DEFAULT_METHOD].selective
        assert found.precision >= CONFIDENT_PRECISION, name  # what "confident" promises
        assert found.coverage >= 0.3, name  # and it is said often enough to matter


def test_confident_precision_coverage_shown_calibration_and_the_risk_coverage_curve():
    def hit(faq_id: str, match: float) -> SearchHit:
        return SearchHit(1, faq_id, "q", "a", match, confident=match >= 0.5, match=match)

    queries = [LabelledQuery("q1", ("a",)), LabelledQuery("q2", ("b",)), LabelledQuery("q3"), LabelledQuery("q4", ("c",))]
    results = [[hit("a", 0.9), hit("b", 0.1)], [hit("a", 0.8), hit("b", 0.3)], [hit("c", 0.6), hit("a", 0.1)],
               [hit("c", 0.4), hit("a", 0.05)]]
    found = selective(results, queries)
    assert found.precision == pytest.approx(1 / 3)  # confident best hits: q1 right, q2 wrong, q3 out of domain
    assert found.coverage == pytest.approx(2 / 3)  # of q1, q2, q4 (answerable): q1 and q2 confident
    # Every shown hit: |match - right| over 10 bins, weighted by count (worked out by hand).
    assert found.ece_shown == pytest.approx((0.05 + 0.2 + 0.7 + 0.6 + 0.6 + 0.8 + 0.1) / 8)
    assert [risk for _, risk in found.curve] == pytest.approx([0, 0, 0, 0.5, 0.5, 0.5, 2 / 3, 2 / 3, 0.5, 0.5])
    assert found.curve[-1][0] == 1.0
    assert selective([[SearchHit(1, "a", "q", "a", 0.9)]], queries[:1]) is None  # no match: nothing to judge
