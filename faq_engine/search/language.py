"""Whether a question is in a language other than English, the only one all-MiniLM-L6-v2 reads well.

A question in another script (Chinese, Cyrillic, Arabic, ...) is foreign outright; one in Latin
letters is foreign when the bundled detector (py3langid, a naive Bayes model over byte n-grams)
names another language with a probability of at least :data:`SURE`. Short questions (fewer than
:data:`MIN_WORDS` words) are taken for English: the detector cannot tell on so little.

Measured (``python -m benchmarks.languages``): no English question of the 1,285 of the three dev
sets is called foreign; 22 of 24 questions written in six other languages are.
"""

from __future__ import annotations

from functools import lru_cache

SURE = 0.6  # at 0.4 two English dev questions were called foreign ("coronavirus in usa states"); none at 0.5
MIN_WORDS = 3
ENGLISH = "en"
LATIN_END = 0x24F  # the last code point of the Latin blocks (Basic Latin to Latin Extended-B)
NAMES = {"es": "Spanish", "de": "German", "fr": "French", "pt": "Portuguese", "it": "Italian", "nl": "Dutch",
         "pl": "Polish", "ro": "Romanian", "tr": "Turkish", "sv": "Swedish", "da": "Danish", "no": "Norwegian",
         "fi": "Finnish", "cs": "Czech", "hu": "Hungarian", "vi": "Vietnamese", "id": "Indonesian", "tl": "Tagalog",
         "zh": "Chinese", "ja": "Japanese", "ko": "Korean", "ru": "Russian", "uk": "Ukrainian", "ar": "Arabic",
         "he": "Hebrew", "hi": "Hindi", "el": "Greek", "th": "Thai", "fa": "Persian"}


@lru_cache(maxsize=1)
def _identifier():
    import os

    import py3langid
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_modelpath(os.path.join(os.path.dirname(py3langid.__file__), MODEL_FILE),
                                             norm_probs=True)


def foreign(question: str) -> str | None:
    """The language ``question`` is in when it is surely not English (a code such as ``"es"``), else ``None``."""
    letters = [ch for ch in question if ch.isalpha()]
    if not letters:
        return None
    if 2 * sum(ord(ch) > LATIN_END for ch in letters) > len(letters):  # mostly another script
        code, _ = _identifier().classify(question)
        return code if code != ENGLISH else "other"
    if len(question.split()) < MIN_WORDS:
        return None
    code, probability = _identifier().classify(question)
    return code if code != ENGLISH and probability >= SURE else None


def language_name(code: str) -> str:
    """A language's English name (``"es"``: ``"Spanish"``), or ``"another language"``."""
    return NAMES.get(code, "another language")
