"""What hostile input costs the public app: a Parquet bomb uploaded by a visitor, and a trickling Qdrant.

    python -m benchmarks.bench_hostile

1. ``python app.py`` is started; a visitor uploads a 0.2 MB Parquet file that decodes to
   2,000,000 rows of 1,000 characters (dictionary-encoded) through gradio_client's /load_file.
   Prints the app's peak resident memory (VmHWM) before and after, and what the visitor was told.
2. A Qdrant server that answers one byte every 0.2 s: ``faq-engine search --qdrant URL`` is
   timed against the documented deadline (FAQ_ENGINE_QDRANT_DEADLINE, 15 s by default).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import threading
import time
from http.server import ThreadingHTTPServer
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from benchmarks.bench_app import rss_mib, start_app
from faq_engine.settings import Settings
from tests.support.qdrant_server import TricklingQdrant


def bomb(path: Path) -> Path:
    question = pa.DictionaryArray.from_arrays(pa.array([0] * 2_000_000, pa.int32()), pa.array(["x" * 1_000]))
    pq.write_table(pa.table({"question": question, "answer": question}), path, row_group_size=20_000)
    return path


def upload(folder: Path) -> None:
    from gradio_client import Client, handle_file

    proc, url, _ = start_app()
    try:
        path = bomb(folder / "faqs.parquet")
        _, before = rss_mib(proc.pid)
        result = Client(url, verbose=False).predict(handle_file(str(path)), api_name="/load_file")
        said = next(str(v) for v in result if isinstance(v, str) and "FAQs" in v)
        _, after = rss_mib(proc.pid)
        print(f"1. Parquet bomb: {path.stat().st_size / 2**20:.2f} MB file, 2,000,000 rows of 1,000 characters")
        print(f"   app peak memory: {before:.0f} MiB before the upload, {after:.0f} MiB after "
              f"(+{after - before:.0f} MiB; the limit in the issue: +1,024 MiB)")
        print(f"   the visitor was told: {said.strip()}")
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def trickle() -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), TricklingQdrant)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    deadline = Settings.from_env(os.environ).qdrant_deadline
    try:
        started = time.perf_counter()
        run = subprocess.run([sys.executable, "-m", "faq_engine", "search", "How can Medicare help me?", "--qdrant",
                              f"http://127.0.0.1:{server.server_address[1]}"], capture_output=True, text=True,
                             timeout=300)
        held = time.perf_counter() - started
    finally:
        TricklingQdrant.stop.set()
        server.shutdown()
        server.server_close()
    print(f"2. trickling Qdrant: the search was held {held:.1f} s (deadline {deadline:g} s per call; the CLI's "
          f"start-up included); exit code {run.returncode}: {run.stderr.strip().splitlines()[-1]}")


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        upload(Path(folder))
    trickle()


if __name__ == "__main__":
    main()
