"""The `cpu.data` target: the `data.*` ops, evaluated in the scheduler's process.

`data.json_get` takes a JSONPath subset:

    $.a.b   $['a']   $.items[0]   $.items[-1]   $.items[1:3]   $.items[*]   $.*   $..name
    $.items[?(@.status.phase != 'Running')]   [?(@.n > 3 && @.ok == true)]   [?(@.name =~ 'api-.*')]   [?(@.x)]

A path without wildcards, slices, filters or `..` is *definite* and yields one
value (a missing key is an error naming the path); any other path yields the list
of every match (possibly empty).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from skc.ir.core import Op
from skc.ir.dialects.data import (
    DATA_DIALECT,
    ConcatOp,
    ConstOp,
    CountOp,
    JsonGetOp,
    RegexExtractOp,
    TemplateOp,
)
from skc.runtime.targets.base import ExecContext, OpFailed, OpResult, Target
from skc.runtime.values import NUMBER, coerce, substitute, to_text


class DataTarget(Target):
    """Pure value transformations (constants, templates, JSONPath, regex, concat, count)."""

    name = "cpu.data"
    ops = tuple(c.name for c in DATA_DIALECT.ops)  # each has its kernel in `_EVAL` below
    in_process = True

    async def execute(self, op: Op, args: list[Any], ctx: ExecContext) -> OpResult:
        return self.execute_now(op, args, ctx)

    def runs_now(self, op: Op) -> bool:
        return True

    def execute_now(self, op: Op, args: list[Any], ctx: ExecContext) -> OpResult:
        try:
            return OpResult([evaluate(op, args)])
        except (ValueError, KeyError, IndexError, TypeError, re.error) as e:
            raise OpFailed(f"{op.op_name}: {e}", retryable=False) from None


def _const(op: Op, args: list[Any]) -> Any:
    value = op.attributes.get("value")
    return coerce(value, op.results[0].type) if op.results else value


def _json_get(op: Op, args: list[Any]) -> Any:
    source = args[0]
    if isinstance(source, str):
        source = json.loads(source) if source.strip() else None
    return json_path(str(op.attributes["path"]), source)


def _concat(op: Op, args: list[Any]) -> Any:
    if op.results and op.results[0].type.kind == "json":
        return list(args)
    sep = op.attributes.get("sep")
    return (sep if isinstance(sep, str) else "\n").join(to_text(v) for v in args)


# One kernel per data op class: (op, operand values) -> result value.
_EVAL: dict[type[Op], Callable[[Op, list[Any]], Any]] = {
    ConstOp: _const,
    TemplateOp: lambda op, args: substitute(str(op.attributes["template"]), args),
    JsonGetOp: _json_get,
    RegexExtractOp: lambda op, args: regex_extract(args[0], str(op.attributes["pattern"]), op.attributes.get("group"),
                                                   bool(op.attributes.get("all"))),
    ConcatOp: _concat,
    CountOp: lambda op, args: count(args[0]),
}


def evaluate(op: Op, args: list[Any]) -> Any:
    """The value of one data op over its operand values (its kernel in `_EVAL`)."""
    kernel = _EVAL.get(type(op))
    if kernel is None:
        raise ValueError(f"no evaluator for {op.op_name}")
    return kernel(op, args)


def count(value: Any) -> int:
    """JSON array length / table rows / object keys / non-empty text lines."""
    if value is None:
        return 0
    if isinstance(value, list | dict):
        return len(value)
    if isinstance(value, str):
        return sum(1 for line in value.splitlines() if line.strip())
    return 1


def regex_extract(source: Any, pattern: str, group: Any, all_: bool) -> Any:
    text = source if isinstance(source, str) else to_text(source)
    rx = re.compile(pattern, re.MULTILINE)
    g = int(group) if isinstance(group, int) else (1 if rx.groups else 0)
    if all_:
        return [m.group(g) or "" for m in rx.finditer(text)]
    m = rx.search(text)
    return (m.group(g) or "") if m else ""


# ---------------------------------------------------------------- JSONPath subset

_TOKEN = re.compile(r"""
    (?P<rec>\.\.)(?P<recname>[A-Za-z_$][\w$-]*|\*)
  | \.(?P<name>[A-Za-z_$][\w$-]*)
  | \.(?P<dotstar>\*)
  | \[\s*(?P<star>\*)\s*\]
  | \[\s*(?P<slice>-?\d*\s*:\s*-?\d*)\s*\]
  | \[\s*(?P<index>-?\d+)\s*\]
  | \[\s*(?P<quoted>'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")\s*\]
  | \[\s*\?\s*\((?P<filter>.*?)\)\s*\](?=$|[.\[])
""", re.VERBOSE)

_COMPARE = re.compile(r"""\s*@(?P<path>(?:\.[A-Za-z_$][\w$-]*|\[\d+\]|\['[^']*'\])*)\s*
    (?:(?P<op>==|!=|<=|>=|<|>|=~)\s*(?P<lit>'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?|true|false|null))?\s*\Z""",
                      re.VERBOSE)


@dataclass(frozen=True)
class _Step:
    kind: str  # name, index, slice, star, rec, filter
    arg: Any = None


def _unquote(literal: str) -> str:
    return re.sub(r"\\(.)", r"\1", literal[1:-1])


def parse_path(path: str) -> tuple[list[_Step], bool]:
    """JSONPath text -> (steps, definite). ValueError on anything outside the subset."""
    text = path.strip()
    if not text.startswith("$"):
        raise ValueError(f"JSONPath {path!r} must start with $")
    steps: list[_Step] = []
    pos = 1
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None:
            raise ValueError(f"JSONPath {path!r}: cannot read {text[pos:]!r}")
        if m.group("rec"):
            steps.append(_Step("rec", m.group("recname")))
        elif m.group("name") is not None:
            steps.append(_Step("name", m.group("name")))
        elif m.group("dotstar") or m.group("star"):
            steps.append(_Step("star"))
        elif m.group("slice") is not None:
            lo, hi = (s.strip() for s in m.group("slice").split(":"))
            steps.append(_Step("slice", (int(lo) if lo else None, int(hi) if hi else None)))
        elif m.group("index") is not None:
            steps.append(_Step("index", int(m.group("index"))))
        elif m.group("quoted") is not None:
            steps.append(_Step("name", _unquote(m.group("quoted"))))
        else:
            steps.append(_Step("filter", _parse_filter(m.group("filter"), path)))
        pos = m.end()
    definite = all(s.kind in ("name", "index") for s in steps)
    return steps, definite


def _parse_filter(expr: str, path: str) -> list[list[tuple[list[_Step], str | None, Any]]]:
    """`a && b || c` -> [[a, b], [c]] (or of ands), each a (sub-path, operator, literal)."""
    disjuncts = []
    for alt in re.split(r"\s*\|\|\s*", expr):
        conj = []
        for term in re.split(r"\s*&&\s*", alt):
            m = _COMPARE.match(term)
            if m is None:
                raise ValueError(f"JSONPath {path!r}: unsupported filter {term.strip()!r}")
            sub, _ = parse_path("$" + m.group("path"))
            lit = m.group("lit")
            value: Any = None
            if lit is not None:
                value = _unquote(lit) if lit[0] in "'\"" else json.loads(lit)
            conj.append((sub, m.group("op"), value))
        disjuncts.append(conj)
    return disjuncts


def _compare(left: Any, op: str, right: Any) -> bool:
    if op == "==":
        return bool(left == right or (isinstance(right, str) and not isinstance(left, str)
                                      and left is not None and to_text(left) == right))
    if op == "!=":
        return not _compare(left, "==", right)
    if op == "=~":
        return isinstance(left, str) and re.search(str(right), left) is not None
    try:
        lhs = float(left) if isinstance(right, NUMBER) and not isinstance(left, bool) else left
        return bool({"<": lhs < right, "<=": lhs <= right, ">": lhs > right, ">=": lhs >= right}[op])
    except (TypeError, ValueError):
        return False


_MISSING = object()


def _get(node: Any, step: _Step) -> Any:
    if step.kind == "name":
        return node.get(step.arg, _MISSING) if isinstance(node, dict) else _MISSING
    if isinstance(node, list) and -len(node) <= step.arg < len(node):
        return node[step.arg]
    return _MISSING


def _children(node: Any) -> list[Any]:
    if isinstance(node, dict):
        return list(node.values())
    return list(node) if isinstance(node, list) else []


def _descendants(node: Any) -> list[Any]:
    out = [node]
    for child in _children(node):
        out.extend(_descendants(child))
    return out


def _matches(node: Any, disjuncts: list) -> bool:
    for conj in disjuncts:
        ok = True
        for sub, op, value in conj:
            found = _walk(sub, [node])
            if op is None:
                ok = bool(found)
            else:
                ok = bool(found) and _compare(found[0], op, value)
            if not ok:
                break
        if ok:
            return True
    return False


def _walk(steps: list[_Step], nodes: list[Any]) -> list[Any]:
    for step in steps:
        out: list[Any] = []
        for node in nodes:
            if step.kind in ("name", "index"):
                got = _get(node, step)
                if got is not _MISSING:
                    out.append(got)
            elif step.kind == "star":
                out.extend(_children(node))
            elif step.kind == "slice":
                if isinstance(node, list):
                    out.extend(node[step.arg[0]:step.arg[1]])
            elif step.kind == "rec":
                for d in _descendants(node):
                    if step.arg == "*":
                        out.extend(_children(d))
                    elif isinstance(d, dict) and step.arg in d:
                        out.append(d[step.arg])
            else:
                out.extend(c for c in _children(node) if _matches(c, step.arg))
        nodes = out
    return nodes


def json_path(path: str, document: Any) -> Any:
    """Evaluates `path` on `document`: one value for a definite path, else a list of matches."""
    steps, definite = parse_path(path)
    found = _walk(steps, [document])
    if definite:
        if not found:
            raise KeyError(f"{path} matched nothing")
        return found[0]
    return found
