"""Approval gates: an op the document asks a person to confirm waits for that person.

An op with `confirm = true` (the front end sets it on a write whose step asks for
confirmation; `.skflow` writes it as `confirm`) passes `ApprovalGate.gate` before
it is dispatched. The gate lets it run when it is approved (earlier, from the
journal; by `--approve STEP` / `--approve-all`; by the inline prompt on a TTY; or
by `skc approve` from another shell while the run waits); a rejection fails the op
with SKC313, which takes the op's `fallback` (the document's "if not approved /
otherwise" step) when it has one, else fails its step while finished results stay
in the journal. Independent branches keep running while an op waits. When nothing
else runs (no leaf op in flight and no trace event for `settle_s`), every waiting
op ends with SKC312 and the run stops with status `waiting` (exit code 4 of
`skc run`); `skc approve RUN STEP` / `skc reject RUN STEP --reason ...` record the
decision and `skc run --resume RUN` continues. With `timeout_s`
(`--approval-timeout`) the run does not stop: it waits that long for a decision
(the prompt, or `skc approve` from elsewhere, read from the journal) and then
records a rejection by `timeout`.

Journal records (`type = "approval"`, appended to the run's journal and fsync'd):

    {"type": "approval", "op": "4", "step": "Step 3", "state": "pending",
     "command": "kubectl rollout undo deploy/web -n prod", "touches": ["k8s"], "name": "tool.shell"}
    {"type": "approval", "op": "4", "state": "approved" | "rejected", "by": "alice", "reason": "...",
     "shown": "<the command the person saw>"}
    {"type": "approval", "op": "4", "state": "running"}

The last record of an op is its state. `running` is written (fsync'd) right
before the approved op is dispatched: an approval is used once. If the run dies
while the op runs and the op has no `done` record, a resume does not run it again
on the old approval: it waits for a new decision, saying the op may have taken
effect. An approval holds for the exact command that was shown (`shown`): when a
resume would run a different one (other inputs), the op waits again. Commands pass
through the run's redactor like every journal record.
"""

from __future__ import annotations

import asyncio
import contextlib
import getpass
import json
import os
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from skc.ir.core import Op
from skc.ir.effects import parse_effects
from skc.runtime.dataflow import RunFailed
from skc.runtime.journal import JOURNAL_FILE, JournalWriter

if TYPE_CHECKING:
    from skc.runtime.scheduler import Scheduler

WAITING = "SKC312"  # a confirm op is still waiting for a person when nothing else can run
REJECTED = "SKC313"  # a confirm op was rejected (by a person, or by the approval timeout)
EXIT_WAITING = 4  # exit code of `skc run` for a run that stopped with status `waiting`
RECORD = "approval"

Ask = Callable[[dict[str, Any]], "tuple[bool, str]"]  # shown info -> (approved?, reason); blocking, a thread


def current_user() -> str:
    """Who decides: the login name (`$SKC_USER` overrides it, e.g. on a shared bot account)."""
    with contextlib.suppress(Exception):
        return os.environ.get("SKC_USER") or getpass.getuser()
    return "unknown"


def approval_records(journal: Path, offset: int = 0) -> tuple[list[dict[str, Any]], int]:
    """The approval records of a journal from byte `offset` on, and the offset after the last whole line."""
    if not journal.exists():
        return [], offset
    with journal.open("rb") as f:
        f.seek(offset)
        data = f.read()
    end = data.rfind(b"\n") + 1  # a line still being written is read next time
    out = []
    for line in data[:end].splitlines():
        try:
            rec = json.loads(line)
        except ValueError:
            continue
        if isinstance(rec, dict) and rec.get("type") == RECORD and isinstance(rec.get("op"), str):
            out.append(rec)
    return out, offset + end


def approval_state(journal: Path) -> dict[str, dict[str, Any]]:
    """Each op's approval: its last state, merged over the op's records (what was shown stays)."""
    state: dict[str, dict[str, Any]] = {}
    for rec in approval_records(journal)[0]:
        merged = {**state.get(rec["op"], {}), **rec}
        if rec.get("state") == "pending":
            merged.setdefault("since", rec.get("ts"))
            for k in ("by", "reason"):
                merged.pop(k, None)
        state[rec["op"]] = merged
    return state


def touches(op: Op) -> list[str]:
    """What the op will change: the resources of its write effects (`*` when unknown)."""
    effects = parse_effects(op.effects)[0]
    return sorted({e.resource for e in effects if e.writes}) or ["*"]


