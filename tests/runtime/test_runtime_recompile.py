"""Adaptive recompilation: promoted llm steps become guarded code regions in the bundle, the llm
step stays as their fallback, and the next run starts solidified."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from rt_helpers import module, run_module, scripted_llm, trace_events

from skc.cli import cli
from skc.compiler.bundle import make_bundle, read_bundle, write_bundle
from skc.ir.location import DiagnosticError
from skc.ir.printer import print_module
from skc.runtime.api import run
from skc.runtime.jit import Candidate, op_key
from skc.runtime.jit.recompile import recompile, solidify

__all__ = ["scripted_llm"]

SOURCE = '''"skc.workflow"() ({
^bb0(%alert: !skc.text, %errors: !skc.num):
  %kind = "llm.decide"(%alert) {outcomes = ["restart the pod", "page the db team"], prompt = "What first?", step = "Step 1"} : (!skc.text) -> !skc.text
  %note = "llm.generate"(%alert) {prompt = "Name the pod", step = "Step 2"} : (!skc.text) -> !skc.text
  %msg = "data.template"(%kind, %note) {template = "{0}: {1}"} : (!skc.text, !skc.text) -> !skc.text
  "ctrl.return"(%kind, %msg) : (!skc.text, !skc.text) -> ()
}) {arg_names = ["alert", "errors"], output_names = ["kind", "msg"], sym_name = "t"} : () -> ()
'''


def _bundle(tmp_path: Path) -> Path:
    return write_bundle(make_bundle(module(SOURCE), kind="mlir", source="t.mlir"), tmp_path / "t.skb")


def _run(path: Path | Any, tmp_path: Path, i: int, **kw: Any) -> Any:
    return run(path, {"alert": f"pod web-{i} crashed", "errors": i}, runs_dir=tmp_path / "runs", workdir=tmp_path,
               **kw)


def _llm_op(mod: Any, step: str) -> Any:
    return next(op for op in mod.workflow().walk() if op.op_name.startswith("llm.") and op.attributes["step"] == step)


def test_recompile_rewrites_promoted_steps_with_provenance_and_a_new_version(tmp_path: Path,
                                                                            scripted_llm: Any) -> None:
    path = _bundle(tmp_path)
    before = [_run(path, tmp_path, i).outputs for i in range(5)]  # observed 1+3 times, then promoted
    result = recompile(path, runs_dir=tmp_path / "runs")
    assert result.bundle_version == 2
    assert [(s["step"], s["kind"]) for s in result.solidified] == [("Step 1", "const"), ("Step 2", "template")]
    bundle = read_bundle(path)
    assert bundle.manifest.bundle_version == 2
    assert (path / "jit" / "profile.sqlite").is_file()  # the profile survives the rewrite
    wf = bundle.module.workflow()
    regions = [op for op in wf.body.ops if op.op_name == "ctrl.retry"]
    assert len(regions) == 2
    for region, llm in zip(regions, [_llm_op(bundle.module, "Step 1"), _llm_op(bundle.module, "Step 2")],
                           strict=True):
        attrs = region.attributes
        assert attrs["fallback"] == attrs["step"] == llm.attributes["step"]
        assert attrs["jit_source_op"] == llm.op_name
        assert attrs["jit_op_key"] == op_key(llm)  # the llm op is unchanged: same profile
        assert isinstance(attrs["jit_evidence"], int)
        assert attrs["jit_evidence"] >= 4
        assert "fallback to " + llm.op_name in str(attrs["jit_guard"])
        assert wf.body.ops.index(region) == wf.body.ops.index(llm) + 1
        assert not any(llm.results[0] is v for op in wf.walk() for v in op.operands)  # on standby
    assert json.loads(bundle.files["reports/jit-recompile.json"])["solidified"]
    calls = len(scripted_llm.calls)
    after = _run(path, tmp_path, 7)
    assert after.outputs == {"kind": "restart the pod", "msg": "restart the pod: [Name the pod] pod web-7 crashed"}
    assert len(scripted_llm.calls) == calls  # no llm op ran
    ends = {e["step"]: e for e in trace_events(after.run_dir) if e["event"] == "op_end" and e["name"] == "ctrl.retry"}
    assert ends["Step 1"]["solidified"]
    assert ends["Step 2"]["solidified"]
    assert before[-1]["kind"] == after.outputs["kind"]
    again = recompile(path, runs_dir=tmp_path / "runs")  # nothing changed: nothing written
    assert (again.output, again.bundle_version, len(again.kept)) == (None, 2, 2)


def test_a_failing_code_region_falls_back_to_the_llm_step(tmp_path: Path, scripted_llm: Any) -> None:
    mod = module(SOURCE)
    decide = _llm_op(mod, "Step 1")
    boom = Candidate("python", {"op": "python", "code": "def solve(args):\n    raise ValueError('boom')\n"})
    report = solidify(mod, {op_key(decide): boom}, {op_key(decide): 3})
    assert [s["step"] for s in report.solidified] == ["Step 1"]
    result = run_module(mod, tmp_path, {"alert": "pod web-1 crashed", "errors": 1}, options={"jit": False})
    assert result.status == "ok", result.error
    assert result.outputs["kind"] == "restart the pod"  # the scripted model's answer
    assert scripted_llm.calls.count("llm.decide") == 1
    events = trace_events(result.run_dir)  # type: ignore[arg-type]
    [fallback] = [e for e in events if e["event"] == "fallback"]
    assert fallback["to"] == "Step 1"
    assert "boom" in fallback["error"]


def test_the_guard_sends_inputs_outside_the_envelope_to_the_llm(tmp_path: Path, scripted_llm: Any) -> None:
    mod = module(SOURCE)
    decide = _llm_op(mod, "Step 1")
    pod = {"op": "num", "src": {"op": "regex", "pattern": r"web-(\d+)", "src": {"op": "ref", "path": [0]}}}
    leaf = {"op": "const", "value": "page the db team"}
    tree = Candidate("decision", {"op": "if", "cond": {"op": "cmp", "pred": "gt", "lhs": pod,
                                                       "rhs": {"op": "const", "value": 100}},
                                  "then": leaf, "else": leaf}, [{"expr": pod, "min": 0, "max": 5}])
    solidify(mod, {op_key(decide): tree}, {})
    code = [str(op.attributes["code"]) for op in mod.workflow().walk() if op.op_name == "tool.python"]
    assert len(code) == 2  # a regex keeps the JIT's semantics as tool.python; then the guard
    assert "check_solidified" in code[1]
    assert all(op.attributes.get("timeout_s") == 10.0 for op in mod.workflow().walk() if op.op_name == "tool.python")
    inside = run_module(mod, tmp_path, {"alert": "pod web-1 crashed", "errors": 1}, options={"jit": False})
    assert inside.outputs["kind"] == "page the db team"  # pod 1 is inside [0, 5]: the code answers
    assert scripted_llm.calls.count("llm.decide") == 0
    (tmp_path / "r2").mkdir()
    outside = run_module(mod, tmp_path, {"alert": "pod web-9 crashed", "errors": 9}, options={"jit": False},
                         runs_dir=tmp_path / "r2")
    assert outside.outputs["kind"] == "restart the pod"  # pod 9 is outside [0, 5]: the LLM answers
    assert scripted_llm.calls.count("llm.decide") == 1


def test_an_op_no_longer_promoted_is_reverted(tmp_path: Path) -> None:
    mod = module(SOURCE)
    original = print_module(mod)
    decide = _llm_op(mod, "Step 1")
    const = Candidate("const", {"op": "const", "value": "restart the pod"})
    solidify(mod, {op_key(decide): const}, {})
    assert print_module(mod) != original
    report = solidify(mod, {}, {})
    assert [r["step"] for r in report.reverted] == ["Step 1"]
    assert print_module(mod).replace("%kind_llm", "%kind") == original


def test_steps_without_a_usable_fallback_are_skipped() -> None:
    text = SOURCE.replace(', step = "Step 2"', "").replace('step = "Step 1"', 'step = "Step 0"')
    text = text.replace('"data.template"(%kind, %note) {', '"data.template"(%kind, %note) {step = "Step 0", ')
    mod = module(text.replace('%kind = "llm.decide"', '%pre = "data.const"() {step = "Step 0", value = "x"} : () -> '
                                                        '!skc.text\n  %kind = "llm.decide"'))
    promoted = {op_key(op): Candidate("const", {"op": "const", "value": "restart the pod"})
                for op in mod.workflow().walk() if op.op_name.startswith("llm.")}
    report = solidify(mod, promoted, {})
    assert report.solidified == []
    assert sorted(s["reason"].split(":")[0] for s in report.skipped) == [
        "a later op of its block is also 'Step 0'", "the op has no step for the code to fall back to"]


def test_helpers_before_an_llm_op_of_the_same_step_do_not_block_it(tmp_path: Path, scripted_llm: Any) -> None:
    """A step's input helpers (the `data.json_get` of "the `summary` of step 7") carry its label
    and come first: the step's llm op is its last op, so the fallback finds it."""
    text = SOURCE.replace('%kind = "llm.decide"(%alert)', '%pre = "data.template"(%alert) {step = "Step 1", '
                          'template = "alert: {0}"} : (!skc.text) -> !skc.text\n  %kind = "llm.decide"(%pre)')
    path = write_bundle(make_bundle(module(text), kind="mlir", source="t.mlir"), tmp_path / "h.skb")
    for i in range(5):
        assert _run(path, tmp_path, i).status == "ok"
    result = recompile(path, runs_dir=tmp_path / "runs")
    assert [s["step"] for s in result.solidified] == ["Step 1", "Step 2"]
    assert result.skipped == []
    calls = len(scripted_llm.calls)
    after = _run(path, tmp_path, 8)
    assert after.outputs["kind"] == "restart the pod"
    assert len(scripted_llm.calls) == calls


