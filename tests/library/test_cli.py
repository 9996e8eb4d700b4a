"""The library from the command line: compile, route, check, ir explain, and run --task."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.library.conftest import write_skill


def skc(*args: object, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "skc", *map(str, args)], capture_output=True, text=True,
                          timeout=300, cwd=cwd)


def test_compile_route_explain(small_library: Path, tmp_path: Path) -> None:
    lib = tmp_path / "lib.skb"
    run = skc("compile", small_library, "-o", lib)
    assert run.returncode == 0, run.stderr
    assert "library of 3 skills (3 compiled, 0 unchanged" in run.stdout
    routed = skc("route", lib, "--task", "what is in this export?", "--file", "q3.csv", "--json")
    assert routed.returncode == 0, routed.stderr
    data = json.loads(routed.stdout)
    assert data["selected"] == ["plugins/data/skills/csv-summary"]
    assert ["csv", data["candidates"][0]["files"][0][1]] == data["candidates"][0]["files"][0]
    text = skc("route", small_library, "--task", "changelog for v2").stdout
    assert "* 1." in text
    assert "release-notes" in text
    assert "changelog" in text
    explain = skc("ir", "explain", lib)
    assert explain.returncode == 0
    assert "BM25F" in explain.stdout
    assert "[compiled]" in explain.stdout


def test_run_routes_then_runs_the_chosen_skill(small_library: Path, tmp_path: Path) -> None:
    lib = tmp_path / "lib.skb"
    assert skc("compile", small_library, "-o", lib).returncode == 0
    run = skc("run", lib, "--task", "say welcome to the new teammate", "--runs-dir", tmp_path / "runs", "--json")
    assert run.returncode == 0, run.stderr
    assert "routed to greeter" in run.stderr
    result = json.loads(run.stdout)
    assert result["status"] == "ok"
    assert result["workflow"] == "greeter"
    assert "greeter-ran" in json.dumps(result["outputs"])
    folder = skc("run", small_library, "--task", "release notes for 3.0", "--runs-dir", tmp_path / "runs")
    assert folder.returncode == 0, folder.stderr
    assert "release-notes-ran" in folder.stdout


def test_check_reports_near_duplicates(tmp_path: Path) -> None:
    text = ("Scan Python dependencies for known vulnerabilities and outdated pins in requirements files.", "")
    write_skill(tmp_path / "dep-audit", "dep-audit", *text)
    write_skill(tmp_path / "dependency-audit", "dependency-audit", *text)
    write_skill(tmp_path / "greeter", "greeter", "Greet a new teammate on their first day.", "")
    run = skc("check", tmp_path)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "SKC192" in run.stdout
    assert "dep-audit" in run.stdout
    assert "dependency-audit" in run.stdout
    assert "greeter' and" not in run.stdout


def test_route_without_skills_is_a_user_error(tmp_path: Path) -> None:
    run = skc("route", tmp_path, "--task", "anything")
    assert run.returncode == 2
    assert "SKC193" in run.stderr
    assert "Traceback" not in run.stderr
