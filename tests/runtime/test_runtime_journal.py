"""The journal writer: ordered, durable appends, with group commit (one fsync per batch)."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

from skc.runtime.journal import JournalWriter, read_journal


def _lines(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_appends_in_one_turn_share_an_fsync_and_land_in_order(tmp_path: Path) -> None:
    path = tmp_path / "journal.jsonl"
    journal = JournalWriter(path)
    seen_on_return: dict[str, bool] = {}

    async def done(op: str) -> None:
        await journal.append({"type": "done", "op": op, "name": "x", "values": [op]})
        # the record is on disk (written and fsync'd) when append returns
        seen_on_return[op] = any(r.get("op") == op for r in _lines(path))

    async def go() -> None:
        await asyncio.gather(*(done(str(i)) for i in range(200)))

    asyncio.run(go())
    journal.close()
    assert [r["op"] for r in _lines(path)] == [str(i) for i in range(200)]
    assert all(seen_on_return[str(i)] for i in range(200))
    assert 1 <= journal.fsyncs < 200  # grouped: far fewer fsyncs than records
    assert set(read_journal(path).done) == {str(i) for i in range(200)}


def test_sequential_appends_each_fsync_and_unsynced_records_need_none(tmp_path: Path) -> None:
    path = tmp_path / "journal.jsonl"
    journal = JournalWriter(path)

    async def go() -> None:
        for i in range(3):
            await journal.append({"type": "start", "op": str(i), "name": "x"}, sync=False)
            await journal.append({"type": "done", "op": str(i), "name": "x", "values": []})

    asyncio.run(go())
    asyncio.run(go())  # a second event loop (a resumed run in the same process) works too
    journal.close()
    assert journal.fsyncs == 6
    assert [(r["type"], r["op"]) for r in _lines(path)] == [("start", "0"), ("done", "0"), ("start", "1"),
                                                           ("done", "1"), ("start", "2"), ("done", "2")] * 2


def test_a_record_that_cannot_be_written_fails_only_its_own_append(tmp_path: Path) -> None:
    path = tmp_path / "journal.jsonl"

    def redact(record: Any) -> Any:
        if record.get("op") == "1":
            raise ValueError("cannot redact")
        return record

    journal = JournalWriter(path, redact=redact)

    async def go() -> list[BaseException | None]:
        return list(await asyncio.gather(*(journal.append({"type": "done", "op": str(i), "name": "x", "values": []})
                                           for i in range(3)), return_exceptions=True))

    results = asyncio.run(go())
    journal.close()
    assert results[0] is None
    assert results[2] is None
    assert isinstance(results[1], ValueError)
    assert [r["op"] for r in _lines(path)] == ["0", "2"]


def test_submitted_records_share_one_future_flush_writes_them_at_once_kick_in_the_thread(tmp_path: Path) -> None:
    path = tmp_path / "journal.jsonl"
    journal = JournalWriter(path)

    async def go() -> tuple[bool, bool, bool, int]:
        a = journal.submit({"type": "done", "op": "0", "name": "x", "values": [0]})
        b = journal.submit({"type": "done", "op": "1", "name": "x", "values": [1]})
        shared = a is b and not a.done()
        flushed = journal.flush()  # here and now: written and fsync'd before it returns
        on_disk = a.done() and [r["op"] for r in _lines(path)] == ["0", "1"]
        c = journal.submit({"type": "done", "op": "2", "name": "x", "values": [2]})
        await asyncio.sleep(0.01)
        assert not c.done()  # nothing writes a submitted record until asked to
        journal.kick()
        await c  # a later submit is a new batch, written by the writer thread
        return shared, flushed, on_disk, journal.fsyncs

    shared, flushed, on_disk, fsyncs = asyncio.run(go())
    journal.close()
    assert shared
    assert flushed
    assert on_disk
    assert fsyncs == 2
    assert [r["op"] for r in _lines(path)] == ["0", "1", "2"]


def test_flush_leaves_the_queue_to_a_busy_writer_thread_so_records_stay_in_order(tmp_path: Path) -> None:
    path = tmp_path / "journal.jsonl"
    journal = JournalWriter(path)

    async def go() -> bool:
        first = asyncio.ensure_future(journal.append({"type": "done", "op": "0", "name": "x", "values": []}))
        while not journal._busy:  # the writer thread has taken the first batch
            await asyncio.sleep(0)
        later = journal.submit({"type": "done", "op": "1", "name": "x", "values": []})
        flushed = journal.flush()
        await first
        await later
        return flushed

    assert asyncio.run(go()) is False
    journal.close()
    assert [r["op"] for r in _lines(path)] == ["0", "1"]


def test_noted_submitted_and_queued_records_of_a_turn_land_in_order_in_one_write(tmp_path: Path) -> None:
    path = tmp_path / "journal.jsonl"
    journal = JournalWriter(path)

    async def go() -> tuple[int, int, bool, int]:
        journal.note({"type": "done", "op": "0", "name": "x", "values": ["é", 1.5]})
        await journal.append({"type": "start", "op": "1", "name": "x"}, sync=False, wait=False)
        submitted = journal.submit({"type": "done", "op": "1", "name": "x", "values": [None]})
        journal.note({"type": "done", "op": "2", "name": "x", "values": [float("nan")]})
        barrier = journal.barrier()
        queued_before = len(_lines(path))
        journal.flush()  # one write, one fsync for all of them
        fsyncs = journal.fsyncs
        journal.note({"type": "done", "op": "3", "name": "x", "values": []})
        await journal.drained()  # a noted record alone is written without an fsync
        return queued_before, fsyncs, submitted.done() and barrier is not None and barrier.done(), journal.fsyncs

    queued_before, fsyncs, settled, fsyncs_after = asyncio.run(go())
    journal.close()
    assert queued_before == 0
    assert fsyncs == 1
    assert settled
    assert fsyncs_after == 1
    records = _lines(path)
    assert [(r["type"], r["op"]) for r in records] == [("done", "0"), ("start", "1"), ("done", "1"), ("done", "2"),
                                                       ("done", "3")]
    assert records[0]["values"] == ["é", 1.5]
    assert records[3]["values"] == ["nan"]  # as `jsonable` writes a non-finite float
