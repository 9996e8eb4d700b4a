"""`--model` forms (issue 11 item 4): documented in `--help`, checked before a run starts."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from skc.cli import cli
from skc.runtime.llm.registry import UnknownBackend, check_spec, create_backend

REPO = Path(__file__).resolve().parents[2]


def test_well_formed_specs_pass(tmp_path: Path) -> None:
    gguf = tmp_path / "m.gguf"
    gguf.write_bytes(b"GGUF")
    for spec in ("local", f"local:{gguf}", "openai", "openai:http://127.0.0.1:8000/v1",
                 "openai:https://api.example.com/v1#gpt-4o-mini"):
        assert check_spec(spec) is None, spec


@pytest.mark.parametrize(("spec", "words"), [
    ("bogus", "unknown model spec 'bogus': use local, local:PATH.gguf, openai or openai:URL[#model]"),
    ("local:", "names no file"),
    ("local:/nowhere/x.gguf", "no file /nowhere/x.gguf"),
    ("openai:127.0.0.1:8000", "http:// or https:// URL"),
])
def test_bad_specs_say_what_is_wrong(spec: str, words: str) -> None:
    problem = check_spec(spec)
    assert problem is not None
    assert words in problem
    with pytest.raises(UnknownBackend, match="model spec"):
        create_backend(spec)


def _runbook(tmp_path: Path) -> tuple[Path, Path]:
    marker = tmp_path / "ran.txt"
    source = tmp_path / "w.mlir"
    source.write_text(
        '"skc.workflow"() ({\n'
        f'  %0 = "tool.shell"() {{cmd = "echo ran > {marker}; echo 1", effects = ["write:fs:{marker}"]}} : () -> !skc.num\n'
        '  "ctrl.return"(%0) : (!skc.num) -> ()\n'
        '}) {sym_name = "w"} : () -> ()\n')
    return source, marker


@pytest.mark.parametrize("spec", ["bogus", "local:/nowhere/x.gguf", "openai:localhost"])
def test_a_bad_model_is_exit_2_before_any_step_runs(tmp_path: Path, spec: str) -> None:
    source, marker = _runbook(tmp_path)
    proc = subprocess.run([sys.executable, "-m", "skc", "run", str(source), "--model", spec, "--allow-writes",
                           "--runs-dir", str(tmp_path / "runs")], cwd=REPO, capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 2, proc.stderr
    assert f"'{spec}'" in proc.stderr
    assert "--model" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert not marker.exists()
    assert not (tmp_path / "runs").exists()


def test_a_bad_skc_model_variable_is_caught_too(tmp_path: Path) -> None:
    source, marker = _runbook(tmp_path)
    proc = subprocess.run([sys.executable, "-m", "skc", "run", str(source), "--allow-writes",
                           "--runs-dir", str(tmp_path / "runs")], cwd=REPO, capture_output=True, text=True,
                          timeout=120, env={**os.environ, "SKC_MODEL": "gpt4"})
    assert proc.returncode == 2
    assert "'gpt4'" in proc.stderr
    assert "$SKC_MODEL" in proc.stderr
    assert not marker.exists()


def test_help_documents_the_forms_and_the_key_variable() -> None:
    text = " ".join(CliRunner().invoke(cli, ["run", "--help"]).output.split())
    for words in ("local:PATH.gguf", "openai:URL[#model]", "$SKC_OPENAI_API_KEY", "worker process"):
        assert words in text


def test_the_python_api_checks_the_model_before_any_step_runs(tmp_path: Path) -> None:
    from skc.ir.location import DiagnosticError
    from skc.runtime.api import run

    source, marker = _runbook(tmp_path)
    llm_step = source.read_text().replace(
        '  "ctrl.return"(%0) : (!skc.num) -> ()',
        '  %1 = "llm.generate"(%0) {prompt = "Say it."} : (!skc.num) -> !skc.text\n'
        '  "ctrl.return"(%1) : (!skc.text) -> ()')
    source.write_text(llm_step)
    with pytest.raises(DiagnosticError) as info:
        run(source, {}, runs_dir=tmp_path / "runs", allow_writes=True, options={"model": "bogus"})
    text = str(info.value.diagnostics[0])
    assert "SKC306" in text
    assert "'bogus'" in text
    assert not marker.exists()
