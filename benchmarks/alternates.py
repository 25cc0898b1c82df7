"""How much alternate phrasings lift search, on the dev sets, with every question kept out of its own alternates.

    python -m benchmarks.alternates [--eval-dir ../shared/eval] [--folds N]

Leave one out (the default): each dev question is searched with every other dev question of its
set as an alternate of the FAQs it is labelled with, through the same MemoryEngine and default
ranking the CLI and the app use. ``--folds N`` splits the questions into N folds instead (by a
hash of the text) and takes the other folds' questions as alternates. Prints top-1 with and without alternates, the lift, and the
top-1 ECE of ``match`` (10 bins) both ways. Out-of-domain questions are left out: they have no FAQ.
"""

from __future__ import annotations

import argparse
import hashlib
import os
from pathlib import Path

import numpy as np

from faq_engine.embedders.factory import local_embedder
from faq_engine.embedders.memo import MemoEmbedder
from faq_engine.evaluation.reliability import expected_calibration_error
from faq_engine.evaluation.runner import read_queries
from faq_engine.faqs.entry import FaqEntry
from faq_engine.faqs.faqset import FaqSet, StoredVectors, build_faqset
from faq_engine.faqs.loader import load_faqs
from faq_engine.search.hybrid import blend_scores
from faq_engine.search.memory import MemoryEngine
from faq_engine.search.phrasings import closest
from faq_engine.settings import DEFAULT_FIELDS, Settings
from faq_engine.vectors import l2_normalize

ROOT = Path(__file__).resolve().parents[1]


def fold_of(text: str, folds: int) -> int:
    return int.from_bytes(hashlib.sha256(text.encode("utf-8")).digest()[:4], "little") % folds


def with_alternates(faqs: FaqSet, phrasings: dict[str, list[str]], embedder) -> FaqSet:
    entries = [FaqEntry(e.id, e.question, e.answer, e.url, tuple(phrasings.get(e.id, ()))) for e in faqs.entries]
    return build_faqset(faqs.name, entries, embedder, fields=faqs.fields,
                        stored=StoredVectors(faqs.embeddings, faqs.model_id, faqs.fields))


def score(engine: MemoryEngine, queries, vectors) -> tuple[np.ndarray, np.ndarray]:
    """Whether each query's first hit is right, and its match."""
    results = engine.search_batch([q.query for q in queries], 1, vectors=vectors)
    right = np.array([bool(hits) and hits[0].id in q.relevant for q, hits in zip(queries, results)])
    return right, np.array([hits[0].match if hits else 0.0 for hits in results])


def additive(plain: MemoryEngine, learned: FaqSet, queries, vectors: np.ndarray, weight: float = 1.0) -> np.ndarray:
    """The other scoring measured: each FAQ's default score plus ``weight`` x its best alternate's cosine (0 for a
    FAQ without alternates); whether each query's first FAQ is then right."""
    unit = l2_normalize(vectors)
    base = blend_scores(unit @ plain.faqs.embeddings.T, plain.lexical.scores([q.query for q in queries]))
    best = np.full(base.shape, -np.inf, dtype=np.float32)
    if learned.alternates is not None:
        closest(best, unit @ learned.alternates.vectors.T, learned.alternates.owners)
    ranked = np.argmax(base + weight * np.where(np.isfinite(best), best, 0.0), axis=1)
    ids = plain.faqs.entries.column("id")
    return np.array([ids[r] in q.relevant for r, q in zip(ranked, queries)])


def evaluate(faqs: FaqSet, queries, embedder, folds: int) -> dict[str, np.ndarray]:
    out = {"plain": [], "alternates": [], "plain_match": [], "alternates_match": [], "additive": []}
    vectors = embedder.embed([q.query for q in queries])
    plain = MemoryEngine(faqs, embedder)
    fold = [i if not folds else fold_of(q.query, folds) for i, q in enumerate(queries)]
    for group in sorted(set(fold)):
        held = [i for i in range(len(queries)) if fold[i] == group]
        phrasings: dict[str, list[str]] = {}
        for i, q in enumerate(queries):
            if fold[i] != group:
                for faq_id in q.relevant:
                    phrasings.setdefault(faq_id, []).append(q.query)
        # The questions' BM25 index does not change with alternates: shared, not rebuilt per fold.
        learned = MemoryEngine(with_alternates(faqs, phrasings, embedder), embedder, lexical=plain.lexical)
        out["additive"].append(additive(plain, learned.faqs, [queries[i] for i in held], vectors[held]))
        for name, engine in (("plain", plain), ("alternates", learned)):
            right, match = score(engine, [queries[i] for i in held], vectors[held])
            out[name].append(right)
            out[f"{name}_match"].append(match)
    return {k: np.concatenate(v) for k, v in out.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--eval-dir", type=Path, default=ROOT.parent / "shared" / "eval")
    parser.add_argument("--folds", type=int, default=0, help="0: leave one out (default)")
    args = parser.parse_args()
    embedder = MemoEmbedder(local_embedder(Settings.from_env(os.environ)))
    sets = {"medicare": ("medicare", ROOT / "tests" / "data" / "medicare_paraphrases.jsonl")}
    sets.update({n: (args.eval_dir / n / "faqs.jsonl", args.eval_dir / n / "queries-dev.jsonl")
                 for n in ("covidfaq", "stackfaq")})
    split = f"{args.folds} folds" if args.folds else "leave one out"
    print(f"default ranking over {DEFAULT_FIELDS} vectors; {split}: alternates = the other dev questions")
    print(f"{'set':<10} {'questions':>9} {'top-1':>7} {'+alternates':>12} {'lift':>7} {'ECE@1':>7} {'+alternates':>12}"
          f" {'additive':>9}")
    for name, (source, queries_file) in sets.items():
        queries = [q for q in read_queries(str(queries_file)) if q.relevant]
        r = evaluate(load_faqs(str(source), embedder, fields=DEFAULT_FIELDS), queries, embedder, args.folds)
        ece = [expected_calibration_error(r[f"{k}_match"], r[k]) for k in ("plain", "alternates")]
        print(f"{name:<10} {len(queries):>9} {r['plain'].mean():7.3f} {r['alternates'].mean():12.3f} "
              f"{r['alternates'].mean() - r['plain'].mean():+7.3f} {ece[0]:7.3f} {ece[1]:12.3f} "
              f"{r['additive'].mean():9.3f}")
    print("+alternates: a FAQ scored by its closest phrasing (the engine's); additive: the default score plus the "
          "best alternate's cosine (top-1 only)")


if __name__ == "__main__":
    main()
