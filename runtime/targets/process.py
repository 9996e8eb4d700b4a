"""Subprocesses of tool ops: run one to the end of its main process, then leave nothing behind.

`run_process(argv, ...)` starts argv in a new session (its own process group), feeds
stdin, collects stdout (capped) and the tail of stderr, and returns when the *main*
process ends — not when every process holding its pipes does: `sleep 600 & echo hi`
finishes as soon as `echo` does (the main process's exit is watched with a pidfd; the
pipes get a short grace to drain what was written before it).

Then everything the command started is ended:

* its process group (`killpg`), which holds ordinary background jobs;
* every process carrying the op's tag: each op's environment holds `SKC_PROCESS_TAG=<random>`,
  which children inherit also across `setsid`/`nohup`/double forks, and the
  processes with it in `/proc/<pid>/environ` are killed (as Jenkins' process-tree
  killer does). A process that clears its whole environment (`env -i setsid …`)
  escapes this; a cgroup per op would not, and needs privileges skc does not assume;
* skc makes itself a child subreaper (`PR_SET_CHILD_SUBREAPER`), so orphaned
  descendants are re-parented to skc, not init, and are reaped here after the kill.

On Linux each child also dies with skc (`PR_SET_PDEATHSIG`). A command line too long
for the OS (E2BIG) is a failed op with that reason, not an internal error.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import functools
import os
import secrets
import signal
import sys
import threading
import time

from skc.runtime.targets.base import OpFailed

DEFAULT_MAX_OUTPUT = 8 * 1024 * 1024
TAG_VARIABLE = "SKC_PROCESS_TAG"
DRAIN_GRACE_S = 0.2  # how long pipes may keep delivering after the main process ended
_PR_SET_PDEATHSIG = 1
_PR_SET_CHILD_SUBREAPER = 36
_LINUX = sys.platform.startswith("linux")


def _prctl(option: int, value: int) -> None:
    if _LINUX:
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL("libc.so.6", use_errno=True).prctl(option, value)


@functools.cache
def become_subreaper() -> None:
    """Orphaned descendants of this process are re-parented to it (once per process)."""
    _prctl(_PR_SET_CHILD_SUBREAPER, 1)


def _die_with_parent(parent: int) -> None:  # pragma: no cover - runs in the child between fork and exec
    _prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    # The parent may have died between fork and prctl: then no signal comes, so go now.
    if _LINUX and os.getppid() != parent:
        os._exit(1)


def tagged(tag: str) -> list[int]:
    """The processes whose environment holds `SKC_PROCESS_TAG=tag`."""
    if not _LINUX:
        return []
    needle = f"{TAG_VARIABLE}={tag}".encode()
    found = []
    with contextlib.suppress(OSError):
        for entry in os.scandir("/proc"):
            if not entry.name.isdigit():
                continue
            try:
                with open(f"/proc/{entry.name}/environ", "rb") as f:
                    env = f.read()
            except OSError:
                continue
            if needle in env.split(b"\0"):
                found.append(int(entry.name))
    return found


def end_all(pgid: int | None, tag: str) -> None:
    """Kills the op's process group and every process with its tag, and reaps those that are ours
    (orphans re-parented to us; the main process `pgid` is left to asyncio's child watcher)."""
    if pgid is not None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(pgid, signal.SIGKILL)
    for _ in range(3):  # a process may fork while we look: look again
        pids = [p for p in tagged(tag) if p != os.getpid()]
        if not pids:
            break
        for pid in pids:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGKILL)
        for pid in pids:
            if pid != pgid:
                _reap(pid)


def _collect(pid: int) -> None:
    """Waits up to 5 s for `pid` to exit and become our child (a killed orphan is re-parented to us
    only once its parent is gone), then reaps it."""
    for _ in range(250):
        try:
            done, _ = os.waitpid(pid, os.WNOHANG)
            if done:
                return
        except ChildProcessError:
            if not os.path.exists(f"/proc/{pid}"):
                return  # gone, reaped by its own parent
        except OSError:
            return
        time.sleep(0.02)


def _reap(pid: int) -> None:
    """Leaves no zombie of a killed process: collects it in a daemon thread (see `_collect`)."""
    threading.Thread(target=_collect, args=(pid,), daemon=True).start()


