"""Keyword (BM25) scoring and the hybrid ranking: tokens, scores, blend, engine wiring, lazy import."""

from __future__ import annotations

import json
import math
import subprocess
import sys

import numpy as np
import pytest

from faq_engine.embedders.base import Embedder
from faq_engine.faqs.entry import FaqEntry
from faq_engine.faqs.faqset import build_faqset
from faq_engine.faqs.loader import load_bundled
from faq_engine.search.hybrid import BM25_WEIGHT, blend_scores, bm25_share
from faq_engine.search.lexical import K1, B, Bm25Index, Tokenizer
from faq_engine.search.memory import MemoryEngine
from faq_engine.search.ranking import cosine_scores


def test_tokens_are_lowercased_stemmed_and_free_of_stop_words():
    # bm25s's English stop words are Lucene's short list: question words such as "what" stay.
    assert Tokenizer()("What ARE the monthly Premiums?") == ["what", "month", "premium"]
    assert Tokenizer(stemming=False)("What ARE the monthly Premiums?") == ["what", "monthly", "premiums"]
    assert Tokenizer(stopwords=False, stemming=False)("Is it the plan?") == ["is", "it", "the", "plan"]


def lucene_bm25(docs: list[list[str]], query: list[str]) -> list[float]:
    """The textbook Lucene BM25 score of ``query`` against each tokenised doc."""
    avgdl = sum(map(len, docs)) / len(docs)
    out = []
    for doc in docs:
        total = 0.0
        for term in query:
            df = sum(term in d for d in docs)
            if df == 0:
                continue
            idf = math.log(1 + (len(docs) - df + 0.5) / (df + 0.5))
            tf = doc.count(term)
            total += idf * tf / (tf + K1 * (1 - B + B * len(doc) / avgdl))
        out.append(total)
    return out


def test_scores_follow_the_lucene_bm25_formula():
    texts = ["Medicare premiums and Part B premiums", "Replacement Medicare card", "TRICARE for military families",
             "Late enrollment penalties for Part B", "Sign up for Medicare"]
    index = Bm25Index(texts)
    queries = ["How much are Part B premiums?", "lost my medicare card", "tricare"]
    docs = [index.tokenizer(t) for t in texts]
    expected = [lucene_bm25(docs, index.tokenizer(q)) for q in queries]
    np.testing.assert_allclose(index.scores(queries), expected, rtol=1e-5)


def test_a_rare_keyword_decides_and_unknown_words_score_zero():
    index = Bm25Index(["How do I renew my passport?", "What is TRICARE?", "How do I pay my premium?"])
    scores = index.scores(["Does tricare cover me?", "zebra quantum", "the and of"])
    assert scores.shape == (3, 3)
    assert scores[0, 1] > 0 and scores[0, 0] == scores[0, 2] == 0
    assert not scores[1:].any()


def test_a_corpus_of_stop_words_only_scores_zero_without_failing():
    assert not Bm25Index(["Is it?", "To be or not to be"]).scores(["is it to be"]).any()


def test_bm25_share_divides_each_row_by_its_best_and_zeroes_rows_without_a_keyword_match():
    out = bm25_share(np.array([[1.0, 4.0, 2.0], [0.0, 0.0, 0.0]]))
    np.testing.assert_allclose(out, [[0.25, 1.0, 0.5], [0.0, 0.0, 0.0]])


def test_the_blend_stays_on_the_cosine_scale_and_matches_its_formula():
    dense = np.array([[0.62, 0.60, -0.10]])
    lexical = np.array([[0.0, 3.0, 1.5]])
    expected = (1 - BM25_WEIGHT) * dense + BM25_WEIGHT * np.array([[0.0, 1.0, 0.5]])
    np.testing.assert_allclose(blend_scores(dense, lexical), expected, rtol=1e-6)
    np.testing.assert_allclose(blend_scores(dense, np.zeros((1, 3))), (1 - BM25_WEIGHT) * dense, rtol=1e-6)


def test_blend_weights_move_the_order_from_dense_to_keywords():
    dense = np.array([[0.80, 0.78, 0.10]])
    lexical = np.array([[0.0, 4.0, 0.0]])
    assert np.argmax(blend_scores(dense, lexical, 0.0)) == 0
    assert np.argmax(blend_scores(dense, lexical, 1.0)) == 1
    assert np.argmax(blend_scores(dense, lexical, BM25_WEIGHT)) == 1  # a close call goes to the keyword match
    assert np.argmax(blend_scores(np.array([[0.9, 0.3, 0.1]]), lexical, BM25_WEIGHT)) == 0  # a clear one does not
    with pytest.raises(ValueError, match="between 0 and 1"):
        blend_scores(dense, lexical, 1.5)


class KeywordBlindEmbedder(Embedder):
    """A deterministic fake: every text about insurance gets the same vector, others another."""

    model_id = "fake/keyword-blind"
    dim = 2

    def embed(self, texts):
        return np.asarray([[1.0, 0.0] if "insurance" in t.lower() else [0.0, 1.0] for t in texts], dtype=np.float32)


