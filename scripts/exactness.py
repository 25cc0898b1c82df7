"""Print how far the ONNX runtime's embeddings are from sentence-transformers' (the reference).

    python -m scripts.exactness
Uses the varied texts of the exactness test (short, > 256 tokens, unicode, emoji, punctuation only).
"""

from __future__ import annotations

import numpy as np

from faq_engine.embedders.onnx_runtime import OnnxEmbedder  # noqa: E402
from faq_engine.embedders.torch_runtime import SentenceTransformersEmbedder  # noqa: E402
from tests.support.texts import varied_texts


def main() -> None:
    texts = varied_texts()
    ours = OnnxEmbedder().embed(texts)
    reference = SentenceTransformersEmbedder().embed(texts)
    worst = np.abs(ours - reference).max(axis=1)
    cosine = (ours * reference).sum(axis=1)
    print(f"{len(texts)} texts: max |difference| {worst.max():.2e} (text {int(worst.argmax())}), "
          f"median {np.median(worst):.2e}; min cosine between the two {cosine.min():.9f}")


if __name__ == "__main__":
    main()
