"""The `cpu.shell` target: `tool.shell` and `tool.script` as asyncio subprocesses.

* `argv` runs the program directly (operands substituted into each element);
  only `cmd` goes through `bash -c`, and operands substituted into it are
  shell-quoted, so a value can never inject a command.
* The environment is the one the scheduler sanitized (PATH, HOME, LANG and the
  variables the op declares in `env`); nothing else of the caller's leaks in.
* The process runs in its own process group: a timeout or a cancelled run kills
  the whole group, and on Linux the child is also told to die with skc itself
  (PR_SET_PDEATHSIG), so a killed `skc run` leaves no half-finished command behind.
* stdout is capped (`max_output_bytes`, default 8 MiB): a larger output fails the op
  rather than being silently truncated. A non-zero exit fails the op with the tail of
  stderr, except for ops whose result is `!skc.bool`, whose value is "exit status 0".
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import functools
import os
import shlex
import signal
import sys
from pathlib import Path
from typing import Any

from skc.ir.core import Op
from skc.runtime.targets.base import ExecContext, OpFailed, OpResult, Target
from skc.runtime.values import substitute

DEFAULT_MAX_OUTPUT = 8 * 1024 * 1024
_STDERR_TAIL = 2000


def _die_with_parent(parent: int) -> None:  # pragma: no cover - runs in the child between fork and exec
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
        # The parent may have died between fork and prctl: then no signal comes, so go now.
        if os.getppid() != parent:
            os._exit(1)


def resolve_binary(name: str, ctx: ExecContext) -> str:
    """The path the environment binding resolved `name` to, else `name` itself."""
    binaries = ctx.bindings.get("binaries") or {}
    bound = binaries.get(name)
    if isinstance(bound, dict):
        bound = bound.get("path")
    return str(bound) if bound else name


def command_of(op: Op, args: list[Any], ctx: ExecContext | None = None) -> list[str]:
    """The argv an op would run, after substitution (`bash -c ...` for `cmd`)."""
    a = op.attributes
    if op.op_name == "tool.script":
        root = Path(str((ctx.bindings.get("scripts_root") if ctx else None) or
                        (ctx.options.get("source_dir") if ctx else None) or "."))
        script = substitute(str(a["path"]), args)
        path = script if os.path.isabs(script) else str(root / script)
        rest = [substitute(str(x), args) for x in a.get("args") or []]  # type: ignore[union-attr]
        interpreter = a.get("interpreter")
        if not interpreter and not os.access(path, os.X_OK):
            interpreter = {".py": "python3", ".sh": "bash"}.get(Path(path).suffix, "bash")
        if interpreter in ("python", "python3"):  # a skill's Python script runs where skc (and tool.python) runs
            interpreter = str((ctx.options.get("python") if ctx else None) or sys.executable)
        return [str(interpreter), path, *rest] if interpreter else [path, *rest]
    if isinstance(a.get("argv"), list):
        return [substitute(str(x), args) for x in a["argv"]]  # type: ignore[union-attr]
    return ["bash", "-c", substitute(str(a.get("cmd", "")), args, quote=shlex.quote)]


async def run_process(argv: list[str], *, env: dict[str, str], cwd: str, stdin: bytes | None = None,
                      max_output: int = DEFAULT_MAX_OUTPUT) -> tuple[int, bytes, bytes]:
    """Runs argv to completion: (exit status, stdout, stderr). Kills its process group when
    cancelled (timeouts arrive as cancellation) and when stdout exceeds `max_output`."""
    try:
        proc = await asyncio.create_subprocess_exec(
            *argv, env=env, cwd=cwd, start_new_session=True, preexec_fn=functools.partial(_die_with_parent, os.getpid()),
            stdin=asyncio.subprocess.PIPE if stdin is not None else asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    except FileNotFoundError:
        raise OpFailed(f"command not found: {argv[0]}", retryable=False) from None
    except PermissionError:
        raise OpFailed(f"not executable: {argv[0]}", retryable=False) from None
    except NotADirectoryError:
        raise OpFailed(f"working directory is not a directory: {cwd}", retryable=False) from None

    def kill() -> None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)

    async def read_out() -> bytes:
        assert proc.stdout is not None
        chunks: list[bytes] = []
        size = 0
        while chunk := await proc.stdout.read(65536):
            size += len(chunk)
            if size > max_output:
                kill()
                raise OpFailed(f"output exceeded {max_output} bytes", retryable=False)
            chunks.append(chunk)
        return b"".join(chunks)

    async def read_err() -> bytes:
        assert proc.stderr is not None
        tail = b""
        while chunk := await proc.stderr.read(65536):
            tail = (tail + chunk)[-65536:]
        return tail

    async def feed() -> None:
        if stdin is not None and proc.stdin is not None:
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                proc.stdin.write(stdin)
                await proc.stdin.drain()
            proc.stdin.close()

    try:
        _, out, err = await asyncio.gather(feed(), read_out(), read_err())
        status = await proc.wait()
    except BaseException:
        kill()
        with contextlib.suppress(Exception):
            await asyncio.shield(proc.wait())
        raise
    kill()  # reap anything the command left running in its group
    return status, out, err


def failure_message(argv: list[str], status: int, err: bytes) -> str:
    tail = err.decode("utf-8", errors="replace").strip()[-_STDERR_TAIL:]
    what = f"killed by signal {-status}" if status < 0 else f"exit status {status}"
    return f"{shlex.join(argv)[:200]}: {what}" + (f": {tail}" if tail else "")


def working_dir(op: Op, args: list[Any], ctx: ExecContext) -> str:
    cwd = op.attributes.get("cwd")
    if not isinstance(cwd, str):
        return str(ctx.workdir)
    path = Path(substitute(cwd, args)).expanduser()
    return str(path if path.is_absolute() else ctx.workdir / path)


class ShellTarget(Target):
    """Runs commands and skill scripts as subprocesses in a sanitized environment."""

    name = "cpu.shell"
    ops = ("tool.shell", "tool.script")
    default_timeout_s = 300.0

    async def execute(self, op: Op, args: list[Any], ctx: ExecContext) -> OpResult:
        argv = command_of(op, args, ctx)
        argv[0] = resolve_binary(argv[0], ctx)
        limit = int(ctx.options.get("max_output_bytes") or DEFAULT_MAX_OUTPUT)
        status, out, err = await run_process(argv, env=dict(ctx.env), cwd=working_dir(op, args, ctx),
                                             max_output=limit)
        wants_bool = bool(op.results) and op.results[0].type.kind == "bool"
        meta = {"exit_status": status, "stderr": err.decode("utf-8", errors="replace")[-_STDERR_TAIL:]}
        if wants_bool:
            return OpResult([status == 0], meta=meta)
        if status != 0:
            raise OpFailed(failure_message(argv, status, err), retryable=True,
                           detail=err.decode("utf-8", errors="replace")[-_STDERR_TAIL:])
        # Like `$(...)`: trailing newlines are not part of a command's text value.
        return OpResult([out.decode("utf-8", errors="replace").rstrip("\n")], meta=meta)
