"""The question log: records appended to JSONL files in a folder by a background thread.

A search only puts its record on a bounded queue (it never waits for the disk); one thread
writes. Files are named by day (``questions-2026-12-05-<process>-0.jsonl``) and rotated past
``rotate_bytes``; files older than ``days`` are deleted, then the oldest until the folder is
under ``max_bytes``. A folder that is full, read-only or deleted turns logging off with one
warning: a search never fails because of the log. ``hub_log`` uploads the same folder to a Hub
dataset in the background (huggingface_hub's ``CommitScheduler``), holding its lock while writing.
"""

from __future__ import annotations

import contextlib
import logging
import queue
import threading
import time
import uuid
from pathlib import Path

from .records import Record, now

log = logging.getLogger(__name__)

LOG_DAYS = 30  # records kept this many days
LOG_MAX_BYTES = 100 * 2**20  # the folder's size cap
ROTATE_BYTES = 8 * 2**20  # a file is closed and a new one started past this size
QUEUE_SIZE = 10_000  # records waiting to be written; past this, new ones are dropped (and counted)
WRITE_EVERY = 0.25  # seconds between writes: records gather meanwhile, and the writer seldom competes with searches
PATTERN = "questions-*.jsonl"


class QuestionLog:
    """Append :class:`Record` lines to JSONL files in ``folder``, in the background (see the module docstring)."""

    def __init__(self, folder: Path, *, days: float = LOG_DAYS, max_bytes: int = LOG_MAX_BYTES,
                 rotate_bytes: int = ROTATE_BYTES, lock=None, where: str | None = None) -> None:
        self.folder, self.days, self.max_bytes, self.rotate_bytes = Path(folder), days, max_bytes, rotate_bytes
        self.where = where or str(self.folder)  # what the page and the warnings call it
        self.enabled, self.dropped = True, 0
        self._lock = lock or contextlib.nullcontext()
        self._queue: queue.Queue = queue.Queue(maxsize=QUEUE_SIZE)
        self._process = uuid.uuid4().hex[:8]  # files of two processes (Space replicas) never collide
        self._part, self._path = 0, None
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            self._prune()
        except OSError as err:
            self._turn_off(err)
        self._thread = threading.Thread(target=self._run, name="question-log", daemon=True)
        self._thread.start()

    def add(self, record: Record) -> None:
        """Queue ``record`` for writing; returns at once (a full queue drops it and counts it)."""
        if not self.enabled:
            return
        try:
            self._queue.put_nowait(record)
        except queue.Full:
            self.dropped += 1

    def flush(self, timeout: float = 10.0) -> None:
        """Wait until every queued record is written (or ``timeout`` passes)."""
        deadline = time.monotonic() + timeout
        while self._queue.unfinished_tasks and time.monotonic() < deadline:
            time.sleep(0.01)

    def _run(self) -> None:
        while True:
            batch = [self._queue.get()]
            while len(batch) < 1_000:  # whatever else is waiting goes in the same write
                try:
                    batch.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            try:
                if self.enabled:
                    self._write(batch)
            except OSError as err:
                self._turn_off(err)
            finally:
                for _ in batch:
                    self._queue.task_done()
            time.sleep(WRITE_EVERY)

    def _write(self, batch: list[Record]) -> None:
        day = now()[:10]
        if self._path is None or not self._path.name.startswith(f"questions-{day}-"):
            self._part, self._path = 0, self._name(day, 0)
            self._prune()
        elif self._path.exists() and self._path.stat().st_size >= self.rotate_bytes:
            self._part += 1
            self._path = self._name(day, self._part)
            self._prune()
        text = "".join(record.to_json() + "\n" for record in batch)
        with self._lock, self._path.open("a", encoding="utf-8") as fh:
            fh.write(text)

    def _name(self, day: str, part: int) -> Path:
        return self.folder / f"questions-{day}-{self._process}-{part}.jsonl"

    def _prune(self) -> None:
        """Delete files past the retention, then the oldest until the folder is under the size cap."""
        files = sorted(self.folder.glob(PATTERN), key=lambda p: p.stat().st_mtime)
        cutoff = time.time() - self.days * 86_400
        with self._lock:
            for path in [p for p in files if p.stat().st_mtime < cutoff]:
                path.unlink(missing_ok=True)
                files.remove(path)
            total = sum(p.stat().st_size for p in files)
            for path in files:
                if total <= self.max_bytes:
                    break
                total -= path.stat().st_size
                path.unlink(missing_ok=True)

    def _turn_off(self, err: OSError) -> None:
        if self.enabled:
            log.warning("The question log at %s cannot be written (%s): logging is off until the app restarts.",
                        self.where, err.strerror or type(err).__name__)
        self.enabled = False


def read_folder(folder: Path) -> list[str]:
    """Every line of every log file in ``folder`` (and below it: a Hub snapshot keeps them in ``data/``)."""
    lines: list[str] = []
    for path in sorted(Path(folder).rglob(PATTERN)):
        lines += path.read_text(encoding="utf-8", errors="replace").split("\n")
    return lines
