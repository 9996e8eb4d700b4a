"""The IR's structure: SSA values, ops, blocks, regions, workflows and modules.

An `Op` has operands (values defined earlier), results (new values), attributes
(plain data), regions (nested bodies, for `ctrl.if`, `ctrl.map`, ...) and a
source location. Op classes declare their signature on the class: `name`,
`operands`/`results` (type constraints), `attrs` (AttrSpecs), `num_regions`,
`pure`, `terminator` and `traits` (`skc.ir.traits`; the flags imply their traits);
the verifier reads those declarations and passes ask `op.has(Trait)`. The structure
is mutable like MLIR's: passes edit it in place.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import ClassVar

from skc.ir.attrs import AttrSpec, AttrValue, print_attr
from skc.ir.location import UNKNOWN, Diagnostic, Location
from skc.ir.traits import HasEffects, HasRegions, Pure, Terminator, Trait
from skc.ir.types import ANY, Signature, Type, Variadic

_NAME = re.compile(r"[A-Za-z_$.\-][A-Za-z0-9_$.\-]*\Z")
_NUMBER = int | float  # built once: `int | float` in an isinstance call makes a new union each time


def valid_name(hint: str | None) -> str | None:
    """A name hint usable as an SSA name (`%hint`), or None."""
    return hint if hint and _NAME.match(hint) else None


class Value:
    """An SSA value: the result of an op or the argument of a block."""

    __slots__ = ("index", "name", "owner", "type")

    def __init__(self, type: Type, owner: Op | Block | None = None, index: int = 0,
                 name: str | None = None) -> None:
        self.type = type
        self.owner = owner
        self.index = index
        self.name = valid_name(name)

    def __repr__(self) -> str:
        return f"<Value %{self.name or '?'}: {self.type}>"

    @property
    def defining_op(self) -> Op | None:
        return self.owner if isinstance(self.owner, Op) else None


class Block:
    """A straight-line list of ops with typed arguments; the last op is a terminator."""

    __slots__ = ("args", "ops", "parent")

    def __init__(self, arg_types: list[Type] | tuple[Type, ...] = (),
                 arg_names: list[str | None] | None = None) -> None:
        names = arg_names or [None] * len(arg_types)
        self.args = [Value(t, self, i, n) for i, (t, n) in enumerate(zip(arg_types, names, strict=True))]
        self.ops: list[Op] = []
        self.parent: Region | None = None

    def append(self, op: Op) -> Op:
        op.parent = self
        self.ops.append(op)
        return op

    def insert(self, index: int, op: Op) -> Op:
        op.parent = self
        self.ops.insert(index, op)
        return op

    def remove(self, op: Op) -> None:
        self.ops.remove(op)
        op.parent = None

    @property
    def terminator(self) -> Op | None:
        return self.ops[-1] if self.ops and self.ops[-1].terminator else None

    @property
    def parent_op(self) -> Op | None:
        return self.parent.parent if self.parent else None


class Region:
    """The body of an op: one block in skc (MLIR allows more; skc never needs them)."""

    __slots__ = ("blocks", "parent")

    def __init__(self, blocks: list[Block] | None = None) -> None:
        self.blocks = blocks if blocks is not None else [Block()]
        self.parent: Op | None = None
        for b in self.blocks:
            b.parent = self

    @property
    def block(self) -> Block:
        return self.blocks[0]


class Op:
    """Base of every op. Subclasses set the class-level declarations below."""

    name: ClassVar[str] = ""
    operands_sig: ClassVar[Signature] = (Variadic(ANY),)
    results_sig: ClassVar[Signature] = (Variadic(ANY),)
    attrs: ClassVar[Mapping[str, AttrSpec]] = {}
    num_regions: ClassVar[int] = 0
    pure: ClassVar[bool] = True
    terminator: ClassVar[bool] = False
    traits: ClassVar[frozenset[type[Trait]]] = frozenset({Pure})
    # Where the parser read this op; diagnostics fall back to it when `loc` is unknown. Never printed.
    text_loc: Location = UNKNOWN

    def __init_subclass__(cls, **kwargs: object) -> None:
        """Completes `traits` with what the class's flags imply (and drops what they deny)."""
        super().__init_subclass__(**kwargs)
        declared = set(cls.__dict__.get("traits", ()))
        if HasEffects in declared:
            cls.pure = False
        if Terminator in declared:
            cls.terminator = True
        implied: set[type[Trait]] = {Pure if cls.pure else HasEffects}
        if cls.terminator:
            implied.add(Terminator)
        if cls.num_regions:
            implied.add(HasRegions)
        cls.traits = frozenset((declared - {Pure, HasEffects}) | implied)

    @classmethod
    def has(cls, trait: type[Trait]) -> bool:
        """Whether this op (class) has `trait`."""
        return trait in cls.traits

    def __init__(self, operands: list[Value] | tuple[Value, ...] = (),
                 result_types: list[Type] | tuple[Type, ...] = (),
                 attributes: dict[str, AttrValue] | None = None,
                 regions: list[Region] | tuple[Region, ...] = (),
                 loc: Location = UNKNOWN,
                 result_names: list[str | None] | None = None) -> None:
        self.operands: list[Value] = list(operands)
        names = result_names or [None] * len(result_types)
        self.results = [Value(t, self, i, n) for i, (t, n) in enumerate(zip(result_types, names, strict=True))]
        self.attributes: dict[str, AttrValue] = dict(attributes or {})
        self.regions: list[Region] = list(regions)
        for r in self.regions:
            r.parent = self
        self.loc = loc
        self.parent: Block | None = None

    @property
    def op_name(self) -> str:
        return self.name

    @property
    def result(self) -> Value:
        """The single result (an error for ops with several or none)."""
        if len(self.results) != 1:
            raise ValueError(f"{self.op_name} has {len(self.results)} results, not 1")
        return self.results[0]

    @property
    def effects(self) -> list[str]:
        """Declared effects (the `effects` attribute), `[]` for pure ops."""
        value = self.attributes.get("effects")
        return list(value) if isinstance(value, list) else []

    def verify_(self) -> Iterator[Diagnostic]:
        """Checks particular to this op, beyond its declared signature, attributes and regions
        (which the verifier checks for every op); none by default."""
        return iter(())

    # -- typed attribute accessors (None when absent or of another type)

    def attr_str(self, name: str) -> str | None:
        value = self.attributes.get(name)
        return value if isinstance(value, str) else None

    def attr_int(self, name: str) -> int | None:
        value = self.attributes.get(name)
        return value if isinstance(value, int) and not isinstance(value, bool) else None

    def attr_num(self, name: str) -> float | None:
        value = self.attributes.get(name)
        return float(value) if isinstance(value, _NUMBER) and not isinstance(value, bool) else None

    def attr_strs(self, name: str) -> list[str] | None:
        value = self.attributes.get(name)
        return [str(v) for v in value] if isinstance(value, list) else None

    @property
    def step(self) -> str:
        """The label of the source step this op came from (`step`), or ""."""
        return self.attr_str("step") or ""

    @property
    def fallback(self) -> str | None:
        """The step to run instead when this op fails for good (`fallback`), if any."""
        return self.attr_str("fallback")

    @property
    def parent_op(self) -> Op | None:
        return self.parent.parent_op if self.parent else None

    @property
    def where(self) -> Location:
        """Where to report a problem with this op: its source `loc`, else where it was parsed."""
        return self.loc if self.loc.known else self.text_loc

    def walk(self) -> Iterator[Op]:
        """This op, then every op nested in its regions, in program order.

        Iterative (a stack of the ops still to visit per level), so an op nested `d` deep
        costs one step, not `d` generator hops; like nested loops, each level goes on from
        the op it stopped at in a block's list (ops inserted after it are visited)."""
        yield self
        if not self.regions:
            return
        stack = [_child_ops(self)]
        while stack:
            for op in stack[-1]:
                yield op
                if op.regions:
                    stack.append(_child_ops(op))
                    break
            else:
                stack.pop()

    def __repr__(self) -> str:
        return f"<{self.op_name} at {self.loc}>"


