"""Build the two external evaluation sets (StackFAQ, CovidFAQ) from their public source files.

The sets are not ours and are not in this repository. Both come from the GitHub repository
ML-Recipes/BERT-FAQ at one commit; this script downloads the two source files (checked against
their git blob hashes), maps them to faq-engine's evaluation format and splits the queries into a
dev half (tune on it) and a test half (keep it apart):

    python -m scripts.fetch_eval_sets eval-data              # downloads from raw.githubusercontent.com
    python -m scripts.fetch_eval_sets eval-data --from CLONE  # or reads a local clone at that commit

It writes ``eval-data/{stackfaq,covidfaq}/faqs.jsonl``, ``queries-dev.jsonl`` and ``queries-test.jsonl``
(``{"id", "question", "answer"}`` and ``{"query", "relevant": [ids]}`` lines) for ``faq-engine eval``.

- **StackFAQ** (Karan & Šnajder, Expert Systems with Applications 91, 2018): 125 StackExchange
  threads; a FAQ is the thread's title and first answer, the queries are the people-written
  rephrasings, each relevant to its own thread only.
- **CovidFAQ** (Poliak et al., NLP COVID-19 Workshop @ EMNLP 2020, as filtered by BERT-FAQ to pairs
  rated 100): 68 FAQs; a user query is relevant to every FAQ whose answer equals its row's answer,
  and repeated queries are merged.
- **The split**: a query is dev when the first 32 bits of ``sha256("faq-external-split-v1:" +
  lowercased, whitespace-collapsed query)`` are even, else test.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

REPO = "ML-Recipes/BERT-FAQ"
COMMIT = "3c184030c1819b462e29f665465ab4968657440e"
# path in the repository -> the start of its git blob hash (what the commit holds)
FILES = {"stackfaq": ("data/StackFAQ/stackExchange-FAQ.xml", "701209ba"),
         "covidfaq": ("data/CovidFAQ/query_answer_pairs.json", "0afc0982")}
SPLIT_SALT = "faq-external-split-v1:"
TIMEOUT = (10, 60)  # seconds to connect, and between bytes
MAX_BYTES = 8 * 2**20  # both files are about 1 MB


def collapse(text: str) -> str:
    """``text`` with runs of whitespace made one space, and trimmed."""
    return " ".join(text.split())


def is_dev(query: str) -> bool:
    """Whether ``query`` belongs to the dev half (else the held-out test half)."""
    digest = hashlib.sha256((SPLIT_SALT + collapse(query).lower()).encode("utf-8")).digest()
    return int.from_bytes(digest[:4], "big") % 2 == 0


def stackfaq(raw: bytes) -> tuple[list[dict], list[dict]]:
    """FAQs and labelled queries from StackFAQ's XML."""
    faqs, queries = [], []
    for n, pair in enumerate(ET.fromstring(raw).iter("qapair")):
        faq_id = f"stackfaq-{n:03d}"
        answers = [collapse(a.text or "") for a in pair.findall("answer")]
        faqs.append({"id": faq_id, "question": collapse(pair.findtext("question", "")), "answer": answers[0]})
        for rephrasing in pair.findall("rephr"):
            text = collapse(rephrasing.text or "")
            if text and text != "*":  # "*" separates two groups of rephrasings
                queries.append({"query": text, "relevant": [faq_id]})
    return faqs, queries


def covidfaq(raw: bytes) -> tuple[list[dict], list[dict]]:
    """FAQs and labelled queries from BERT-FAQ's CovidFAQ pairs (user queries merged by their text)."""
    rows = json.loads(raw)
    faqs = [{"id": f"covidfaq-{r['id']}", "question": collapse(r["question"]), "answer": collapse(r["answer"])}
            for r in rows if r["query_type"] == "faq"]
    by_answer: dict[str, list[str]] = {}
    for faq in faqs:
        by_answer.setdefault(faq["answer"], []).append(faq["id"])
    merged: dict[str, list[str]] = {}
    for row in rows:
        if row["query_type"] != "user_query":
            continue
        query = collapse(row["question"].replace('"', ""))
        relevant = merged.setdefault(query, [])
        relevant.extend(i for i in by_answer.get(collapse(row["answer"]), []) if i not in relevant)
    return faqs, [{"query": q, "relevant": sorted(r)} for q, r in merged.items() if r]


def blob_hash(data: bytes) -> str:
    """The git blob hash of ``data``: what the repository's tree records for the file."""
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


def download(path: str) -> bytes:
    """One file of the repository at :data:`COMMIT`, bounded in time and size."""
    import requests

    url = f"https://raw.githubusercontent.com/{REPO}/{COMMIT}/{path}"
    with requests.get(url, timeout=TIMEOUT, stream=True) as reply:
        reply.raise_for_status()
        data = reply.raw.read(MAX_BYTES + 1, decode_content=True)
    if len(data) > MAX_BYTES:
        raise ValueError(f"{url} is larger than {MAX_BYTES:,} bytes: not the file expected")
    return data


def write_jsonl(path: Path, records: list[dict]) -> None:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")


def build(name: str, raw: bytes, out: Path) -> str:
    """Write one set's files under ``out/name``; returns a line saying what was written."""
    path, blob = FILES[name]
    if not blob_hash(raw).startswith(blob):
        raise ValueError(f"{path} is not the file of commit {COMMIT[:7]} (its hash differs)")
    faqs, queries = (stackfaq if name == "stackfaq" else covidfaq)(raw)
    folder = out / name
    folder.mkdir(parents=True, exist_ok=True)
    write_jsonl(folder / "faqs.jsonl", faqs)
    dev = [q for q in queries if is_dev(q["query"])]
    write_jsonl(folder / "queries-dev.jsonl", dev)
    write_jsonl(folder / "queries-test.jsonl", [q for q in queries if not is_dev(q["query"])])
    return f"{name}: {len(faqs)} FAQs, {len(dev)} dev and {len(queries) - len(dev)} test queries in {folder}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="folder to write the sets into")
    parser.add_argument("--from", dest="clone", type=Path, help=f"a local clone of {REPO} at {COMMIT[:7]}")
    args = parser.parse_args(argv)
    for name, (path, _) in FILES.items():
        try:
            raw = (args.clone / path).read_bytes() if args.clone else download(path)
            print(build(name, raw, args.out))
        except (OSError, ValueError, ET.ParseError) as err:  # requests' errors are OSErrors
            print(f"fetch_eval_sets: {name}: {err}", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
