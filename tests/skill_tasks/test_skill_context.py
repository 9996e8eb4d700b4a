"""What a skill's llm ops read: the pieces the task needs (chosen at run time, not at compile time),
the skill's own lines quoted under the answer to a question, and reference files read on demand by
`llm.agent` through `read_reference` (issue 14, Build items 2 and 5)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from skc.compiler.frontend.skill import compile_skill
from skc.compiler.frontend.skill.context import reference_files
from skc.runtime.api import run
from skc.runtime.llm.base import Completion, LLMBackend
from skc.runtime.targets.llm import build_messages
from skc.runtime.targets.skill_refs import read_reference
from skc.stdlib.skill_task import evidence, is_question


def trace_events(run_dir: Path) -> list[dict[str, Any]]:
    return [json.loads(ln) for ln in (run_dir / "trace.jsonl").read_text().splitlines() if ln.strip()]


CORPUS = Path(__file__).resolve().parents[2] / ".." / "shared" / "corpus" / "skills"
WEBAPP = CORPUS / "anthropics" / "webapp-testing"


def _answer_op(folder: Path) -> Any:
    module = compile_skill(folder).module
    assert module is not None
    return next(op for op in module.ops[0].body.ops if op.op_name == "llm.generate")


@pytest.mark.skipif(not WEBAPP.is_dir(), reason="corpus not available")
def test_the_task_picks_the_pieces_its_system_prompt_holds() -> None:
    op = _answer_op(WEBAPP)
    helper = build_messages(op, ["Which helper script manages the server lifecycle?", ""])[0]["content"]
    pitfall = build_messages(op, ["What is the common pitfall with networkidle?", ""])[0]["content"]
    assert helper.startswith("You are applying the skill 'webapp-testing'")
    assert "Manages server lifecycle" in helper
    assert "wait_for_load_state('networkidle')` before inspection" in pitfall
    assert "Manages server lifecycle" not in pitfall  # another task, other pieces
    assert len(helper) < 2200
    assert len(pitfall) < 2200


def test_evidence_quotes_the_lines_that_answer_a_question() -> None:
    context = {"pieces": ["## Helpers\n- `scripts/with_server.py` - Manages server lifecycle\n- Use sync_playwright()",
                          "## Notes\nAlways close the browser when done."]}
    quoted = evidence("Which helper script manages the server lifecycle?", context)
    assert quoted == "> `scripts/with_server.py` - Manages server lifecycle"
    assert evidence("Which database does it use?", context) == ""  # nothing shares two words: no quote
    assert is_question("Should chromium be launched headless?")
    assert is_question("what is phase 1")
    assert not is_question("Merge a.pdf and b.pdf into out.pdf")


class Vague(LLMBackend):
    """Answers every step without the facts, as the 270M model often does."""

    name = "vague"

    def complete(self, messages: list[dict[str, Any]], **kw: Any) -> Completion:  # type: ignore[override]
        return Completion("The server is running.", 10, 5, 0.0)

    def count_tokens(self, text: str) -> int:
        return 1


@pytest.mark.skipif(not WEBAPP.is_dir(), reason="corpus not available")
@pytest.mark.parametrize(("task", "quoted"), [
    ("Which helper script manages the server lifecycle?", "with_server.py"),
    ("Write a Playwright script that logs in", None),  # not a question: the answer alone
])
def test_an_answer_to_a_question_carries_the_skills_own_words(tmp_path: Path, task: str, quoted: str | None) -> None:
    r = run(WEBAPP, task=task, options={"llm_backend": Vague(), "jit": False}, runs_dir=tmp_path / "runs",
            workdir=tmp_path)
    assert r.status == "ok", r.error
    answer = str(r.outputs["result"])
    assert answer.startswith("The server is running.")
    if quoted:
        assert "From the skill:" in answer
        assert quoted in answer
    else:
        assert answer == "The server is running."


GUIDE_SKILL = """---
name: house-style
description: Edit files in the house style. Use when the user asks to restyle a file.
allowed-tools: Bash(echo:*)
---

# House style

