"""The profile store: every `llm.*` execution of a bundle, and the JIT's per-op state.

One SQLite file per bundle in the run store (`<runs>/jit/<id>/profile.sqlite`, see
`runstore`), WAL mode, so a run can write while `skc recompile` or `skc trace`
reads. Three tables:

    executions  op_key, op_name, inputs (JSON list of operand values), output (JSON),
                latency_s, tokens_in, tokens_out, ts, source (llm | shadow), tool_calls (JSON)
    op_state    op_key -> the JIT state machine's state (guard.OpState, as JSON)
    events      op_key, kind (jit_promote, jit_guard_miss, jit_demote), detail (JSON), ts

An op's identity (`op_key`) is a stable hash of its name, its attributes and its
operand types: the same step compiled again keeps its profile; a changed prompt,
outcome set or model starts a new one. The store is safe to share between threads
and between processes (several runs of one bundle at once): every write is a
`BEGIN IMMEDIATE` transaction, and `transaction()` groups a read-modify-write of an
op's state into one, so no process overwrites another's counter updates.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from skc.ir.attrs import print_attr_dict
from skc.ir.core import Op

_SCHEMA = """
CREATE TABLE IF NOT EXISTS executions (
    id INTEGER PRIMARY KEY AUTOINCREMENT, op_key TEXT NOT NULL, op_name TEXT NOT NULL DEFAULT '',
    inputs TEXT NOT NULL, output TEXT NOT NULL, latency_s REAL NOT NULL DEFAULT 0,
    tokens_in INTEGER NOT NULL DEFAULT 0, tokens_out INTEGER NOT NULL DEFAULT 0,
    ts REAL NOT NULL, source TEXT NOT NULL DEFAULT 'llm', tool_calls TEXT);
CREATE INDEX IF NOT EXISTS executions_by_op ON executions (op_key, id);
CREATE TABLE IF NOT EXISTS op_state (
    op_key TEXT PRIMARY KEY, op_name TEXT NOT NULL DEFAULT '', state TEXT NOT NULL, updated REAL NOT NULL);
CREATE TABLE IF NOT EXISTS events (
    id INTEGER PRIMARY KEY AUTOINCREMENT, op_key TEXT NOT NULL, kind TEXT NOT NULL,
    detail TEXT NOT NULL, ts REAL NOT NULL);
"""


def op_key(op: Op) -> str:
    """Stable identity of an op: hash of its name, attributes and operand types.

    Source locations and SSA names are not part of it (moving a step keeps its profile).
    """
    try:
        attrs = print_attr_dict(op.attributes)
    except TypeError:  # an ill-formed attribute (the verifier reports it): still a stable key
        attrs = json.dumps(op.attributes, sort_keys=True, default=repr)
    text = "\n".join([op.op_name, attrs, ",".join(str(v.type) for v in op.operands)])
    return hashlib.sha256(text.encode()).hexdigest()[:24]


def _dumps(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)


@dataclass(frozen=True)
class Pair:
    """One recorded execution: the operand values and the LLM's output."""

    inputs: list[Any]
    output: Any
    latency_s: float = 0.0
    tokens_in: int = 0
    tokens_out: int = 0
    ts: float = 0.0
    source: str = "llm"
    tool_calls: list[dict[str, Any]] | None = field(default=None)


def _switch_to_wal(db: sqlite3.Connection, timeout: float) -> None:
    """`PRAGMA journal_mode=WAL`, retried while another process holds the database: when
    several `skc run`s open a new store at once, SQLite answers the switch with "database is
    locked" at once, without waiting through its busy timeout (seen with 6 processes)."""
    deadline, delay = time.monotonic() + timeout, 0.01
    while True:
        try:
            db.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as e:
            if "locked" not in str(e) or time.monotonic() > deadline:
                raise
            time.sleep(delay)
            delay = min(2 * delay, 0.25)


