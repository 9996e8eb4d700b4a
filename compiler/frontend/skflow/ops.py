"""What each .skflow op form means in IR terms: one table shared by the front end
(`skflow_lower`) and the printer (`skflow_printer`), so the two cannot drift apart.

A form is the keyword a step starts with (`shell`, `sql`, `decide`, ...). It names
the IR op, the attribute its main argument fills, the clauses it accepts (each
clause sets one attribute), which strings take `{{name}}` insertions (in the order
operands are collected from them) and the defaults the language fills in.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from skc.ir.core import Op
from skc.ir.dialects import op_class
from skc.ir.dialects.calc import AddOp, AndOp, CmpOp, DivOp, MulOp, NotOp, OrOp, SubOp
from skc.ir.dialects.data import ConstOp, CountOp, JsonGetOp, RegexExtractOp
from skc.ir.types import BOOL, JSON, NUM, TABLE, TEXT, TOKEN, Type

# `{N}` in a templated IR string is the N-th operand (when N is below the operand count).
PLACEHOLDER = re.compile(r"\{(\d+)\}")

# Words that start an expression: never a keyword argument's name.
EXPR_WORDS = frozenset({"not", "true", "false", "null", "inf", "nan"})

# Words the printer never uses as value names (they start statements or expressions).
RESERVED = frozenset({
    "workflow", "step", "if", "else", "map", "in", "retry", "return", "yield", "and", "or",
    "not", "true", "false", "null", "contains", "matches", "op", "to", "shell", "python",
    "sql", "http", "script", "file_read", "file_write", "generate", "decide", "extract", "agent",
    "inf", "nan",
})

TYPE_NAMES = ("text", "json", "table", "bool", "num", "file", "token")


@dataclass(frozen=True, slots=True)
class ClauseSpec:
    """A clause keyword and the attribute it sets.

    `form`: literal (any literal), text (a string), templated (a string with
    insertions), word (a name or string), flag (`confirm` or `confirm false`),
    effects, argv (a list of strings and names), outcomes, schema (JSON text,
    written as a string or an object).
    """

    key: str
    attr: str
    form: str = "literal"


_TOOL = (
    ClauseSpec("effects", "effects", "effects"),
    ClauseSpec("timeout", "timeout_s"),
    ClauseSpec("retries", "retries"),
    ClauseSpec("fallback", "fallback", "text"),
    ClauseSpec("confirm", "confirm", "flag"),
    ClauseSpec("label", "step", "text"),
)
_LLM = (
    ClauseSpec("system", "system", "text"),
    ClauseSpec("max_tokens", "max_tokens"),
    ClauseSpec("temperature", "temperature"),
    ClauseSpec("model", "model", "text"),
    ClauseSpec("examples", "examples"),
    ClauseSpec("label", "step", "text"),
)


def _fs_effect(mode: str) -> Callable[[dict], list[str]]:
    """`read:fs:<path>`; a path with insertions names its fixed prefix (the folder before the first one)."""

    def effects(attrs: dict) -> list[str]:
        path = str(attrs.get("path", ""))
        cut = path.find("{")
        if cut >= 0 and "/" in path[:cut]:
            path = path[:path.rfind("/", 0, cut) + 1]
        return [f"{mode}:fs:{path}"]

    return effects


@dataclass(frozen=True, slots=True)
class OpForm:
    """One op form of the language."""

    keyword: str
    op_name: str
    main_attr: str | None
    main_form: str  # argv, templated, text, content (file_write: an expression, then `to` path)
    clauses: tuple[ClauseSpec, ...]
    templated: tuple[str, ...]  # attributes with insertions, in operand-collection order
    default_result: Callable[[dict], Type] = lambda attrs: TEXT
    default_effects: Callable[[dict], list[str]] | None = None
    default_attrs: tuple[tuple[str, object], ...] = ()
    required: tuple[str, ...] = ()  # clauses the language cannot default

    def clause(self, key: str) -> ClauseSpec | None:
        return next((c for c in self.clauses if c.key == key), None)

    def clause_for_attr(self, attr: str) -> ClauseSpec | None:
        return next((c for c in self.clauses if c.attr == attr), None)


FORMS: dict[str, OpForm] = {f.keyword: f for f in [
    OpForm("shell", "tool.shell", None, "argv", (*_TOOL, ClauseSpec("cwd", "cwd", "text"),
           ClauseSpec("env", "env")), ("argv", "cmd"), required=("effects",)),
    OpForm("python", "tool.python", "code", "text", _TOOL, (),
           default_effects=lambda a: ["pure"]),
    OpForm("sql", "tool.sql", "query", "templated", (*_TOOL, ClauseSpec("db", "db", "word"),
           ClauseSpec("lang", "lang", "word")), ("query",), default_result=lambda a: TABLE,
           default_effects=lambda a: [f"read:db:{a.get('db') or 'default'}"]),
    OpForm("http", "tool.http", "url", "templated", (*_TOOL, ClauseSpec("body", "body", "templated"),
           ClauseSpec("headers", "headers")), ("url", "body"),
           default_effects=lambda a: ["net:http"]),
    OpForm("script", "tool.script", "path", "templated", (*_TOOL, ClauseSpec("args", "args", "argv"),
           ClauseSpec("interpreter", "interpreter", "text")), ("path", "args"),
           default_effects=lambda a: ["write:*"]),
    OpForm("file_read", "tool.file_read", "path", "templated", _TOOL, ("path",),
           default_effects=_fs_effect("read")),
    OpForm("file_write", "tool.file_write", "path", "content", (*_TOOL, ClauseSpec("append", "append", "flag")),
           ("path",), default_result=lambda a: TOKEN, default_effects=_fs_effect("write")),
    OpForm("generate", "llm.generate", "prompt", "text", (*_LLM, ClauseSpec("schema", "schema", "schema")), (),
           default_result=lambda a: JSON if "schema" in a else TEXT),
    OpForm("decide", "llm.decide", "prompt", "text", (*_LLM, ClauseSpec("outcomes", "outcomes", "outcomes")), (),
           required=("outcomes",)),
    OpForm("extract", "llm.extract", "prompt", "text", (*_LLM, ClauseSpec("schema", "schema", "schema")), (),
           default_result=lambda a: JSON, required=("schema",)),
    OpForm("agent", "llm.agent", "prompt", "text", (
        *_LLM, ClauseSpec("tools", "tools"), ClauseSpec("max_turns", "max_turns"),
        ClauseSpec("timeout", "timeout_s"), ClauseSpec("effects", "effects", "effects")), (),
           default_attrs=(("max_turns", 8), ("max_tokens", 4096)), required=("effects", "tools")),
]}

FORM_OF_OP: dict[str, OpForm] = {f.op_name: f for f in FORMS.values()}

# Data ops written as calls in expressions: name -> (op, parameters). A parameter is
# `expr` (one operand), `*expr` (any number of operands), `lit:<attr>` (a literal that
# sets the attribute) or `tmpl:<attr>` (a string whose insertions become operands).
# Keyword arguments (`group=1`) set attributes.
CALLS: dict[str, tuple[str, tuple[str, ...]]] = {
    "count": ("data.count", ("expr",)),
    "json_get": ("data.json_get", ("expr", "lit:path")),
    "regex_extract": ("data.regex_extract", ("expr", "lit:pattern")),
    "concat": ("data.concat", ("*expr",)),
    "template": ("data.template", ("tmpl:template",)),
    "const": ("data.const", ("lit:value",)),
}
CALL_SIGNATURES = {
    "count": "count(items)", "json_get": 'json_get(doc, "$.path")',
    "regex_extract": 'regex_extract(text, r"pattern", group=1)', "concat": 'concat(a, b, sep="\\n")',
    "template": 'template("text with {{name}}")', "const": "const(literal)",
}
CALL_OF_OP = {op: name for name, (op, _) in CALLS.items()}

BINARY_OPS = {"and": "calc.and", "or": "calc.or", "add": "calc.add", "sub": "calc.sub",
              "mul": "calc.mul", "div": "calc.div"}
OP_OF_BINARY = {v: k for k, v in BINARY_OPS.items()}


# The result type of each expression op class unless the step says `-> type` (from its attributes).
_RESULT: dict[type[Op], Callable[[dict], Type]] = {
    **dict.fromkeys((AddOp, SubOp, MulOp, DivOp), lambda attrs: NUM),
    **dict.fromkeys((CmpOp, AndOp, OrOp, NotOp), lambda attrs: BOOL),
    CountOp: lambda attrs: NUM,
    JsonGetOp: lambda attrs: JSON,
    RegexExtractOp: lambda attrs: JSON if attrs.get("all") is True else TEXT,
    ConstOp: lambda attrs: const_type(attrs.get("value")),
}


def expr_result(op_name: str, attrs: dict) -> Type:
    """The result type an expression op has unless the step says `-> type`."""
    cls = op_class(op_name)
    how = _RESULT.get(cls) if cls is not None else None
    return how(attrs) if how is not None else TEXT


def const_type(value: object) -> Type:
    if isinstance(value, bool):
        return Type("bool")
    if isinstance(value, int | float):
        return Type("num")
    if isinstance(value, str):
        return TEXT
    return JSON
