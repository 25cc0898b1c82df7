"""FAQ validation and the bundled Medicare set."""

from __future__ import annotations

import numpy as np
import pytest

from faq_engine.errors import DatasetError, DimensionMismatchError
from faq_engine.faqs.entry import FaqEntry, texts_for, validate_entries
from faq_engine.faqs.faqset import build_faqset, validate_vectors
from faq_engine.faqs.loader import load_bundled
from tests.support.fakes import HashEmbedder

MEDICARE_QUESTIONS = [
    "How do I get a replacement Medicare card?",
    "What is the monthly premium for Medicare Part B?",
    "How do I terminate my Medicare Part B (medical insurance)?",
    "How do I sign up for Medicare?",
    "Can I sign up for Medicare Part B if I am working and have health insurance through an employer?",
    "How do I sign up for Medicare Part B if I already have Part A?",
    "What are Medicare late enrollment penalties?",
    "What is Medicare and who can get it?",
    "How can I get help with my Medicare Part A and Part B premiums?",
    "What are the different parts of Medicare?",
    "Will my Medicare premiums be higher because of my higher income?",
    "What is TRICARE ?",
    "Should I sign up for Medicare Part B if I have Veterans' Benefits?",
]


def test_bundled_medicare_is_the_tutorial_set_verbatim(embedder):
    faqs = load_bundled("medicare", embedder)
    assert [e.id for e in faqs.entries] == [str(i) for i in range(13)]
    assert [e.question for e in faqs.entries] == MEDICARE_QUESTIONS
    assert all(e.answer.strip() and e.url.startswith("https://") for e in faqs.entries)
    assert faqs.embeddings.shape == (13, 384) and faqs.embeddings.dtype == np.float32


@pytest.mark.parametrize("fields", ["question", "question+answer"])
def test_bundled_vectors_are_the_models_own(embedder, fields):
    # The precomputed vectors must be what the embedder makes now, or search results drift.
    faqs = load_bundled("medicare", embedder, fields=fields)
    assert faqs.fields == fields and not faqs.notes
    fresh = embedder.embed(texts_for(faqs.entries, fields))
    np.testing.assert_allclose(faqs.embeddings, fresh, atol=1e-5)


def test_bundled_default_fuses_the_question_and_question_and_answer_vectors(embedder):
    faqs = load_bundled("medicare", embedder)
    assert faqs.fields == "both"
    question, both = (load_bundled("medicare", embedder, fields=f).embeddings for f in ("question", "question+answer"))
    np.testing.assert_allclose(faqs.embeddings, 0.25 * question + 0.75 * both, atol=1e-6)
    # A unit question vector's dot product with a fused vector is the weighted mean of its two cosines.
    q = embedder.embed(["How do I replace my Medicare card?"])[0]
    np.testing.assert_allclose(faqs.embeddings @ q, 0.25 * (question @ q) + 0.75 * (both @ q), atol=1e-5)


def test_other_model_reembeds_instead_of_mixing_spaces():
    fake = HashEmbedder("fake/model")
    faqs = load_bundled("medicare", fake, fields="question")
    assert faqs.model_id == "fake/model" and faqs.embeddings.shape == (13, 8)
    assert sorted(fake.sent) == sorted(MEDICARE_QUESTIONS)  # every question, once (longest first)
    assert any("re-embedded" in note for note in faqs.notes)


def test_question_and_answer_fields_embed_both():
    fake = HashEmbedder("fake/model")
    faqs = build_faqset("x", [FaqEntry("a", "Q?", "An answer.")], fake, fields="question+answer")
    assert fake.sent == ["Q? An answer."] and faqs.fields == "question+answer"


def test_empty_questions_and_duplicate_ids_name_the_rows():
    with pytest.raises(DatasetError, match=r"row\(s\) 2"):
        validate_entries([FaqEntry("1", "ok?"), FaqEntry("2", "  ")])
    with pytest.raises(DatasetError, match=r"'1'.*row\(s\) 3"):
        validate_entries([FaqEntry("1", "a?"), FaqEntry("2", "b?"), FaqEntry("1", "c?")])
    with pytest.raises(DatasetError, match="no rows"):
        validate_entries([])


def test_stored_vectors_are_checked():
    with pytest.raises(DatasetError, match="NaN"):
        validate_vectors(np.array([[1.0, np.nan]]), 2, 1)
    with pytest.raises(DimensionMismatchError):
        validate_vectors(np.ones((1, 3)), 2, 1)
    with pytest.raises(DatasetError, match="Expected 2"):
        validate_vectors(np.ones((1, 2)), 2, 2)


def test_unknown_bundled_name():
    with pytest.raises(DatasetError, match="medicare"):
        load_bundled("nope", HashEmbedder("fake/model"))
