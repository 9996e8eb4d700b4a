"""`skc ir print` / `skc ir verify` as a user runs them: real processes, exit codes, stderr."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from skc import __version__

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT / "examples" / "ir").glob("*.mlir"))


def skc(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "skc", *args], cwd=ROOT, capture_output=True,
                          text=True, encoding="utf-8", timeout=60, check=False)


def test_ir_print_of_the_example_is_the_file_itself() -> None:
    run = skc("ir", "print", "examples/ir/virt_handler_down.mlir")
    assert (run.returncode, run.stderr) == (0, "")
    assert run.stdout == (ROOT / "examples" / "ir" / "virt_handler_down.mlir").read_text(encoding="utf-8")


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_every_example_verifies(path: Path) -> None:
    run = skc("ir", "verify", str(path.relative_to(ROOT)))
    assert (run.returncode, run.stderr) == (0, "")
    assert run.stdout == f"{path.relative_to(ROOT)}: ok\n"


def test_a_syntax_error_is_one_located_line_and_exit_code_2(tmp_path: Path) -> None:
    bad = tmp_path / "bad.mlir"
    bad.write_text('"skc.workflow"() ({\n  %0 = "data.const"() {value = "x"} : () -> !skc.txt\n'
                   '  "ctrl.return"(%0) : (!skc.text) -> ()\n}) {sym_name = "w"} : () -> ()\n', encoding="utf-8")
    run = skc("ir", "print", str(bad))
    assert run.returncode == 2
    assert run.stdout == ""
    assert run.stderr.splitlines()[0] == f"{bad}:2:45: error SKC104: unknown type '!skc.txt'"
    assert "Traceback" not in run.stderr


def test_a_verifier_error_is_reported_at_the_runbook_line(tmp_path: Path) -> None:
    bad = tmp_path / "effects.mlir"
    bad.write_text('"skc.workflow"() ({\n  %0 = "tool.shell"() {argv = ["reboot"]} : () -> !skc.text'
                   ' loc("runbooks/Reboot.md":4:1)\n  "ctrl.return"(%0) : (!skc.text) -> ()\n'
                   '}) {sym_name = "w"} : () -> ()\n', encoding="utf-8")
    for verb in ("print", "verify"):
        run = skc("ir", verb, str(bad))
        assert run.returncode == 2
        assert run.stdout == ""
        assert run.stderr.splitlines()[0] == "runbooks/Reboot.md:4:1: error SKC206: tool.shell has effects but declares none"
        assert "Traceback" not in run.stderr


def test_a_file_that_is_not_utf8_is_a_user_error(tmp_path: Path) -> None:
    bad = tmp_path / "latin1.mlir"
    bad.write_bytes(b'"skc.workflow"() ({\n  "ctrl.return"() : () -> ()\n}) {sym_name = "caf\xe9"} : () -> ()\n')
    run = skc("ir", "print", str(bad))
    assert run.returncode == 2
    assert run.stderr.splitlines()[0] == f"{bad}:3:20: error SKC101: not UTF-8 text (byte 0xE9)"
    assert "Traceback" not in run.stderr


def test_version() -> None:
    run = skc("--version")
    assert (run.returncode, run.stdout) == (0, f"skc, version {__version__}\n")
