"""The run journal: an append-only JSON-lines file, fsync'd, that makes runs resumable.

Format (decided here): one JSON object per line in `<run dir>/journal.jsonl`.

    {"type": "run", "run_id": ..., "workflow": ..., "ir_sha256": ..., "inputs": {...}, "ts": ...}
    {"type": "start", "op": "3", "name": "tool.shell", "step": "Step 2", "attempt": 1, "ts": ...}
    {"type": "done", "op": "3", "name": ..., "step": ..., "values": [...], "tokens_in": 0, ...}
    {"type": "failed", "op": "3", ..., "error": "...", "code": "SKC310"}
    {"type": "resume", "ts": ...}
    {"type": "end", "status": "ok" | "failed" | ..., "outputs": {...}, "ts": ...}

Why JSON lines and not SQLite: the journal is written once per op and read only on
resume, in order; an append + `fsync` is one small write, needs no schema,
survives a SIGKILL at any byte (a torn last line is ignored on read: that op
simply did not complete), and stays readable with `cat`/`jq`.

What must be durable, and when (decided here; docs/runtime.md says it at length).
Records land in the order they were queued and an fsync covers everything before
it, so a crash leaves a prefix of the records. The `done` record of an op that is
not replayable (effects, reads included, a model call, an approval) is fsync'd
before `append` returns, and the scheduler awaits it before releasing the op's
dependents: its value is never lost. A replayable op (no effects, no model call,
no gate) has its record queued by `note`, with no fsync of its own and nobody
waiting; before any op that is not replayable starts, the scheduler awaits
`barrier` (an fsync of everything queued, or nothing when it already is), and
the end record is fsync'd. So a record lost in a crash is one whose value nothing
outside the run has seen (no effect, model call, approval or reported output
came after it): a resume computes it again, and the run is one that crashed just
before that op. `start` records are flushed but need no fsync of their own (they
only tell a resume which ops were in flight).

Group commit: `append` queues its line and waits; one writer task per event loop
takes everything queued, writes it in one `write`, flushes and fsyncs once (in a
dedicated thread, so the loop never blocks on the disk), then wakes every waiter
of that batch. Records queued in the same event-loop turn, or while the previous
batch was being fsync'd, share one fsync; each `append` still returns only once
its own record is on disk, and records land in the order they were appended.
`submit` queues a record without waiting and returns the future of its batch, shared
by every record submitted before the queue is written (the scheduler's inline ops:
one future, one fsync per loop turn of ready waves); `flush` writes and fsyncs the
queue in the caller's thread when the writer thread is idle (a caller with nothing
else to do then saves the thread hand-off; records still land in order), `kick`
hands it to the thread. Op ids are structural paths (`4`, `5.1.0`
for the first op of region 1 of op 5, `7[2].0` for map item 2, `8@1.0` for retry
attempt 1), so a resume of the same IR (checked by `ir_sha256`) finds them again.

Values pass through the run's redactor first: secrets never reach the disk. A record
is encoded once, by orjson (`values.encode_record`: the line's UTF-8 bytes, written as they are); only values it
refuses take `json`'s C encoder or the slower `jsonable` walk.
"""

from __future__ import annotations

import asyncio
import json
import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from skc.runtime.redact import Redactor
from skc.runtime.values import encode_record

