"""Questions in other languages: how often the detector calls an English question foreign, how often it
catches a foreign one, and how often the model's best hit is right for those (the match they are given).

English: every question of the three dev sets (Medicare paraphrases, covidfaq and stackfaq dev halves).
Other languages: tests/data/medicare_other_languages.jsonl, 24 questions in six languages about
the Medicare FAQs, each labelled with its FAQ. Prints the detector's count at several thresholds, then
the default ranking's top-1 on the foreign questions with the match it showed before the cap.

    python -m benchmarks.languages [--eval-dir ../shared/eval]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

from faq_engine.embedders.factory import local_embedder  # noqa: E402
from faq_engine.faqs.loader import load_bundled  # noqa: E402
from faq_engine.search import language  # noqa: E402
from faq_engine.search.memory import MemoryEngine  # noqa: E402
from faq_engine.settings import Settings  # noqa: E402

OTHER = ROOT / "tests" / "data" / "medicare_other_languages.jsonl"


def rows(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--eval-dir", type=Path, default=ROOT.parent / "shared" / "eval")
    args = parser.parse_args()
    english = [r["query"] for r in rows(ROOT / "tests" / "data" / "medicare_paraphrases.jsonl")]
    for name in ("covidfaq", "stackfaq"):
        if (args.eval_dir / name).exists():
            english += [r["query"] for r in rows(args.eval_dir / name / "queries-dev.jsonl")]
    other = rows(OTHER)
    print(f"| detector threshold | English questions called foreign (of {len(english):,}) | "
          f"foreign questions caught (of {len(other)}) |")
    print("|---|---|---|")
    chosen = language.SURE
    for sure in (0.4, 0.5, 0.6, 0.7, 0.85):
        language.SURE = sure
        wrong = sum(language.foreign(q) is not None for q in english)
        caught = sum(language.foreign(r["query"]) is not None for r in other)
        print(f"| {sure}{' (used)' if sure == chosen else ''} | {wrong} | {caught} |")
    language.SURE = chosen
    embedder = local_embedder(Settings())
    engine = MemoryEngine(load_bundled("medicare", embedder), embedder)
    rankings = [engine._rank([r["query"]], engine._query_vectors([r["query"]], None), 6,
                                    with_vectors=False)[0] for r in other]
    right = [ranking.entries[0].id in r["relevant"] for ranking, r in zip(rankings, other)]
    shown = [engine._hits(ranking, 5)[0] for ranking in rankings]
    confident = sum(h.confident for h in shown)
    print(f"\nForeign questions, default ranking: best hit right for {sum(right)} of {len(other)}; before the cap, "
          f"{confident} were shown a confident match ({sum(h.confident and ok for h, ok in zip(shown, right))} "
          f"of them right). Their match is capped at {sum(right) / len(other):.2f}.")


if __name__ == "__main__":
    main()
