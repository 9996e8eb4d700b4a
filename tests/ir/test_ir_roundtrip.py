"""Round trip of random IR: build -> print -> parse gives the same IR and the same text.

Random workflows are built through the snake_case builders (every dialect, nested
`ctrl.if` / `ctrl.map` / `ctrl.retry` regions, multi-result tool ops) with random
strings (any unicode, quotes, backslashes, newlines), integers, floats (nan and
infinities included), nested lists and dictionaries, name hints and locations.
Each one verifies clean, prints to text that parses back structurally equal and
prints identically, and upstream MLIR's parser accepts that text.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from skc.ir import (
    BOOL,
    FILE,
    JSON,
    NUM,
    TABLE,
    TEXT,
    TOKEN,
    UNKNOWN,
    InsertionPoint,
    Location,
    Module,
    Type,
    Value,
    calc,
    ctrl,
    data,
    insert,
    json_type,
    llm,
    parse_module,
    print_module,
    tool,
    verify,
    workflow,
)
from skc.ir.dialects.tool import ShellOp

texts = st.text(max_size=24)
DATA_TYPES = [TEXT, JSON, TABLE, BOOL, NUM, FILE, json_type('{"type":"array"}')]
data_types = st.one_of(st.sampled_from(DATA_TYPES), st.builds(json_type, texts))  # any schema text
ints = st.integers(-(2**63), 2**63 - 1)
floats = st.floats(allow_nan=True, allow_infinity=True)
scalars = st.one_of(st.booleans(), ints, floats, texts)
attr_values = st.recursive(
    st.one_of(st.none(), scalars),
    lambda inner: st.one_of(st.lists(inner, max_size=4),
                            st.dictionaries(st.text(min_size=1, max_size=8), inner, max_size=4)),
    max_leaves=12,
)
name_hints = st.one_of(st.none(), st.from_regex(r"[A-Za-z_$.\-][A-Za-z0-9_$.\-]{0,6}", fullmatch=True))
locations = st.one_of(st.just(UNKNOWN), st.builds(Location, st.text(min_size=1, max_size=16),
                                                  st.integers(0, 10**6), st.integers(0, 10**4)))
resources = st.text(min_size=1, max_size=12).filter(lambda s: s == s.strip())  # `fs:/a b` is fine, `fs:/a ` is not
effect_lists = st.lists(st.one_of(st.just("pure"),
                                  st.builds("{}:{}".format, st.sampled_from(["read", "write", "net"]), resources)),
                        min_size=1, max_size=3)
sym_names = st.from_regex(r"[A-Za-z_][A-Za-z0-9_.\-]{0,10}", fullmatch=True)


Draw = Callable[[st.SearchStrategy[Any]], Any]


class Builder:
    """Draws one random op at a time into the current insertion point, tracking live values."""

    def __init__(self, draw: Draw, max_depth: int = 2) -> None:
        self.draw = draw
        self.max_depth = max_depth

    def pick(self, scope: list[Value], kinds: tuple[str, ...]) -> Value | None:
        fit = [v for v in scope if v.type.kind in kinds]
        return self.draw(st.sampled_from(fit)) if fit else None

    def value(self, scope: list[Value], t: Type) -> Value:
        """A value of type `t`: one in scope, or a new constant."""
        fit = [v for v in scope if v.type == t]
        if fit and self.draw(st.booleans()):
            return self.draw(st.sampled_from(fit))
        return self.const(t)

    def const(self, t: Type) -> Value:
        d = self.draw
        value = {"text": texts, "num": st.one_of(ints, floats), "bool": st.booleans()}.get(
            t.kind, st.one_of(st.lists(attr_values, max_size=3), st.dictionaries(texts.filter(bool), attr_values, max_size=3)))
        return data.const(d(value), t, loc=d(locations), name=d(name_hints))

    def operands(self, scope: list[Value]) -> list[Value]:
        return self.draw(st.lists(st.sampled_from(scope), max_size=3)) if scope else []

    def block(self, scope: list[Value], depth: int, n: int) -> list[Value]:
        """Builds `n` random ops; returns the scope extended with their results."""
        scope = list(scope)
        for _ in range(n):
            scope += self.op(scope, depth)
        return scope

    def op(self, scope: list[Value], depth: int) -> list[Value]:
        d = self.draw
        loc, name = d(locations), d(name_hints)
        ops = ["const", "template", "json_get", "regex", "concat", "count", "generate", "decide",
               "extract", "agent", "shell", "shell2", "python", "sql", "http", "script", "read",
               "write", "cmp", "logic", "not", "arith"]
        if depth < self.max_depth:
            ops += ["if", "map", "retry"]
        kind = d(st.sampled_from(ops))
        ctx = self.operands(scope)
        if kind == "const":
            return [self.const(d(data_types))]
        if kind == "template":
            return [data.template(d(texts), *ctx, loc=loc, name=name)]
        if kind == "json_get":
            src = self.pick(scope, ("json", "table", "text")) or self.const(JSON)
            return [data.json_get(src, d(texts), d(data_types), loc=loc, name=name)]
        if kind == "regex":
            src = self.pick(scope, ("text", "json", "table", "file")) or self.const(TEXT)
            return [data.regex_extract(src, re.escape(d(texts)), group=d(st.none() | st.integers(0, 3)),
                                       all=d(st.none() | st.booleans()), result=d(st.sampled_from([TEXT, JSON])),
                                       loc=loc, name=name)]
        if kind == "concat":
            return [data.concat(*ctx, sep=d(st.none() | texts), result=d(st.sampled_from([TEXT, JSON])),
                                loc=loc, name=name)]
        if kind == "count":
            src = self.pick(scope, ("json", "table", "text")) or self.const(TEXT)
            return [data.count(src, loc=loc, name=name)]
        if kind == "generate":
            return [llm.generate(d(texts), *ctx, result=d(st.sampled_from([TEXT, JSON])), loc=loc, name=name,
                                 temperature=d(st.floats(0, 2)), max_tokens=d(st.integers(1, 10**6)),
                                 system=d(texts))]
        if kind == "decide":
            outcomes = d(st.lists(texts, min_size=1, max_size=4, unique=True))
            return [llm.decide(d(texts), outcomes, *ctx, loc=loc, name=name)]
        if kind == "extract":
            schema = json.dumps(d(st.dictionaries(texts, st.one_of(texts, ints, st.booleans()), max_size=3)))
            return [llm.extract(d(texts), schema, *ctx, loc=loc, name=name,
                                examples=d(st.lists(attr_values, max_size=2)))]
        if kind == "agent":
            return [llm.agent(d(texts), d(st.lists(texts, max_size=3)), *ctx, effects=d(effect_lists),
                              max_turns=d(st.integers(1, 50)), max_tokens=d(st.integers(1, 10**6)),
                              loc=loc, name=name, timeout_s=d(st.floats(0, 1e4)))]
        if kind == "shell":
            if d(st.booleans()):
                return [tool.shell(d(st.lists(texts, max_size=4)), *ctx, effects=d(effect_lists),
                                   result=d(data_types), loc=loc, name=name)]
            return [tool.shell(None, *ctx, cmd=d(texts), effects=d(effect_lists), loc=loc, name=name,
                               timeout_s=d(st.integers(1, 3600)), confirm=d(st.booleans()))]
        if kind == "shell2":  # a data result plus an ordering token
            op = insert(ShellOp(ctx, [d(data_types), TOKEN],
                                {"argv": d(st.lists(texts, max_size=3)), "effects": d(effect_lists)},
                                loc=loc, result_names=[name, None]))
            return list(op.results)
        if kind == "python":
            return [tool.python(d(texts), *ctx, effects=d(effect_lists), result=d(data_types),
                                loc=loc, name=name)]
        if kind == "sql":
            return [tool.sql(d(texts), *ctx, db=d(st.none() | resources), loc=loc, name=name,
                             lang=d(st.sampled_from(["sql", "promql", "kql", "logql"])))]
        if kind == "http":
            return [tool.http(d(texts), *ctx, method=d(st.sampled_from(["GET", "POST", "DELETE"])),
                              headers=d(st.dictionaries(st.text(min_size=1, max_size=8), texts, max_size=3)),
                              body=d(texts), loc=loc, name=name)]
        if kind == "script":
            return [tool.script(d(texts), *ctx, args=d(st.lists(texts, max_size=3)), loc=loc, name=name)]
        if kind == "read":
            return [tool.file_read(d(resources), *ctx, result=d(st.sampled_from([TEXT, FILE, JSON])), loc=loc, name=name)]
        if kind == "write":
            content = self.pick(scope, ("text", "json", "table", "file")) or self.const(TEXT)
            return [tool.file_write(d(resources), content, *ctx, append=d(st.booleans()), loc=loc, name=name)]
        if kind == "cmp":
            operand_type = d(st.sampled_from([NUM, TEXT, BOOL]))
            a, b = self.value(scope, operand_type), self.value(scope, operand_type)
            pred = d(st.sampled_from(["eq", "ne", "lt", "le", "gt", "ge", "contains", "matches"]))
            return [calc.cmp(pred, a, b, loc=loc, name=name)]
        if kind == "logic":
            fn = d(st.sampled_from([calc.and_, calc.or_]))
            return [fn(self.value(scope, BOOL), self.value(scope, BOOL), loc=loc, name=name)]
        if kind == "not":
            return [calc.not_(self.value(scope, BOOL), loc=loc, name=name)]
        if kind == "arith":
            fn = d(st.sampled_from([calc.add, calc.sub, calc.mul, calc.div]))
            return [fn(self.value(scope, NUM), self.value(scope, NUM), loc=loc, name=name)]
        if kind == "if":
            cond = self.value(scope, BOOL)
            result_types = d(st.lists(data_types, max_size=2))
            op = ctrl.if_(cond, result_types, loc=loc, names=[d(name_hints) for _ in result_types])
            for block in (op.then_block, op.else_block):
                with InsertionPoint(block):
                    inner = self.block(scope, depth + 1, d(st.integers(0, 3)))
                    ctrl.yield_(*(self.value(inner, t) for t in result_types), loc=d(locations))
            return list(op.results)
        if kind == "map":
            items = self.pick(scope, ("json", "table")) or self.const(JSON)
            item_type = d(st.sampled_from([JSON, TABLE, TEXT]))
            op = ctrl.map_(items, item_type, item_name=d(name_hints), loc=loc, name=name,
                           **({"max_parallel": d(st.integers(1, 64))} if d(st.booleans()) else {}))
            with InsertionPoint(op.body):
                inner = self.block([*scope, *op.body.args], depth + 1, d(st.integers(0, 3)))
                ctrl.yield_(self.value(inner, d(data_types)))
            return list(op.results)
        assert kind == "retry"
        result_types = d(st.lists(data_types | st.just(TOKEN), max_size=2))
        op = ctrl.retry(result_types, *ctx, max_attempts=d(st.integers(1, 10)),
                        backoff_s=d(st.none() | st.floats(0, 60)), loc=loc)
        with InsertionPoint(op.body):
            inner = self.block(scope, depth + 1, d(st.integers(0, 3)))
            ctrl.yield_(*(self.value(inner, t) if t != TOKEN else self.token(inner) for t in result_types))
        return list(op.results)

    def token(self, scope: list[Value]) -> Value:
        fit = [v for v in scope if v.type == TOKEN]
        if fit:
            return self.draw(st.sampled_from(fit))
        return tool.file_write("/tmp/skc-token", self.const(TEXT))


@st.composite
def modules(draw: st.DrawFn) -> Module:
    names = draw(st.lists(sym_names, min_size=1, max_size=3, unique=True))
    module = Module()
    for sym in names:
        inputs = draw(st.dictionaries(st.from_regex(r"[a-z_][a-z0-9_]{0,6}", fullmatch=True),
                                      data_types, max_size=3))
        wf = workflow(sym, inputs, loc=draw(locations), description=draw(st.none() | texts))
        with InsertionPoint(wf.body):
            scope = Builder(draw).block(list(wf.inputs), 0, draw(st.integers(0, 12)))
            outputs = draw(st.lists(st.sampled_from(scope), max_size=3)) if scope else []
            ctrl.return_(*outputs, status=draw(st.none() | texts.filter(bool)), loc=draw(locations))
        module.ops.append(wf)
    return module


def upstream_accepts(text: str) -> None:
    mlir_ir = pytest.importorskip("mlir.ir")
    ctx = mlir_ir.Context()
    ctx.allow_unregistered_dialects = True
    mlir_ir.Module.parse(text, ctx)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(module=modules())
def test_random_workflows_round_trip(module: Module) -> None:
    assert verify(module) == []
    text = print_module(module)
    parsed = parse_module(text)
    assert parsed.structurally_equal(module)
    assert print_module(parsed) == text


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(module=modules())
def test_upstream_mlir_accepts_random_prints(module: Module) -> None:
    upstream_accepts(print_module(module))


@given(value=attr_values.filter(lambda v: v is not None))
def test_any_attribute_value_round_trips(value: object) -> None:
    wf = workflow("w")
    with InsertionPoint(wf.body):
        ctrl.return_(data.const(value, JSON))
    text = print_module(Module([wf]))
    assert parse_module(text).structurally_equal(Module([wf]))
    assert print_module(parse_module(text)) == text


def test_colliding_name_hints_get_distinct_names() -> None:
    wf = workflow("w")
    with InsertionPoint(wf.body):
        a = data.const("a", name="pods")
        b = data.const("b", name="pods")
        c = data.const("c", name="pods_1")
        ctrl.return_(a, b, c)
    text = print_module(Module([wf]))
    defined = [line.split(" = ")[0].strip() for line in text.splitlines() if " = \"data.const\"" in line]
    assert defined == ["%pods", "%pods_1", "%pods_1_1"]
    assert print_module(parse_module(text)) == text


def test_structural_equality_ignores_names_but_not_content() -> None:
    def build(name: str, value: str) -> Module:
        wf = workflow("w")
        with InsertionPoint(wf.body):
            ctrl.return_(data.const(value, name=name))
        return Module([wf])

    assert build("x", "same").structurally_equal(build("y", "same"))
    assert not build("x", "same").structurally_equal(build("x", "other"))


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(module=modules(), data_=st.data())
def test_out_of_order_ir_still_round_trips_for_the_verifier_to_report(module: Module, data_: st.DataObject) -> None:
    for wf in module.workflows:
        body = wf.body.ops[:-1]
        wf.body.ops[:-1] = data_.draw(st.permutations(body))
    text = print_module(module)
    parsed = parse_module(text)
    assert parsed.structurally_equal(module)
    assert print_module(parsed) == text
    assert [d.code for d in verify(parsed)] == [d.code for d in verify(module)]
