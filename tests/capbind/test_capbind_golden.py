"""Golden tests of the cap-bind pass: tests/capbind/golden/<case>.mlir in; <case>.expected.mlir
(the IR after the pass) and <case>.report.json (the capability report and the diagnostics) out.

A `// OPTIONS: {...}` header gives PassContext.options; a `profile` path in it is relative to
tests/capbind/. `pytest tests/capbind --update-golden` rewrites the expected files
(review the diff); headers and switch: tests/golden_harness.py.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from golden_harness import Golden, headers

from skc.compiler.passes import PassContext, run_pipeline
from skc.ir import parse_module, print_module, verify

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
CASES = sorted(p for p in (HERE / "golden").glob("*.mlir") if not p.name.endswith(".expected.mlir"))


def run_case(path: Path) -> tuple[str, dict[str, Any]]:
    text = path.read_text(encoding="utf-8")
    options = json.loads(headers(text).get("OPTIONS") or "{}")
    if isinstance(options.get("profile"), str):
        options["profile"] = str(HERE / options["profile"])
    module = parse_module(text, str(path.relative_to(ROOT)))
    assert verify(module) == [], "golden inputs must be valid"
    ctx = PassContext(options=options)
    run_pipeline(module, "cap-bind", ctx)
    assert [str(d) for d in verify(module)] == [], "cap-bind must leave valid IR"
    result = {"report": ctx.reports["capability"],
              "diagnostics": [d.to_json() for d in ctx.diagnostics]}
    return print_module(module), result


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.stem)
def test_capbind_golden(path: Path, golden: Golden) -> None:
    got_ir, got_report = run_case(path)
    ir_file = path.with_name(path.stem + ".expected.mlir")
    golden.check(ir_file, got_ir)
    golden.check_json(path.with_name(path.stem + ".report.json"), got_report)
    assert print_module(parse_module(got_ir, str(ir_file))) == got_ir  # canonical, round-trips


def test_cases_exist() -> None:
    assert len(CASES) >= 3
