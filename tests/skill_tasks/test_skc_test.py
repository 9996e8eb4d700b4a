"""`skc test`: a compiled skill runs on its own examples, pass/fail per task."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

from skc.runtime.llm.base import Completion, LLMBackend
from skc.runtime.skill_tests import run_skill_tests, skill_test_tasks

CSV_SKILL = Path(__file__).resolve().parents[2] / "examples" / "skills" / "csv-report"


class Answers(LLMBackend):
    """Routes to the first outcome, extracts from the task's words, answers 'done'."""

    name = "answers"

    def complete(self, messages: list[dict[str, Any]], **kw: Any) -> Completion:
        if kw.get("choices"):
            return Completion(kw["choices"][0], 1, 1, 0.0)
        if kw.get("json_schema"):
            return Completion(json.dumps({"csv_file": "sales.csv", "column": "amount", "json_file": "o.json"}),
                              1, 1, 0.0)
        return Completion("done", 1, 1, 0.0)

    def count_tokens(self, text: str) -> int:
        return 1


def test_the_examples_are_the_test_tasks_and_each_runs(tmp_path: Path) -> None:
    assert skill_test_tasks(CSV_SKILL) == ["What is the total of the amount column in sales.csv?",
                                           "Convert orders.csv to JSON"]
    (tmp_path / "sales.csv").write_text("region,amount\neu,10\nus,5\n", encoding="utf-8")
    outcomes = run_skill_tests(CSV_SKILL, options={"llm_backend": Answers(), "jit": False}, workdir=tmp_path)
    total, convert = outcomes
    assert total.passed
    assert "sum: 15" in total.result
    assert not convert.passed  # there is no orders.csv here: the script's failure is the report
    assert "csv_to_json" in convert.error or "orders.csv" in convert.error


def test_skc_test_without_test_tasks_is_a_user_error(tmp_path: Path) -> None:
    skill = tmp_path / "plain"
    shutil.copytree(CSV_SKILL, skill)
    md = skill / "SKILL.md"
    text = md.read_text(encoding="utf-8").replace("name: csv-report", "name: plain")
    md.write_text(text.split("## When to Use")[0] + "## Column statistics" + text.split("## Column statistics")[1],
                  encoding="utf-8")
    run = subprocess.run([sys.executable, "-m", "skc", "test", str(skill)], capture_output=True, text=True,
                         check=False, timeout=120)
    assert run.returncode == 2
    assert "SKC316" in run.stderr