def _child_ops(op: Op) -> Iterator[Op]:
    return (child for region in op.regions for block in region.blocks for child in block.ops)


class UnregisteredOp(Op):
    """An op whose name no dialect declares; kept so the verifier can report it."""

    def __init__(self, name: str, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self._name = name

    @property
    def op_name(self) -> str:
        return self._name


class Dialect:
    """A named table of op classes (`Dialect("llm", [GenerateOp, ...])`)."""

    def __init__(self, name: str, ops: list[type[Op]]) -> None:
        self.name = name
        self.ops = ops
        for op in ops:
            if not op.name.startswith(name + "."):
                raise ValueError(f"{op.name} does not belong to dialect {name}")


def replace_all_uses(root: Op, old: Value, new: Value) -> int:
    """Replaces every use of `old` under `root` with `new`; returns the count."""
    count = 0
    for op in root.walk():
        for i, v in enumerate(op.operands):
            if v is old:
                op.operands[i] = new
                count += 1
    return count


def uses(root: Op, value: Value) -> list[Op]:
    """The ops under `root` that take `value` as an operand."""
    return [op for op in root.walk() if any(v is value for v in op.operands)]


def _attr_key(value: AttrValue) -> str:
    """An attribute's canonical text (dict keys sorted, as MLIR's are), or its repr if ill-formed."""
    try:
        return print_attr(value)
    except TypeError:
        return repr(value)


def structural_key(op: Op) -> tuple:
    """A canonical nested tuple of an op tree; equal keys mean structurally equal IR.

    Values are numbered in definition order, so names and object identity don't matter.
    """
    numbering: dict[int, int] = {}

    def num(v: Value) -> int:
        return numbering.setdefault(id(v), len(numbering))

    def key(o: Op) -> tuple:
        for r in o.results:
            num(r)
        return (
            o.op_name,
            tuple(num(v) for v in o.operands),
            tuple(str(r.type) for r in o.results),
            tuple(sorted((k, _attr_key(v)) for k, v in o.attributes.items())),
            tuple(
                tuple(
                    (tuple((num(a), str(a.type)) for a in b.args), tuple(key(x) for x in b.ops))
                    for b in r.blocks
                )
                for r in o.regions
            ),
            (o.loc.file, o.loc.line, o.loc.col),
        )

    return key(op)