JOURNAL_FILE = "journal.jsonl"


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class JournalWriter:
    """Appends records to a journal file; `append` is ordered and (optionally) durable.

    Writes go through one dedicated thread so that `fsync` never blocks the event loop
    and records land in the order they were submitted; records appended while a write
    is pending share one `fsync` (group commit, see the module docstring).
    """

    def __init__(self, path: Path, redact: Callable[[Any], Any] = lambda v: v, *,
                 durable: bool = True) -> None:
        self.path = path
        self.redact = redact
        self._redact = None if isinstance(redact, Redactor) and not redact else redact  # None: a redactor without secrets, not called per record
        self.durable = durable
        new = not path.exists()
        path.parent.mkdir(parents=True, exist_ok=True)
        self._file = path.open("ab")
        self._lock = threading.Lock()
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="skc-journal")
        self._queue = _Batch()  # what the next write takes
        self._writer: asyncio.Task[None] | None = None
        self._open: asyncio.Future[None] | None = None  # the future `submit` records of the next batch share
        self._busy = False  # the writer thread is writing a batch
        self._seq = 0  # records queued so far (a record's number is the count when it was queued)
        self._lazy = 0  # the number of the last record noted without a durability wait (`note`)
        self._synced = 0  # every record up to this number is on disk, fsync'd
        self.fsyncs = 0  # how many fsyncs the records took (group commit makes it fewer than records)
        if new and durable:
            _fsync_dir(path.parent)

    def _line(self, record: dict[str, Any]) -> bytes:
        if "ts" not in record:
            record = {**record, "ts": time.time()}
        return encode_record(self._redact(record) if self._redact is not None else record)

    def _write(self, data: bytes | bytearray, sync: bool) -> None:
        with self._lock:
            self._file.write(data)  # b"": a bare fsync
            self._file.flush()
            if sync and self.durable:
                os.fsync(self._file.fileno())
                self.fsyncs += 1

    def write(self, record: dict[str, Any], *, sync: bool = True) -> None:
        """Synchronous append (for the header and the last record; the queue is empty then)."""
        self._write(self._line(record), sync)
        if sync and not self._queue:
            self._synced = self._seq

    def note(self, record: dict[str, Any]) -> None:
        """Queues the `done` record of a replayable op (no effects: its value can be computed
        again): it lands in order with the next batch, and nothing waits for its fsync, which
        the next durable record, `barrier` or the end of the run gives it (module docstring)."""
        if "ts" not in record:
            record = {**record, "ts": time.time()}
        self._queue.data += encode_record(self._redact(record) if self._redact is not None else record)  # `_line`
        self._seq += 1
        self._lazy = self._seq

    def barrier(self) -> asyncio.Future[None] | None:
        """None when every record queued so far is on disk and fsync'd; else queues a bare fsync
        and returns the future of its batch (done once everything before it is durable). What an
        op with effects awaits before it starts, so that its inputs' records are durable."""
        if self._lazy <= self._synced:
            return None
        done = self._enqueue(b"", True, True, shared=True)
        assert done is not None
        return done

    def _written(self, upto: int, sync: bool) -> None:
        if sync or not self.durable:
            self._synced = max(self._synced, upto)

    async def append(self, record: dict[str, Any], *, sync: bool = True, wait: bool = True) -> None:
        """Appends `record`; returns once it is on disk (when `sync`), maybe sharing an fsync.

        A record with `sync=False, wait=False` is queued (it lands in order, with the next
        batch) and `append` returns at once.
        """
        done = self._enqueue(self._line(record), sync, sync or wait, shared=False)
        if done is not None:
            # If the caller is cancelled its record is still written (it is queued), as before.
            await done

    def submit(self, record: dict[str, Any]) -> asyncio.Future[None]:
        """Queues `record` to be written and fsync'd; the future is done once it is on disk.

        Records submitted before the writer takes its next batch share one future (the
        scheduler's inline ops: a whole ready wave waits on one future, one fsync). Nothing
        writes them until `flush` (here, now) or `kick` (the writer thread) is called, or
        another record is appended.
        """
        done = self._enqueue(self._line(record), True, True, shared=True, start=False)
        assert done is not None
        return done

    def kick(self) -> None:
        """Has the writer thread write what is queued (after the batch it is writing, if any)."""
        if self._queue:
            loop = asyncio.get_running_loop()
            if self._writer is None or self._writer.done() or self._writer.get_loop() is not loop:
                self._writer = loop.create_task(self._drain())

    def _enqueue(self, line: bytes, sync: bool, wait: bool, *, shared: bool,
                 start: bool = True) -> asyncio.Future[None] | None:
        loop = asyncio.get_running_loop()
        done: asyncio.Future[None] | None = None
        self._seq += 1
        queue = self._queue
        if shared:
            if self._open is None or self._open.get_loop() is not loop:
                self._open = loop.create_future()
                queue.waiters.append(self._open)
            done = self._open
        elif wait:
            done = loop.create_future()
            queue.waiters.append(done)
        queue.data += line
        queue.sync = queue.sync or sync
        if start and (self._writer is None or self._writer.done() or self._writer.get_loop() is not loop):
            self._writer = loop.create_task(self._drain())
        return done

    async def _drain(self) -> None:
        """Writes queued records in batches, one write and at most one fsync per batch."""
        loop = asyncio.get_running_loop()
        batch: _Batch | None = None
        try:
            while self._queue:
                batch, self._queue, self._open = self._queue, _Batch(), None
                upto = self._seq
                self._busy = True
                try:
                    await loop.run_in_executor(self._pool, self._write, batch.data, batch.sync)
                except asyncio.CancelledError:
                    raise
                except Exception as e:  # the disk failed: every record of the batch failed
                    batch.settle(e)
                    batch = None
                    continue
                finally:
                    self._busy = False
                self._written(upto, batch.sync)
                batch.settle(None)
                batch = None
        except asyncio.CancelledError:  # the loop is shutting down: nobody will wait for these
            if self._queue.data:  # written (unsynced), in order after the batch the thread is writing
                self._write(self._queue.data, False)
            for fut in (batch.waiters if batch is not None else []) + self._queue.waiters:
                fut.cancel()
            self._queue, self._open = _Batch(), None
            raise
        finally:
            if self._writer is asyncio.current_task():
                self._writer = None

    def flush(self) -> bool:
        """Writes (and fsyncs) the queued records here and now, blocking the caller, unless the
        writer thread is busy with a batch (then False: the queue waits for the thread, in
        order). For a caller with nothing else to do meanwhile: no thread hand-off."""
        if self._busy:
            return False
        batch, self._queue, self._open = self._queue, _Batch(), None
        if batch:
            try:
                self._write(batch.data, batch.sync)
            except Exception as e:  # the disk failed: every record of the batch failed
                batch.settle(e)
                return True
            self._written(self._seq, batch.sync)
            batch.settle(None)
        return True

    async def drained(self) -> None:
        """Returns once every queued record (waited for or not) is written: here and now when
        no writer task runs (the run has ended: nothing to overlap with the disk, so no thread
        hand-off, which on a busy machine waits for a core), else by the writer thread."""
        writer = self._writer
        if (writer is None or writer.done()) and self.flush():
            return
        self.kick()
        writer = self._writer
        if writer is not None and not writer.done() and writer.get_loop() is asyncio.get_running_loop():
            await asyncio.shield(writer)

    def close(self) -> None:
        self._pool.shutdown(wait=True)
        with self._lock:
            self._file.close()


