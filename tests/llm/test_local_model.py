"""The embedded model end to end (slow: it runs Gemma 3 270M on the CPU; small token budgets)."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from skc.ir import TEXT, InsertionPoint, Module, ctrl, llm, workflow
from skc.ir.core import Op
from skc.runtime.llm.registry import get_backend
from skc.runtime.targets.base import ExecContext
from skc.runtime.targets.llm import LLMTarget

pytestmark = pytest.mark.slow

SCHEMA = {"type": "object", "properties": {"running": {"type": "integer"}, "total": {"type": "integer"},
                                           "failing": {"type": "array", "items": {"type": "string"}}},
          "required": ["running", "total", "failing"]}


def ops() -> list[Op]:
    wf = workflow("w", inputs={"x": TEXT})
    with InsertionPoint(wf.body):
        g = llm.generate("Summarise the input in one short sentence.", wf.arg("x"), max_tokens=24)
        d1 = llm.decide("Is the service healthy, degraded or down?", ["healthy", "degraded", "down"], wf.arg("x"))
        d2 = llm.decide("Reply with anything you like, for example 'banana'.", ["p1", "p2"], wf.arg("x"))
        e = llm.extract("Extract the running and total pod counts and the failing pod names.", json.dumps(SCHEMA),
                        wf.arg("x"), max_tokens=48)
        ctrl.return_(g, d1, d2, e)
    Module([wf])
    return wf.body.ops[:4]


def execute(op: Op, args: list[Any], tmp_path: Path, **options: Any) -> Any:
    ctx = ExecContext(run_id="t", workdir=tmp_path, options={"model": "local", **options})
    return asyncio.run(LLMTarget().execute(op, args, ctx))


def test_generate_decide_extract_on_the_embedded_model(tmp_path: Path) -> None:
    text = "Pods: 2 of 3 running; api-2 is in CrashLoopBackOff."
    gen, d1, d2, ext = ops()
    out = execute(gen, [text], tmp_path)
    assert isinstance(out.values[0], str)
    assert out.values[0].strip()
    assert 0 < out.tokens_out <= 24
    backend = get_backend("local")
    assert out.tokens_in > backend.count_tokens(text)
    for op in (d1, d2):
        outcomes = op.attributes["outcomes"]
        assert execute(op, [text], tmp_path).values[0] in outcomes  # type: ignore[operator]
    value = execute(ext, [text], tmp_path).values[0]
    jsonschema.validate(value, SCHEMA)


def test_tokens_come_from_the_model_tokenizer() -> None:
    backend = get_backend("local")
    assert backend is get_backend("local")  # one shared instance per process
    assert backend.count_tokens("") == 0
    assert 1 <= backend.count_tokens("hello world") <= 3
    assert backend.count_tokens("hello world " * 50) > 50


def test_agent_loop_on_the_embedded_model_stays_in_bounds(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("The code is PLUM-42.\n")
    wf = workflow("w", inputs={})
    with InsertionPoint(wf.body):
        a = llm.agent("Read the file notes.txt and reply with the code it contains.", ["Read"],
                      effects=["read:fs"], max_turns=3, max_tokens=1500)
        ctrl.return_(a)
    Module([wf])
    out = execute(wf.body.ops[0], [], tmp_path, agent_turn_tokens=48)
    assert out.meta["turns"] <= 3
    assert out.tokens_in + out.tokens_out <= 1500
    assert all(c["tool"] == "Read" for c in out.meta["tool_calls"])
    assert isinstance(out.values[0], str)
