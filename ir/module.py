"""A module: the unit skc prints, parses, verifies, compiles and bundles."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from skc.ir.core import Op, structural_key
from skc.ir.dialects.skc import WorkflowOp


@dataclass(eq=False)
class Module:
    """The top-level ops of one IR file: `skc.workflow`s (others are verifier errors)."""

    ops: list[Op] = field(default_factory=list)
    file: str = ""

    @property
    def workflows(self) -> list[WorkflowOp]:
        return [op for op in self.ops if isinstance(op, WorkflowOp)]

    def workflow(self, name: str | None = None) -> WorkflowOp:
        """The workflow called `name`, or the only/first one when `name` is None."""
        for wf in self.workflows:
            if name is None or wf.sym_name == name:
                return wf
        raise KeyError(name or "<no workflow>")

    def walk(self) -> Iterator[Op]:
        for op in self.ops:
            yield from op.walk()

    def structurally_equal(self, other: Module) -> bool:
        """Same ops, operands, types, attributes, regions and locations, whatever the names."""
        return [structural_key(o) for o in self.ops] == [structural_key(o) for o in other.ops]

    def __str__(self) -> str:
        from skc.ir.printer import print_module

        return print_module(self)
