"""Golden IR for six corpus documents (three skills, three runbooks), compared exactly.

Each golden is `tests/golden/frontend/<name>.mlir` (the printed module) plus
`<name>.diags` (the diagnostics, one per line). The documents are compiled with
the corpus as the working directory and a relative path, so locations read
`skills/...:line:col` on every machine. What was checked by hand against each
document, step by step, is written in `tests/golden/frontend/README.md`; every
golden must have its section there.

Regenerate after an intended change with `.venv/bin/python -m pytest
tests/frontend/test_frontend_golden.py --update-golden`, then re-check the diff
against the documents before committing.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from golden_harness import Golden

from skc.compiler.frontend import load
from skc.ir import parse_module, print_module, verify

GOLDEN = Path(__file__).resolve().parents[1] / "golden" / "frontend"
CASES = {
    "gh_fix_ci": "skills/openai/gh-fix-ci",
    "gh_address_comments": "skills/openai/gh-address-comments",
    "executing_plans": "skills/superpowers/executing-plans",
    "kube_pod_crash_looping": "runbooks/prometheus-operator/kubernetes/KubePodCrashLooping.md",
    "scale_down_patroni": "runbooks/gitlab/patroni/scale-down-patroni.md",
    "node_filesystem_space_filling_up": "runbooks/prometheus-operator/node/NodeFilesystemSpaceFillingUp.md",
}


def render(source: str) -> tuple[str, str]:
    result = load(source)
    assert result.module is not None
    assert verify(result.module) == []
    return print_module(result.module), "".join(f"{d}\n" for d in result.diagnostics)


@pytest.mark.parametrize("name", sorted(CASES))
def test_golden(name: str, corpus: Path, monkeypatch: pytest.MonkeyPatch, golden: Golden) -> None:
    monkeypatch.chdir(corpus)
    text, diags = render(CASES[name])
    ir_file, diag_file = GOLDEN / f"{name}.mlir", GOLDEN / f"{name}.diags"
    golden.check(ir_file, text)
    golden.check(diag_file, diags)
    assert print_module(parse_module(text, str(ir_file))) == text  # the IR text round-trips


def test_every_golden_is_explained() -> None:
    readme = (GOLDEN / "README.md").read_text(encoding="utf-8")
    for name in CASES:
        assert f"## {name}" in readme
