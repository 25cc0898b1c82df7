"""Print the README's retrieval-quality table, running `faq-engine eval --json` for each cell.

    python scripts/eval_table.py            # needs ../shared/eval beside the repo for the external sets
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EVAL = ROOT.parent / "shared" / "eval"
SETS = {
    "Medicare paraphrases (ours)": ("medicare", ROOT / "tests" / "data" / "medicare_paraphrases.jsonl"),
    "covidfaq dev": (EVAL / "covidfaq" / "faqs.jsonl", EVAL / "covidfaq" / "queries-dev.jsonl"),
    "stackfaq dev": (EVAL / "stackfaq" / "faqs.jsonl", EVAL / "stackfaq" / "queries-dev.jsonl"),
}
FIELDS = ("question", "question+answer")
METRICS = ("top1", "mrr@10", "recall@5", "hit@5", "in_domain_confident", "ood_rejected")


def run_eval(faqs, queries, fields: str) -> dict:
    cmd = [sys.executable, "-m", "faq_engine", "eval", "--faqs", str(faqs), "--queries", str(queries),
           "--fields", fields, "--json", "--no-progress"]
    return json.loads(subprocess.run(cmd, check=True, capture_output=True, text=True).stdout)


def main() -> None:
    print("| set | embedded text | method | n | top-1 | MRR@10 | recall@5 | hit@5 | confident | OOD rejected |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for name, (faqs, queries) in SETS.items():
        if not Path(queries).exists():
            print(f"skipped {name}: {queries} not found", file=sys.stderr)
            continue
        for fields in FIELDS:
            result = run_eval(faqs, queries, fields)
            for method in ("dense", "bm25", "hybrid"):
                row = result[method]
                cells = [f"{row[m]:.4f}" if row.get(m) is not None else "–" for m in METRICS]
                label = f"**{method}**" if method == result["default"] else method
                print(f"| {name} | {fields} | {label} | {row['n']} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
