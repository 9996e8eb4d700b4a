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
