"""The hosted FAQ dataset format: one Parquet file plus a dataset card.

A dataset folder (local, or a snapshot of a Hub dataset repo) looks like::

    README.md                               dataset card; YAML front matter records the vectors
    data/train-00000-of-00001.parquet       id, question, answer, url, embedding, alternates, alternate_embeddings

``embedding`` is a fixed-length ``float32`` list (384 values for all-MiniLM-L6-v2);
``alternates`` the FAQ's other phrasings (a list of strings, often empty) and
``alternate_embeddings`` one such vector per phrasing (unit length).
The same facts as the card's ``faq_engine`` block are stored in the Parquet
schema metadata, so a lone Parquet file still says which model made its vectors.
``pyarrow`` and ``yaml`` are imported inside the functions: importing faq-engine
and searching the bundled set never pays for them. See docs/dataset-format.md.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Sequence

import numpy as np

from ..errors import DatasetError
from .entry import FaqEntry

FORMAT_VERSION = 1
DATA_FILE = "data/train-00000-of-00001.parquet"  # a dataset of one shard; see shard_file()
CARD_FILE = "README.md"
META_KEY = "faq_engine"
EMBEDDING_COLUMN = "embedding"
ALTERNATE_EMBEDDINGS = "alternate_embeddings"
TEXT_COLUMNS = ("id", "question", "answer", "url")

# fields "both": a FAQ's vector is QUESTION_WEIGHT * e(question) + (1 - QUESTION_WEIGHT) * e(question + answer),
# of unit vectors e (faq_engine/faqs/faqset.py says why). Stored vectors depend on it: part of the format.
QUESTION_WEIGHT = 0.25
FUSED = "both"
FUSED_TEXT = (f"question, and the question with its answer, each embedded and L2-normalised, then mixed as "
              f"{QUESTION_WEIGHT} * question + {1 - QUESTION_WEIGHT} * question-and-answer")
FUSED_VECTORS = (f"not normalised: a dot product with a unit query vector is {QUESTION_WEIGHT} * cosine(question) "
                 f"+ {1 - QUESTION_WEIGHT} * cosine(question and answer)")


def shard_file(index: int, count: int) -> str:
    """The Hub's usual name of shard ``index`` (0-based) of ``count``: ``data/train-00000-of-00004.parquet``."""
    return f"data/train-{index:05d}-of-{count:05d}.parquet"


@dataclass(frozen=True)
class DatasetMeta:
    """What a consumer needs to use the stored vectors safely."""

    model_id: str
    dim: int
    normalized: bool
    fields: str
    rows: int
    faq_engine_version: str
    format_version: int = FORMAT_VERSION

    @classmethod
    def from_mapping(cls, raw: object, where: str) -> DatasetMeta:
        """Parse the ``faq_engine`` block of a card or of Parquet metadata."""
        if not isinstance(raw, dict):
            raise DatasetError(f"{where}: the {META_KEY!r} metadata must be a mapping.")
        try:
            return cls(
                model_id=str(raw["model_id"]), dim=int(raw["dim"]), normalized=bool(raw.get("normalized", True)),
                fields=str(raw.get("fields", "question")), rows=int(raw.get("rows", -1)),
                faq_engine_version=str(raw.get("faq_engine_version", "")),
                format_version=int(raw.get("format_version", FORMAT_VERSION)),
            )
        except (KeyError, TypeError, ValueError) as err:
            raise DatasetError(f"{where}: the {META_KEY!r} metadata is incomplete or malformed ({err}).") from err


@dataclass(frozen=True, eq=False)
class StoredFaqs:
    """FAQ rows read from disk, with their vectors and metadata when the source has them."""

    entries: Sequence[FaqEntry]  # Entries, when read from disk
    embeddings: np.ndarray | None
    meta: DatasetMeta | None
    alternates: np.ndarray | None = None  # the alternate phrasings' vectors, flattened in row order
    notes: tuple[str, ...] = ()  # how the source was read (a column read under another name, ...)


def _size_category(rows: int) -> str:
    for limit, label in ((1_000, "n<1K"), (10_000, "1K<n<10K"), (100_000, "10K<n<100K"), (1_000_000, "100K<n<1M")):
        if rows < limit:
            return label
    return "n>1M"


def _features(dim: int) -> list[dict]:
    """The columns as the Hub's dataset viewer reads them."""
    return [{"name": c, "dtype": "string"} for c in TEXT_COLUMNS] + [
        {"name": EMBEDDING_COLUMN, "list": "float32", "length": dim},
        {"name": "alternates", "list": "string"},
        {"name": ALTERNATE_EMBEDDINGS, "list": {"list": "float32", "length": dim}},
    ]


def render_card(meta: DatasetMeta, title: str, repo_id: str | None = None) -> str:
    """The dataset card (README.md): Hub YAML front matter plus a human description."""
    import yaml

    front = {
        "pretty_name": title,
        "tags": ["faq", "embeddings", "sentence-transformers", "faq-engine"],
        "task_categories": ["sentence-similarity"],
        "size_categories": [_size_category(meta.rows)],
        "configs": [{"config_name": "default", "data_files": [{"split": "train", "path": "data/train-*"}]}],
        "dataset_info": {
            "features": _features(meta.dim),
            "splits": [{"name": "train", "num_examples": meta.rows}],
        },
        META_KEY: asdict(meta),
    }
    load_args = repr(repo_id) if repo_id else '"parquet", data_files="data/*.parquet"'
    text = {"question+answer": "question and answer", "both": FUSED_TEXT}.get(meta.fields, "question")
    body = f"""# {title}

{meta.rows} FAQ entries with sentence embeddings, ready for semantic search.

- **Model:** [`{meta.model_id}`](https://huggingface.co/{meta.model_id}), {meta.dim} dimensions
- **Embedded text:** the {text} of each FAQ (`fields: {meta.fields}`)
- **Vectors:** float32, {"L2-normalised (cosine similarity = dot product)" if meta.normalized else FUSED_VECTORS}
- **Made with:** faq-engine {meta.faq_engine_version}

Columns: `id`, `question`, `answer`, `url` (strings), `embedding` ({meta.dim} float32 values),
`alternates` (other ways people ask the question: a list of strings, often empty) and
`alternate_embeddings` (one {meta.dim}-value vector per alternate, L2-normalised).

```python
from datasets import load_dataset
faqs = load_dataset({load_args}, split="train")
```

Embed queries with the same model (and normalise them) before comparing them with
these vectors; vectors from another model live in a different space.
"""
    return "---\n" + yaml.safe_dump(front, sort_keys=False, allow_unicode=True) + "---\n\n" + body


def read_card(path: Path) -> DatasetMeta | None:
    """The ``faq_engine`` block of a dataset card, or ``None`` if the card has none."""
    import yaml

    text = Path(path).read_text(encoding="utf-8")
    match = re.match(r"^---\s*\n(.*?)\n---\s*(\n|$)", text, re.S)
    if not match:
        return None
    try:
        front = yaml.safe_load(match[1]) or {}
    except yaml.YAMLError as err:
        raise DatasetError(f"{path}: the card's YAML front matter is invalid ({err}).") from err
    if not isinstance(front, dict) or META_KEY not in front:
        return None
    return DatasetMeta.from_mapping(front[META_KEY], str(path))
