"""`skc run` / `skc approve` / `skc reject` from a shell: exit codes, kill -9 while waiting, no stdin without a TTY."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

from ap_helpers import REPO, records, skc, two_branches, writes

from skc.runtime.journal import read_journal


def _sh(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run(skc(*args), cwd=REPO, capture_output=True, text=True, timeout=timeout,
                          stdin=subprocess.DEVNULL)


def _wait_for(path: Path, state: str, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if path.exists() and any(r["state"] == state for r in records(path.parent, "approval")):
            return
        if proc.poll() is not None:
            raise AssertionError(f"the run ended with {proc.returncode} before any approval was {state}")
        time.sleep(0.05)
    proc.kill()
    raise AssertionError(f"no approval became {state}")


def test_without_a_tty_the_run_never_reads_stdin_and_exits_4(tmp_path: Path) -> None:
    src, runs = two_branches(tmp_path), tmp_path / "runs"
    # stdin is an open pipe nobody writes to: reading it would block until the timeout
    proc = subprocess.run(skc("run", str(src), "--runs-dir", str(runs), "--run-id", "r1", "--workdir", str(tmp_path)),
                          cwd=REPO, capture_output=True, text=True, timeout=60, input=None,
                          stdin=subprocess.PIPE)
    assert proc.returncode == 4, proc.stderr
    assert "waits for 1 approval" in proc.stderr
    assert 'skc approve r1 "Step 2" --resume' in proc.stderr
    assert writes(tmp_path) == []


def test_kill_9_while_waiting_then_approve_and_resume_runs_the_write_once(tmp_path: Path) -> None:
    src, runs = two_branches(tmp_path), tmp_path / "runs"
    journal = runs / "k9" / "journal.jsonl"
    proc = subprocess.Popen(skc("run", str(src), "--runs-dir", str(runs), "--run-id", "k9", "--workdir",
                                str(tmp_path), "--approval-timeout", "120"), cwd=REPO,
                            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _wait_for(journal, "pending", proc)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)
    assert writes(tmp_path) == []
    assert read_journal(journal).end is None

    approved = _sh("approve", "k9", "Step 2", "--by", "carol", "--runs-dir", str(runs))
    assert approved.returncode == 0, approved.stderr
    assert "approved Step 2 (op 1) by carol" in approved.stderr
    resumed = _sh("run", "--resume", "k9", "--runs-dir", str(runs))
    assert resumed.returncode == 0, resumed.stderr
    assert "rollback: rolled-back" in resumed.stdout
    again = _sh("run", "--resume", "k9", "--runs-dir", str(runs))
    assert again.returncode == 0
    assert writes(tmp_path) == ["rolled-back"]
    trace = _sh("trace", "k9", "--runs-dir", str(runs))
    assert "approved by carol" in trace.stdout


def test_approve_from_another_shell_while_the_run_waits(tmp_path: Path) -> None:
    src, runs = two_branches(tmp_path), tmp_path / "runs"
    proc = subprocess.Popen(skc("run", str(src), "--runs-dir", str(runs), "--run-id", "live", "--workdir",
                                str(tmp_path), "--approval-timeout", "120"), cwd=REPO,
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    _wait_for(runs / "live" / "journal.jsonl", "pending", proc)
    assert _sh("approve", "live", "2", "--runs-dir", str(runs)).returncode == 0
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    assert "rollback: rolled-back" in out
    assert writes(tmp_path) == ["rolled-back"]


def test_reject_and_resume_in_one_command(tmp_path: Path) -> None:
    src, runs = two_branches(tmp_path, otherwise=True), tmp_path / "runs"
    assert _sh("run", str(src), "--runs-dir", str(runs), "--run-id", "rj", "--workdir", str(tmp_path)).returncode == 4
    listed = _sh("approve", "rj", "--runs-dir", str(runs))
    assert listed.returncode == 2
    assert "SKC314" in listed.stderr
    assert "echo rolled-back" in listed.stderr
    done = _sh("reject", "rj", "2", "--reason", "freeze", "--resume", "--runs-dir", str(runs))
    assert done.returncode == 0, done.stderr
    assert "rollback: left-as-is" in done.stdout
    assert writes(tmp_path) == []


def test_help_says_approve_all_is_the_old_allow_writes() -> None:
    text = _sh("run", "--help").stdout
    assert "--approve-all" in text
    assert "old --allow-writes" in " ".join(text.split())
    assert "--approval-timeout" in text
    assert "--approve " in text


def test_on_a_tty_skc_run_asks_inline(tmp_path: Path) -> None:
    import pty

    src, runs = two_branches(tmp_path), tmp_path / "runs"
    master, slave = pty.openpty()
    try:
        proc = subprocess.Popen(skc("run", str(src), "--runs-dir", str(runs), "--run-id", "tty", "--workdir",
                                    str(tmp_path)), cwd=REPO, stdin=slave, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)
        os.write(master, b"d\na\n")  # details first, then approve
        out, err = proc.communicate(timeout=60)
    finally:
        os.close(master)
        os.close(slave)
    assert proc.returncode == 0, err
    assert "approval needed:" in err
    assert '"touches"' in err
    assert "rollback: rolled-back" in out
    assert writes(tmp_path) == ["rolled-back"]


def test_dry_run_marks_the_approval_points(tmp_path: Path) -> None:
    listed = _sh("run", str(two_branches(tmp_path)), "--dry-run", "--runs-dir", str(tmp_path / "runs"))
    assert listed.returncode == 0, listed.stderr
    [line] = [x for x in listed.stdout.splitlines() if "Step 2" in x]
    assert "[needs approval]" in line
    assert "needs approval" not in next(x for x in listed.stdout.splitlines() if "Step 1" in x)
