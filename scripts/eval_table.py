"""Print the README's retrieval-quality table and draw its reliability diagram (docs/reliability.png).

    python -m scripts.eval_table            # needs ../shared/eval beside the repo for the external sets

Each row is `faq-engine eval --json` on one dev set and embedded text; the diagram shows the
default ranking's match on each set.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

from faq_engine.evaluation.reliability import ReliabilityBin  # noqa: E402
from faq_engine.evaluation.reliability_plot import save  # noqa: E402
from faq_engine.settings import DEFAULT_FIELDS, FIELDS_CHOICES  # noqa: E402

EVAL = ROOT.parent / "shared" / "eval"
SETS = {
    "Medicare paraphrases (ours)": ("medicare", ROOT / "tests" / "data" / "medicare_paraphrases.jsonl"),
    "covidfaq dev": (EVAL / "covidfaq" / "faqs.jsonl", EVAL / "covidfaq" / "queries-dev.jsonl"),
    "stackfaq dev": (EVAL / "stackfaq" / "faqs.jsonl", EVAL / "stackfaq" / "queries-dev.jsonl"),
}
METRICS = ("top1", "mrr@10", "recall@5", "hit@5", "in_domain_confident", "ood_rejected", "ece")
FIGURE = ROOT / "docs" / "reliability.png"


def run_eval(faqs, queries, fields: str) -> dict:
    cmd = [sys.executable, "-m", "faq_engine", "eval", "--faqs", str(faqs), "--queries", str(queries),
           "--fields", fields, "--json", "--no-progress"]
    return json.loads(subprocess.run(cmd, check=True, capture_output=True, text=True).stdout)


def main() -> None:
    print("| set | embedded text | method | n | top-1 | MRR@10 | recall@5 | hit@5 | confident | OOD rejected | ECE |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    panels = {}
    for name, (faqs, queries) in SETS.items():
        if not Path(queries).exists():
            print(f"skipped {name}: {queries} not found", file=sys.stderr)
            continue
        for fields in FIELDS_CHOICES:
            result = run_eval(faqs, queries, fields)
            default = result["default"]
            for method in ("dense", "bm25", "hybrid"):
                row = result[method]
                cells = [f"{row[m]:.4f}" if row.get(m) is not None else "–" for m in METRICS]
                label = f"**{method}**" if method == default and fields == DEFAULT_FIELDS else method
                print(f"| {name} | {fields} | {label} | {row['n']} | " + " | ".join(cells) + " |")
            if fields == DEFAULT_FIELDS:
                bins = result[default]["reliability"]
                panels[f"{name}, ECE {result[default]['ece']:.3f}"] = [ReliabilityBin(**b) for b in bins]
    save(FIGURE, panels, f"Reliability of the default ranking's match ({DEFAULT_FIELDS} / hybrid) on the dev sets")
    print(f"\nwrote {FIGURE.relative_to(ROOT)}", file=sys.stderr)


if __name__ == "__main__":
    main()