Apply the house style to the user's file. The rules are in references/style.md.
"""


class ReadsTheGuide(LLMBackend):
    """Calls read_reference once when it is offered, then answers with what it read."""

    name = "reads-guide"

    def __init__(self) -> None:
        self.systems: list[str] = []
        self.offered: list[list[str]] = []

    def complete(self, messages: list[dict[str, Any]], **kw: Any) -> Completion:  # type: ignore[override]
        self.systems.append(str(messages[0]["content"]))
        names = [t["function"]["name"] for t in kw.get("tools") or []]
        self.offered.append(names)
        seen = [m for m in messages if m.get("role") == "tool"]
        if not seen and "read_reference" in names:
            call = {"id": "r1", "type": "function",
                    "function": {"name": "read_reference", "arguments": json.dumps({"name": "references/style.md"})}}
            return Completion("", 10, 5, 0.0, tool_calls=[call])
        return Completion("applied: " + (seen[-1]["content"].strip() if seen else "nothing"), 10, 5, 0.0)

    def count_tokens(self, text: str) -> int:
        return 1


def _guide_skill(tmp_path: Path) -> Path:
    skill = tmp_path / "house-style"
    (skill / "references").mkdir(parents=True)
    (skill / "scripts").mkdir()
    (skill / "SKILL.md").write_text(GUIDE_SKILL, encoding="utf-8")
    (skill / "references" / "style.md").write_text("Tabs are forbidden; indent with 3 spaces.\n", encoding="utf-8")
    (skill / "scripts" / "tool.py").write_text("print('a tool, not a reference')\n", encoding="utf-8")
    return skill


def test_an_agent_reads_a_reference_file_on_demand(tmp_path: Path) -> None:
    skill = _guide_skill(tmp_path)
    assert reference_files(skill) == ["references/style.md"]  # not SKILL.md, not scripts/
    backend = ReadsTheGuide()
    work = tmp_path / "work"
    work.mkdir()
    r = run(skill, task="Restyle main.c", options={"llm_backend": backend, "jit": False},
            runs_dir=tmp_path / "runs", workdir=work)
    assert r.status == "ok", r.error
    assert r.outputs["result"] == "applied: Tabs are forbidden; indent with 3 spaces."
    assert "references/style.md" in backend.systems[0]  # listed by name ...
    assert "Tabs are forbidden" not in backend.systems[0]  # ... not inlined
    assert "read_reference" in backend.offered[0]
    assert "Bash" in backend.offered[0]
    calls = [e for e in trace_events(Path(str(r.run_dir))) if e["event"] == "tool_call"]
    assert [(c["tool"], c["ok"]) for c in calls] == [("read_reference", True)]


def test_read_reference_reads_only_the_listed_files(tmp_path: Path) -> None:
    skill = _guide_skill(tmp_path)
    names = reference_files(skill)
    assert read_reference(str(skill), names, "references/style.md").startswith("Tabs are forbidden")
    for bad in ("SKILL.md", "scripts/tool.py", "../house-style/references/style.md", "/etc/passwd"):
        with pytest.raises(PermissionError):
            read_reference(str(skill), names, bad)


def test_evidence_weighs_rare_words_numbers_and_definitions() -> None:
    context = {"pieces": [
        "## Phases\nPhase 1: Root Cause Investigation\nPhase 2: Pattern Analysis\nPhase 1 again and again",
        "## Stack\n- Language: TypeScript (good SDK)\n- Tests: vitest",
        "## Law\nThe Iron Law\nNO CODE WITHOUT A FAILING TEST FIRST"]}
    assert evidence("What is phase 1?", context, lines=1) == "> Phase 1: Root Cause Investigation"
    assert evidence("Which language is recommended?", context, lines=1) == "> Language: TypeScript (good SDK)"
    # a short heading brings the line under it, where the fact is
    assert evidence("What is the iron law?", context, lines=1) == "> The Iron Law NO CODE WITHOUT A FAILING TEST FIRST"


ROUTE = {"route_words": {"detect_the_organization_profile": "Detect the organization profile run check repository",
                         "run_the_readiness_check": "Run the readiness check repository",
                         "final_review": "Final review re-run the readiness check repository",
                         "answer": "license"},
         "answer_route": "answer", "outcomes": ["detect_the_organization_profile", "run_the_readiness_check",
                                                "final_review", "answer"]}


@pytest.mark.parametrize(("task", "files", "chosen"), [
    ("Run the readiness check on this repository", "", "run_the_readiness_check"),  # the title says it
    ("Which license should the project use?", "", "answer"),  # a question about no file
    ("What does the readiness check report?", "", "run_the_readiness_check"),  # a question naming a title
    ("What is wrong with notes.txt?", "", None),  # a question about a file: the model decides
    ("Which one is it?", "/tmp/a.csv", None),
    ("do the usual thing", "", None),  # a request, not a question
])
def test_a_question_about_no_file_goes_to_the_skills_knowledge(task: str, files: str, chosen: str | None) -> None:
    from skc.stdlib.skill_task import answer_from_task

    assert answer_from_task("llm.decide", ROUTE, [task, files]) == chosen


def test_a_script_of_a_package_runs_as_its_module(tmp_path: Path) -> None:
    """`python -m scripts.package_skill` (anthropics/skill-creator): scripts/ imports `scripts.other`."""
    from skc.runtime.targets.shell import module_of

    skill = tmp_path / "skill"
    (skill / "scripts").mkdir(parents=True)
    (skill / "scripts" / "__init__.py").write_text("", encoding="utf-8")
    (skill / "scripts" / "helper.py").write_text("VALUE = 'from the package'\n", encoding="utf-8")
    (skill / "scripts" / "main.py").write_text(
        "import sys\nfrom scripts.helper import VALUE\nprint(VALUE, sys.argv[1:])\n", encoding="utf-8")
    (skill / "SKILL.md").write_text(
        "---\nname: skill\ndescription: Runs main. Use when asked to run main.\n---\n\n# Skill\n\n## Run main\n\n"
        "1. Run it:\n\n   ```bash\n   python -m scripts.main hello\n   ```\n\n2. Read what it printed.\n",
        encoding="utf-8")
    assert module_of(skill / "scripts" / "main.py") == (skill, "scripts.main")
    assert module_of(tmp_path / "lonely.py") is None
    module = compile_skill(skill).module
    assert module is not None
    script = next(op for op in module.walk() if op.op_name == "tool.script")
    assert script.attributes["path"] == "scripts/main.py"
    work = tmp_path / "work"
    work.mkdir()
    r = run(skill, task="Run main", options={"llm_backend": Vague(), "jit": False}, runs_dir=tmp_path / "runs",
            workdir=work, allow_writes=True)
    assert r.status == "ok", r.error
    assert "from the package ['hello']" in str(r.outputs["result"])
