"""Golden tests of the cap-bind pass: tests/capbind/golden/<case>.mlir in; <case>.expected.mlir
(the IR after the pass) and <case>.report.json (the capability report and the diagnostics) out.

A `// OPTIONS: {...}` header gives PassContext.options; a `profile` path in it is relative to
tests/capbind/. `SKC_UPDATE_GOLDEN=1 pytest tests/capbind` rewrites the expected files
(review the diff).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from skc.compiler.passes import PassContext, run_pipeline
from skc.ir import parse_module, print_module, verify

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
CASES = sorted(p for p in (HERE / "golden").glob("*.mlir") if not p.name.endswith(".expected.mlir"))


def run_case(path: Path) -> tuple[str, dict[str, Any]]:
    text = path.read_text(encoding="utf-8")
    header = next((line.split(":", 1)[1] for line in text.splitlines() if line.startswith("// OPTIONS:")), "{}")
    options = json.loads(header)
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
def test_capbind_golden(path: Path) -> None:
    got_ir, got_report = run_case(path)
    ir_file = path.with_name(path.stem + ".expected.mlir")
    report_file = path.with_name(path.stem + ".report.json")
    report_text = json.dumps(got_report, indent=2, sort_keys=True) + "\n"
    if os.environ.get("SKC_UPDATE_GOLDEN"):
        ir_file.write_text(got_ir, encoding="utf-8")
        report_file.write_text(report_text, encoding="utf-8")
    assert got_ir == ir_file.read_text(encoding="utf-8")
    assert got_report == json.loads(report_file.read_text(encoding="utf-8"))
    assert print_module(parse_module(got_ir, str(ir_file))) == got_ir  # canonical, round-trips


def test_cases_exist() -> None:
    assert len(CASES) >= 3
