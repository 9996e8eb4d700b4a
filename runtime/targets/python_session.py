"""Python sessions: the `tool.python` ops of one skill procedure share one interpreter.

A `tool.python` op with a `session` attribute runs in a persistent worker process
owned by the run's `PythonTarget`: the first op of the session starts it, later
ops of the same session send their code to it, one at a time and in order, so
variables and imports carry over between steps. The worker is isolated like a
one-shot op (`python -I`, the scheduler's environment, its own process group);
its protocol runs on private copies of stdin/stdout, while the code's `print`s
are captured per op and its subprocesses' output goes to stderr. The session is
closed when the run ends (`Target.close`). A worker that dies, or an op that is
cancelled or times out in the middle of its code (the worker is then killed,
since its state is unknown), loses the session: that op, and every later op of
the session in this run, fails with a diagnosis naming what happened.

A resumed run starts the session afresh at the first block it has left to run; the
earlier blocks' results come from the journal, but their definitions would be gone,
so that block's `replay` (their imports, defs and constants, set by the skill
lowering) runs first, once, and only when the block is the session's first op in the run.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import os
import secrets
import signal
from typing import Any

from skc.runtime.targets.base import OpFailed
from skc.runtime.targets.process import TAG_VARIABLE, _die_with_parent, become_subreaper, end_all

__all__ = ["PythonSession"]

# The worker: one JSON request per line in, one JSON reply per line out, one scope for all.
_WORKER = r"""
import io, json, os, sys, traceback
requests = os.fdopen(os.dup(0), "r", encoding="utf-8")
replies = os.fdopen(os.dup(1), "w", encoding="utf-8")
null = os.open(os.devnull, os.O_RDONLY)
os.dup2(null, 0)
os.dup2(2, 1)
sys.stdin = open(os.devnull, encoding="utf-8")
scope = {"__name__": "__skc__"}
for line in requests:
    request = json.loads(line)
    scope["args"], scope["result"] = request["args"], None
    printed, saved = io.StringIO(), sys.stdout
    sys.stdout = printed
    try:
        exec(compile(request["code"], request["name"], "exec"), scope)
        reply = {"ok": True, "result": scope.get("result")}
    except BaseException:
        reply = {"ok": False, "error": traceback.format_exc()}
    finally:
        sys.stdout = saved
    reply["stdout"] = printed.getvalue()[-2000:]
    replies.write(json.dumps(reply, default=str) + "\n")
    replies.flush()
