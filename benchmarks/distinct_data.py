"""A million distinct FAQ questions with their real all-MiniLM-L6-v2 vectors, for the compact-code benchmark.

    python -m benchmarks.distinct_data [--rows 1000000] [--data /tmp/faq-engine-scale]

Each question is two short real texts joined: the questions, dev questions and short answer
sentences of the three dev FAQ sets (the Medicare FAQs, and covidfaq's and stackfaq's from
``--eval-dir``), drawn as distinct ordered pairs with a fixed seed. Every row's vector is the
model's own vector of its text, so a quantized scan meets what it would on real data: no two
vectors alike, and crowded neighbourhoods (each dev question is half of about a thousand rows).
Embedding a million texts takes about half an hour of both cores: it is done in chunks kept in
``DATA/distinct-chunks`` so an interrupted run picks up where it stopped, and the dataset is
written once, in faq-engine's own format, to ``DATA/distinct-ROWS``.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
from pathlib import Path

import numpy as np
from tqdm import tqdm

from faq_engine.embedders.factory import local_embedder
from faq_engine.faqs.dataset_format import DatasetMeta
from faq_engine.faqs.entry import Entries
from faq_engine.faqs.writer import DatasetWriter
from faq_engine.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
CHUNK = 50_000
SHORT = 80  # characters: short units keep a million texts to about half an hour of embedding


def units(eval_dir: Path) -> list[str]:
    """The distinct texts pairs are made of: FAQ questions and the sentences of their answers."""
    rows = json.loads((ROOT / "faq_engine" / "faqs" / "data" / "medicare.json").read_text(encoding="utf-8"))["faqs"]
    for name in ("covidfaq", "stackfaq"):
        rows += [json.loads(line) for line in (eval_dir / name / "faqs.jsonl").read_text(encoding="utf-8").splitlines()]
    out = set()
    for row in rows:
        out.add(" ".join(str(row["question"]).split()))
        for sentence in re.split(r"(?<=[.?!])\s+", " ".join(str(row["answer"]).split())):
            if 20 <= len(sentence) <= SHORT:
                out.add(sentence)
    for name in ("covidfaq", "stackfaq"):
        lines = (eval_dir / name / "queries-dev.jsonl").read_text(encoding="utf-8").splitlines()
        out.update(" ".join(str(json.loads(line)["query"]).split()) for line in lines)
    return sorted(t for t in out if len(t) <= SHORT)


def texts(rows: int, eval_dir: Path) -> list[str]:
    """``rows`` distinct texts, each two units joined, in a seeded order."""
    pool, chosen, rng = units(eval_dir), set(), random.Random(0)
    out = []
    while len(out) < rows:
        pair = (rng.randrange(len(pool)), rng.randrange(len(pool)))
        if pair[0] != pair[1] and pair not in chosen:
            chosen.add(pair)
            out.append(f"{pool[pair[0]]} {pool[pair[1]]}")
    return out


def build(data: Path, rows: int, eval_dir: Path, embedder) -> Path:
    """The dataset folder of ``rows`` distinct texts, built unless it is there."""
    folder = data / f"distinct-{rows}"
    if (folder / "README.md").is_file():
        return folder
    import pyarrow as pa

    all_texts = texts(rows, eval_dir)
    chunks = data / "distinct-chunks"
    chunks.mkdir(parents=True, exist_ok=True)
    with tqdm(total=rows, unit="text", desc="embedding") as bar:
        for start in range(0, rows, CHUNK):
            path = chunks / f"{start:08d}-{CHUNK}.npy"
            if not path.is_file():
                np.save(path, embedder.embed_batched(all_texts[start : start + CHUNK]))
            bar.update(min(CHUNK, rows - start))
    meta = DatasetMeta(embedder.model_id, embedder.dim, True, "question", rows, "bench")
    with DatasetWriter(folder, meta, f"{rows:,} distinct FAQs") as writer:
        for start in range(0, rows, CHUNK):
            stop = min(rows, start + CHUNK)
            table = pa.table({"id": pa.array([str(i) for i in range(start, stop)]),
                              "question": pa.array(all_texts[start:stop]), "answer": pa.array(["-"] * (stop - start)),
                              "url": pa.array([""] * (stop - start))})
            writer.write(Entries(table), np.load(chunks / f"{start:08d}-{CHUNK}.npy")[: stop - start])
    return folder


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--data", type=Path, default=Path("/tmp/faq-engine-scale"))
    parser.add_argument("--eval-dir", type=Path, default=ROOT.parent / "shared" / "eval")
    args = parser.parse_args()
    print(build(args.data, args.rows, args.eval_dir, local_embedder(Settings.from_env(os.environ))))


if __name__ == "__main__":
    main()
