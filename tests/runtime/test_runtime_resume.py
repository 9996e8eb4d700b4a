"""Durability: SIGKILL `skc run` mid-run, resume it, and prove nothing ran twice and nothing was lost."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from rt_helpers import REPO, journal_records, trace_events, wf

from skc.runtime.journal import read_journal

STEPS = 6


def _runbook(tmp_path: Path) -> Path:
    out = tmp_path / "out.txt"
    lines = []
    for i in range(1, STEPS + 1):
        # the effect comes last: a kill during the sleep leaves no trace of the step
        lines.append(f'  %s{i} = "tool.shell"() {{cmd = "sleep 1; echo step-{i} >> {out}; echo {i}", '
                     f'effects = ["write:fs:{out}"], step = "Step {i}"}} : () -> !skc.num')
    lines.append('  %total = "tool.python"(' + ", ".join(f"%s{i}" for i in range(1, STEPS + 1)) +
                 ') {code = "result = sum(args)", effects = ["pure"]} : (' +
                 ", ".join(["!skc.num"] * STEPS) + ") -> !skc.num")
    lines.append('  "ctrl.return"(%total) : (!skc.num) -> ()')
    path = tmp_path / "appender.mlir"
    path.write_text(str(wf("\n".join(lines))))
    return path


def _skc(*args: str) -> list[str]:
    return [sys.executable, "-m", "skc", "run", *args]


def test_sigkill_then_resume_runs_every_effect_exactly_once(tmp_path: Path) -> None:
    source, runs, out = _runbook(tmp_path), tmp_path / "runs", tmp_path / "out.txt"
    journal = runs / "kill-me" / "journal.jsonl"
    proc = subprocess.Popen(_skc(str(source), "--runs-dir", str(runs), "--run-id", "kill-me", "--allow-writes",
                                 "--workdir", str(tmp_path)), cwd=REPO,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        state = read_journal(journal)
        if sum(1 for r in state.done.values() if r["name"] == "tool.shell") >= 2:
            break
        time.sleep(0.02)
    else:
        proc.kill()
        raise AssertionError("the run never completed two steps")
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)

    before = read_journal(journal)
    completed = {op for op, r in before.done.items() if r["name"] == "tool.shell"}
    assert 2 <= len(completed) < STEPS
    assert before.end is None
    time.sleep(1.0)  # an orphaned command would append its line now: there must be none
    lines_at_kill = out.read_text().splitlines()
    assert lines_at_kill == [f"step-{i}" for i in range(1, len(lines_at_kill) + 1)]
    assert {f"step-{int(op) + 1}" for op in completed} <= set(lines_at_kill)
    # the in-flight step died with skc (it was asleep when the kill came): no half-done effect
    assert len(lines_at_kill) == len(completed), (lines_at_kill, sorted(completed))

    resumed = subprocess.run(_skc("--resume", "kill-me", "--runs-dir", str(runs), "--json"), cwd=REPO,
                             capture_output=True, text=True, timeout=120)
    assert resumed.returncode == 0, resumed.stderr
    result = json.loads(resumed.stdout)
    assert result["status"] == "ok"
    assert result["outputs"] == {"total": sum(range(1, STEPS + 1))}
    assert result["restored"] == len(completed)

    assert out.read_text().splitlines() == [f"step-{i}" for i in range(1, STEPS + 1)]  # once each, in order
    records = journal_records(runs / "kill-me")
    done_ids = [r["op"] for r in records if r["type"] == "done"]
    assert len(done_ids) == len(set(done_ids)) == STEPS + 1  # no op completed twice
    resume_at = next(i for i, r in enumerate(records) if r["type"] == "resume")
    started_after = {r["op"] for r in records[resume_at:] if r["type"] == "start"}
    assert not started_after & completed  # completed effectful ops were never started again
    events = trace_events(runs / "kill-me")
    second = events[max(i for i, e in enumerate(events) if e["event"] == "run_start"):]
    assert {e["op"] for e in second if e.get("from_journal")} == completed
    assert records[-1]["type"] == "end"
    assert records[-1]["status"] == "ok"


def test_resume_refuses_a_different_source(tmp_path: Path) -> None:
    source, runs = _runbook(tmp_path), tmp_path / "runs"
    first = subprocess.run(_skc(str(source), "--runs-dir", str(runs), "--run-id", "r1", "--allow-writes",
                                "--workdir", str(tmp_path)), cwd=REPO, capture_output=True, text=True, timeout=120)
    assert first.returncode == 0, first.stderr
    other = tmp_path / "other.mlir"
    other.write_text(source.read_text().replace("step-6", "step-six"))
    proc = subprocess.run(_skc(str(other), "--resume", "r1", "--runs-dir", str(runs)), cwd=REPO,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    assert "SKC304" in proc.stderr
    again = subprocess.run(_skc("--resume", "r1", "--runs-dir", str(runs), "--json"), cwd=REPO,
                           capture_output=True, text=True, timeout=120)
    assert json.loads(again.stdout)["status"] == "ok"  # a finished run stays finished: nothing re-runs
    assert (tmp_path / "out.txt").read_text().count("step-1") == 1
