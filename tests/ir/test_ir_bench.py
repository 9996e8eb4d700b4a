"""`python -m bench.ir` runs and writes its results (what it measures is not asserted)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_ir_benchmark_runs_and_writes_json(tmp_path: Path) -> None:
    out = tmp_path / "ir.json"
    run = subprocess.run([sys.executable, "-m", "bench.ir", "--ops", "300", "--repeats", "1", "--out", str(out)],
                         cwd=ROOT, capture_output=True, text=True, timeout=120, check=False)
    assert run.returncode == 0, run.stderr
    result = json.loads(out.read_text(encoding="utf-8"))
    assert result["ops"] >= 300
    assert {"build (builders)", "print", "parse", "verify"} <= set(result["stages"])
    assert all(stage["ops_per_s"] > 0 for stage in result["stages"].values())
    assert "parse" in run.stdout
