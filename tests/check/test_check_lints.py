"""`skc check` as a library: front-end diagnostics, verifier errors and the SKC14x lints,
on .skflow, .mlir, a runbook .md and a SKILL.md folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from skc.compiler.check import check_path, lint_module
from skc.compiler.frontend.skflow.parse import parse_skflow

DATA = Path(__file__).parent / "data"
ROOT = Path(__file__).resolve().parents[2]

LINTED = """\
workflow lint(ns: text, unused: text) -> text
    permissions ["Bash"]
{
    step pods = shell ["kubectl", "get", "pods", "-n", ns] effects [read:k8s]
    step waste = count(pods)
    step wipe = shell "rm -rf /tmp/cache" effects [write:*] fallback "Step 9"
    step d = decide "Is the namespace healthy?" with pods outcomes [healthy, degraded, down]
    if d == "down" {
        shell ["pager", "--urgent", "namespace down"] effects [net:pager]
    }
    if d == "degradd" {
        shell ["pager", "namespace slow"] effects [net:pager]
    }
    step a = agent "Look around and report." with pods tools ["Bash", "Write"] effects [read:k8s]
    return a
}
"""


def codes(report_diags: list, code: str) -> list[tuple[int, int]]:
    return [(d.loc.line, d.loc.col) for d in report_diags if d.code == code]


def test_skflow_lints_are_located(tmp_path: Path) -> None:
    path = tmp_path / "lint.skflow"
    path.write_text(LINTED)
    report = check_path(path)
    found = [(d.code, d.loc.line, d.loc.col, d.severity) for d in report.diagnostics]
    assert found == [
        ("SKC142", 1, 1, "warning"),   # `unused` is never used
        ("SKC143", 5, 5, "warning"),   # count(pods) goes nowhere
        ("SKC144", 6, 5, "warning"),   # write:*
        ("SKC147", 6, 5, "warning"),   # fallback "Step 9" names no step
        ("SKC141", 7, 5, "warning"),   # healthy and degraded are never handled
        ("SKC145", 11, 5, "warning"),  # "degradd" is not an outcome
        ("SKC146", 14, 5, "warning"),  # Write is not in permissions
    ]
    assert report.kind == "skflow"
    assert report.exit_code == 0
    unhandled = next(d for d in report.diagnostics if d.code == "SKC141")
    assert "'healthy', 'degraded'" in unhandled.message
    assert all(d.hint for d in report.diagnostics)


def test_an_else_branch_or_data_use_handles_every_outcome(tmp_path: Path) -> None:
    text = """\
workflow ok(ns: text) -> (text, text) {
    step pods = shell ["kubectl", "get", "pods", "-n", ns] effects [read:k8s]
    step d = decide "Healthy?" with pods outcomes [healthy, degraded, down]
    step r = if d == "healthy" {
        yield "fine"
    } else {
        yield "look closer"
    }
    step e = decide "Again?" with pods outcomes [yes, no]
    return r, e
}
"""
    path = tmp_path / "ok.skflow"
    path.write_text(text)
    report = check_path(path)
    assert report.diagnostics == []
    assert report.summary() == f"{path}: 0 errors, 0 warnings"


def test_unconfirmed_writes_only_matter_in_runbooks() -> None:
    text = """\
workflow w(pod: text) {
    shell ["kubectl", "delete", "pod", pod] effects [write:k8s]
    shell ["kubectl", "delete", "pod", pod, "--now"] effects [write:k8s] confirm
}
"""
    result = parse_skflow(text, "w.skflow")
    assert result.module is not None
    as_runbook = lint_module(result.module, "tsg")
    assert [(d.code, d.loc.line) for d in as_runbook] == [("SKC140", 2)]
    assert lint_module(result.module, "skflow") == []


def test_unclassified_commands_are_one_note_in_a_runbook() -> None:
    result = parse_skflow('workflow w() {\n    shell ["sudo", "socat", "x"] effects [write:*]\n}\n', "w.skflow")
    assert result.module is not None
    [note] = lint_module(result.module, "tsg")  # SKC144 only: no SKC140 for the same write:*
    assert (note.code, note.severity, note.loc.line) == ("SKC144", "note", 2)
    assert "`sudo`" in note.message
    [warning] = lint_module(result.module, "skflow")
    assert (warning.code, warning.severity) == ("SKC144", "warning")


def test_front_end_errors_come_through_without_lints(tmp_path: Path) -> None:
    path = tmp_path / "bad.skflow"
    path.write_text("workflow bad() -> text {\n    return podz\n}\n")
    report = check_path(path)
    assert [(d.code, d.loc.line, d.loc.col) for d in report.diagnostics] == [("SKC131", 2, 12)]
    assert report.exit_code == 1


def test_mlir_verifier_errors(tmp_path: Path) -> None:
    path = tmp_path / "bad.mlir"
    path.write_text('"skc.workflow"() ({\n'
                    '  %0 = "tool.shell"() {argv = ["ls"]} : () -> !skc.text\n'
                    '  "ctrl.return"(%0) : (!skc.text) -> ()\n'
                    '}) {sym_name = "bad"} : () -> ()\n')
    report = check_path(path)
    assert [(d.code, d.loc.line) for d in report.diagnostics] == [("SKC206", 2)]
    assert report.kind == "mlir"
    assert report.exit_code == 1


def test_clean_mlir_example() -> None:
    report = check_path(ROOT / "examples" / "ir" / "kafka_consumer_lag.mlir")
    assert report.errors == 0
    assert report.exit_code == 0


@pytest.mark.parametrize("name", ["nothing-here.md", "notes.txt"])
def test_unusable_input_is_exit_2(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    if name.endswith(".txt"):
        path.write_text("hello")
    report = check_path(path)
    assert report.exit_code == 2
    assert [d.code for d in report.diagnostics] == ["SKC100"]


def test_runbook_front_end_diagnostics_and_no_duplicate_lints() -> None:
    pytest.importorskip("skc.compiler.frontend.runbook.tsg_md")
    report = check_path(DATA / "crashloop_runbook.md")
    assert report.kind == "tsg"
    by_line: dict[int, set[str]] = {}
    for d in report.diagnostics:
        by_line.setdefault(d.loc.line, set()).add(d.code)
    assert "SKC126" in by_line[21]      # "go to step 7" without a step 7
    assert "SKC123" in by_line[28]      # kubectl delete without confirmation ...
    assert "SKC140" not in by_line[28]  # ... is not reported twice by the IR lint
    assert "SKC144" in by_line[31]      # the cleanup script may write anything: a note in a runbook
    assert {d.severity for d in report.diagnostics if d.code == "SKC144"} == {"note"}
    assert report.summary().endswith(" note") or report.summary().endswith(" notes")
    assert report.exit_code == 0
    lines = [(d.loc.line, d.loc.col) for d in report.diagnostics]
    assert lines == sorted(lines)


def test_skill_spec_violations(tmp_path: Path) -> None:
    pytest.importorskip("skc.compiler.frontend.skill.skill_md")
    folder = tmp_path / "pdf-tools"
    folder.mkdir()
    (folder / "SKILL.md").write_text("---\nname: PDF_Tools\ndescription: Fill PDF forms.\n---\n\n"
                                     "# PDF tools\n\n1. Run `python scripts/fill.py form.pdf`.\n")
    report = check_path(folder)
    assert report.kind == "skill"
    assert any(d.code == "SKC111" and d.loc.line == 2 for d in report.diagnostics)
    assert report.exit_code == 1
