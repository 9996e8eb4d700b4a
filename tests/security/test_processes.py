"""Shell steps end with their main process and leave nothing running; E2BIG is an op failure."""

from __future__ import annotations

import asyncio
import os
import time
from pathlib import Path

import pytest

from skc.runtime.targets.base import OpFailed
from skc.runtime.targets.process import TAG_VARIABLE, run_process, tagged

ENV = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8"}


def _running(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def _alive(pidfile: Path) -> bool:
    """Whether the process in `pidfile` still runs 2 s later (a killed process may take a moment)."""
    for _ in range(100):
        if pidfile.exists() and pidfile.read_text().strip():
            break
        time.sleep(0.02)
    pid = int(pidfile.read_text())
    deadline = time.monotonic() + 2
    while time.monotonic() < deadline:
        if not _running(pid):
            return False
        time.sleep(0.02)
    return True


def test_a_background_job_does_not_hold_the_step(tmp_path: Path) -> None:
    started = time.monotonic()
    status, out, _ = asyncio.run(run_process(["bash", "-c", f"sleep 600 & echo $! > {tmp_path}/pid; echo hi"],
                                             env=ENV, cwd=str(tmp_path)))
    assert (status, out) == (0, b"hi\n")
    assert time.monotonic() - started < 5
    assert not _alive(tmp_path / "pid")


@pytest.mark.skipif(not os.path.exists("/proc/self/environ"), reason="needs /proc")
def test_setsid_and_double_forked_children_are_ended_with_the_step(tmp_path: Path) -> None:
    script = (f"setsid sleep 600 > /dev/null 2>&1 < /dev/null & echo $! > {tmp_path}/pid; "
              f"( ( nohup sleep 601 > /dev/null 2>&1 & echo $! > {tmp_path}/pid2 ) & ); sleep 0.2; echo done")
    status, out, _ = asyncio.run(run_process(["bash", "-c", script], env=ENV, cwd=str(tmp_path)))
    assert (status, out) == (0, b"done\n")
    assert not _alive(tmp_path / "pid")
    assert not _alive(tmp_path / "pid2")


def test_a_timeout_ends_everything_the_step_started(tmp_path: Path) -> None:
    async def go() -> None:
        await asyncio.wait_for(run_process(["bash", "-c", f"setsid sleep 600 & echo $! > {tmp_path}/pid; sleep 600"],
                                           env=ENV, cwd=str(tmp_path)), 1.0)
    with pytest.raises(TimeoutError):
        asyncio.run(go())
    assert not _alive(tmp_path / "pid")


def test_each_step_is_tagged_and_the_tag_is_found(tmp_path: Path) -> None:
    status, out, _ = asyncio.run(run_process(["bash", "-c", f"echo ${TAG_VARIABLE}"], env=ENV, cwd=str(tmp_path)))
    tag = out.decode().strip()
    assert status == 0
    assert len(tag) == 16
    assert tagged(tag) == []  # nothing of it is left


def test_a_command_line_longer_than_the_os_allows_is_a_failed_op(tmp_path: Path) -> None:
    with pytest.raises(OpFailed, match="E2BIG"):
        asyncio.run(run_process(["echo", "x" * 4_000_000], env=ENV, cwd=str(tmp_path)))


def test_output_over_the_cap_fails_the_op(tmp_path: Path) -> None:
    with pytest.raises(OpFailed, match="output exceeded"):
        asyncio.run(run_process(["bash", "-c", "head -c 300000 /dev/zero"], env=ENV, cwd=str(tmp_path),
                                max_output=100_000))
