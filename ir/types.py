"""The value types of the skc IR and the constraints ops put on them.

Every SSA value carries one `Type`. The text form is MLIR's dialect-type syntax:
`!skc.text`, `!skc.num`, `!skc.json` or `!skc.json<"{...JSON Schema...}">`.
Type constraints (`Kinds`, `Variadic`) are how op classes declare their
operand and result signatures; the verifier checks values against them.
"""

from __future__ import annotations

from dataclasses import dataclass

KINDS = ("text", "json", "table", "bool", "num", "file", "token")


@dataclass(frozen=True, slots=True)
class Type:
    """A value type: one of `KINDS`, with an optional JSON Schema for `json`."""

    kind: str
    schema: str | None = None

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown skc type kind {self.kind!r}")
        if self.schema is not None and self.kind != "json":
            raise ValueError("only !skc.json takes a schema")

    def __str__(self) -> str:
        if self.schema is None:
            return f"!skc.{self.kind}"
        from skc.ir.attrs import quote

        return f"!skc.json<{quote(self.schema)}>"

    def compatible(self, other: Type) -> bool:
        """Same kind; a schema narrows a json value but never makes it another type."""
        return self.kind == other.kind


TEXT = Type("text")
JSON = Type("json")
TABLE = Type("table")
BOOL = Type("bool")
NUM = Type("num")
FILE = Type("file")
TOKEN = Type("token")


def json_type(schema: str | None = None) -> Type:
    """`!skc.json`, optionally narrowed by a JSON Schema given as JSON text."""
    return Type("json", schema)


@dataclass(frozen=True, slots=True)
class Kinds:
    """Accepts a value whose type kind is one of `kinds` (all kinds when empty)."""

    kinds: frozenset[str] = frozenset()

    def accepts(self, t: Type) -> bool:
        return not self.kinds or t.kind in self.kinds

    def __str__(self) -> str:
        if not self.kinds:
            return "any type"
        return " or ".join(f"!skc.{k}" for k in sorted(self.kinds))


def kinds(*names: str) -> Kinds:
    return Kinds(frozenset(names))


ANY = Kinds()
DATA = kinds("text", "json", "table", "bool", "num", "file")


@dataclass(frozen=True, slots=True)
class Variadic:
    """Zero or more trailing values that each satisfy `each` (at least `min`)."""

    each: Kinds
    min: int = 0


Constraint = Kinds | Variadic
Signature = tuple[Constraint, ...]


_SHAPES: dict[int, tuple[Signature, tuple[list[Kinds], Variadic | None]]] = {}  # id -> a signature, its fixed part and tail


def _shape(sig: Signature) -> tuple[list[Kinds], Variadic | None]:
    known = _SHAPES.get(id(sig))  # by identity: each op class's signature is one tuple, hashing it is slow
    if known is not None and known[0] is sig:
        return known[1]
    fixed = [c for c in sig if isinstance(c, Kinds)]
    shape = (fixed, sig[-1] if sig and isinstance(sig[-1], Variadic) else None)
    if len(_SHAPES) < 1024:  # op classes declare a few dozen distinct signatures
        _SHAPES[id(sig)] = (sig, shape)  # holds `sig`, so its id is not reused
    return shape


def check_signature(sig: Signature, types: list[Type]) -> str | None:
    """Returns why `types` does not fit `sig`, or None when it does."""
    fixed, tail = _shape(sig)
    if not fixed and tail is not None and not tail.each.kinds and not tail.min:
        return None  # any number of values of any type (the default signature)
    if tail is None and len(types) != len(fixed):
        return f"expected {len(fixed)}, got {len(types)}"
    if tail is not None and len(types) < len(fixed) + tail.min:
        return f"expected at least {len(fixed) + tail.min}, got {len(types)}"
    for i, t in enumerate(types):
        c = fixed[i] if i < len(fixed) else tail.each if tail else None
        if c is not None and not c.accepts(t):
            return f"#{i} is {t}, expected {c}"
    return None
