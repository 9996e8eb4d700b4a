"""The SKILL.md front end: the Agent Skills front matter rules and the skill's procedures as a workflow.

Every SKC11x code is triggered by a small skill and must point at the offending
line of SKILL.md; the body tests check the op each kind of step becomes.
"""

from __future__ import annotations

import pytest

from skc.compiler.frontend import FrontendResult
from skc.ir import Op, verify

BODY = "\n# Demo\n\n1. Run `git status` to see the tree.\n"


def diag(result: FrontendResult, code: str) -> tuple[int, int, str]:
    found = [d for d in result.diagnostics if d.code == code]
    assert found, f"no {code} in {[str(d) for d in result.diagnostics]}"
    return found[0].loc.line, found[0].loc.col, found[0].severity


def ops(result: FrontendResult, name: str) -> list[Op]:
    assert result.module is not None
    return [op for op in result.module.walk() if op.op_name == name]


def test_a_valid_skill_has_no_diagnostics_and_its_attributes(skill) -> None:
    r = skill("---\nname: demo-skill\ndescription: Shows the tree.\nallowed-tools: Bash(git:*) Read\n---\n" + BODY)
    assert r.diagnostics == []
    assert r.ok
    assert r.module is not None
    assert verify(r.module) == []
    wf = r.module.workflow()
    assert wf.attributes["sym_name"] == "demo_skill"
    assert wf.attributes["permissions"] == ["Bash(git:*)", "Read"]
    assert wf.attributes["description"] == "Shows the tree."
    assert str(wf.attributes["source"]).endswith("demo-skill")
    shell = ops(r, "tool.shell")[0]
    assert shell.attributes["argv"] == ["git", "status"]
    assert shell.attributes["effects"] == ["read:git"]
    assert (shell.loc.line, shell.attributes["step"]) == (9, "demo.1")
    assert wf.input_names == ["task", "files"]


@pytest.mark.parametrize(("front", "code", "line"), [
    ("description: x\n", "SKC110", 1),                            # no name: reported at the front matter
    ("name: Bad_Name\ndescription: x\n", "SKC111", 2),             # a bad name on line 2 -> line 2
    ("description: x\nname: -lead\n", "SKC111", 3),
    ("description: x\nname: a--b\n", "SKC111", 3),
    ("name: other-name\ndescription: x\n", "SKC112", 2),
    ("name: demo-skill\n", "SKC113", 1),
    ("name: demo-skill\ndescription: ''\n", "SKC113", 3),
    ("name: demo-skill\ndescription: " + "x" * 1025 + "\n", "SKC113", 3),
    ("name: demo-skill\ndescription: x\nversion: 2\n", "SKC114", 4),
    ("name: demo-skill\ndescription: x\ncompatibility: " + "y" * 501 + "\n", "SKC117", 4),
    ("name: demo-skill\ndescription: x\nmetadata:\n  retries: [3]\n", "SKC118", 5),
    ("name: demo-skill\ndescription: x\nallowed-tools: 42\n", "SKC119", 4),
    ("name: demo-skill\ndescription: x\nallowed-tools: Bash(git:* Read\n", "SKC119", 4),
    ("name: demo-skill\ndescription: [broken\n", "SKC116", 3),
    ("name: demo-skill\n  description: x: y\n", "SKC116", 3),
])
def test_front_matter_rules_point_at_the_offending_line(skill, front: str, code: str, line: int) -> None:
    r = skill("---\n" + front + "---\n" + BODY)
    assert diag(r, code)[0] == line
    assert r.module is not None
    assert verify(r.module) == []  # the body still compiles


def test_unknown_keys_and_long_bodies_are_warnings_not_failures(skill) -> None:
    body = "\n".join(f"Line {i} of notes." for i in range(520))
    r = skill("---\nname: demo-skill\ndescription: x\nauthor: me\n---\n" + body)
    assert diag(r, "SKC114")[::2] == (4, "warning")
    assert diag(r, "SKC115")[::2] == (6 + 500, "warning")
    assert r.ok


def test_no_front_matter_and_an_unclosed_one(skill) -> None:
    r = skill(BODY)
    assert diag(r, "SKC110")[:2] == (1, 1)
    assert not r.ok
    r = skill("---\nname: demo-skill\n" + BODY)
    assert diag(r, "SKC116")[0] == 1


