"""env-bind goldens: tests/env/golden/<case>.mlir bound against the fake target env.yaml.

For each case the harness checks three expected files:

    <case>.expected.mlir     the IR after env-bind (scripts get interpreters, sql ops their db)
    <case>.report.json       ctx.reports["environment"]
    <case>.diagnostics.txt   the diagnostics, one `str(d)` each, at the ops' source lines

The case runs with the golden folder as working directory, so workflow `source`
attributes (`skill/SKILL.md`) resolve to tests/env/golden/skill. A `// RUN:` header
replaces the default pipeline `env-bind`. `pytest --update-golden` rewrites the
expected files (review the diff); headers and switch: tests/golden_harness.py.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from golden_harness import Golden, headers

from skc.compiler.environment import load_environment
from skc.compiler.passes import PassContext, run_pipeline
from skc.ir import parse_module, print_module, verify

GOLDEN = Path(__file__).resolve().parent / "golden"
CASES = sorted(p for p in GOLDEN.glob("*.mlir") if not p.name.endswith(".expected.mlir"))


def bind(case: Path) -> tuple[str, PassContext]:
    text = case.read_text(encoding="utf-8")
    module = parse_module(text, case.name)
    assert verify(module) == []
    run = headers(text).get("RUN") or "env-bind"
    ctx = PassContext(options={"environment": load_environment("env.yaml")})
    run_pipeline(module, run, ctx)
    assert verify(module) == []
    return print_module(module), ctx


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.stem)
def test_env_bind_golden(case: Path, monkeypatch: pytest.MonkeyPatch, golden: Golden) -> None:
    monkeypatch.chdir(GOLDEN)
    ir, ctx = bind(case)
    stem = case.name.removesuffix(".mlir")
    golden.check(GOLDEN / f"{stem}.expected.mlir", ir)
    golden.check(GOLDEN / f"{stem}.report.json", json.dumps(ctx.reports["environment"], indent=2, sort_keys=True) + "\n")
    golden.check(GOLDEN / f"{stem}.diagnostics.txt", "".join(f"{d}\n" for d in ctx.diagnostics))


def test_goldens_cover_every_env_bind_code() -> None:
    text = "".join(p.read_text(encoding="utf-8") for p in GOLDEN.glob("*.diagnostics.txt"))
    for code in ("SKC220", "SKC221", "SKC222", "SKC223", "SKC224", "SKC225", "SKC226", "SKC228"):
        assert code in text, code
