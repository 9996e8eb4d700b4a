"""The .skflow syntax tree: small frozen dataclasses, each with its line and column.

`skflow_transform` builds the tree from lark's parse of `grammar/skflow.lark`; the
tree stays close to the text, and `skflow_lower` gives it meaning (names, types,
operands, attributes). Strings arrive decoded (`skflow_strings.Text`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Union

from skc.compiler.frontend.skflow.strings import Text

# ---------------------------------------------------------------- expressions


@dataclass(frozen=True, slots=True)
class Var:
    name: str
    line: int
    col: int


@dataclass(frozen=True, slots=True)
class Lit:
    """A literal; `text` is set for a string (it may hold `{{name}}` insertions)."""

    value: Any
    line: int
    col: int
    text: Text | None = None


@dataclass(frozen=True, slots=True)
class KwArg:
    name: str
    value: Any
    line: int
    col: int


@dataclass(frozen=True, slots=True)
class Call:
    func: str
    args: tuple[Expr, ...]
    kwargs: tuple[KwArg, ...]
    line: int
    col: int


@dataclass(frozen=True, slots=True)
class Binary:
    """`op` is and, or, add, sub, mul, div, or a calc.cmp predicate (eq, gt, contains, ...)."""

    op: str
    lhs: Expr
    rhs: Expr
    line: int
    col: int


@dataclass(frozen=True, slots=True)
class Not:
    operand: Expr
    line: int
    col: int


Expr = Union[Var, Lit, Call, Binary, Not]  # noqa: UP007 (a runtime alias used in isinstance)

CMP_PREDICATES = {"==": "eq", "!=": "ne", "<": "lt", "<=": "le", ">": "gt", ">=": "ge",
                  "contains": "contains", "matches": "matches"}

# ---------------------------------------------------------------- clauses, types, locations


@dataclass(frozen=True, slots=True)
class TypeRef:
    kind: str
    schema: str | None
    line: int
    col: int


@dataclass(frozen=True, slots=True)
class Results:
    types: tuple[TypeRef, ...]
    line: int
    col: int


@dataclass(frozen=True, slots=True)
class LocAnn:
    """`@"file":line:col`, `@line:col` (file of the previous full annotation) or `@unknown`
    (`file == ""`, line and column 0)."""

    file: str | None
    line: int
    col: int
    at_line: int
    at_col: int


@dataclass(frozen=True, slots=True)
class Clause:
    """One clause: `key` is the keyword (`effects`, `with`, `timeout`, ...)."""

    key: str
    value: Any
    line: int
    col: int


# ---------------------------------------------------------------- actions and statements


@dataclass(frozen=True, slots=True)
class ToolAction:
    kind: str  # shell_argv, shell_cmd, python, sql, http, script, file_read, file_write
    main: Any  # argv: tuple[Text | Var, ...]; otherwise the Text of the command/code/query/url/path
    clauses: tuple[Clause, ...]
    results: Results | None
    loc: LocAnn | None
    line: int
    col: int
    method: str | None = None
    content: Expr | None = None


@dataclass(frozen=True, slots=True)
class LlmAction:
    kind: str  # generate, decide, extract, agent
    prompt: Text
    clauses: tuple[Clause, ...]
    results: Results | None
    loc: LocAnn | None
    line: int
    col: int


@dataclass(frozen=True, slots=True)
class GenericAction:
    opname: str
    operands: tuple[Var, ...]
    attrs: dict[str, Any]
    results: Results | None
    loc: LocAnn | None
    line: int
    col: int


@dataclass(frozen=True, slots=True)
class ExprAction:
    expr: Expr
    results: Results | None
    loc: LocAnn | None
    line: int
    col: int
    attrs: Clause | None = None  # `attrs {...}`: more attributes on the expression's top op


@dataclass(frozen=True, slots=True)
class Block:
    stmts: tuple[Stmt, ...]
    line: int
    col: int
    end_line: int
    end_col: int


@dataclass(frozen=True, slots=True)
class IfAction:
    cond: Expr
    clauses: tuple[Clause, ...]
    loc: LocAnn | None
    then: Block
    orelse: Block | IfAction | None
    line: int
    col: int
    results: Results | None = None


@dataclass(frozen=True, slots=True)
class MapAction:
    item: Var
    item_type: TypeRef | None
    items: Expr
    clauses: tuple[Clause, ...]
    loc: LocAnn | None
    body: Block
    results: Results | None
    line: int
    col: int


@dataclass(frozen=True, slots=True)
class RetryAction:
    attempts: int
    clauses: tuple[Clause, ...]
    loc: LocAnn | None
    body: Block
    results: Results | None
    line: int
    col: int


Action = Union[ToolAction, LlmAction, GenericAction, ExprAction, IfAction, MapAction, RetryAction]  # noqa: UP007


@dataclass(frozen=True, slots=True)
class Bind:
    names: tuple[Var, ...]
    action: Action
    line: int
    col: int


@dataclass(frozen=True, slots=True)
class Bare:
    action: Action
    line: int
    col: int


@dataclass(frozen=True, slots=True)
class Return:
    values: tuple[Expr, ...]
    status: Text | None
    loc: LocAnn | None
    line: int
    col: int


@dataclass(frozen=True, slots=True)
class Yield:
    values: tuple[Expr, ...]
    loc: LocAnn | None
    line: int
    col: int


Stmt = Union[Bind, Bare, Return, Yield]  # noqa: UP007


@dataclass(frozen=True, slots=True)
class Output:
    name: str | None
    type: TypeRef


@dataclass(frozen=True, slots=True)
class Workflow:
    name: str
    params: tuple[tuple[Var, TypeRef], ...]
    outputs: tuple[Output, ...] | None
    clauses: tuple[Clause, ...]
    loc: LocAnn | None
    body: tuple[Stmt, ...]
    line: int
    col: int
    end_line: int = 0
    end_col: int = 0


@dataclass
class Document:
    workflows: list[Workflow] = field(default_factory=list)