def test_scripts_become_tool_script_and_missing_ones_are_reported(skill) -> None:
    text = ("---\nname: demo-skill\ndescription: x\n---\n\n1. Run `python scripts/fetch.py --pr <pr>`.\n"
            "2. Run `bash scripts/report.sh` to print the report.\n")
    r = skill(text, scripts=("scripts/fetch.py",))
    fetch, report = ops(r, "tool.script")
    assert fetch.attributes["path"] == "scripts/fetch.py"
    assert fetch.attributes["args"] == ["--pr", "{0}"]
    assert fetch.attributes["interpreter"] == "python"
    assert fetch.attributes["effects"] == ["write:*"]
    assert r.module is not None
    assert r.module.workflow().attributes["arg_names"] == ["task", "files"]  # `pr` comes from the task
    extract = ops(r, "llm.extract")[0]
    assert '"pr"' in extract.attributes["schema"]
    assert fetch.operands[0].owner.op_name == "data.json_get"
    assert report.attributes["path"] == "scripts/report.sh"
    assert report.attributes["interpreter"] == "bash"
    assert diag(r, "SKC127")[::2] == (7, "error")  # an error, as env-bind's SKC221: check == compile


def test_prose_steps_get_their_own_text_and_selected_context(skill) -> None:
    text = ("---\nname: demo-skill\ndescription: Triage a branch.\nallowed-tools: Read Grep\n---\n\n"
            "## Rules\n\n- Never merge a branch with failing tests.\n\n## Glossary\n\nA ticket is a Jira issue.\n\n"
            "## Workflow\n\n1. Investigate the failing test and fix it.\n2. Decide whether to merge the branch.\n"
            "3. Write a short summary for the team.\n")
    r = skill(text)
    agent = ops(r, "llm.agent")[0]
    assert agent.attributes["prompt"] == "Investigate the failing test and fix it."
    assert agent.attributes["tools"] == ["Read", "Grep"]
    assert agent.attributes["effects"] == ["read:*"]
    assert agent.attributes["max_turns"] == 10
    gen = ops(r, "llm.generate")
    assert [g.attributes["prompt"] for g in gen] == ["Decide whether to merge the branch.",
                                                     "Write a short summary for the team.",
                                                     "Answer the user's question from the skill's knowledge."]
    assert ops(r, "llm.decide")[0].attributes["outcomes"] == ["workflow", "answer"]  # a question runs no step
    merge = gen[0].attributes["system"]
    assert merge.startswith("You are applying the skill 'demo-skill': Triage a branch.")
    assert "Never merge a branch with failing tests." in merge  # the rule that shares words with the step
    assert [op.attributes["step"] for op in (agent, *gen)] == ["workflow.1", "workflow.2", "workflow.3", "answer"]


def test_an_agent_without_allowed_tools_gets_the_documents_programs(skill) -> None:
    text = "---\nname: demo-skill\ndescription: x\n---\n\n1. Run `kubectl get pods`.\n2. Debug the crash.\n"
    agent = ops(skill(text), "llm.agent")[0]
    assert agent.attributes["tools"] == ["Bash(kubectl:*)", "Read"]
    assert agent.attributes["effects"] == ["write:*"]


def test_binary_skill_is_a_diagnostic(tmp_path) -> None:
    from skc.compiler.frontend.skill.skill_md import compile_skill

    folder = tmp_path / "junk"
    folder.mkdir()
    (folder / "SKILL.md").write_bytes(b"\xff\xfe\x00garbage")
    r = compile_skill(folder)
    assert r.module is None
    assert [d.code for d in r.diagnostics] == ["SKC128"]
    assert compile_skill(tmp_path / "absent").diagnostics[0].code == "SKC100"


def test_python_blocks_of_a_procedure_carry_their_imports(skill) -> None:
    text = ("---\nname: demo-skill\ndescription: x\n---\n\n## Workflow\n\n1. Open it:\n\n"
            "   ```python\n   import json\n   from pathlib import Path\n   data = json.loads(Path('a.json').read_text())\n"
            "   ```\n\n2. Count it:\n\n   ```python\n   import os\n   print(len(json.dumps(data)))\n   ```\n")
    first, second = ops(skill(text), "tool.python")
    assert first.attributes["code"].startswith("import json\nfrom pathlib import Path\ndata")
    assert second.attributes["code"].rstrip() == "import json\nfrom pathlib import Path\nimport os\nprint(len(json.dumps(data)))"
