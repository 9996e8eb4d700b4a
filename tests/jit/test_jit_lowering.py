"""Candidates as IR (adaptive recompilation) and as Python: same answers as the program."""

from __future__ import annotations

import random
from typing import Any

import pytest
from jit_cases import (
    HEALTH_PROMPT,
    OUTCOMES,
    health_pairs,
    restart_pairs,
    summary_pairs,
    version_pairs,
)

from skc.ir import (
    JSON,
    TABLE,
    TEXT,
    InsertionPoint,
    Module,
    Op,
    Type,
    Value,
    ctrl,
    parse_module,
    print_module,
    verify,
    workflow,
)
from skc.runtime.jit import Candidate, candidate_to_ir, candidate_to_python, evaluate, synthesize
from skc.runtime.jit.lowering import jsonpath
from skc.runtime.jit.pycode import expr_to_python, run_python

targets_data = pytest.importorskip("skc.runtime.targets.data")
targets_calc = pytest.importorskip("skc.runtime.targets.calc")


def interpret(ops: list[Op], env: dict[Value, Any]) -> None:
    """Runs lowered ops with the real cpu targets' evaluators (tool.python in process)."""
    for op in ops:
        args = [env[v] for v in op.operands]
        if op.op_name == "ctrl.if":
            block = op.regions[0].block if args[0] else op.regions[1].block
            interpret(block.ops[:-1], env)
            env[op.results[0]] = env[block.ops[-1].operands[0]]
        elif op.op_name.startswith("data."):
            env[op.results[0]] = targets_data.evaluate(op, args)
        elif op.op_name.startswith("calc."):
            env[op.results[0]] = targets_calc.evaluate(op, args)
        elif op.op_name == "tool.python":
            env[op.results[0]] = run_python(str(op.attributes["code"]), args)
        else:
            raise AssertionError(f"unexpected op {op.op_name}")


def lower_and_run(cand: Candidate, types: list[Type], result: Type, cases: list[tuple[list[Any], Any]]) -> Module:
    wf = workflow("solidified", inputs={f"a{i}": t for i, t in enumerate(types)})
    ops = candidate_to_ir(cand, wf.inputs, result=result)
    for op in ops:
        wf.body.append(op)
    with InsertionPoint(wf.body):
        ctrl.return_(ops[-1].results[0])
    module = Module([wf])
    assert verify(module) == []
    for args, want in cases:
        env: dict[Value, Any] = dict(zip(wf.inputs, args, strict=True))
        interpret(ops, env)
        assert env[ops[-1].results[0]] == want == evaluate(cand.expr, args)
    text = print_module(module)
    assert print_module(parse_module(text)) == text
    return module


def test_decision_lowers_to_ctrl_if_on_calc_cmp() -> None:
    pairs = health_pairs(random.Random(7), 14)
    cand = synthesize(pairs[:10], outcomes=OUTCOMES, prompt=HEALTH_PROMPT)
    assert cand is not None
    module = lower_and_run(cand, [TABLE], TEXT, pairs)
    names = [op.op_name for op in module.walk()]
    assert "ctrl.if" in names
    assert "calc.cmp" in names
    assert names.count("data.const") >= 3
    assert "tool.python" in names  # the column aggregate has no dedicated op


def test_template_lowers_to_data_template_and_json_get() -> None:
    pairs = summary_pairs()
    cand = synthesize(pairs[:3])
    assert cand is not None
    module = lower_and_run(cand, [TEXT, JSON], TEXT, pairs)
    names = [op.op_name for op in module.walk()]
    assert "data.template" in names
    assert "data.json_get" in names
    assert "tool.python" not in names


def test_regex_extraction_lowers_to_data_regex_extract() -> None:
    pairs = version_pairs()
    cand = synthesize(pairs[:3])
    assert cand is not None
    module = lower_and_run(cand, [TEXT], TEXT, pairs)
    assert [op.op_name for op in module.walk()][1:-1] == ["data.regex_extract"]


def test_object_extraction_lowers_to_tool_python() -> None:
    pairs = restart_pairs(random.Random(2), 6)
    cand = synthesize(pairs[:4])
    assert cand is not None
    module = lower_and_run(cand, [JSON], JSON, pairs)
    assert "tool.python" in [op.op_name for op in module.walk()]


def test_llm_written_code_lowers_to_tool_python() -> None:
    cand = Candidate("python", {"op": "python", "code": "def solve(args):\n    return str(sum(args[0]))\n"})
    wf = workflow("w", inputs={"xs": JSON})
    ops = candidate_to_ir(cand, wf.inputs, result=TEXT)
    assert [o.op_name for o in ops] == ["tool.python"]
    assert run_python(str(ops[0].attributes["code"]), [[1, 2]]) == "3"


def test_lowered_text_parses_with_upstream_mlir() -> None:
    ir = pytest.importorskip("mlir.ir")
    cand = synthesize(health_pairs(random.Random(7), 10), outcomes=OUTCOMES, prompt=HEALTH_PROMPT)
    assert cand is not None
    wf = workflow("w", inputs={"t": TABLE})
    for op in candidate_to_ir(cand, wf.inputs, result=TEXT):
        wf.body.append(op)
    with InsertionPoint(wf.body):
        ctrl.return_(wf.body.ops[-1].results[0])
    with ir.Context() as ctx:
        ctx.allow_unregistered_dialects = True
        ir.Module.parse(print_module(Module([wf])))


def test_python_rendering_computes_what_the_program_computes() -> None:
    cases = [(synthesize(health_pairs(random.Random(3), 12, text=True), outcomes=OUTCOMES), health_pairs(random.Random(9), 20, text=True)),
             (synthesize(summary_pairs()[:3]), summary_pairs()),
             (synthesize(restart_pairs(random.Random(2), 4)), restart_pairs(random.Random(5), 10))]
    for cand, pairs in cases:
        assert cand is not None
        code = candidate_to_python(cand)
        assert code.startswith("# solidified by skc jit")
        for args, out in pairs:
            assert run_python(code, args) == evaluate(cand.expr, args) == out


def test_python_rendering_of_count_where() -> None:
    pred = {"op": "cmp", "pred": "gt", "lhs": {"op": "col", "name": "x"}, "rhs": {"op": "const", "value": 2}}
    expr = {"op": "if", "cond": {"op": "cmp", "pred": "ge", "lhs": {"op": "count_where", "src": {"op": "ref", "path": [0]}, "pred": pred},
                                 "rhs": {"op": "const", "value": 2}},
            "then": {"op": "const", "value": "many"}, "else": {"op": "const", "value": "few"}}
    for rows, want in (([{"x": 3}, {"x": 5}], "many"), ([{"x": 1}, {"x": 5}], "few")):
        assert run_python(expr_to_python(expr), [rows]) == evaluate(expr, [rows]) == want


def test_jsonpath_from_paths() -> None:
    assert jsonpath(["items", 0, "name"]) == "$.items[0].name"
    assert jsonpath(["odd key", -1]) == "$['odd key'][-1]"
    doc = {"odd key": [1, 2, {"it's": 3}]}
    assert targets_data.json_path(jsonpath(["odd key", -1, "it's"]), doc) == 3
