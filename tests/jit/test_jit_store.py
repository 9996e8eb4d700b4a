"""The profile store: op identity, recording, state persistence, WAL and concurrency."""

from __future__ import annotations

import multiprocessing
import threading
from pathlib import Path
from typing import Any

from jit_cases import OUTCOMES, decide_op

from skc.ir import TEXT, InsertionPoint, Location, ctrl, llm, workflow
from skc.runtime.jit import ProfileStore, op_key


def test_op_key_is_stable_and_sensitive_to_what_matters() -> None:
    a, b = decide_op(), decide_op()
    assert op_key(a) == op_key(b)
    assert op_key(a) != op_key(decide_op(prompt="Something else?"))
    assert op_key(a) != op_key(decide_op(operand="text"))  # operand types
    wf = workflow("w", inputs={"t": TEXT})
    with InsertionPoint(wf.body):
        moved = llm.decide("Is it up?", OUTCOMES, wf.arg("t"), loc=Location("r.md", 3, 1))
        same = llm.decide("Is it up?", OUTCOMES, wf.arg("t"), loc=Location("r.md", 90, 1))
        other = llm.decide("Is it up?", ["up", "down"], wf.arg("t"))
        ctrl.return_(moved)
    assert op_key(moved.defining_op) == op_key(same.defining_op)  # location is not identity
    assert op_key(moved.defining_op) != op_key(other.defining_op)  # outcomes are


def test_record_and_pairs_round_trip(tmp_path: Path) -> None:
    store = ProfileStore(tmp_path / "p.sqlite")
    for i in range(5):
        store.record("k", [f"in{i}", {"n": i}], {"out": i}, latency_s=0.5, tokens_in=10, tokens_out=2)
    store.record("other", ["x"], "y")
    pairs = store.pairs("k")
    assert [p.output for p in pairs] == [{"out": i} for i in range(5)]
    assert pairs[0].inputs == ["in0", {"n": 0}]
    assert pairs[0].latency_s == 0.5
    assert pairs[0].ts > 0
    assert [p.output["out"] for p in store.pairs("k", limit=2)] == [3, 4]  # the latest, oldest first
    assert store.op_keys() == ["k", "other"]
    assert store.stats("k") == {"executions": 5, "mean_latency_s": 0.5, "tokens_in": 50, "tokens_out": 10}
    mode = store._db.execute("PRAGMA journal_mode").fetchone()[0]
    assert mode == "wal"
    store.close()


def test_state_and_events_persist(tmp_path: Path) -> None:
    path = tmp_path / "p.sqlite"
    store = ProfileStore(path)
    store.save_state("k", {"phase": "promoted", "streak": 0})
    store.save_state("k", {"phase": "observe", "streak": 2})
    store.log_event("k", "jit_promote", {"candidate": "abc"})
    store.close()
    again = ProfileStore(path)
    assert again.load_state("k") == {"phase": "observe", "streak": 2}
    assert again.load_state("missing") is None
    assert again.states() == {"k": {"phase": "observe", "streak": 2}}
    assert again.events("k") == [("k", "jit_promote", {"candidate": "abc"})]
    again.close()


def test_concurrent_writers_and_a_second_reader(tmp_path: Path) -> None:
    path = tmp_path / "p.sqlite"
    writer, reader = ProfileStore(path), ProfileStore(path)

    def work(t: int) -> None:
        for i in range(50):
            writer.record(f"op{t}", [i], i)

    threads = [threading.Thread(target=work, args=(t,)) for t in range(4)]
    for t in threads:
        t.start()
    seen = [len(reader.pairs("op0")) for _ in range(20)]  # reads while the writers write
    for t in threads:
        t.join()
    assert seen == sorted(seen)
    assert [len(reader.pairs(f"op{t}")) for t in range(4)] == [50] * 4
    writer.close()
    reader.close()


def test_store_lives_in_the_bundle(tmp_path: Path) -> None:
    store = ProfileStore.for_bundle(tmp_path / "triage.skb")
    assert store.path == tmp_path / "triage.skb" / "jit" / "profile.sqlite"
    assert store.path.exists()
    store.close()


def _open_at_once(path: Path, barrier: Any, answers: Any) -> None:
    barrier.wait()
    try:
        ProfileStore(path).close()
        answers.put("ok")
    except Exception as e:  # what the test reports
        answers.put(repr(e))


def test_processes_opening_a_new_store_at_once_all_get_it(tmp_path: Path) -> None:
    """Several `skc run`s of one bundle start together: each opens the store the first of them
    creates (before the WAL switch was retried, ~1 open in 18 failed with 'database is locked')."""
    ctx = multiprocessing.get_context("fork")
    answers = []
    for k in range(12):
        barrier, queue = ctx.Barrier(6), ctx.Queue()
        procs = [ctx.Process(target=_open_at_once, args=(tmp_path / str(k) / "profile.sqlite", barrier, queue))
                 for _ in range(6)]
        for p in procs:
            p.start()
        answers += [queue.get(timeout=60) for _ in procs]
        for p in procs:
            p.join()
    assert set(answers) == {"ok"}
