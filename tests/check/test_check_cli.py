"""`skc check PATH [--json]`: human and JSON output, ordering, summary and exit codes."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from skc.cli import cli

ROOT = Path(__file__).resolve().parents[2]
DATA = Path(__file__).parent / "data"

WARNED = """\
workflow warned(ns: text, spare: text) -> text {
    step out = shell "kubectl drain {{ns}}" effects [write:*]
    return out
}
"""
BROKEN = """\
workflow broken(ns: text) -> text {
    step out = shell ["ls", nss] effects [read:fs:.]
    step n = ns + 1
    return out
}
"""


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["check", *args])
    return result.exit_code, result.stdout


def test_human_output_sorted_with_hints_and_summary(tmp_path: Path) -> None:
    path = tmp_path / "warned.skflow"
    path.write_text(WARNED)
    code, out = run(str(path))
    assert code == 0  # warnings alone
    lines = out.splitlines()
    assert lines[0] == f"{path}:1:1: warning SKC142: input `spare` is never used"
    assert lines[1].startswith("  hint: ")
    assert lines[2] == f"{path}:2:5: warning SKC144: tool.shell may write anything (write:*)"
    assert lines[-1] == f"{path}: 0 errors, 2 warnings"


def test_errors_exit_1(tmp_path: Path) -> None:
    path = tmp_path / "broken.skflow"
    path.write_text(BROKEN)
    code, out = run(str(path))
    assert code == 1
    assert f"{path}:2:29: error SKC131: `nss` is not defined here" in out
    assert "hint: did you mean `ns`?" in out
    assert out.index(":2:29:") < out.index(":3:14:")
    assert out.splitlines()[-1] == f"{path}: 2 errors, 0 warnings"


def test_json_output_shape(tmp_path: Path) -> None:
    path = tmp_path / "broken.skflow"
    path.write_text(BROKEN)
    code, out = run(str(path), "--json")
    assert code == 1
    items = json.loads(out)
    assert isinstance(items, list)
    assert len(items) == 2
    for item in items:
        assert set(item) == {"code", "severity", "file", "line", "col", "message", "hint"}
        assert item["file"] == str(path)
    assert [(i["code"], i["line"], i["col"], i["severity"]) for i in items] == [
        ("SKC131", 2, 29, "error"), ("SKC133", 3, 14, "error")]


def test_json_is_an_empty_list_when_clean() -> None:
    code, out = run(str(ROOT / "examples" / "skflow" / "crashloop.skflow"), "--json")
    assert code == 0
    assert json.loads(out) == []


def test_unusable_input_exit_2(tmp_path: Path) -> None:
    code, out = run(str(tmp_path / "missing.skflow"))
    assert code == 2
    assert "error SKC100: cannot read" in out
    code, out = run(str(tmp_path))  # a folder without SKILL.md
    assert code == 2
    assert "SKC100" in out


def test_mlir_and_runbook_inputs() -> None:
    code, out = run(str(ROOT / "examples" / "ir" / "virt_handler_down.mlir"))
    assert code == 0
    assert out.splitlines()[-1].endswith("0 errors, 0 warnings")
    code, out = run(str(DATA / "crashloop_runbook.md"), "--json")
    assert code == 0
    found = {(i["code"], i["line"]) for i in json.loads(out)}
    assert ("SKC123", 28) in found
    assert ("SKC140", 28) not in found


def test_every_example_is_clean() -> None:
    for path in sorted((ROOT / "examples" / "skflow").glob("*.skflow")):
        code, out = run(str(path))
        assert code == 0, out
        assert out.splitlines() == [f"{path}: 0 errors, 0 warnings"]


def test_several_paths_and_folders(tmp_path: Path) -> None:
    (tmp_path / "a.skflow").write_text(WARNED)
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b.skflow").write_text(BROKEN)
    (tmp_path / "notes.txt").write_text("not a source")
    code, out = run(str(tmp_path))
    assert code == 1  # errors in b.skflow; notes.txt is not a source, so it is not checked
    assert out.splitlines()[-1] == "2 files: 2 errors, 2 warnings"
    assert out.index("a.skflow:1:1:") < out.index("b.skflow:2:29:")
    code, out = run(str(tmp_path / "a.skflow"), str(tmp_path / "missing.mlir"), "--json")
    assert code == 2
    assert {i["file"] for i in json.loads(out)} == {str(tmp_path / "a.skflow"), str(tmp_path / "missing.mlir")}


def test_an_empty_folder_is_unusable(tmp_path: Path) -> None:
    code, out = run(str(tmp_path))
    assert code == 2
    assert "SKC100" in out
