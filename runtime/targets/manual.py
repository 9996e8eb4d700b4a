"""The `cpu.manual` target: `ctrl.manual` steps, which a person does by hand.

An unattended run never executes what a manual step names (an editor, an
interactive shell, a UI): the op finishes at once with a text saying that it was
skipped and what a person should do, and a `manual_step` trace event reports it,
so the rest of the run goes on and the report lists what is left to do by hand.
"""

from __future__ import annotations

from typing import Any

from skc.ir.core import Op
from skc.runtime.targets.base import ExecContext, OpResult, Target


class ManualTarget(Target):
    """Reports a `ctrl.manual` step as skipped (it is never run on this host)."""

    name = "cpu.manual"
    ops = ("ctrl.manual",)
    in_process = True

    async def execute(self, op: Op, args: list[Any], ctx: ExecContext) -> OpResult:
        command = str(op.attributes.get("command", ""))
        reason = str(op.attributes.get("reason", ""))
        ctx.emit("manual_step", command=command, reason=reason)
        return OpResult([f"manual step skipped ({reason}): {command}"], meta={"skipped": True})