class _Batch:
    """Records queued for one write: their lines in one buffer (newlines included), whether one
    of them wants an fsync, and the futures waiting for them.

    One growing buffer, not a list of lines: each line (orjson's bytes) is dropped once copied
    in. Measured on Linux: 1000 orjson results kept alive till the write cost ~2 us each (the
    heap grows under them: brk calls and page faults), copied into one buffer ~0.05 us.
    """

    __slots__ = ("data", "sync", "waiters")

    def __init__(self) -> None:
        self.data = bytearray()
        self.sync = False
        self.waiters: list[asyncio.Future[None]] = []

    def __bool__(self) -> bool:
        return bool(self.data) or bool(self.waiters)

    def settle(self, error: Exception | None) -> None:
        """Wakes the waiters of the written batch (or tells them the write failed)."""
        for fut in self.waiters:
            if not fut.done():
                if error is None:
                    fut.set_result(None)
                else:
                    fut.set_exception(error)


@dataclass
class JournalState:
    """What a journal says about a run: its header, completed and failed ops, its end."""

    header: dict[str, Any] = field(default_factory=dict)
    done: dict[str, dict[str, Any]] = field(default_factory=dict)
    failed: dict[str, dict[str, Any]] = field(default_factory=dict)
    started: dict[str, dict[str, Any]] = field(default_factory=dict)
    cancelled: dict[str, dict[str, Any]] = field(default_factory=dict)  # stopped when the run failed
    end: dict[str, Any] | None = None
    resumes: int = 0
    torn_tail: bool = False

    @property
    def in_flight(self) -> list[str]:
        """Ops that started but neither completed, failed nor were cancelled (running when the run died)."""
        return [k for k in self.started if k not in self.done and k not in self.failed and k not in self.cancelled]


def read_journal(path: Path) -> JournalState:
    """Reads a journal; a torn (half-written) last line is ignored, other damage is an error."""
    state = JournalState()
    if not path.exists():
        return state
    lines = path.read_text(encoding="utf-8", errors="replace").split("\n")
    for i, line in enumerate(lines):
        if not line.strip():
            continue
        try:
            rec = json.loads(line)
        except ValueError:
            if i >= len(lines) - 2:
                state.torn_tail = True
                continue
            raise ValueError(f"{path}:{i + 1}: damaged journal record") from None
        kind = rec.get("type")
        if kind == "run":
            state.header = rec
        elif kind == "start":
            state.started[rec["op"]] = rec
        elif kind == "done":
            state.done[rec["op"]] = rec
            state.failed.pop(rec["op"], None)
            state.cancelled.pop(rec["op"], None)
        elif kind == "failed":
            state.failed[rec["op"]] = rec
        elif kind == "cancelled":
            state.cancelled[rec["op"]] = rec
        elif kind == "resume":
            state.resumes += 1
            state.end = None
        elif kind == "end":
            state.end = rec
    return state
