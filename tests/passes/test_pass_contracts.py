"""Every pass of this group: registered, documented, option-parsable, and keeps modules valid."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest

from skc.compiler.passes import REGISTRY, PassContext, parse_pipeline, pass_class, run_pipeline
from skc.ir import parse_module, print_module, verify

ROOT = Path(__file__).resolve().parents[2]
PASSES = ["cse", "dce", "concurrency", "placement", "solidify-static"]
INPUTS = sorted([*(ROOT / "examples" / "ir").glob("*.mlir"), *(ROOT / "tests" / "golden" / "ir").glob("*.mlir"),
                 *(p for p in (ROOT / "tests" / "golden" / "passes").glob("*/*.mlir")
                   if not p.name.endswith(".expected.mlir"))])


@pytest.mark.parametrize("name", PASSES)
def test_registered_documented_frozen(name: str) -> None:
    assert name in REGISTRY
    cls = pass_class(name)
    assert cls.name == name
    assert REGISTRY[name].split(":")[0].rsplit(".", 1)[1] == name.replace("-", "_")
    assert cls.__doc__
    assert "__dataclass_fields__" in vars(cls)  # a dataclass itself, not only by inheritance
    instance: Any = cls()
    with pytest.raises(dataclasses.FrozenInstanceError):
        instance.anything = 1


def test_options_parse_from_pipeline_strings() -> None:
    cse, place = parse_pipeline("cse{tools=false},placement{budget_s=2.5 usd_per_hour=1}")
    assert cse == pass_class("cse")(tools=False)  # type: ignore[call-arg]
    assert (place.budget_s, place.usd_per_hour) == (2.5, 1.0)  # type: ignore[attr-defined]


@pytest.mark.parametrize("path", INPUTS, ids=lambda p: str(p.relative_to(ROOT)))
def test_each_pass_and_the_whole_chain_keep_modules_valid(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    for pipeline in [*PASSES, "cse,dce,concurrency,placement,solidify-static"]:
        module = parse_module(text, str(path))
        ctx = run_pipeline(module, pipeline, PassContext(debug=True))
        assert [str(d) for d in ctx.diagnostics] == [], pipeline
        assert verify(module) == []
        json.dumps(ctx.reports)  # reports are JSON-serialisable
        printed = print_module(module)
        assert print_module(parse_module(printed)) == printed


@pytest.mark.parametrize("name", ["cse", "dce", "concurrency", "placement"])
def test_idempotent(name: str) -> None:
    for path in INPUTS:
        module = parse_module(path.read_text(encoding="utf-8"), str(path))
        run_pipeline(module, name)
        once = print_module(module)
        run_pipeline(module, name)
        assert print_module(module) == once, path


def _shape(module: Any) -> list[tuple[Any, ...]]:
    """What an analysis of the IR reads: every op, its operands, regions, blocks and effects."""
    return [(id(op), op.op_name, tuple(id(v) for v in op.operands), tuple(id(b) for r in op.regions for b in r.blocks),
             json.dumps(op.attributes.get("effects")), op.attributes.get("step"), op.attributes.get("fallback"))
            for op in module.walk()]


PRESERVING = [name for name in REGISTRY if pass_class(name).preserves_analyses]


@pytest.mark.parametrize("name", PRESERVING)
@pytest.mark.parametrize("path", INPUTS, ids=lambda p: p.name)
def test_a_pass_that_preserves_analyses_changes_nothing_they_read(name: str, path: Path) -> None:
    module = parse_module(path.read_text(encoding="utf-8"), str(path))
    before = _shape(module)
    run_pipeline(module, name, PassContext(options={"environment": None}))
    assert _shape(module) == before


def test_block_graphs_are_reused_while_the_ir_is_unchanged(monkeypatch: pytest.MonkeyPatch) -> None:
    from skc.compiler import schedule

    built: list[int] = []
    real = schedule.block_graph
    monkeypatch.setattr(schedule, "block_graph", lambda block: built.append(id(block)) or real(block))
    source = (ROOT / "examples" / "ir" / "virt_handler_down.mlir").read_text(encoding="utf-8")
    run_pipeline(parse_module(source), "concurrency,placement")
    once = len(built)
    assert once == len(set(built)) > 0  # placement took concurrency's graphs
    built.clear()
    run_pipeline(parse_module(source), "concurrency,cse,placement")
    assert len(built) == 2 * once  # cse may change the IR: placement builds them again