def matches(query: str, op_id: str, step: str) -> bool:
    """Whether `query` (from `--approve` / `skc approve`) names this op: its id, its step's
    name (any case), or the step's number ("3" for "Step 3", "3." or "3 Roll back")."""
    q, s = query.strip().lower(), step.strip().lower()
    if not q:
        return False
    if q in (op_id.lower(), s):
        return True
    words = s.replace("step", " ").replace(":", " ").replace(".", " ").split()
    return bool(words) and words[0] == q.removeprefix("step").strip().rstrip(".")


@dataclass
class _Waiter:
    op: Op
    op_id: str
    info: dict[str, Any]
    since: float
    future: asyncio.Future[dict[str, Any]]


@dataclass
class ApprovalGate:
    """Decides, for each ready `confirm` op, whether it may run now (see the module docstring).

    Called by the scheduler before the op's permission check; `listen` receives every
    trace event (it is how the gate knows that nothing else runs)."""

    journal_path: Path
    journal: JournalWriter | None = None
    approve: tuple[str, ...] = ()
    approve_all: bool = False
    timeout_s: float | None = None
    ask: Ask | None = None
    by: str = field(default_factory=current_user)
    settle_s: float = 0.15
    poll_s: float = 0.05
    state: dict[str, dict[str, Any]] = field(default_factory=dict)
    pending: dict[str, dict[str, Any]] = field(default_factory=dict)  # op id -> what was shown, still undecided
    _waiters: dict[str, _Waiter] = field(default_factory=dict)
    _busy: set[str] = field(default_factory=set)
    _quiet_after: float = 0.0
    _watch: asyncio.Task[None] | None = None
    _asking: asyncio.Lock | None = None
    _offset: int = 0

    def __post_init__(self) -> None:
        self.state = approval_state(self.journal_path)
        self._offset = self.journal_path.stat().st_size if self.journal_path.exists() else 0

    # -- what the scheduler calls

    def listen(self, event: dict[str, Any]) -> None:
        """A trace listener: tracks the leaf ops in flight and the time of the last activity."""
        kind, op = event.get("event"), str(event.get("op", ""))
        now = time.monotonic()
        self._quiet_after = max(self._quiet_after, now + self.settle_s + float(event.get("delay_s") or 0.0))
        if kind == "op_start" and event.get("target") != "ctrl":
            self._busy.add(op)
        elif kind in ("op_end", "op_error"):
            self._busy.discard(op)

    async def gate(self, sched: Scheduler, op: Op, op_id: str, args: list[Any]) -> bool:
        """Returns True once `op` is approved (and journals that it now runs); raises RunFailed
        with REJECTED when it is rejected, with WAITING when the run stops to wait."""
        from skc.runtime.plan import describe

        step = str(op.attributes.get("step") or "")
        info: dict[str, Any] = {"op": op_id, "step": step, "name": op.op_name, "command": describe(op, args),
                "touches": touches(op)}
        last = self.state.get(op_id, {})
        decision: dict[str, Any] | None = None
        shown = self.journal.redact(info["command"]) if self.journal is not None else info["command"]
        if last.get("state") == "rejected" or (last.get("state") == "approved" and last.get("shown", shown) == shown):
            decision = last
        elif last.get("state") != "running" and (self.approve_all or any(matches(q, op_id, step) for q in self.approve)):
            decision = {"state": "approved", "by": f"{self.by} (--approve{'-all' if self.approve_all else ''})",
                        "reason": "pre-approved for this run"}
        if decision is None:
            if last.get("state") == "running":
                info["note"] = "it was running when the run stopped: check whether it took effect before approving"
            elif last.get("state") == "approved":  # an approval is for the exact command that was shown
                info["note"] = f"the approval by {last.get('by') or '?'} was for another command: {last.get('shown')}"
            decision = await self._wait(sched, op, op_id, info, last)
        elif decision is not last:
            await self._record(op_id, step, decision, info["command"])
        since = self.state.get(op_id, last).get("since")
        waited = float(decision.get("ts") or time.time()) - float(since) if since else 0.0
        self.pending.pop(op_id, None)
        sched.emit_op("approval", op, op_id, target="approval", state=decision["state"],
                      by=decision.get("by", ""), reason=decision.get("reason", ""),
                      shown=decision.get("shown", info["command"]), waited_s=round(max(waited, 0.0), 3))
        if decision["state"] != "approved":
            raise RunFailed(op, op_id, REJECTED, f"not approved by {decision.get('by') or 'unknown'}"
                            + (f": {decision['reason']}" if decision.get("reason") else ""),
                            "the document's 'otherwise' step runs when it has one; finished results are kept")
        await self._append({"type": RECORD, "op": op_id, "step": step, "state": "running"})
        self.state[op_id] = {**last, **decision, "state": "running"}
        return True

    # -- waiting

    async def _wait(self, sched: Scheduler, op: Op, op_id: str, info: dict[str, Any],
                    last: dict[str, Any]) -> dict[str, Any]:
        step = info["step"]
        since = float(last.get("since") or time.time()) if last.get("state") == "pending" else time.time()
        if last.get("state") != "pending" or last.get("command") != info["command"]:
            await self._append({"type": RECORD, **info, "state": "pending"})
        self.state[op_id] = {**info, "state": "pending", "since": since}
        self.pending[op_id] = {**info, "since": since}
        sched.emit_op("approval_wait", op, op_id, target="approval", command=info["command"],
                      touches=info["touches"], note=info.get("note", ""))
        if self.timeout_s is not None and time.time() - since >= self.timeout_s:
            decision = self._timed_out()
        elif self.ask is not None:
            decision = await self._prompt(info)
        else:
            future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
            self._waiters[op_id] = _Waiter(op, op_id, info, since, future)
            if self._watch is None or self._watch.done():
                self._watch = asyncio.ensure_future(self._watchdog())
            try:
                decision = await future
            finally:
                self._waiters.pop(op_id, None)
        if decision["state"] == "waiting":
            raise RunFailed(op, op_id, WAITING, "waiting for approval",
                            f"approve with `skc approve RUN {step or op_id}` (or reject), then `skc run --resume RUN`")
        await self._record(op_id, step, decision, info["command"])
        return decision

    def _timed_out(self) -> dict[str, Any]:
        return {"state": "rejected", "by": "timeout", "reason": f"no decision within {self.timeout_s:g}s"}

    async def _prompt(self, info: dict[str, Any]) -> dict[str, Any]:
        """Asks on the terminal, one approval at a time, in a thread: other branches keep running."""
        assert self.ask is not None
        if self._asking is None:
            self._asking = asyncio.Lock()
        async with self._asking:
            answer = _in_daemon_thread(self.ask, info)
            try:
                ok, reason = await asyncio.wait_for(answer, self.timeout_s)
            except TimeoutError:  # the question stays on the terminal; its answer is ignored
                return self._timed_out()
        return {"state": "approved" if ok else "rejected", "by": self.by, "reason": reason}

    async def _watchdog(self) -> None:
        """While ops wait: picks up decisions written by `skc approve` elsewhere, applies the
        timeout, and stops the waiters once nothing else runs (when there is no timeout)."""
        while self._waiters:
            await asyncio.sleep(self.poll_s)
            records, self._offset = approval_records(self.journal_path, self._offset)
            for rec in records:
                w = self._waiters.get(rec["op"])
                if w is not None and rec.get("state") in ("approved", "rejected") and not w.future.done():
                    w.future.set_result({**rec, "external": True})
            now = time.time()
            for w in list(self._waiters.values()):
                if self.timeout_s is not None and now - w.since >= self.timeout_s and not w.future.done():
                    w.future.set_result(self._timed_out())
            if self.timeout_s is None and not self._busy and time.monotonic() >= self._quiet_after:
                for w in list(self._waiters.values()):
                    if not w.future.done():
                        w.future.set_result({"state": "waiting"})

    # -- the journal

    async def _record(self, op_id: str, step: str, decision: dict[str, Any], shown: str) -> None:
        if decision.get("external"):  # `skc approve` already wrote it
            return
        await self._append({"type": RECORD, "op": op_id, "step": step, "state": decision["state"],
                            "by": decision.get("by", ""), "reason": decision.get("reason", ""), "shown": shown})

    async def _append(self, record: dict[str, Any]) -> None:
        if self.journal is not None:
            await self.journal.append(record)


