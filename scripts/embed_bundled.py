"""Refresh the precomputed embeddings of the bundled Medicare FAQs in place.

Run after editing a question in faq_engine/faqs/data/medicare.json:
    python -m scripts.embed_bundled
The vectors are made with sentence-transformers, the reference implementation.
"""

from __future__ import annotations

import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

from faq_engine.embedders.torch_runtime import SentenceTransformersEmbedder  # noqa: E402
from faq_engine.faqs.entry import FaqEntry, texts_for  # noqa: E402
from faq_engine.settings import FIELDS_CHOICES  # noqa: E402

PATH = ROOT / "faq_engine" / "faqs" / "data" / "medicare.json"
EMBEDDINGS = "@embeddings@"


def main() -> None:
    raw = json.loads(PATH.read_text(encoding="utf-8"))
    faqs = raw["faqs"] if isinstance(raw, dict) else raw
    embedder = SentenceTransformersEmbedder()
    entries = [FaqEntry(f["id"], f["question"], f["answer"], f.get("url", "")) for f in faqs]
    out = {
        "name": "medicare",
        "description": "The 13 Medicare FAQ questions of the Hugging Face 'Getting Started With Embeddings' tutorial, with short answers.",
        "model_id": embedder.model_id,
        "dim": embedder.dim,
        "normalized": True,
        "faqs": faqs,
        "embeddings": {fields: EMBEDDINGS for fields in FIELDS_CHOICES},
    }
    text = json.dumps(out, indent=1, ensure_ascii=False)
    # One line per vector keeps the file readable and its diffs small.
    for fields in FIELDS_CHOICES:
        rows = ",\n   ".join(json.dumps([float(x) for x in row]) for row in embedder.embed(texts_for(entries, fields)))
        text = text.replace(f'"{fields}": "{EMBEDDINGS}"', f'"{fields}": [\n   {rows}\n  ]', 1)
    PATH.write_text(text + "\n", encoding="utf-8")
    print(f"wrote {len(faqs)} FAQs to {PATH}")


if __name__ == "__main__":
    main()