def test_cli_recompile_and_run_recompile(tmp_path: Path, scripted_llm: Any) -> None:
    path = _bundle(tmp_path)
    runner = CliRunner()
    args = ["--runs-dir", str(tmp_path / "runs")]
    for i in range(4):
        _run(path, tmp_path, i)
    res = runner.invoke(cli, ["run", str(path), "-i", "alert=pod web-9 crashed", "-i", "errors=9", "--recompile",
                              "--json", *args])
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert out["recompiled"]["bundle_version"] == 2
    assert {s["step"] for s in out["recompiled"]["solidified"]} == {"Step 1", "Step 2"}
    res = runner.invoke(cli, ["recompile", str(path), "--force", *args])
    assert res.exit_code == 0, res.output
    assert "bundle v3" in res.output
    assert "kept" in res.output
    res = runner.invoke(cli, ["recompile", str(path), "--from-run", "nope", *args])
    assert res.exit_code == 2
    assert "SKC308" in res.output
    src = tmp_path / "t.mlir"
    src.write_text(SOURCE)
    res = runner.invoke(cli, ["run", str(src), "-i", "alert=x", "-i", "errors=1", "--recompile", *args])
    assert res.exit_code == 2
    assert "needs a bundle" in res.output


def test_a_widened_envelope_rewrites_the_guard(tmp_path: Path) -> None:
    mod = module(SOURCE)
    key = op_key(_llm_op(mod, "Step 1"))
    pod = {"op": "num", "src": {"op": "regex", "pattern": r"web-(\d+)", "src": {"op": "ref", "path": [0]}}}
    leaf = {"op": "const", "value": "page the db team"}
    expr = {"op": "if", "cond": {"op": "cmp", "pred": "gt", "lhs": pod, "rhs": {"op": "const", "value": 100}},
            "then": leaf, "else": leaf}
    solidify(mod, {key: Candidate("decision", expr, [{"expr": pod, "min": 0, "max": 5}])}, {})
    same = solidify(mod, {key: Candidate("decision", expr, [{"expr": pod, "min": 0, "max": 5}])}, {})
    assert [k["step"] for k in same.kept] == ["Step 1"]
    wider = solidify(mod, {key: Candidate("decision", expr, [{"expr": pod, "min": 0, "max": 9}])}, {})
    assert [s["step"] for s in wider.solidified] == ["Step 1"]
    regions = [op for op in mod.workflow().walk() if op.op_name == "ctrl.retry"]
    assert len(regions) == 1
    assert '"max": 9' in print_module(mod).replace('\\"', '"')


def test_recompile_elsewhere_as_a_directory_or_zip_but_never_over_other_files(tmp_path: Path,
                                                                            scripted_llm: Any) -> None:
    path = _bundle(tmp_path)
    for i in range(5):
        _run(path, tmp_path, i)
    out = recompile(path, runs_dir=tmp_path / "runs", output=tmp_path / "solid.skb")
    assert out.output == tmp_path / "solid.skb"
    assert read_bundle(tmp_path / "solid.skb").manifest.bundle_version == 2
    assert (tmp_path / "solid.skb" / "jit" / "profile.sqlite").is_file()  # learning goes on there
    assert read_bundle(path).manifest.bundle_version == 1  # the original is untouched
    recompile(path, runs_dir=tmp_path / "runs", output=tmp_path / "solid.zip")
    assert read_bundle(tmp_path / "solid.zip").manifest.bundle_version == 2
    other = tmp_path / "notes"
    other.mkdir()
    (other / "todo.txt").write_text("keep me")
    with pytest.raises(DiagnosticError, match="not an skc bundle"):
        recompile(path, runs_dir=tmp_path / "runs", output=other)
    assert (other / "todo.txt").read_text() == "keep me"
