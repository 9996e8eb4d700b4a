"""The `verify` pass: runs the IR verifier and records its diagnostics."""

from __future__ import annotations

from dataclasses import dataclass

from skc.compiler.passes import Pass, PassContext
from skc.ir.module import Module
from skc.ir.verifier import verify


@dataclass(frozen=True)
class VerifyPass(Pass):
    """Checks SSA dominance, types, terminators, effects and attributes (SKC2xx)."""

    name = "verify"

    def apply(self, ctx: PassContext, module: Module) -> None:
        ctx.diagnostics.extend(verify(module))
