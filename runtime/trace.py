"""Run traces: JSON-lines events per op, and the text timeline `skc trace RUN_ID` prints.

Events (one JSON object per line in `<run dir>/trace.jsonl`, each with `ts` and `event`):

    run_start  run_id, workflow, engine, inputs, resumed, ops, format
    op_start   op, name, step, target, attempt
    op_end     op, name, step, target, start, duration_s, tokens_in, tokens_out, retries,
               cache_hit, solidified, from_journal, fallback_of
    op_error   op, name, step, target, start, code, error, retries
    retry      op, name, step, attempt, error, delay_s
    tool_call  op, ... (whatever a target reports, e.g. an agent's tool use)
    fallback   op, step, to (the alternative step)
    approval_wait  op, name, step, command, touches, note (a `confirm` op waits for a person)
    approval   op, name, step, state (approved | rejected), by, reason, shown, waited_s
    run_end    status, exit_status, duration_s, error, tokens_in, tokens_out

Format 2 (`run_start`'s `format`; a trace without it is format 1): an op the scheduler
runs inline (`Scheduler.run_now`: it starts and ends in one step of the loop, nothing
runs meanwhile) writes one event, its `op_end` or `op_error`, whose `start` is the time
it began, and no `op_start`; an op run as a task writes `op_start` and its end, as in
format 1. Readers (`spans`, the progress display, the approval gate) take an end with no
`op_start` before it as an op that began at its `start` (at its own `ts` when it has none)
and was never running in between, so they read both formats.

`op` is the op's structural id (see journal.py). Every event passes through the
run's redactor before it is written. Events are encoded once (`values.encode_record`);
inside an event loop the lines of one loop turn are written and flushed together at
the end of the turn (a kill loses at most that turn's events; the journal, not the
trace, is what a resume trusts); outside a loop each event is written at once.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from skc.runtime.redact import Redactor
from skc.runtime.values import encode_record

TRACE_FILE = "trace.jsonl"
TRACE_FORMAT = 2  # `run_start`'s `format` (module docstring)

Listener = Callable[[dict[str, Any]], None]


class TraceWriter:
    """Writes trace events to a file and hands each to the listeners (progress display)."""

    def __init__(self, path: Path | None, run_id: str, redact: Callable[[Any], Any] = lambda v: v) -> None:
        self.run_id = run_id
        self.redact = redact
        self._redact = None if isinstance(redact, Redactor) and not redact else redact  # None: a redactor without secrets, not called per event
        self.listeners: list[Listener] = []
        self._lock = threading.Lock()
        self._file = None
        self._pending = bytearray()  # this loop turn's lines, newlines included (one buffer: journal._Batch)
        self._flush_on: asyncio.AbstractEventLoop | None = None  # the loop whose turn-end flush is due
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._file = path.open("ab")

    def emit(self, event: str, **fields: Any) -> None:
        if self._file is None and not self.listeners:
            return
        self.record({"ts": time.time(), "event": event, **fields})

    def record(self, record: dict[str, Any], *, finite: bool = False) -> None:
        """Writes one event given as its record (`ts` and `event` first, as `emit` makes it):
        the scheduler's inline ops build theirs in one dict, without keyword passing. `finite`:
        the caller built every value of it (texts, counts, clock readings: no op's value, so
        no non-finite float), which spares the encoder its check for one."""
        if self._file is None and not self.listeners:
            return
        if self._redact is not None:
            record = self._redact(record)
        if self._file is not None:
            line = encode_record(record, finite=finite)
            try:
                loop: asyncio.AbstractEventLoop | None = asyncio.get_running_loop()
            except RuntimeError:
                loop = None
            if loop is not None and self._pending and self._flush_on is loop:
                self._pending += line  # this turn's flush is already scheduled
            elif loop is not None:
                self._flush()  # lines left by a loop that ended before flushing
                self._pending += line
                self._flush_on = loop
                loop.call_soon(self._flush)
            else:
                self._flush()
                self._write(line)
        if self.listeners:
            for listener in list(self.listeners):
                listener(record)

    def flush(self) -> None:
        """Writes the events buffered in this loop turn now."""
        self._flush()

    def _flush(self) -> None:
        data, self._pending = self._pending, bytearray()
        self._write(data)

    def _write(self, data: bytes | bytearray) -> None:
        with self._lock:
            if self._file is not None and data:
                self._file.write(data)
                self._file.flush()

    def close(self) -> None:
        self._flush()
        with self._lock:
            if self._file is not None:
                self._file.close()
                self._file = None


def read_trace(path: Path) -> list[dict[str, Any]]:
    """The events of a trace file (a torn last line is skipped)."""
    events = []
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        try:
            events.append(json.loads(line))
        except ValueError:
            continue
    return events


@dataclass
class Span:
    """One op's execution on the timeline (the last attempt's start to its end)."""

    op: str
    name: str
    step: str
    target: str
    start: float
    end: float
    status: str  # ok, failed, journal, running
    tokens_in: int = 0
    tokens_out: int = 0
    retries: int = 0
    note: str = ""

    @property
    def duration(self) -> float:
        return max(0.0, self.end - self.start)


def spans(events: list[dict[str, Any]]) -> tuple[list[Span], dict[str, Any]]:
    """The op spans of a trace and a summary (run id, status, start, end, tokens)."""
    summary: dict[str, Any] = {"run_id": "", "status": "running", "start": None, "end": None,
                               "tokens_in": 0, "tokens_out": 0, "workflow": "", "error": ""}
    open_: dict[str, dict[str, Any]] = {}
    out: list[Span] = []
    last_ts = 0.0
    for e in events:
        ts = float(e.get("ts", 0.0))
        last_ts = max(last_ts, ts)
        kind = e.get("event")
        op = str(e.get("op", ""))
        if kind == "run_start":
            summary["run_id"] = e.get("run_id", summary["run_id"])
            summary["workflow"] = e.get("workflow", "")
            if summary["start"] is None:
                summary["start"] = ts
        elif kind == "op_start":
            open_[op] = e
        elif kind == "approval_wait":  # the earliest wait, also from an earlier attempt of the run
            open_.setdefault(op + "#approval", e)
        elif kind == "approval":
            began = open_.pop(op + "#approval", None)
            out.append(Span(op, "approval", str(e.get("step") or ""), "approval",
                            float(began["ts"]) if began else ts, ts, str(e.get("state", "")),
                            note=f"{e.get('state')} by {e.get('by') or '?'}" + (f": {e['reason']}" if e.get("reason") else "")
                            + f"; shown: {e.get('shown', '')}"))
        elif kind in ("op_end", "op_error"):
            began = open_.pop(op, None)
            start = float(began["ts"]) if began else float(e.get("start", ts))  # format 2: an inline op
            status = "ok" if kind == "op_end" else "failed"
            if e.get("from_journal"):
                status = "journal"
            note = e.get("error", "") if kind == "op_error" else ""
            if e.get("fallback_of"):
                note = f"fallback for {e['fallback_of']}"
            if e.get("cache_hit"):
                note = (note + " cache hit").strip()
            if e.get("solidified"):
                note = (note + " solidified").strip()
            out.append(Span(op, str(e.get("name", "")), str(e.get("step") or ""), str(e.get("target") or ""),
                            start, ts, status, int(e.get("tokens_in") or 0), int(e.get("tokens_out") or 0),
                            int(e.get("retries") or 0), str(note)))
        elif kind == "run_end":
            summary.update(status=e.get("status", ""), end=ts, error=e.get("error") or "",
                           exit_status=e.get("exit_status"))
    for op, began in open_.items():
        waits = op.endswith("#approval")
        out.append(Span(op.removesuffix("#approval"), "approval" if waits else str(began.get("name", "")),
                        str(began.get("step") or ""), str(began.get("target") or ""), float(began["ts"]), last_ts,
                        "waiting" if waits else "running", note=str(began.get("command", "")) if waits else ""))
    if summary["start"] is None:
        summary["start"] = min((s.start for s in out), default=0.0)
    if summary["end"] is None:
        summary["end"] = last_ts
    summary["tokens_in"] = sum(s.tokens_in for s in out)
    summary["tokens_out"] = sum(s.tokens_out for s in out)
    out.sort(key=lambda s: (s.start, s.op))
    return out, summary


def render_text(events: list[dict[str, Any]], width: int = 40) -> str:
    """A text timeline: one line per op with its offset, duration, status and a bar."""
    items, summary = spans(events)
    t0 = float(summary["start"] or 0.0)
    total = max(float(summary["end"] or t0) - t0, 1e-9)
    lines = [f"run {summary['run_id']}  workflow {summary['workflow']}  status {summary['status']}"
             f"  {total:.3f}s  ops {len(items)}  tokens {summary['tokens_in']} in / {summary['tokens_out']} out"]
    if summary.get("error"):
        lines.append(f"  error: {summary['error']}")
    lines.append(f"  {'start':>8} {'dur':>8}  {'status':<8} {'timeline':<{width}}  op / step / target")
    for s in items:
        a = int((s.start - t0) / total * width)
        b = max(a + 1, int((s.end - t0) / total * width))
        bar = (" " * a + ("#" if s.status != "journal" else ".") * (b - a)).ljust(width)[:width]
        extra = []
        if s.retries:
            extra.append(f"{s.retries} retries")
        if s.tokens_in or s.tokens_out:
            extra.append(f"{s.tokens_in}/{s.tokens_out} tok")
        if s.note:
            extra.append(s.note[:80])
        desc = f"{s.op:<8} {s.name:<18} {s.step or '-':<14} {s.target or '-'}"
        lines.append(f"  {s.start - t0:>7.3f}s {s.duration:>7.3f}s  {s.status:<8} {bar}  {desc}"
                     + (f"  ({', '.join(extra)})" if extra else ""))
    return "\n".join(lines) + "\n"