async def _main_exit(proc: asyncio.subprocess.Process) -> int:
    """The main process's exit status, without waiting for its pipes to close."""
    try:
        fd = os.pidfd_open(proc.pid)
    except (AttributeError, OSError):
        return await _status(proc)
    loop = asyncio.get_running_loop()
    exited: asyncio.Future[None] = loop.create_future()

    def readable() -> None:
        if not exited.done():
            exited.set_result(None)

    loop.add_reader(fd, readable)
    try:
        await exited
    finally:
        loop.remove_reader(fd)
        os.close(fd)
    return await _status(proc)


async def _status(proc: asyncio.subprocess.Process, limit_s: float | None = None) -> int:
    """The exit status the child watcher records once it has reaped the process. Never
    `proc.wait()`: before Python 3.12 that also waits for every pipe to close."""
    waited, pause = 0.0, 0.002
    while proc.returncode is None:
        if limit_s is not None and waited >= limit_s:
            return -9
        await asyncio.sleep(pause)
        waited += pause
        pause = min(pause * 2, 0.05)
    return proc.returncode


async def run_process(argv: list[str], *, env: dict[str, str], cwd: str, stdin: bytes | None = None,
                      max_output: int = DEFAULT_MAX_OUTPUT) -> tuple[int, bytes, bytes]:
    """Runs argv until its main process ends: (exit status, stdout, stderr tail); see the module
    docstring. Cancellation (timeouts arrive as that) ends everything it started."""
    become_subreaper()
    tag = secrets.token_hex(8)
    try:
        proc = await asyncio.create_subprocess_exec(
            *argv, env={**env, TAG_VARIABLE: tag}, cwd=cwd, start_new_session=True,
            preexec_fn=functools.partial(_die_with_parent, os.getpid()),
            stdin=asyncio.subprocess.PIPE if stdin is not None else asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    except FileNotFoundError:
        raise OpFailed(f"command not found: {argv[0]}", retryable=False) from None
    except PermissionError:
        raise OpFailed(f"not executable: {argv[0]}", retryable=False) from None
    except NotADirectoryError:
        raise OpFailed(f"working directory is not a directory: {cwd}", retryable=False) from None
    except OSError as e:
        if e.errno == 7:  # E2BIG
            size = sum(len(a) for a in argv)
            raise OpFailed(f"the command line ({size} bytes) is longer than the OS allows (E2BIG): pass large "
                           "values through a file or stdin", retryable=False) from None
        raise
    out_chunks: list[bytes] = []
    err_tail = [b""]
    too_big: list[OpFailed] = []

    async def read_out() -> None:
        assert proc.stdout is not None
        size = 0
        while chunk := await proc.stdout.read(65536):
            size += len(chunk)
            if size > max_output:
                too_big.append(OpFailed(f"output exceeded {max_output} bytes", retryable=False))
                end_all(proc.pid, tag)
                return
            out_chunks.append(chunk)

    async def read_err() -> None:
        assert proc.stderr is not None
        while chunk := await proc.stderr.read(65536):
            err_tail[0] = (err_tail[0] + chunk)[-65536:]

    async def feed() -> None:
        if stdin is not None and proc.stdin is not None:
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                proc.stdin.write(stdin)
                await proc.stdin.drain()
            proc.stdin.close()

    readers = [asyncio.ensure_future(read_out()), asyncio.ensure_future(read_err()), asyncio.ensure_future(feed())]
    try:
        status = await _main_exit(proc)
        _, pending = await asyncio.wait(readers, timeout=DRAIN_GRACE_S)
        end_all(proc.pid, tag)  # background jobs, setsid children: the op is over
        if pending:
            _, pending = await asyncio.wait(pending, timeout=DRAIN_GRACE_S)
        for task in pending:
            task.cancel()
    except BaseException:
        end_all(proc.pid, tag)
        for task in readers:
            task.cancel()
        with contextlib.suppress(Exception):
            await asyncio.shield(_status(proc, 2.0))
        raise
    finally:
        transport = getattr(proc, "_transport", None)
        if transport is not None:
            with contextlib.suppress(Exception):
                transport.close()  # pipes a surviving process still holds are ours to close
    if too_big:
        raise too_big[0]
    return status, b"".join(out_chunks), err_tail[0]
