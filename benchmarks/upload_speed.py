"""How fast a visitor's upload is ready, beside the embedder's own speed on the same texts, in one run.

For each size (default 1,000 and 5,000 FAQs, made unique from the dev sets' real questions and answers,
so their lengths are real ones), with the default settings (``both``: each FAQ's question and its
question + answer are embedded, 2 texts a FAQ), prints seconds and FAQs/s for:

- **before**: the embedder as it was until now (64 texts a call in the set's order, 16 a run);
- **embedder**: the float model alone through ``embed_batched`` (longest texts first, so a batch
  pads little), at the inner batch sizes given;
- **upload**: the app's whole upload (``DemoHandlers.load_file``: read the CSV, embed through the
  cache, build the engine and the map), with a fresh cache;
- **int8**: the 8-bit model (``FAQ_ENGINE_LOCAL_RUNTIME=onnx-int8``) through ``embed_batched``.

Then, on the dev sets, the 8-bit model against the float one: the cosine of their vectors and the
top-1 of the default ranking (hybrid over ``both``), each with its own vectors for FAQs and questions.

    python -m benchmarks.upload_speed [--sizes 1000,5000] [--batch-sizes 8,16] [--eval-dir ../shared/eval]
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from functools import partial
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]

from benchmarks.bench_local_runtime import faq_sentences  # noqa: E402
from faq_engine.embedders.onnx_runtime import OnnxEmbedder  # noqa: E402
from faq_engine.evaluation.runner import read_queries  # noqa: E402
from faq_engine.faqs.loader import load_faqs  # noqa: E402
from faq_engine.search.memory import MemoryEngine  # noqa: E402
from faq_engine.settings import Settings  # noqa: E402
from faq_engine.ui.handlers import DemoHandlers  # noqa: E402
from faq_engine.ui.render import corpus_for  # noqa: E402


def real_faqs(eval_dir: Path) -> list[tuple[str, str]]:
    """The dev sets' FAQs (question, answer), or made-up ones of varied length where the sets are not here."""
    found = [json.loads(line) for name in ("covidfaq", "stackfaq") if (eval_dir / name / "faqs.jsonl").exists()
             for line in (eval_dir / name / "faqs.jsonl").read_text(encoding="utf-8").splitlines()]
    if found:
        return [(f["question"], f["answer"]) for f in found]
    return list(zip(faq_sentences(200, seed=1, details=False), faq_sentences(200, seed=2)))


