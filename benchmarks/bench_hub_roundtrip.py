"""The hosted-dataset workflow against a loopback Hub, with the numbers it promises.

Runs the real ``faq-engine`` CLI (subprocesses, ``HF_ENDPOINT`` = a loopback Hub
started here) and prints:

1. ``embed faqs.csv --output out/ --push user/faqs``: texts embedded / reused, seconds;
2. ``search "How can Medicare help me?" --dataset user/faqs --json -k 13`` against the
   bundled set: same ids? largest score difference;
3. plain ``datasets.load_dataset("user/faqs", split="train")``: rows, floats per embedding;
4. one question edited, ``embed`` again: embedded / reused (local model);
5. another question edited, ``embed --embedder api``: texts sent to a loopback Inference API;
6. ``HF_HUB_OFFLINE=1 search --dataset user/faqs``: served from the cached copy?
7. with ``--faqs N`` (default 1000) synthetic FAQs: seconds for a cold embed vs a re-embed
   after editing one question.

    python -m benchmarks.bench_hub_roundtrip [--faqs 1000]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))  # the loopback servers live with the tests

from faq_engine.embedders.factory import local_embedder  # noqa: E402
from faq_engine.faqs.loader import load_bundled  # noqa: E402
from faq_engine.search.memory import MemoryEngine  # noqa: E402
from faq_engine.settings import Settings  # noqa: E402
from tests.support.api_server import FakeInferenceApi  # noqa: E402
from tests.support.hub_server import LoopbackHub  # noqa: E402

QUERY = "How can Medicare help me?"
TOKEN = "hf_bench_token"
COUNTS = re.compile(r"Embedded (\d+) text\(s\) with \S+, reused (\d+)")
LOAD = """import json, sys
from datasets import load_dataset
ds = load_dataset("user/faqs", split="train")
print(json.dumps({"rows": ds.num_rows, "lengths": sorted({len(v) for v in ds[:]["embedding"]}),
                  "faq_engine_imported": any(m.startswith("faq_engine") for m in sys.modules)}))