def test_engine_methods_order_differently_and_score_in_their_order_with_the_cosine_beside():
    fake = KeywordBlindEmbedder()
    entries = [FaqEntry("a", "What does my health insurance cover?"), FaqEntry("b", "Is TRICARE health insurance?"),
               FaqEntry("c", "How do I bake bread?")]
    faqs = build_faqset("fake", entries, fake)
    query = "insurance for tricare members"
    cosine = cosine_scores(fake.embed([query]), faqs.embeddings)[0]
    for method in ("dense", "bm25", "hybrid"):
        hits = MemoryEngine(faqs, fake, method=method).search(query, 3)
        # BM25 lists only the FAQs that share a word with the question: the bread FAQ shares none.
        assert sorted(h.id for h in hits) == (["a", "b"] if method == "bm25" else ["a", "b", "c"])
        for h in hits:
            assert h.similarity == pytest.approx(cosine["abc".index(h.id)], abs=1e-6)
        assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)  # never increases
    assert MemoryEngine(faqs, fake, method="dense").search(query, 1)[0].id == "a"  # a tie: the lower index
    assert MemoryEngine(faqs, fake, method="bm25").search(query, 1)[0].id == "b"
    assert MemoryEngine(faqs, fake, method="hybrid").search(query, 1)[0].id == "b"


def test_bm25_finds_the_faq_named_by_its_keyword(embedder):
    engine = MemoryEngine(load_bundled("medicare", embedder), embedder, method="bm25")
    assert engine.search("tricare", 1)[0].id == "11"
    assert engine.search("penalties for enrolling late", 1)[0].id == "6"


def test_importing_the_package_and_cli_does_not_import_bm25s():
    code = "import sys, faq_engine, faq_engine.cli; print('bm25s' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


def test_the_bm25_index_is_saved_once_and_loaded_after(tmp_path):
    from faq_engine.faqs.entry import Entries, FaqEntry
    from faq_engine.search.bm25_cache import index_key, load_or_build

    entries = Entries.of([FaqEntry(str(i), q) for i, q in enumerate(["How do I renew my card?", "What is Part B?",
                                                                       "Where do I mail the renewal form?"])])
    built = load_or_build(entries, tmp_path)
    saved = tmp_path / "bm25" / index_key(entries)
    assert saved.is_dir()
    loaded = load_or_build(entries, tmp_path)
    assert loaded is not built
    np.testing.assert_allclose(loaded.scores(["renew card", "part b"]), built.scores(["renew card", "part b"]))
    edited = Entries.of([FaqEntry("0", "How do I renew my passport?")] + list(entries)[1:])
    assert index_key(edited) != index_key(entries)  # an edited question never meets the old index


def test_scores_are_bm25s_lucene_scores():
    import bm25s

    from faq_engine.search.lexical import K1, B, Bm25Index

    texts = ["How do I renew my card?", "Renew the card online, renew it by mail", "What is Part B?",
             "Where do I mail the renewal form?", "the and of", "Card card card payments"]
    index = Bm25Index(texts)
    oracle = bm25s.BM25(k1=K1, b=B, method="lucene")
    corpus = [index.tokenizer(t) for t in texts]
    vocab = {}
    oracle.index(([[vocab.setdefault(t, len(vocab)) for t in doc] for doc in corpus], vocab), show_progress=False)
    for query in ("renew card card", "mail renewal", "part b", "nothing matches here"):
        ids = [vocab[t] for t in index.tokenizer(query) if t in vocab]
        expected = oracle.get_scores_from_ids(ids) if ids else np.zeros(len(texts))
        np.testing.assert_allclose(index.scores([query])[0], expected, rtol=1e-5, atol=1e-6)


DAMAGE = {
    "vocabulary smaller than the FAQ count": lambda f: f.write_text(
        json.dumps({**json.loads(f.read_text()), "size": 1}), encoding="utf-8"),
    "row indices out of range": lambda f: np.save(f.parent / "indices.npy", np.load(f.parent / "indices.npy") + 10**6),
    "pointers past the entries": lambda f: np.save(f.parent / "indptr.npy", np.load(f.parent / "indptr.npy") * 50),
    "a score that is not a number": lambda f: np.save(f.parent / "data.npy", np.load(f.parent / "data.npy") * np.nan),
    "an index planted under the key": lambda f: f.write_text(
        json.dumps({**json.loads(f.read_text()), "key": "someone else's"}), encoding="utf-8"),
}


@pytest.mark.parametrize("damage", list(DAMAGE))
def test_a_damaged_or_planted_saved_index_is_rebuilt_never_trusted(tmp_path, damage):
    """In a child process: before the checks, a damaged index crashed the process in scipy (SIGSEGV)."""
    from faq_engine.faqs.entry import Entries, FaqEntry
    from faq_engine.search.bm25_cache import index_key, load_or_build
    from faq_engine.search.lexical import VOCAB_FILE

    entries = Entries.of([FaqEntry(str(i), q) for i, q in enumerate(["How do I renew my card?", "What is Part B?",
                                                                       "Where do I mail the renewal form?"])])
    expected = load_or_build(entries, tmp_path).scores(["renew card", "part b"])
    DAMAGE[damage](tmp_path / "bm25" / index_key(entries) / VOCAB_FILE)
    code = ("import json, sys; from faq_engine.faqs.entry import Entries, FaqEntry\n"
            "from faq_engine.search.bm25_cache import load_or_build\n"
            f"entries = Entries.of([FaqEntry(str(i), q) for i, q in enumerate({entries.column('question')!r})])\n"
            f"print(json.dumps(load_or_build(entries, {str(tmp_path)!r}).scores(['renew card', 'part b']).tolist()))")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr  # no crash
    np.testing.assert_allclose(json.loads(run.stdout), expected, rtol=1e-6)
    assert "could not be loaded" in run.stderr and "rebuilding it" in run.stderr
    assert load_or_build(entries, tmp_path).scores(["renew card"]).tolist() == expected[:1].tolist()  # saved anew
