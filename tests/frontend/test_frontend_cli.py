"""`skc ir print` on a skill folder and on a runbook, as a user runs it (a real process)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from skc.ir import parse_module, verify

ROOT = Path(__file__).resolve().parents[2]


def skc(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "skc", *args], cwd=cwd, capture_output=True, text=True,
                          encoding="utf-8", timeout=120, check=False)


def test_ir_print_of_a_skill_folder(corpus: Path) -> None:
    run = skc("ir", "print", "skills/openai/gh-fix-ci", cwd=corpus)
    assert run.returncode == 0, run.stderr
    module = parse_module(run.stdout, "gh-fix-ci.mlir")
    assert verify(module) == []
    assert module.workflow().sym_name == "gh_fix_ci"
    assert module.workflow().input_names == ["task", "files"]  # a skill takes the user's task
    assert run.stdout == (ROOT / "tests" / "golden" / "frontend" / "gh_fix_ci.mlir").read_text(encoding="utf-8")


def test_ir_print_of_a_runbook(corpus: Path) -> None:
    run = skc("ir", "print", "runbooks/prometheus-operator/kubernetes/KubePodCrashLooping.md", cwd=corpus)
    assert run.returncode == 0, run.stderr
    assert run.stdout == (ROOT / "tests" / "golden" / "frontend" / "kube_pod_crash_looping.mlir").read_text(
        encoding="utf-8")


def test_ir_print_of_a_broken_skill_is_located_errors_and_exit_2(tmp_path: Path) -> None:
    folder = tmp_path / "broken"
    folder.mkdir()
    (folder / "SKILL.md").write_text("---\nname: Not_Valid\ndescription: x\n---\n\nRun `ls`.\n", encoding="utf-8")
    run = skc("ir", "print", str(folder), cwd=tmp_path)
    assert run.returncode == 2
    assert f"{folder / 'SKILL.md'}:2:7: error SKC111" in run.stderr
    assert "Traceback" not in run.stderr