"""


def cli(env: dict, *args: str, code: str | None = None, **extra: str) -> tuple[subprocess.CompletedProcess, float]:
    argv = [sys.executable, "-c", code] if code else [sys.executable, "-m", "faq_engine", *args]
    start = time.perf_counter()
    proc = subprocess.run(argv, env={**env, **extra}, capture_output=True, text=True, timeout=900)
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed:\n{proc.stdout}\n{proc.stderr}")
    return proc, time.perf_counter() - start


def counts(proc: subprocess.CompletedProcess) -> tuple[int, int]:
    match = COUNTS.search(proc.stdout)
    return (int(match[1]), int(match[2])) if match else (-1, -1)


def write_csv(path: Path, rows: list[dict]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=["id", "question", "answer", "url"])
        writer.writeheader()
        writer.writerows(rows)
    return path


def medicare_steps(env: dict, work: Path, rows: list[dict], hub: LoopbackHub) -> None:
    embedder = local_embedder(Settings.from_env(os.environ))
    proc, secs = cli(env, "embed", str(write_csv(work / "faqs.csv", rows)), "--output", str(work / "out"),
                     "--push", "user/faqs", "--no-progress")
    print(f"1. embed + push 13 FAQs: embedded={counts(proc)[0]} reused={counts(proc)[1]}  ({secs:.1f} s)")

    proc, _ = cli(env, "search", QUERY, "--dataset", "user/faqs", "--json", "-k", "13")
    hosted = json.loads(proc.stdout)
    bundled = MemoryEngine(load_bundled("medicare", embedder), embedder, method=Settings().method).search(QUERY, 13)
    same = [h["id"] for h in hosted] == [h.id for h in bundled]
    diff = max(abs(h["score"] - b.score) for h, b in zip(hosted, bundled))
    print(f"2. search --dataset user/faqs vs bundled: same ids for all 13 = {same}, max |score diff| = {diff:.2e}")

    out = json.loads(cli(env, code=LOAD)[0].stdout.strip().splitlines()[-1])
    print(f"3. datasets.load_dataset: rows={out['rows']} floats per embedding={out['lengths']} "
          f"faq_engine imported={out['faq_engine_imported']}")

    edited = [dict(r) for r in rows]
    edited[3]["question"] = "How do I enroll in Medicare?"
    proc, secs = cli(env, "embed", str(write_csv(work / "edited.csv", edited)), "--output", str(work / "out"),
                     "--push", "user/faqs", "--no-progress")
    print(f"4. one question edited, embed again (local): embedded={counts(proc)[0]} reused={counts(proc)[1]}  ({secs:.1f} s)")

    edited[9]["question"] = "What parts does Medicare have?"
    with FakeInferenceApi(embedder.embed) as api:
        proc, _ = cli(env, "embed", str(write_csv(work / "edited2.csv", edited)), "--output", str(work / "out-api"),
                      "--no-progress", "--embedder", "api", "--api-url", api.url)
        sent = [t for seen in api.seen for t in seen.inputs]
    print(f"5. another edit, embed --embedder api: texts sent to the API={len(sent)} {sent} "
          f"embedded={counts(proc)[0]} reused={counts(proc)[1]}")

    proc, _ = cli(env, "search", QUERY, "--dataset", "user/faqs", HF_HUB_OFFLINE="1")
    print(f"6. HF_HUB_OFFLINE=1 search --dataset user/faqs: served from cached copy = {'cached copy' in proc.stderr}")
    print(f"   Hub requests served by the loopback server: {len(hub.state.requests)}")


def scale_steps(env: dict, work: Path, n: int) -> None:
    rows = [{"id": str(i), "question": f"Synthetic question number {i} about Medicare plan {i % 37}?",
             "answer": f"Answer {i}.", "url": ""} for i in range(n)]
    env = {**env, "FAQ_ENGINE_CACHE_DIR": str(work / "scale-cache")}
    proc, cold = cli(env, "embed", str(write_csv(work / "big.csv", rows)), "--output", str(work / "big"), "--no-progress")
    print(f"7. {n} FAQs cold embed: embedded={counts(proc)[0]} reused={counts(proc)[1]}  {cold:.1f} s (incl. start-up)")
    rows[n // 2]["question"] = "An edited synthetic question?"
    proc, warm = cli(env, "embed", str(write_csv(work / "big2.csv", rows)), "--output", str(work / "big"), "--no-progress")
    print(f"   one edit, re-embed:    embedded={counts(proc)[0]} reused={counts(proc)[1]}  {warm:.1f} s (incl. start-up)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--faqs", type=int, default=1000, help="size of the synthetic set for step 7 (0 skips it)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="faq-hub-bench-") as tmp, LoopbackHub({TOKEN: "user"}) as hub:
        work = Path(tmp)
        env = {k: v for k, v in os.environ.items() if k not in ("HF_HUB_OFFLINE", "FAQ_ENGINE_DATASET")}
        env.update(HF_ENDPOINT=hub.url, HF_TOKEN=TOKEN, HF_HOME=str(work / "hf-home"), HF_HUB_DISABLE_XET="1",
                   HF_HUB_DISABLE_TELEMETRY="1", HF_UPDATE_DOWNLOAD_COUNTS="0", FAQ_ENGINE_EMBEDDER="local",
                   FAQ_ENGINE_CACHE_DIR=str(work / "cache"))
        rows = [{"id": e.id, "question": e.question, "answer": e.answer, "url": e.url}
                for e in load_bundled("medicare", local_embedder(Settings.from_env(os.environ))).entries]
        medicare_steps(env, work, rows, hub)
        if args.faqs:
            scale_steps(env, work, args.faqs)


if __name__ == "__main__":
    main()
