"""scripts/fetch_eval_sets.py: the external evaluation sets rebuilt from their public source files."""

from __future__ import annotations

import json

import pytest

from scripts.fetch_eval_sets import blob_hash, build, covidfaq, is_dev, stackfaq
from tests.test_eval import EVAL_DIR

STACK_XML = b"""<root><qapair>
<rephr>  How to   cross out text on github. </rephr><rephr>*</rephr><rephr>Strikethrough on github?</rephr>
<question> Strikethrough with GitHub Markdown </question>
<answer>   Use ~~tildes~~.   </answer><answer>Or &lt;del&gt;.</answer>
</qapair><qapair><rephr>Delete facebook</rephr><question>How do I delete my Facebook account?</question>
<answer>Go to settings.</answer></qapair></root>"""
COVID_ROWS = [
    {"query_type": "faq", "id": "8", "question": "Masks? ", "answer": "Wear one.  ", "label": 1},
    {"query_type": "faq", "id": "10", "question": "Face masks?", "answer": "Wear one.", "label": 1},
    {"query_type": "faq", "id": "3", "question": "Symptoms?", "answer": "Fever.", "label": 1},
    {"query_type": "user_query", "id": "70", "question": 'Should I wear a mask?"', "answer": "Wear one.", "label": 1},
    {"query_type": "user_query", "id": "71", "question": "Should I  wear a mask?", "answer": "Fever.", "label": 1},
]


def test_stackfaq_is_a_title_its_first_answer_and_its_rephrasings():
    faqs, queries = stackfaq(STACK_XML)
    assert faqs == [{"id": "stackfaq-000", "question": "Strikethrough with GitHub Markdown", "answer": "Use ~~tildes~~."},
                    {"id": "stackfaq-001", "question": "How do I delete my Facebook account?",
                     "answer": "Go to settings."}]
    assert queries == [{"query": "How to cross out text on github.", "relevant": ["stackfaq-000"]},
                       {"query": "Strikethrough on github?", "relevant": ["stackfaq-000"]},  # "*" is no query
                       {"query": "Delete facebook", "relevant": ["stackfaq-001"]}]


def test_covidfaq_queries_are_merged_and_relevant_to_every_faq_with_their_answer():
    faqs, queries = covidfaq(json.dumps(COVID_ROWS).encode())
    assert [f["id"] for f in faqs] == ["covidfaq-8", "covidfaq-10", "covidfaq-3"]
    assert queries == [{"query": "Should I wear a mask?", "relevant": ["covidfaq-10", "covidfaq-3", "covidfaq-8"]}]


def test_a_source_file_other_than_the_commits_is_refused(tmp_path):
    with pytest.raises(ValueError, match="its hash differs"):
        build("stackfaq", STACK_XML, tmp_path)
    assert not (tmp_path / "stackfaq").exists()
    assert blob_hash(b"hello\n") == "ce013625030ba8dba906f756967f9e9ca394464a"  # `git hash-object`


@pytest.mark.skipif(not EVAL_DIR.exists(), reason=f"no evaluation sets at {EVAL_DIR}")
def test_the_split_puts_every_shared_dev_query_in_dev():
    for name in ("stackfaq", "covidfaq"):
        lines = (EVAL_DIR / name / "queries-dev.jsonl").read_text(encoding="utf-8").splitlines()
        assert lines and all(is_dev(json.loads(line)["query"]) for line in lines)
    assert not all(is_dev(f"question {i}") for i in range(20))  # and not every query is dev
