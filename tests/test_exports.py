"""The files people really have: spreadsheet exports in other separators, encodings and header spellings."""

from __future__ import annotations

import codecs

import pytest

from faq_engine.errors import DatasetError
from faq_engine.faqs.loader import load_faqs, read_source
from faq_engine.faqs.source import Source
from faq_engine.ui.errors import describe
from tests.support.fakes import HashEmbedder

PETS = [("How often should I feed my cat?", "Twice a day; kittens more often."),
        ("Can my dog eat grapes?", "No: grapes are toxic to dogs.")]


def csv_text(header: str, separator: str = ",") -> str:
    rows = [header] + [f'"{q}"{separator}"{a}"' for q, a in PETS]
    return "\r\n".join(rows) + "\r\n"


@pytest.mark.parametrize("name, data", [
    ("semicolons.csv", csv_text("question;answer", ";").encode("utf-8")),  # a European spreadsheet's export
    ("unicode-text.csv", codecs.BOM_UTF16_LE + csv_text("question\tanswer", "\t").encode("utf-16-le")),
    ("bom.csv", codecs.BOM_UTF8 + csv_text("question,answer").encode("utf-8")),
    ("capitals.csv", csv_text("Question,Answer ").encode("utf-8")),
])
def test_spreadsheet_exports_load(tmp_path, name, data):
    path = tmp_path / name
    path.write_bytes(data)
    entries = read_source(path).entries
    assert [(e.question, e.answer) for e in entries] == PETS


def test_a_reply_column_is_read_as_the_answers_and_the_visitor_is_told(tmp_path):
    path = tmp_path / "faqs.csv"
    path.write_text(csv_text("Question,Reply"), encoding="utf-8")
    faqs = load_faqs(str(path), HashEmbedder())
    assert [e.answer for e in faqs.entries] == [a for _, a in PETS]
    assert any("read the 'Reply' column as the answers" in note for note in faqs.notes)


@pytest.mark.parametrize("header", ["question", "question,notes"])
def test_a_file_without_answers_is_refused_naming_the_columns_found(tmp_path, header):
    path = tmp_path / "faqs.csv"
    path.write_text(header + "\n" + "\n".join(f'"{q}"' + ("," if "," in header else "") for q, _ in PETS) + "\n",
                    encoding="utf-8")
    with pytest.raises(DatasetError, match="no answer column") as info:
        load_faqs(str(path), HashEmbedder())
    assert "columns found: 'question'" in str(info.value)
    assert 'Name your question column "question" (and the answer column "answer")' in describe(info.value)


def test_a_file_that_is_not_text_says_how_to_save_it(tmp_path):
    path = tmp_path / "latin1.csv"
    path.write_bytes("question,answer\nCafé?,Oui.\n".encode("latin-1"))
    with pytest.raises(DatasetError, match='not UTF-8 or UTF-16 text: save it as "CSV UTF-8"'):
        read_source(path)


@pytest.mark.parametrize("pasted, repo_id, revision", [
    ("https://huggingface.co/datasets/owner/faqs", "owner/faqs", None),
    ("https://huggingface.co/datasets/owner/faqs/tree/v2", "owner/faqs", "v2"),
    ("https://huggingface.co/datasets/owner/faqs/blob/main/data/train.parquet", "owner/faqs", "main"),
    ("  owner/faqs@v1 ", "owner/faqs", "v1"),
])
def test_a_pasted_dataset_address_is_taken_for_its_id(pasted, repo_id, revision):
    source = Source.hub(pasted)
    assert (source.repo_id, source.revision) == (repo_id, revision)


@pytest.mark.parametrize("pasted", ["https://huggingface.co/datasets/../../etc/passwd", "https://x/datasets/a/b/tree/..",
                                    "file:///etc/passwd"])
def test_an_address_is_still_checked_as_the_hub_checks_ids(pasted):
    with pytest.raises(DatasetError):
        Source.hub(pasted)


def test_the_app_says_which_column_it_read_and_refuses_a_file_without_answers(tmp_path, embedder):
    from faq_engine.faqs.loader import load_bundled
    from faq_engine.search.memory import MemoryEngine
    from faq_engine.ui.handlers import DemoHandlers
    from faq_engine.ui.render import corpus_for
    from tests.support.env import env_settings

    handlers = DemoHandlers(corpus_for(MemoryEngine(load_bundled("medicare", embedder), embedder), "bundled"),
                            env_settings())
    replies = tmp_path / "pets.csv"
    replies.write_text(csv_text("Question;Reply", ";"), encoding="utf-8")
    key, said, *_ = handlers.load_file(str(replies), progress=lambda *a, **k: None)
    assert "Loaded **2** FAQs from pets.csv" in said and "read the 'Reply' column as the answers" in said
    assert [h.answer for h in handlers.corpus(key).engine.search("feed my cat", 1)] == [PETS[0][1]]
    bare = tmp_path / "questions.csv"
    bare.write_text("question\n" + "\n".join(q for q, _ in PETS) + "\n", encoding="utf-8")
    said = handlers.load_file(str(bare), progress=lambda *a, **k: None)[1]
    assert "no answer column" in said and "columns found: 'question'" in said and "Loaded" not in said
