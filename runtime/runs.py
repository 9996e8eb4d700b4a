"""The run store as a user sees it: list runs, show one, cancel one that is running.

    for info in list_runs(".skc/runs"): info.run_id, info.status, info.started, info.source
    cancel_run("20260101-120000-ab12cd", ".skc/runs")     # SIGINT to its process; journal stays resumable

A run in progress holds `run.lock` in its directory (an exclusive `flock`, with the
process id written in it) from its first op to its end; `RunLock` is what
`runtime.api` takes. The lock tells a running run from one that died (its process
is gone, so the kernel released the lock): such a run is `interrupted`, and
`skc run --resume RUN_ID` continues it. Cancelling sends SIGINT, the signal of
Ctrl-C: the run stops its ops, journals what finished and ends `interrupted`;
after `grace_s` without that, SIGTERM, then SIGKILL (the journal is append-only
and fsync'd, so even then it stays resumable). Statuses: running, ok, failed,
interrupted, and `unknown` for a directory with no journal yet.

    SKC308  no such run
    SKC315  the run is running in another process (resume refused; or cancel's target)
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from skc.ir.location import Diagnostic, DiagnosticError, Location
from skc.runtime.journal import JOURNAL_FILE, read_journal

LOCK_FILE = "run.lock"


def _fail(code: str, where: Path, message: str, hint: str = "") -> DiagnosticError:
    return DiagnosticError([Diagnostic(code, Location(str(where), 1, 1), message, hint)])


class RunLock:
    """The lock a running run holds on its directory (see the module docstring)."""

    def __init__(self, run_dir: Path) -> None:
        self.path = run_dir / LOCK_FILE
        self._file: IO[str] | None = None

    def acquire(self) -> None:
        """Takes the lock, or raises SKC315 when another process holds it."""
        f = open(self.path, "a+", encoding="utf-8")  # held until release()
        if not _try_lock(f):
            f.close()
            pid = holder(self.path.parent)
            raise _fail("SKC315", self.path.parent, f"run {self.path.parent.name} is running (pid {pid})",
                        f"wait for it, or stop it with `skc runs cancel {self.path.parent.name}`")
        f.seek(0)
        f.truncate()
        f.write(str(os.getpid()))
        f.flush()
        self._file = f

    def release(self) -> None:
        if self._file is not None:
            with contextlib.suppress(OSError):
                self._file.seek(0)
                self._file.truncate()
            self._file.close()  # closing drops the flock
            self._file = None


def _try_lock(f: IO[str]) -> bool:
    try:
        import fcntl
    except ImportError:  # not POSIX: no cross-process lock; runs are never reported as running
        return True
    try:
        fcntl.flock(f.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    return True


def holder(run_dir: Path) -> int | None:
    """The pid of the process running this run, or None when nobody holds its lock."""
    path = run_dir / LOCK_FILE
    if not path.is_file():
        return None
    with open(path, "a+", encoding="utf-8") as f:
        if _try_lock(f):
            return None  # free (closing the file releases the probe's own lock)
        f.seek(0)
        text = f.read().strip()
    return int(text) if text.isdigit() else None


@dataclass
class RunInfo:
    """One run as `skc runs` lists it."""

    run_id: str
    status: str
    started: float | None
    duration_s: float | None
    source: str
    workflow: str
    run_dir: Path
    pid: int | None = None
    ops_done: int = 0
    error: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"run_id": self.run_id, "status": self.status, "started": self.started,
                "duration_s": self.duration_s, "source": self.source, "workflow": self.workflow,
                "run_dir": str(self.run_dir), "pid": self.pid, "ops_done": self.ops_done, "error": self.error}


def _json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def run_info(run_dir: Path) -> RunInfo:
    """What the run directory says about its run."""
    record, result = _json(run_dir / "run.json"), _json(run_dir / "result.json")
    try:
        journal = read_journal(run_dir / JOURNAL_FILE)
    except ValueError:
        journal = None
    pid = holder(run_dir)
    if pid is not None:
        status = "running"
    elif journal is not None and journal.end is not None:
        status = str(journal.end.get("status") or "unknown")
    elif journal is not None and journal.header:
        status = "interrupted"
    else:
        status = "unknown"
    started = journal.header.get("ts") if journal is not None else None
    if started is None and (run_dir / "run.json").is_file():
        started = (run_dir / "run.json").stat().st_mtime
    error = result.get("error") if status == "failed" else None
    return RunInfo(run_dir.name, status, float(started) if started is not None else None,
                   result.get("duration_s") if status != "running" else None, str(record.get("source", "")),
                   str(journal.header.get("workflow", "") if journal is not None else ""), run_dir, pid,
                   len(journal.done) if journal is not None else 0,
                   (error.get("message") if isinstance(error, dict) else error))


def list_runs(root: Path) -> list[RunInfo]:
    """Every run under the runs directory `root`, oldest first."""
    if not root.is_dir():
        return []
    runs = [run_info(p) for p in root.iterdir() if p.is_dir() and (p / "run.json").is_file()]
    return sorted(runs, key=lambda r: (r.started or 0.0, r.run_id))


def find(root: Path, run_id: str) -> Path:
    """The directory of run `run_id` (or `latest`), else SKC308."""
    if run_id == "latest":
        runs = list_runs(root)
        if runs:
            return runs[-1].run_dir
    elif (root / run_id / "run.json").is_file():
        return root / run_id
    raise _fail("SKC308", root, f"no run {run_id!r} in {root}", "list the runs with `skc runs`")


def cancel_run(root: Path, run_id: str, grace_s: float = 10.0) -> RunInfo:
    """Stops a running run (SIGINT, then SIGTERM after `grace_s`) and waits for its lock to
    free; returns the run as it ended (SKC308 no such run, SKC315 when it is not running)."""
    run_dir = find(root, run_id)
    pid = holder(run_dir)
    if pid is None:
        info = run_info(run_dir)
        raise _fail("SKC315", run_dir, f"run {run_dir.name} is not running (status {info.status})",
                    f"resume it with `skc run --resume {run_dir.name}`" if info.status in ("interrupted", "failed")
                    else "")
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGKILL):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, sig)
        deadline = time.monotonic() + grace_s
        while holder(run_dir) is not None and time.monotonic() < deadline:
            time.sleep(0.05)
        if holder(run_dir) is None:
            break
    return run_info(run_dir)