"""


class PythonSession:
    """One persistent interpreter for the `tool.python` ops of one procedure, within one run."""

    def __init__(self, name: str, python: str, env: dict[str, str], cwd: str) -> None:
        self.name, self.python, self.env, self.cwd = name, python, env, cwd
        self.proc: asyncio.subprocess.Process | None = None
        self.tag = secrets.token_hex(8)
        self.lock = asyncio.Lock()  # one op at a time, in the order they ask
        self.lost: str | None = None  # why the session is gone (later ops fail with it)
        self.used = False  # an op has run in it (in this run): nothing to replay
        self.err_tail = b""
        self._err_reader: asyncio.Task[None] | None = None

    async def _start(self) -> asyncio.subprocess.Process:
        become_subreaper()
        try:
            proc = await asyncio.create_subprocess_exec(
                self.python, "-I", "-c", _WORKER, env={**self.env, TAG_VARIABLE: self.tag}, cwd=self.cwd,
                start_new_session=True, preexec_fn=functools.partial(_die_with_parent, os.getpid()),
                stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
                limit=1 << 26)
        except (FileNotFoundError, PermissionError, NotADirectoryError) as e:
            raise OpFailed(f"cannot start the python session {self.name!r}: {e}", retryable=False) from None
        self._err_reader = asyncio.ensure_future(self._read_err(proc))
        return proc

    async def _read_err(self, proc: asyncio.subprocess.Process) -> None:
        assert proc.stderr is not None
        while chunk := await proc.stderr.read(65536):
            self.err_tail = (self.err_tail + chunk)[-65536:]

    async def run(self, code: str, args: list[Any], label: str, replay: str = "") -> tuple[Any, str]:
        """Runs `code` in the session: (the value of `result`, what it printed). `replay` (the
        earlier blocks' imports and defs) runs first when this is the session's first op in the run."""
        async with self.lock:
            if self.lost is not None:
                raise OpFailed(f"the python session {self.name!r} was lost earlier in this run ({self.lost}); "
                               "its variables are gone", retryable=False)
            if self.proc is None:
                self.proc = await self._start()
            if replay and not self.used:  # a resumed run: the earlier blocks ran in another process
                self.used = True
                reply = await self._request(replay, [], f"{label} replay")
                if not reply.get("ok"):
                    tail = str(reply.get("error", "")).strip().splitlines()[-4:]
                    raise OpFailed("replaying the session's earlier imports and definitions failed: "
                                   + " | ".join(tail), retryable=False, detail=str(reply.get("error", ""))[-4000:])
            self.used = True
            reply = await self._request(code, args, label)
        if not reply.get("ok"):
            tail = str(reply.get("error", "")).strip().splitlines()[-6:]
            raise OpFailed("python code failed: " + " | ".join(tail), retryable=False,
                           detail=str(reply.get("error", ""))[-4000:])
        return reply.get("result"), str(reply.get("stdout", ""))

    async def _request(self, code: str, args: list[Any], label: str) -> dict[str, Any]:
        """Sends one block to the worker (the lock is held) and returns its reply."""
        proc = self.proc
        if proc is None:
            raise OpFailed(f"the python session {self.name!r} is closed", retryable=False)
        assert proc.stdin is not None
        assert proc.stdout is not None
        request = json.dumps({"code": code, "args": args, "name": f"<tool.python {label}>"}) + "\n"
        try:
            proc.stdin.write(request.encode("utf-8"))
            await proc.stdin.drain()
            line = await proc.stdout.readline()
        except (asyncio.CancelledError, TimeoutError):
            await self._lose("a step was cancelled or timed out while it ran")
            raise
        except (BrokenPipeError, ConnectionResetError):
            line = b""
        if not line:
            raise OpFailed(await self._died(), retryable=False,
                           detail=self.err_tail.decode("utf-8", errors="replace")[-4000:])
        reply: dict[str, Any] = json.loads(line)
        return reply

    async def _died(self) -> str:
        proc = self.proc
        status = None
        if proc is not None:
            with contextlib.suppress(TimeoutError):
                status = await asyncio.wait_for(proc.wait(), 2.0)
        if status is not None and status < 0:
            how = f"was killed by {signal.Signals(-status).name}"
        else:
            how = f"exited with status {status}" if status is not None else "stopped answering"
        if self._err_reader is not None:  # what it said last
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(asyncio.shield(self._err_reader), 0.5)
        said = " | ".join(self.err_tail.decode("utf-8", errors="replace").strip().splitlines()[-4:])
        reason = f"the session process {how}"
        await self._lose(reason)
        return (f"the python session {self.name!r} died while running this step: {reason}"
                + (f": {said}" if said else "") + " (a crash of the interpreter or a library, or os._exit/kill in "
                "the code); its variables are gone, so later steps of the procedure fail too")

    async def _lose(self, reason: str) -> None:
        self.lost = reason
        await self.close(kill=True)

    async def close(self, *, kill: bool = False) -> None:
        """Ends the session: closes its input (the worker exits), then kills what is left (at once
        when `kill`: its state is unknown)."""
        proc, self.proc = self.proc, None
        if proc is None:
            return
        if proc.stdin is not None:
            with contextlib.suppress(Exception):
                proc.stdin.close()
        if proc.returncode is None and not kill:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(asyncio.shield(proc.wait()), 1.0)
        end_all(proc.pid, self.tag)
        if proc.returncode is None:
            with contextlib.suppress(TimeoutError, ProcessLookupError):
                await asyncio.wait_for(proc.wait(), 2.0)
        if self._err_reader is not None:
            self._err_reader.cancel()
            with contextlib.suppress(BaseException):
                await self._err_reader