class ProfileStore:
    """Append-only execution log plus candidate/state persistence for one bundle."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        if str(path) != ":memory:":
            self.path.parent.mkdir(parents=True, exist_ok=True)
        # timeout: how long a write waits for another process's transaction (sqlite's busy timeout)
        self._db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None, timeout=120)
        self._lock = threading.RLock()
        self._depth = 0  # nesting of transaction(): only the outermost begins and commits
        with self._lock:
            _switch_to_wal(self._db, timeout=120)
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.executescript(_SCHEMA)

    @classmethod
    def for_bundle(cls, bundle_dir: str | Path) -> ProfileStore:
        """The store that lives inside a bundle directory."""
        return cls(Path(bundle_dir) / "jit" / "profile.sqlite")

    def close(self) -> None:
        with self._lock:
            self._db.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction (nested calls join the outer one): reads inside it see the
        latest committed state of every process, and nobody else writes until it ends."""
        with self._lock:
            if self._depth:
                self._depth += 1
                try:
                    yield self._db
                finally:
                    self._depth -= 1
                return
            self._db.execute("BEGIN IMMEDIATE")
            self._depth = 1
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            finally:
                self._depth = 0
            self._db.execute("COMMIT")

    _tx = transaction

    # ------------------------------------------------------------------ executions

    def record(self, op_key: str, inputs: list[Any], output: Any, latency_s: float = 0.0,
               tokens_in: int = 0, tokens_out: int = 0, *, op_name: str = "", source: str = "llm",
               tool_calls: list[dict[str, Any]] | None = None) -> int:
        """Appends one execution of an `llm.*` op; returns its row id.

        `source` is `llm` for an execution whose answer was used and `shadow` for a
        sampled LLM run beside a solidified one; `tool_calls` are an agent's calls,
        in order, each `{"tool": name, "args": {...}}`.
        """
        calls = None if tool_calls is None else _dumps(tool_calls)
        with self._tx() as db:
            cur = db.execute(
                "INSERT INTO executions (op_key, op_name, inputs, output, latency_s, tokens_in,"
                " tokens_out, ts, source, tool_calls) VALUES (?,?,?,?,?,?,?,?,?,?)",
                (op_key, op_name, _dumps(list(inputs)), _dumps(output), float(latency_s),
                 int(tokens_in), int(tokens_out), time.time(), source, calls))
            return int(cur.lastrowid or 0)

    def pairs(self, op_key: str, limit: int | None = None) -> list[Pair]:
        """The op's recorded executions, oldest first (the most recent `limit` when given)."""
        sql = ("SELECT inputs, output, latency_s, tokens_in, tokens_out, ts, source, tool_calls"
               " FROM executions WHERE op_key = ? ORDER BY id DESC")
        params: tuple[Any, ...] = (op_key,)
        if limit is not None:
            sql += " LIMIT ?"
            params += (int(limit),)
        with self._lock:
            rows = self._db.execute(sql, params).fetchall()
        return [Pair(json.loads(i), json.loads(o), lat, ti, to, ts, src,
                     None if calls is None else json.loads(calls))
                for i, o, lat, ti, to, ts, src, calls in reversed(rows)]

    def op_keys(self) -> list[str]:
        """Every op with at least one recorded execution."""
        with self._lock:
            return [k for (k,) in self._db.execute("SELECT DISTINCT op_key FROM executions ORDER BY op_key")]

    def stats(self, op_key: str) -> dict[str, float]:
        """Executions, mean latency and total tokens of an op (what solidifying it saves per run)."""
        with self._lock:
            n, lat, ti, to = self._db.execute(
                "SELECT COUNT(*), AVG(latency_s), SUM(tokens_in), SUM(tokens_out) FROM executions"
                " WHERE op_key = ?", (op_key,)).fetchone()
        return {"executions": n, "mean_latency_s": lat or 0.0, "tokens_in": ti or 0, "tokens_out": to or 0}

    # ------------------------------------------------------------------ state and events

    def save_state(self, op_key: str, state: dict[str, Any], op_name: str = "") -> None:
        """Stores the state machine's state of one op (replacing the previous one)."""
        with self._tx() as db:
            db.execute("INSERT INTO op_state (op_key, op_name, state, updated) VALUES (?,?,?,?)"
                       " ON CONFLICT(op_key) DO UPDATE SET state = excluded.state,"
                       " updated = excluded.updated, op_name = excluded.op_name",
                       (op_key, op_name, _dumps(state), time.time()))

    def load_state(self, op_key: str) -> dict[str, Any] | None:
        with self._lock:
            row = self._db.execute("SELECT state FROM op_state WHERE op_key = ?", (op_key,)).fetchone()
        return None if row is None else json.loads(row[0])

    def states(self) -> dict[str, dict[str, Any]]:
        """Every op's state, by op key (what `skc recompile` reads to find promoted ops)."""
        with self._lock:
            rows = self._db.execute("SELECT op_key, state FROM op_state ORDER BY op_key").fetchall()
        return {k: json.loads(s) for k, s in rows}

    def log_event(self, op_key: str, kind: str, detail: dict[str, Any]) -> None:
        with self._tx() as db:
            db.execute("INSERT INTO events (op_key, kind, detail, ts) VALUES (?,?,?,?)",
                       (op_key, kind, _dumps(detail), time.time()))

    def events(self, op_key: str | None = None) -> list[tuple[str, str, dict[str, Any]]]:
        """Logged transitions, oldest first: (op_key, kind, detail)."""
        sql, params = "SELECT op_key, kind, detail FROM events ORDER BY id", tuple[str, ...]()
        if op_key is not None:
            sql, params = "SELECT op_key, kind, detail FROM events WHERE op_key = ? ORDER BY id", (op_key,)
        with self._lock:
            return [(k, kind, json.loads(d)) for k, kind, d in self._db.execute(sql, params)]