def _in_daemon_thread(ask: Ask, info: dict[str, Any]) -> asyncio.Future[tuple[bool, str]]:
    """`ask(info)` in a daemon thread: a question nobody answers (timeout) never keeps the
    process alive, as a thread of the loop's executor would at shutdown."""
    loop = asyncio.get_running_loop()
    future: asyncio.Future[tuple[bool, str]] = loop.create_future()

    def answer(result: tuple[bool, str]) -> None:
        if not future.done():
            future.set_result(result)

    def work() -> None:
        try:
            result = ask(info)
        except (Exception, KeyboardInterrupt) as e:  # EOF on the terminal, ^C: no approval
            result = (False, f"no answer at the prompt ({type(e).__name__})")
        with contextlib.suppress(RuntimeError):  # the run ended without this answer (timeout)
            loop.call_soon_threadsafe(answer, result)

    threading.Thread(target=work, name="skc-approval-prompt", daemon=True).start()
    return future


def run_gate(run_dir: Path, journal: JournalWriter, *, approve: Iterable[str] = (), approve_all: bool = False,
             timeout_s: float | None = None, ask: Ask | None = None) -> ApprovalGate:
    """The gate of one run attempt, with the decisions its journal already holds."""
    return ApprovalGate(run_dir / JOURNAL_FILE, journal, tuple(approve), approve_all, timeout_s, ask)