def faq_rows(n: int, base: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """``n`` distinct FAQs: the real ones in turn, numbered so no text repeats (the cache reuses repeats)."""
    return [(f"{q} (#{i})", f"{a} (#{i})") for i, (q, a) in enumerate(base[i % len(base)] for i in range(n))]


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def before(embedder: OnnxEmbedder, texts: list[str]) -> None:
    """The previous ``embed_batched``: calls of 64 texts in the order given."""
    for start in range(0, len(texts), 64):
        embedder.embed(texts[start : start + 64])


def upload(rows: list[tuple[str, str]], folder: Path, float_embedder: OnnxEmbedder) -> float:
    """Seconds for the app to take a CSV of ``rows`` and be ready to search it (fresh cache)."""
    import csv

    path = folder / f"faqs-{len(rows)}.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows([("question", "answer"), *rows])
    settings = Settings(cache_dir=folder / f"cache-{len(rows)}")
    bundled = load_faqs("medicare", float_embedder, fields=settings.embed_fields)
    handlers = DemoHandlers(corpus_for(MemoryEngine(bundled, float_embedder), "bundled"), settings)
    start = time.perf_counter()
    said = handlers.load_file(str(path), progress=lambda *a, **k: None)[1]
    seconds = time.perf_counter() - start
    assert f"Loaded **{len(rows)}**" in said, said
    return seconds


def row(n: int, base: list[tuple[str, str]], floats: dict[int, OnnxEmbedder], int8: OnnxEmbedder,
        old: OnnxEmbedder) -> str:
    """One size's line of the table: every variant on the same texts, one after the other."""
    rows = faq_rows(n, base)
    texts = [q for q, _ in rows] + [f"{q} {a}" for q, a in rows]  # what "both" embeds, in that order
    first = next(iter(floats.values()))
    was = timed(partial(before, old, texts))
    now = [timed(partial(e.embed_batched, texts)) for e in floats.values()]
    with tempfile.TemporaryDirectory() as folder:
        up = upload(rows, Path(folder), first)
    eight = timed(partial(int8.embed_batched, texts))
    cells = [f"{s:.1f} s ({n / s:.0f} FAQs/s, {was / s:.2f}x)" for s in (*now, up, eight)]
    return f"| {n:,} ({len(texts):,}) | {was:.1f} s ({n / was:.0f} FAQs/s) | " + " | ".join(cells) + " |"


def speeds(sizes: list[int], batch_sizes: list[int], eval_dir: Path, cache: Path) -> None:
    base = real_faqs(eval_dir)
    floats = {b: OnnxEmbedder(cache_dir=cache, batch_size=b) for b in batch_sizes}
    int8 = OnnxEmbedder(cache_dir=cache, quantized=True, batch_size=batch_sizes[0])
    old = OnnxEmbedder(cache_dir=cache, batch_size=16)
    for e in (*floats.values(), int8, old):
        e.embed(["warm up"])
    print("| FAQs (texts) | before | " + " | ".join(f"embedder, batch {b}" for b in batch_sizes)
          + " | upload (app) | int8 embedder |")
    print("|---" * (4 + len(batch_sizes)) + "|")
    for n in sizes:
        print(row(n, base, floats, int8, old), flush=True)


def quality(eval_dir: Path, cache: Path) -> None:
    sets = {"medicare": ("medicare", ROOT / "tests" / "data" / "medicare_paraphrases.jsonl")}
    for name in ("covidfaq", "stackfaq"):
        if (eval_dir / name).exists():
            sets[name] = (str(eval_dir / name / "faqs.jsonl"), eval_dir / name / "queries-dev.jsonl")
    models = {"float": OnnxEmbedder(cache_dir=cache), "int8": OnnxEmbedder(cache_dir=cache, quantized=True)}
    print("\n| set | questions | top-1 float | top-1 int8 | same top-1 | cosine int8 vs float (mean, min) |")
    print("|---|---|---|---|---|---|")
    for name, (source, queries_file) in sets.items():
        queries = [q for q in read_queries(str(queries_file)) if q.in_domain]
        top1, vectors = {}, {}
        for label, embedder in models.items():
            faqs = load_faqs(source, embedder, fields="both")
            hits = MemoryEngine(faqs, embedder, method="hybrid").search_batch([q.query for q in queries], 1)
            top1[label] = [h[0].id if h else None for h in hits]
            vectors[label] = embedder.embed([q.query for q in queries])
        right = {k: np.mean([i in q.relevant for i, q in zip(v, queries)]) for k, v in top1.items()}
        same = np.mean([a == b for a, b in zip(top1["float"], top1["int8"])])
        cos = (vectors["float"] * vectors["int8"]).sum(axis=1)
        print(f"| {name} | {len(queries)} | {right['float']:.4f} | {right['int8']:.4f} | {same:.4f} | "
              f"{cos.mean():.4f}, {cos.min():.4f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,5000")
    parser.add_argument("--batch-sizes", default="8,16", help="the ONNX runtime's texts per run, first = default")
    parser.add_argument("--eval-dir", type=Path, default=ROOT.parent / "shared" / "eval")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as cache:
        speeds([int(s) for s in args.sizes.split(",")], [int(b) for b in args.batch_sizes.split(",")],
               args.eval_dir, Path(cache))
        quality(args.eval_dir, Path(cache))


if __name__ == "__main__":
    main()
