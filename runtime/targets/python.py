"""The `cpu.python` target: `tool.python` code in a fresh interpreter subprocess.

The op's `code` runs with `args` (the operand values, passed as JSON on stdin) in
its globals; whatever it leaves in `result` is the op's output, returned as JSON on
stdout. The child is isolated (`python -I`: no user site, no PYTHONPATH), gets the
scheduler's sanitized environment, and is killed with its process group on
timeout. An exception in the code fails the op with the code's traceback tail.

An op with a `session` attribute (the python blocks of one skill procedure) runs in
that session's persistent interpreter instead (`python_session.py`): variables and
imports carry over between the session's ops, which run one at a time in order; the
target closes the run's sessions when the run ends. On the Ray engine (option
`python_sessions` false) each op runs on its own; the skill lowering carries a
procedure's imports into each block for that case. A block's `replay` (the earlier
blocks' imports and defs) runs first in a session that starts at that block: a resumed run.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from skc.ir.core import Op
from skc.runtime.targets.base import ExecContext, OpFailed, OpResult, Target
from skc.runtime.targets.python_session import PythonSession
from skc.runtime.targets.shell import run_process
from skc.runtime.values import jsonable

# The program the child runs: read {code, args}, exec, print the marker and JSON of `result`.
_RUNNER = r"""
import json, sys
request = json.loads(sys.stdin.buffer.read().decode("utf-8"))
scope = {"__name__": "__skc__", "args": request["args"], "result": None}
exec(compile(request["code"], "<tool.python>", "exec"), scope)
sys.stdout.flush()
sys.stdout.write("\n" + request["marker"] + json.dumps(scope.get("result"), default=str))
"""
_MARKER = "\x1eskc-result\x1e"


class PythonTarget(Target):
    """Runs `tool.python` code in an isolated subprocess; JSON in, JSON out."""

    name = "cpu.python"
    ops = ("tool.python",)
    default_timeout_s = 120.0

    def __init__(self) -> None:
        self.sessions: dict[tuple[str, str], PythonSession] = {}  # (run id, session): one instance per run

    async def execute(self, op: Op, args: list[Any], ctx: ExecContext) -> OpResult:
        session = op.attr_str("session")
        if session and ctx.options.get("python_sessions", True):  # the Ray engine turns them off
            key = (ctx.run_id, session)
            if key not in self.sessions:
                self.sessions[key] = PythonSession(session, str(ctx.options.get("python") or sys.executable),
                                                   dict(ctx.env), str(ctx.workdir))
            value, printed = await self.sessions[key].run(str(op.attributes["code"]), jsonable(args), ctx.op_id,
                                                          replay=op.attr_str("replay") or "")
            return OpResult([value], meta={"stdout": printed[-2000:], "session": session})
        request = json.dumps({"code": str(op.attributes["code"]), "args": jsonable(args),
                              "marker": _MARKER}).encode("utf-8")
        python = str(ctx.options.get("python") or sys.executable)
        status, out, err = await run_process([python, "-I", "-c", _RUNNER], env=dict(ctx.env),
                                             cwd=str(ctx.workdir), stdin=request)
        text = out.decode("utf-8", errors="replace")
        if status != 0 or _MARKER not in text:
            tail = err.decode("utf-8", errors="replace").strip().splitlines()[-6:]
            raise OpFailed("python code failed: " + (" | ".join(tail) or f"exit status {status}"),
                           retryable=False, detail=err.decode("utf-8", errors="replace")[-4000:])
        printed, _, payload = text.rpartition(_MARKER)
        return OpResult([json.loads(payload)], meta={"stdout": printed[:-1][-2000:]})

    async def close(self) -> None:
        sessions, self.sessions = list(self.sessions.values()), {}
        for session in sessions:
            await session.close()