# -- deciding from outside the run (`skc approve` / `skc reject`, `skc.approve(...)`)


def waiting_approvals(run_dir: Path) -> list[dict[str, Any]]:
    """The run's undecided approvals: pending ones, and approved ones that were running when
    the run died (they need a new decision: they may have taken effect)."""
    from skc.runtime.journal import read_journal

    path = run_dir / JOURNAL_FILE
    done = read_journal(path).done
    out = []
    for op_id, rec in approval_state(path).items():
        if rec.get("state") == "pending" or (rec.get("state") == "running" and op_id not in done):
            out.append({k: rec.get(k) for k in ("op", "step", "name", "command", "touches", "since", "note")
                        if rec.get(k) is not None} | ({"note": "was running when the run stopped"}
                                                      if rec.get("state") == "running" else {}))
    return out


def decide(run_dir: Path, steps: Iterable[str], *, approved: bool, reason: str = "", every: bool = False,
           by: str | None = None) -> list[dict[str, Any]]:
    """Journals a decision for each waiting approval that `steps` names (all with `every`);
    returns the records written. Raises DiagnosticError (SKC314) when nothing matches."""
    from skc.ir.location import Diagnostic, DiagnosticError, Location

    names = [s for s in steps if s.strip()]
    waiting = waiting_approvals(run_dir)
    chosen = waiting if every else [w for w in waiting if any(matches(q, w["op"], str(w.get("step") or ""))
                                                              for q in names)]
    unmatched = [q for q in names if not any(matches(q, w["op"], str(w.get("step") or "")) for w in waiting)]
    where = Location(str(run_dir / JOURNAL_FILE), 1, 1)
    listing = "; ".join(f"{w.get('step') or w['op']}: {w.get('command', '')}" for w in waiting) or "none"
    if unmatched or not chosen:
        what = f"no waiting approval matches {', '.join(map(repr, unmatched))}" if unmatched else \
            "name the steps to decide (or --all)"
        raise DiagnosticError([Diagnostic("SKC314", where, f"{what} in run {run_dir.name}",
                                          f"waiting: {listing}")])
    if not approved and not reason.strip():
        raise DiagnosticError([Diagnostic("SKC314", where, "a rejection needs a reason", "pass --reason TEXT")])
    writer = JournalWriter(run_dir / JOURNAL_FILE)
    written = []
    try:
        for w in chosen:
            rec = {"type": RECORD, "op": w["op"], "step": w.get("step", ""),
                   "state": "approved" if approved else "rejected", "by": by or current_user(),
                   "reason": reason, "shown": w.get("command", "")}
            writer.write(rec)
            written.append(rec)
    finally:
        writer.close()
    return written


def run_dir_of(run_id: str, runs_dir: str | Path | None = None) -> Path:
    """The directory of run `run_id` (or a run directory itself); SKC308 when there is none."""
    from skc.ir.location import Diagnostic, DiagnosticError, Location
    from skc.runtime.api import runs_root

    if (Path(run_id) / JOURNAL_FILE).is_file():
        return Path(run_id)
    root = runs_root(runs_dir)
    if not (root / run_id / JOURNAL_FILE).is_file():
        raise DiagnosticError([Diagnostic("SKC308", Location(str(root), 1, 1), f"no run {run_id!r} in {root}",
                                          "give a RUN_ID printed by `skc run`")])
    return root / run_id


def approve(run_id: str, steps: Iterable[str] = (), *, runs_dir: str | Path | None = None, every: bool = False,
            by: str | None = None) -> list[dict[str, Any]]:
    """Approves the waiting approvals of `steps` (every one with `every`) of run `run_id`;
    continue the run with `skc.run(None, resume=run_id)`. Returns the journaled records."""
    return decide(run_dir_of(run_id, runs_dir), steps, approved=True, every=every, by=by)


def reject(run_id: str, steps: Iterable[str], reason: str, *, runs_dir: str | Path | None = None,
           every: bool = False, by: str | None = None) -> list[dict[str, Any]]:
    """Rejects the waiting approvals of `steps` with `reason`; on resume each takes its
    'otherwise' step, or fails its step. Returns the journaled records."""
    return decide(run_dir_of(run_id, runs_dir), steps, approved=False, reason=reason, every=every, by=by)
