"""cap-bind beyond the goldens: the default profile, profile loading, needs, and what is left alone."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from skc.compiler.passes import PassContext, parse_pipeline, run_pipeline
from skc.compiler.passes.cap_bind import CapBindPass, needs_of
from skc.compiler.profile import (
    PRIMITIVES,
    CapabilityProfile,
    load_profile,
    resolve_profile,
    save_profile,
    shipped_profile,
)
from skc.ir import parse_module, print_module

HERE = Path(__file__).resolve().parent

DECIDE = """"skc.workflow"() ({
^bb0(%log: !skc.text, %n: !skc.num):
  %d = "llm.decide"(%log) {outcomes = ["healthy", "down"], prompt = "Is the service up?"} : (!skc.text) -> !skc.text loc("rb.md":3:1)
  %t = "llm.decide"(%n) {outcomes = ["page", "wait"], prompt = "Is the count above 3?"} : (!skc.num) -> !skc.text loc("rb.md":5:1)
  "ctrl.return"(%d, %t) : (!skc.text, !skc.text) -> ()
}) {arg_names = ["log", "n"], sym_name = "w"} : () -> ()
"""


def test_registered_in_the_pipeline() -> None:
    [p] = parse_pipeline("cap-bind")
    assert isinstance(p, CapBindPass)


def test_default_is_the_shipped_embedded_profile_and_gaps_are_notes() -> None:
    module = parse_module(DECIDE, "t.mlir")
    ctx = run_pipeline(module, "cap-bind")
    assert ctx.reports["capability"]["profile"] == "gemma3-270m-q4km"
    assert {d.severity for d in ctx.diagnostics} == {"note"}
    assert all(d.code == "SKC240" and d.loc.file == "rb.md" for d in ctx.diagnostics)


def test_a_strong_profile_changes_nothing() -> None:
    module = parse_module(DECIDE, "t.mlir")
    before = print_module(module)
    ctx = run_pipeline(module, "cap-bind", PassContext(options={"profile": CapabilityProfile.uniform("s", 3)}))
    assert print_module(module) == before
    assert ctx.diagnostics == []
    report = ctx.reports["capability"]
    assert report["summary"] == {"llm_ops": 2, "with_gaps": 0, "compensations": {}, "unresolved_ops": 0}


def test_a_threshold_with_other_outcomes_is_not_compiled_to_code() -> None:
    module = parse_module(DECIDE, "t.mlir")
    run_pipeline(module, "cap-bind", PassContext(options={"profile": CapabilityProfile.uniform("w", 0)}))
    assert [op.op_name for op in module.workflow().body.ops].count("llm.decide") == 2


def test_bad_profile_is_a_located_error(tmp_path: Path) -> None:
    bad = tmp_path / "p.json"
    bad.write_text("{not json")
    ctx = run_pipeline(parse_module(DECIDE, "t.mlir"), "cap-bind", PassContext(options={"profile": str(bad)}))
    assert [d.code for d in ctx.diagnostics] == ["SKC241"]
    ctx = run_pipeline(parse_module(DECIDE, "t.mlir"), "cap-bind", PassContext(options={"profile": "nope"}))
    assert "shipped" in ctx.diagnostics[0].message


def test_needs_follow_the_op() -> None:
    m = parse_module(""""skc.workflow"() ({
^bb0(%x: !skc.text):
  %a = "llm.agent"(%x) {effects = ["write:fs"], max_tokens = 100 : i64, max_turns = 2 : i64, prompt = "Fix: 1. run the tests 2. edit 3. rerun 4. commit", tools = ["Read", "Bash(git:*)", "WebFetch"]} : (!skc.text) -> !skc.text
  %g = "llm.generate"(%x) {prompt = "Write a regular expression for dates."} : (!skc.text) -> !skc.json
  "ctrl.return"(%a, %g) : (!skc.text, !skc.json) -> ()
}) {arg_names = ["x"], sym_name = "w"} : () -> ()
""", "t.mlir")
    agent, gen = m.workflow().body.ops[:2]
    assert needs_of(agent) == {"tool.call.format": 2, "follow.procedure": 3, "reason.planning": 1,
                               "tool.file.read": 1, "tool.exec": 1, "tool.web": 1}
    assert needs_of(gen) == {"follow.constraint": 1, "gen.text.structured": 2, "follow.format": 1, "gen.regex": 2}


def test_profiles_load_from_every_form(tmp_path: Path) -> None:
    shipped = shipped_profile()
    assert set(shipped.primitives) == set(PRIMITIVES)
    assert shipped.level("tool.web") is None
    assert shipped.primitives["tool.web"].reason
    assert shipped.command.startswith("skc profile --model local")
    path = tmp_path / "p.json"
    save_profile(shipped, path)
    assert load_profile(path) == shipped
    assert resolve_profile(str(path)) == shipped
    assert resolve_profile("gemma3-270m-q4km") == shipped
    assert resolve_profile(json.loads(path.read_text())) == shipped
    assert resolve_profile(None) == shipped
    with pytest.raises(TypeError):
        resolve_profile(3)
