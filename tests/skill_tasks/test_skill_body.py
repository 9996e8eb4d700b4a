"""Skills run as skills: the task is the input, the body is classified, procedures run.

Over the whole skills corpus: every compiled skill takes `task` (and `files`), no
SQL/PromQL op is anything but a query sqlglot parses, example prompts never become
queries, scripts get their argparse signatures. On the csv-report example: a task
is routed to a procedure, its parameters extracted, and the script runs with them.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from skc.compiler.frontend.skill.classify import is_sql, section_kind
from skc.compiler.frontend.skill.scripts import python_signature, script_signatures
from skc.compiler.frontend.skill.skill_md import compile_skill
from skc.runtime.api import run
from skc.runtime.llm.base import Completion, LLMBackend

REPO = Path(__file__).resolve().parents[2]
# ../shared/corpus from the repository root, or $SKC_CORPUS (a worktree elsewhere)
CORPUS = (Path(os.environ.get("SKC_CORPUS") or REPO / ".." / "shared" / "corpus") / "skills").resolve()
CSV_SKILL = REPO / "examples" / "skills" / "csv-report"


def corpus_skills() -> list[Path]:
    if not CORPUS.is_dir():
        pytest.skip(f"the shared corpus is not at {CORPUS}")
    return sorted(p.parent for p in CORPUS.glob("**/SKILL.md"))


def test_every_corpus_skill_takes_a_task_and_only_real_queries_are_queries() -> None:
    skills = corpus_skills()
    assert len(skills) >= 100
    queries = 0
    for folder in skills:
        r = compile_skill(folder)
        assert r.module is not None, folder
        wf = r.module.workflow()
        assert wf.input_names == ["task", "files"], folder
        assert [str(a.type) for a in wf.inputs] == ["!skc.text", "!skc.text"]
        for op in r.module.walk():
            if op.op_name == "tool.sql":
                queries += 1
                assert op.attributes.get("lang") == "promql" or is_sql(str(op.attributes["query"])), folder
        assert not [d for d in r.diagnostics if d.code.startswith("SKC2")], folder
    assert queries == 0  # the corpus's skills hold no runnable SQL block outside examples/


@pytest.mark.parametrize(("text", "sql"), [
    ("Create a changelog from commits since last release", False),
    ("Show me the failing tests", False),
    ("Select the best option for the user", False),
    ("SELECT name, count(*) FROM runs WHERE status = 'failed' GROUP BY name", True),
    ("CREATE TABLE t (id INT PRIMARY KEY)", True),
])
def test_sql_is_decided_by_parsing(text: str, sql: bool) -> None:
    assert is_sql(text) is sql


@pytest.mark.parametrize(("title", "kind"), [
    ("When to Use", "rule"), ("When NOT to Use", "rule"), ("Rationalizations to Reject", "rule"),
    ("Workflow", "procedure"), ("Quick Start", "procedure"), ("Step-by-Step", "procedure"),
    ("Overview", "reference"), ("Resources", "reference"), ("Related Skills", "reference"),
    ("Examples", "example"), ("Example Output", "reference"), ("Common Mistakes", "rule"),
])
def test_section_titles_table(title: str, kind: str) -> None:
    assert section_kind(title) == kind


def test_documentation_examples_are_not_run() -> None:
    corpus_skills()
    r = compile_skill(CORPUS / "anthropics" / "webapp-testing")
    assert r.module is not None
    names = [op.op_name for op in r.module.walk()]
    # the "Example: Using with_server.py" and pitfall sections are reference, not ops
    assert "tool.script" not in names
    assert not any(op.attributes.get("step", "").startswith("example") for op in r.module.walk())


def test_skill_creator_scripts_have_argparse_signatures() -> None:
    corpus_skills()
    sigs = script_signatures(CORPUS / "openai" / "skill-creator")
    init = sigs["scripts/init_skill.py"]
    names = {p.name: p for p in init.params}
    assert "skill_name" in names
    assert names["skill_name"].required
    assert names["skill_name"].flag == ""
    assert names["path"].flag == "--path"


def test_argparse_and_click_signatures_from_source() -> None:
    src = ("import argparse, click\np = argparse.ArgumentParser(description='Rotate keys.')\n"
           "p.add_argument('name', help='key name')\np.add_argument('--days', type=int, default=30)\n"
           "p.add_argument('-f', '--force', action='store_true')\n"
           "@click.command()\n@click.option('--region', required=True, help='where')\ndef main(region): pass\n")
    sig = python_signature("scripts/rotate.py", src)
    assert sig is not None
    assert sig.summary == "Rotate keys."
    assert [(p.name, p.flag, p.required, p.type) for p in sig.params] == [
        ("name", "", True, "string"), ("days", "--days", False, "integer"),
        ("force", "--force", False, "boolean"), ("region", "--region", True, "string")]
    assert sig.schema()["name"] == {"type": "string", "description": "key name"}


def _looked_at(call: object) -> bool:
    """A call `python_signature` reads: add_argument, ArgumentParser, click.argument / click.option."""
    import ast

    if not isinstance(call, ast.Call):
        return False
    func = call.func
    name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
    base = func.value.id if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) else ""
    return name in ("add_argument", "ArgumentParser") or (name in ("argument", "option") and base == "click")


def test_signature_walk_skips_only_statements_without_the_calls() -> None:
    import ast

    from skc.compiler.frontend.skill.scripts import _calling_part

    if not CORPUS.is_dir():
        pytest.skip(f"the shared corpus is not at {CORPUS}")
    sources = [p.read_text(encoding="utf-8") for p in sorted(CORPUS.glob("**/scripts/**/*.py"))]
    sources.append("import click\n\n@click.command()\n@click.option(\n    '--region',\n    required=True)\n"
                   "def main(region):\n    pass\n\nx = 1\r\ny = 2\rdef f():\n    p.add_argument('--a')\n")
    assert len(sources) > 5
    for source in sources:
        try:
            tree = ast.parse(source)
        except SyntaxError:
            continue
        whole = [ast.dump(n) for n in ast.walk(tree) if _looked_at(n)]
        assert [ast.dump(n) for n in ast.walk(_calling_part(tree, source)) if _looked_at(n)] == whole


class TaskModel(LLMBackend):
    """Answers route/extract/generate requests from fixed replies; records every request."""

    name = "task-model"

    def __init__(self, route: str, params: dict[str, str]) -> None:
        self.route, self.params = route, params
        self.requests: list[dict[str, Any]] = []

    def complete(self, messages: list[dict[str, Any]], **kw: Any) -> Completion:
        self.requests.append({"messages": messages, **kw})
        if kw.get("choices"):
            return Completion(self.route, 5, 1, 0.0)
        if kw.get("json_schema"):
            return Completion(json.dumps(self.params), 5, 5, 0.0)
        return Completion("done: " + messages[-1]["content"].rsplit("Input", 1)[-1], 5, 5, 0.0)

    def count_tokens(self, text: str) -> int:
        return len(text.split())


def test_a_task_is_routed_its_parameters_extracted_and_the_script_run(tmp_path: Path) -> None:
    data = tmp_path / "sales.csv"
    data.write_text("region,amount\neu,10\nus,32.5\n", encoding="utf-8")
    model = TaskModel("column_statistics", {"csv_file": str(data), "column": "amount"})
    r = run(CSV_SKILL, task="What is the total of amount in sales.csv?", files=[data],
            options={"llm_backend": model, "jit": False}, runs_dir=tmp_path / "runs")
    assert r.status == "ok", r.error
    assert "sum: 42.5" in r.outputs["result"]
    route, extract, answer = model.requests
    assert route["choices"] == ["column_statistics", "convert_to_json"]  # "answer" only by the task's words
    assert "What is the total of amount" in route["messages"][-1]["content"]
    assert set(extract["json_schema"]["properties"]) == {"csv_file", "column"}
    assert extract["json_schema"]["properties"]["column"]["description"] == "the column to summarise"
    system = answer["messages"][0]["content"]
    assert "Summarise and convert CSV files" in system  # the description always goes with the step
    assert "Always report numbers exactly" in system       # and the rule that concerns it


def test_the_other_procedure_writes_the_asked_file(tmp_path: Path) -> None:
    data = tmp_path / "orders.csv"
    data.write_text("id,item\n1,pen\n2,ink\n", encoding="utf-8")
    out = tmp_path / "orders.json"
    model = TaskModel("column_statistics", {"csv_file": "wrong.csv", "json_file": "wrong.json"})
    r = run(CSV_SKILL, task="Convert orders.csv to JSON", options={"llm_backend": model, "jit": False},
            runs_dir=tmp_path / "runs", workdir=tmp_path)
    assert r.status == "ok", r.error
    assert json.loads(out.read_text(encoding="utf-8")) == [{"id": "1", "item": "pen"}, {"id": "2", "item": "ink"}]
    # the task names its procedure and every parameter (orders.json from "to JSON"): no model call at all,
    # and the command step never reaches the model
    assert model.requests == []
    assert r.tokens_in == 0


def test_a_model_value_the_task_does_not_ground_is_replaced(tmp_path: Path) -> None:
    data = tmp_path / "sales.csv"
    data.write_text("region,amount,units\neu,10,1\nus,32.5,2\n", encoding="utf-8")
    model = TaskModel("column_statistics", {"csv_file": str(data), "column": "1"})  # a small model's slip
    r = run(CSV_SKILL, task="Give me statistics of the units column of my sales data",
            options={"llm_backend": model, "jit": False}, runs_dir=tmp_path / "runs", workdir=tmp_path)
    assert r.status == "ok", r.error
    extract = [q for q in model.requests if q.get("json_schema")]
    assert len(extract) == 1  # the task names no file, so the model is asked ...
    assert "column: units" in r.outputs["result"]  # ... but its "1" is not in the task: "the units column" wins
    assert "count: 2" in r.outputs["result"]  # the script's output is part of the result


def test_examples_become_the_bundles_test_tasks() -> None:
    r = compile_skill(CSV_SKILL)
    assert r.module is not None
    assert r.module.workflow().attributes["test_tasks"] == [
        "What is the total of the amount column in sales.csv?", "Convert orders.csv to JSON"]


def test_compile_prints_the_entry_signature(tmp_path: Path) -> None:
    import subprocess
    import sys

    run_ = subprocess.run([sys.executable, "-m", "skc", "compile", str(CSV_SKILL), "-o", str(tmp_path / "csv.skb")],
                          capture_output=True, text=True, check=False, timeout=120)
    assert run_.returncode == 0, run_.stderr
    assert "entry: csv_report(task: text, files: text) -> (result: text)" in run_.stdout
    explained = subprocess.run([sys.executable, "-m", "skc", "ir", "explain", str(tmp_path / "csv.skb")],
                               capture_output=True, text=True, check=False, timeout=120)
    assert "route: llm.decide over 3 procedures: column_statistics, convert_to_json, answer" in explained.stdout
    assert "params of column_statistics: column, csv_file" in explained.stdout


def test_script_signatures_are_read_when_looked_up(tmp_path: Path) -> None:
    scripts = tmp_path / "scripts"
    scripts.mkdir()
    (scripts / "ok.py").write_text("import argparse\np = argparse.ArgumentParser()\np.add_argument('--n', type=int)\n",
                                   encoding="utf-8")
    (scripts / "broken.py").write_text("def (:\n", encoding="utf-8")
    (scripts / "run.sh").write_text("#!/bin/sh\n# usage: run.sh <name>\n", encoding="utf-8")
    (scripts / "blob.bin").write_bytes(b"\xff\xfe")
    sigs = script_signatures(tmp_path)
    assert sigs._read == {}  # nothing read yet
    assert sigs.get("scripts/ok.py").params[0].type == "integer"
    assert set(sigs._read) == {"scripts/ok.py"}
    assert sigs.get("scripts/broken.py") is None  # does not parse: no signature
    assert sorted(sigs) == ["scripts/ok.py", "scripts/run.sh"]
    assert len(sigs) == 2
