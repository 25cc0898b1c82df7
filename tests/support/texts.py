"""Texts that stress a tokenizer: short and long, unicode, emoji, punctuation only, blank."""

from __future__ import annotations

import random

from .tutorial import TUTORIAL_QUERY


def varied_texts(n: int = 300, seed: int = 0) -> list[str]:
    """Short and long (> 256 tokens) texts, unicode, emoji, punctuation-only and blank ones."""
    rng = random.Random(seed)
    words = ("Medicare", "premium", "Part", "B", "doctor", "coverage", "how", "can", "I", "my", "the", "appeal",
             "café", "naïve", "Straße", "日本語", "Привет", "مرحبا", "😀", "🏥💊", "e\u0301", "ﬁle", "Ⅻ")
    fixed = ["", " ", "\t\n", "!!!", "?!?...", "---", "😀😀😀", "A", "[CLS] [SEP] [PAD] [UNK]", TUTORIAL_QUERY,
             "word " * 400, "How do I appeal a denied claim? " * 60]
    texts = list(fixed)
    while len(texts) < n:
        size = rng.choice([1, 3, 8, 20, 60, 200, 400])
        text = " ".join(rng.choice(words) for _ in range(size))
        texts.append(text + rng.choice(["", "?", "!", " ...", " 🙂"]))
    return texts
