"""Dispatch tables keyed by op class (issue 15 item 3) cover their dialects and agree with the old behaviour."""

from __future__ import annotations

import pytest

from skc.ir.core import Value
from skc.ir.dialects.calc import CALC, AddOp, CmpOp, DivOp, MulOp, NotOp, SubOp
from skc.ir.dialects.tool import TOOL, FileReadOp, FileWriteOp, ShellOp
from skc.ir.types import BOOL, NUM, TEXT
from skc.runtime import plan
from skc.runtime.targets import calc


def test_every_calc_op_has_a_kernel_and_the_target_runs_it() -> None:
    assert set(calc._EVAL) == set(CALC.ops)
    assert set(calc.CalcTarget.ops) == {c.name for c in CALC.ops}


@pytest.mark.parametrize(("cls", "args", "want"), [
    (AddOp, ["2", 3], 5), (SubOp, [2, 0.5], 1.5), (MulOp, ["4", "2.5"], 10.0),
    (DivOp, [6, 3], 2), (DivOp, [7, 2], 3.5), (NotOp, [False], True),
])
def test_calc_kernels(cls: type, args: list, want: object) -> None:
    types = [NUM] * len(args) if cls is not NotOp else [BOOL]
    op = cls([Value(t) for t in types], [BOOL if cls is NotOp else NUM])
    got = calc.evaluate(op, args)
    assert got == want
    assert type(got) is type(want)


def test_calc_kernel_errors() -> None:
    div = DivOp([Value(NUM), Value(NUM)], [NUM])
    with pytest.raises(ZeroDivisionError):
        calc.evaluate(div, [1, 0])
    with pytest.raises(ValueError, match="left operand 'x' is not a number"):
        calc.evaluate(AddOp([Value(NUM), Value(NUM)], [NUM]), ["x", 1])
    cmp = CmpOp([Value(NUM), Value(NUM)], [BOOL], {"pred": "gt"})
    assert calc.evaluate(cmp, ["12", 3]) is True


def test_every_tool_op_is_described() -> None:
    assert set(plan._DESCRIBE) == set(TOOL.ops)
    read = FileReadOp([Value(TEXT)], [TEXT], {"path": "/tmp/{0}"})
    write = FileWriteOp([Value(TEXT)], [], {"path": "/tmp/x", "append": True})
    assert plan.describe(read, ["a"]) == "read /tmp/a"
    assert plan.describe(write, ["a"]) == "append /tmp/x"
    shell = ShellOp([Value(TEXT)], [TEXT], {"cmd": "echo {0}"})
    assert plan.describe(shell, ["a b"]) == "echo 'a b'"


def test_every_tool_op_and_the_agent_ask_permission() -> None:
    from skc.ir.dialects.llm import LLM, AgentOp
    from skc.runtime import permission_requests

    assert set(TOOL.ops) | {AgentOp} == set(permission_requests._REQUESTS)
    assert not set(LLM.ops) - {AgentOp} & set(permission_requests._REQUESTS)  # a prompt asks for nothing
    write = FileWriteOp([Value(TEXT)], [], {"path": "/tmp/{0}"})
    (req,) = permission_requests.requests_for(write, ["x"])
    assert (req.tool, req.subject, req.writes) == ("Write", "/tmp/x", True)


def test_every_data_op_has_a_kernel() -> None:
    from skc.ir.dialects.data import DATA_DIALECT, ConcatOp, CountOp
    from skc.runtime.targets import data

    assert set(data._EVAL) == set(DATA_DIALECT.ops)
    assert set(data.DataTarget.ops) == {c.name for c in DATA_DIALECT.ops}
    assert data.evaluate(CountOp([Value(TEXT)], [NUM]), ["a\n\nb\n"]) == 2
    assert data.evaluate(ConcatOp([Value(TEXT), Value(TEXT)], [TEXT], {"sep": ", "}), ["a", 1]) == "a, 1"


def test_every_model_op_has_needs_and_every_tool_op_a_latency() -> None:
    from skc.compiler.cost import TOOL_LATENCY_S, CostModel, is_llm
    from skc.compiler.passes.cap_bind import NEEDS
    from skc.ir.dialects.llm import LLM, DecideOp

    assert set(NEEDS) == set(LLM.ops)
    assert set(TOOL_LATENCY_S) == set(TOOL.ops)
    decide = DecideOp([Value(TEXT)], [TEXT], {"prompt": "ok?", "outcomes": ["yes", "no"]})
    shell = ShellOp([], [TEXT], {"cmd": "true"})
    assert is_llm(decide)
    assert not is_llm(shell)
    assert CostModel().latency(shell) == TOOL_LATENCY_S[ShellOp]
