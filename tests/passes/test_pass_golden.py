"""Golden files per pass: tests/golden/passes/<pass>/<case>.mlir in, <case>.expected.mlir out.

The harness parses the input, runs `run_pipeline(module, "<pass>")` (the folder's
name), prints the module and compares it with the expected file, then checks the
result still verifies. An input may start with header comments:

    // RUN: cse{tools=false}          the pipeline to run instead of the folder's pass
    // OPTIONS: {"gpu": true}         JSON for PassContext.options

`pytest tests/passes --update-golden` rewrites the expected files (review the diff);
the headers and the switch are tests/golden_harness.py's.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from golden_harness import Golden, headers

from skc.compiler.passes import PassContext, run_pipeline
from skc.ir import parse_module, print_module, verify

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = ROOT / "tests" / "golden" / "passes"
CASES = sorted(p for p in GOLDEN.glob("*/*.mlir") if not p.name.endswith(".expected.mlir"))


def expected_path(path: Path) -> Path:
    return path.with_name(path.name.removesuffix(".mlir") + ".expected.mlir")


def run_golden(path: Path) -> tuple[str, PassContext]:
    text = path.read_text(encoding="utf-8")
    head = headers(text)
    module = parse_module(text, str(path.relative_to(ROOT)))
    assert verify(module) == [], "golden inputs must be valid"
    ctx = PassContext(options=json.loads(head.get("OPTIONS") or "{}"))
    run_pipeline(module, head.get("RUN") or path.parent.name, ctx)
    assert [str(d) for d in ctx.diagnostics] == []
    assert [str(d) for d in verify(module)] == []
    return print_module(module), ctx


def test_every_pass_has_goldens() -> None:
    passes = {p.parent.name for p in CASES}
    assert {"cse", "dce", "concurrency", "placement", "solidify-static"} <= passes
    for case in CASES:
        assert expected_path(case).is_file(), f"{case} has no expected output"


@pytest.mark.parametrize("path", CASES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_pass_golden(path: Path, golden: Golden) -> None:
    got, _ = run_golden(path)
    expected = expected_path(path)
    golden.check(expected, got)
    # The expected output is itself canonical IR: it parses and prints back unchanged.
    assert print_module(parse_module(got, str(expected))) == got
