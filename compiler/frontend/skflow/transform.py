"""The lark Transformer for `grammar/skflow.lark`: one method per rule or alias,
building the `skflow_ast` tree. String tokens are decoded here (`skflow_strings`)
and their escape errors collected in `SkflowTransformer.errors`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from lark import Token, Transformer, v_args

from skc.compiler.frontend.skflow.nodes import (
    CMP_PREDICATES,
    Bare,
    Binary,
    Bind,
    Block,
    Call,
    Clause,
    Document,
    ExprAction,
    GenericAction,
    IfAction,
    KwArg,
    Lit,
    LlmAction,
    LocAnn,
    MapAction,
    Not,
    Output,
    Results,
    RetryAction,
    Return,
    ToolAction,
    TypeRef,
    Var,
    Workflow,
    Yield,
)
from skc.compiler.frontend.skflow.strings import StringError, Text, decode


def _pos(meta: Any) -> tuple[int, int]:
    return getattr(meta, "line", 0), getattr(meta, "column", 0)


def _tok(t: Token) -> tuple[int, int]:
    return t.line or 0, t.column or 0


def _plain(v: Any) -> Any:
    return v.plain() if isinstance(v, Text) else v


def _pick(children: list[Any], kind: type) -> list[Any]:
    return [c for c in children if isinstance(c, kind)]


def _one(children: list[Any], kind: type) -> Any:
    found = _pick(children, kind)
    return found[0] if found else None


@v_args(meta=True)
class SkflowTransformer(Transformer):
    """Lark tree -> `Document`. One method per rule or alias of `skflow.lark`."""

    def __init__(self) -> None:
        super().__init__()
        self.errors: list[StringError] = []

    # -- literals

    def string(self, meta: Any, children: list[Token]) -> Text:
        tok = children[0]
        text = decode(str(tok), *_tok(tok))
        self.errors.extend(text.errors)
        return text

    def number(self, meta: Any, children: list[Token]) -> int | float:
        tok = children[-1]
        if tok.type == "INT" and len(tok) > 300:  # int() refuses over 4300 digits; no workflow needs 300
            self.errors.append(StringError(f"a number of {len(tok)} digits is too long", tok.line or 1,
                                           tok.column or 1, "numbers have at most 300 digits"))
            return 0
        if tok.type == "INT":
            value: int | float = int(tok)
        else:
            value = float(tok)  # FLOAT, inf or nan
        return -value if len(children) == 2 else value

    def boolean(self, meta: Any, children: list[Token]) -> bool:
        return str(children[0]) == "true"

    def bool_lit(self, meta: Any, children: list[Any]) -> bool:
        return bool(children[0])

    def null_lit(self, meta: Any, children: list[Any]) -> None:
        return None

    def lit_list(self, meta: Any, children: list[Any]) -> list[Any]:
        return [_plain(c) for c in children]

    def pair(self, meta: Any, children: list[Any]) -> tuple[str, Any]:
        key = children[0]
        return (key.plain() if isinstance(key, Text) else str(key)), _plain(children[1])

    def lit_dict(self, meta: Any, children: list[tuple[str, Any]]) -> dict[str, Any]:
        return dict(children)

    # -- types, locations, results

    def plain_type(self, meta: Any, children: list[Token]) -> TypeRef:
        return TypeRef(str(children[0]), None, *_pos(meta))

    def schema_type(self, meta: Any, children: list[Any]) -> TypeRef:
        import json

        schema = children[1]
        text = schema.plain() if isinstance(schema, Text) else json.dumps(
            schema, separators=(",", ":"), ensure_ascii=False)
        return TypeRef(str(children[0]), text, *_pos(meta))

    def loc_full(self, meta: Any, children: list[Any]) -> LocAnn:
        file = decode(str(children[0])).plain()
        return LocAnn(file, int(children[1]), int(children[2]), *_pos(meta))

    def loc_short(self, meta: Any, children: list[Any]) -> LocAnn:
        return LocAnn(None, int(children[0]), int(children[1]), *_pos(meta))

    def loc_unknown(self, meta: Any, children: list[Any]) -> LocAnn:
        return LocAnn("", 0, 0, *_pos(meta))

    def one_result(self, meta: Any, children: list[TypeRef]) -> Results:
        return Results(tuple(children), *_pos(meta))

    no_results = many_results = one_result

    # -- expressions

    def var(self, meta: Any, children: list[Token]) -> Var:
        return Var(str(children[0]), *_tok(children[0]))

    def lit_expr(self, meta: Any, children: list[Any]) -> Lit:
        value = children[0]
        if isinstance(value, Text):
            return Lit(value.plain(), *_pos(meta), text=value)
        return Lit(value, *_pos(meta))

    def kwarg(self, meta: Any, children: list[Any]) -> KwArg:
        return KwArg(str(children[0]), _plain(children[1]), *_pos(meta))

    def call_args(self, meta: Any, children: list[Any]) -> list[Any]:
        return children

    def call(self, meta: Any, children: list[Any]) -> Call:
        args = children[1] if len(children) > 1 else []
        return Call(str(children[0]), tuple(a for a in args if not isinstance(a, KwArg)),
                    tuple(a for a in args if isinstance(a, KwArg)), *_pos(meta))

    def _binary(self, op: str, meta: Any, children: list[Any]) -> Binary:
        return Binary(op, children[0], children[-1], *_pos(meta))

    def or_(self, meta: Any, children: list[Any]) -> Binary:
        return self._binary("or", meta, children)

    def and_(self, meta: Any, children: list[Any]) -> Binary:
        return self._binary("and", meta, children)

    def add(self, meta: Any, children: list[Any]) -> Binary:
        return self._binary("add", meta, children)

    def sub(self, meta: Any, children: list[Any]) -> Binary:
        return self._binary("sub", meta, children)

    def mul(self, meta: Any, children: list[Any]) -> Binary:
        return self._binary("mul", meta, children)

    def div(self, meta: Any, children: list[Any]) -> Binary:
        return self._binary("div", meta, children)

    def cmp_op(self, meta: Any, children: list[Token]) -> str:
        return CMP_PREDICATES[str(children[0])]

    def cmp(self, meta: Any, children: list[Any]) -> Binary:
        return Binary(children[1], children[0], children[2], *_pos(meta))

    def not_(self, meta: Any, children: list[Any]) -> Not:
        return Not(children[0], *_pos(meta))

    def exprs(self, meta: Any, children: list[Any]) -> tuple[Any, ...]:
        return tuple(children)

    # -- clauses

    def name_list(self, meta: Any, children: list[Token]) -> tuple[Var, ...]:
        return tuple(Var(str(t), *_tok(t)) for t in children)

    operand_names = bind_names = name_list

    def _clause(self, key: str, value: Any, meta: Any) -> Clause:
        return Clause(key, value, *_pos(meta))

    def with_clause(self, meta: Any, children: list[Any]) -> Clause:
        return self._clause("with", children[0], meta)

    def needs_clause(self, meta: Any, children: list[Any]) -> Clause:
        return self._clause("needs", children[0], meta)

    def effect(self, meta: Any, children: list[Token]) -> str:
        return str(children[0])

    def pure_effect(self, meta: Any, children: list[Any]) -> str:
        return "pure"

    def quoted_effect(self, meta: Any, children: list[Text]) -> str:
        return children[0].plain()

    def effects_clause(self, meta: Any, children: list[str]) -> Clause:
        return self._clause("effects", list(children), meta)

    def attrs_clause(self, meta: Any, children: list[Any]) -> Clause:
        return self._clause("attrs", children[0], meta)

    def flag_kw(self, meta: Any, children: list[Token]) -> str:
        return str(children[0])

    value_kw = word_kw = llm_kind = http_method = flag_kw

    def flag_clause(self, meta: Any, children: list[Any]) -> Clause:
        return self._clause(children[0], children[1] if len(children) > 1 else True, meta)

    def args_clause(self, meta: Any, children: list[Any]) -> Clause:
        return self._clause("args", children[0], meta)

    def outcome_name(self, meta: Any, children: list[Token]) -> str:
        return str(children[0])

    def outcomes_clause(self, meta: Any, children: list[Any]) -> Clause:
        return self._clause("outcomes", [_plain(c) for c in children], meta)

    def word_clause(self, meta: Any, children: list[Any]) -> Clause:
        return self._clause(children[0], _plain(children[1]) if isinstance(children[1], Text)
                            else str(children[1]), meta)

    def value_clause(self, meta: Any, children: list[Any]) -> Clause:
        return self._clause(children[0], children[1], meta)

    def label_clause(self, meta: Any, children: list[Text]) -> Clause:
        return self._clause("label", children[0], meta)

    def parallel_clause(self, meta: Any, children: list[Token]) -> Clause:
        return self._clause("parallel", int(children[0]), meta)

    def backoff_clause(self, meta: Any, children: list[Any]) -> Clause:
        return self._clause("backoff", children[0], meta)

    # -- actions

    def argv(self, meta: Any, children: list[Any]) -> tuple[Text | Var, ...]:
        return tuple(children)

    def arg_name(self, meta: Any, children: list[Token]) -> Var:
        return Var(str(children[0]), *_tok(children[0]))

    def shell_argv(self, meta: Any, children: list[Any]) -> tuple[str, Any]:
        return "shell_argv", children[0]

    def shell_cmd(self, meta: Any, children: list[Any]) -> tuple[str, Any]:
        return "shell_cmd", children[-1]

    def python(self, meta: Any, children: list[Any]) -> tuple[str, Any]:
        return "python", children[-1]

    def sql(self, meta: Any, children: list[Any]) -> tuple[str, Any]:
        return "sql", children[-1]

    def script(self, meta: Any, children: list[Any]) -> tuple[str, Any]:
        return "script", children[-1]

    def file_read(self, meta: Any, children: list[Any]) -> tuple[str, Any]:
        return "file_read", children[-1]

    def http(self, meta: Any, children: list[Any]) -> tuple[str, Any, str | None]:
        return "http", children[-1], (children[0] if len(children) > 1 else None)

    def file_write(self, meta: Any, children: list[Any]) -> tuple[str, Any, Any]:
        return "file_write", children[1], children[0]

    def tool_action(self, meta: Any, children: list[Any]) -> ToolAction:
        head = children[0]
        method = head[2] if head[0] == "http" else None
        content = head[2] if head[0] == "file_write" else None
        return ToolAction(head[0], head[1], tuple(_pick(children, Clause)), _one(children, Results),
                          _one(children, LocAnn), *_pos(meta), method=method, content=content)

    def llm_action(self, meta: Any, children: list[Any]) -> LlmAction:
        return LlmAction(children[0], children[1], tuple(_pick(children, Clause)),
                         _one(children, Results), _one(children, LocAnn), *_pos(meta))

    def generic_action(self, meta: Any, children: list[Any]) -> GenericAction:
        name = decode(str(children[0])).plain()
        operands = next((c for c in children[1:] if isinstance(c, tuple)), ())
        attrs = next((c for c in children[1:] if isinstance(c, dict)), {})
        return GenericAction(name, operands, attrs, _one(children, Results), _one(children, LocAnn),
                             *_pos(meta))

    def expr_attrs(self, meta: Any, children: list[Any]) -> Clause:
        return self._clause("attrs", children[0], meta)

    def expr_action(self, meta: Any, children: list[Any]) -> ExprAction:
        return ExprAction(children[0], _one(children[1:], Results), _one(children, LocAnn), *_pos(meta),
                          attrs=_one(children[1:], Clause))

    def block(self, meta: Any, children: list[Any]) -> Block:
        return Block(tuple(children), *_pos(meta), getattr(meta, "end_line", 0),
                     getattr(meta, "end_column", 0))

    def if_chain(self, meta: Any, children: list[Any]) -> IfAction:
        blocks = [c for c in children[1:] if isinstance(c, Block)]
        last = children[-1]
        orelse: Block | IfAction | None = last.block if isinstance(last, _Else) else \
            last if isinstance(last, IfAction) else None
        return IfAction(children[0], tuple(_pick(children, Clause)), _one(children, LocAnn),
                        blocks[0], orelse, *_pos(meta))

    def else_block(self, meta: Any, children: list[Block]) -> _Else:
        return _Else(children[0])

    def else_if(self, meta: Any, children: list[IfAction]) -> IfAction:
        return children[0]

    def if_action(self, meta: Any, children: list[Any]) -> IfAction:
        chain: IfAction = children[0]
        results = _one(children[1:], Results)
        return IfAction(chain.cond, chain.clauses, chain.loc, chain.then, chain.orelse,
                        chain.line, chain.col, results)

    def item_type(self, meta: Any, children: list[TypeRef]) -> TypeRef:
        return children[0]

    def map_action(self, meta: Any, children: list[Any]) -> MapAction:
        item = Var(str(children[0]), *_tok(children[0]))
        rest = children[1:]
        item_type = rest.pop(0) if isinstance(rest[0], TypeRef) else None
        items = rest[0]
        return MapAction(item, item_type, items, tuple(_pick(rest, Clause)), _one(rest, LocAnn),
                         _one(rest, Block), _one(rest, Results), *_pos(meta))

    def retry_action(self, meta: Any, children: list[Any]) -> RetryAction:
        return RetryAction(int(children[0]), tuple(_pick(children, Clause)), _one(children, LocAnn),
                           _one(children, Block), _one(children, Results), *_pos(meta))

    # -- statements

    def bind(self, meta: Any, children: list[Any]) -> Bind:
        return Bind(children[0], children[1], *_pos(meta))

    def bare(self, meta: Any, children: list[Any]) -> Bare:
        return Bare(children[0], *_pos(meta))

    def return_status(self, meta: Any, children: list[Text]) -> _Status:
        return _Status(children[0])

    def return_stmt(self, meta: Any, children: list[Any]) -> Return:
        values = next((c for c in children if isinstance(c, tuple)), ())
        status = _one(children, _Status)
        return Return(values, status.text if status else None, _one(children, LocAnn), *_pos(meta))

    def yield_stmt(self, meta: Any, children: list[Any]) -> Yield:
        values = next((c for c in children if isinstance(c, tuple)), ())
        return Yield(values, _one(children, LocAnn), *_pos(meta))

    # -- workflows

    def wf_name(self, meta: Any, children: list[Token]) -> _Name:
        tok = children[0]
        name = decode(str(tok)).plain() if tok.type == "STRING" else str(tok)
        return _Name(name)

    def param(self, meta: Any, children: list[Any]) -> tuple[Var, TypeRef]:
        return Var(str(children[0]), *_tok(children[0])), children[1]

    def params(self, meta: Any, children: list[Any]) -> _Params:
        return _Params(tuple(children))

    def named_output(self, meta: Any, children: list[Any]) -> Output:
        return Output(str(children[0]), children[1])

    def bare_output(self, meta: Any, children: list[TypeRef]) -> Output:
        return Output(None, children[0])

    def one_output(self, meta: Any, children: list[TypeRef]) -> _Outputs:
        return _Outputs((Output(None, children[0]),))

    def no_outputs(self, meta: Any, children: list[Any]) -> _Outputs:
        return _Outputs(())

    def many_outputs(self, meta: Any, children: list[Output]) -> _Outputs:
        return _Outputs(tuple(children))

    def permissions(self, meta: Any, children: list[Any]) -> Clause:
        return self._clause("permissions", children[0], meta)

    def description(self, meta: Any, children: list[Text]) -> Clause:
        return self._clause("description", children[0].plain(), meta)

    def source(self, meta: Any, children: list[Text]) -> Clause:
        return self._clause("source", children[0].plain(), meta)

    def workflow(self, meta: Any, children: list[Any]) -> Workflow:
        name = _one(children, _Name)
        params = _one(children, _Params)
        outputs = _one(children, _Outputs)
        body = tuple(c for c in children if isinstance(c, Bind | Bare | Return | Yield))
        return Workflow(name.name, params.items if params else (), outputs.items if outputs else None,
                        tuple(_pick(children, Clause)), _one(children, LocAnn), body, *_pos(meta),
                        getattr(meta, "end_line", 0), getattr(meta, "end_column", 0))

    def start(self, meta: Any, children: list[Workflow]) -> Document:
        return Document(list(children))


@dataclass(frozen=True, slots=True)
class _Else:
    block: Block


@dataclass(frozen=True, slots=True)
class _Status:
    text: Text


@dataclass(frozen=True, slots=True)
class _Name:
    name: str


@dataclass(frozen=True, slots=True)
class _Params:
    items: tuple[tuple[Var, TypeRef], ...]


@dataclass(frozen=True, slots=True)
class _Outputs:
    items: tuple[Output, ...]
