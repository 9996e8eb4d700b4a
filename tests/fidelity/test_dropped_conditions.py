"""Conditions the step tree drops are said where they were written (SKC156), and an intro
that a note separates from its steps still guards them ("If a full GC run doesn't delete
the commits you can use the following, more aggressive steps:" + "NOTE: DO NOT RUN THE
FOLLOWING COMMANDS ON A POOL REPOSITORY" + the destructive steps)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from skc.compiler.frontend import FrontendResult
from skc.compiler.frontend.markdown.prose import parse_condition
from skc.compiler.frontend.runbook.tsg_md import compile_tsg

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus" / "runbooks"
PURGE = CORPUS / "gitlab" / "git" / "purge-git-data.md"


def _compile(tmp_path: Path, text: str) -> FrontendResult:
    doc = tmp_path / "rb.md"
    doc.write_text(text, encoding="utf-8")
    result = compile_tsg(doc)
    assert result.module is not None
    return result


@pytest.mark.skipif(not PURGE.is_file(), reason="the shared corpus is not here")
def test_a_note_between_an_intro_and_its_steps_leaves_the_steps_under_the_intro(tmp_path: Path) -> None:
    doc = tmp_path / "purge-git-data.md"
    shutil.copy(PURGE, doc)
    result = compile_tsg(doc)
    assert result.module is not None
    wf = result.module.workflows[0]
    decide = next(op for op in wf.walk() if op.op_name == "llm.decide")
    assert "full GC run" in str(decide.attributes["prompt"])
    assert [v.defining_op.attributes["argv"][:2] for v in decide.operands] == [["git", "cat-file"]]  # its evidence
    branch = next(op for op in wf.walk() if op.op_name == "ctrl.if")
    guarded = [op for op in branch.walk() if op.op_name == "tool.shell"]
    assert len(guarded) == 4  # show-ref, show-ref, update-ref -d, the aggressive gc: none runs unconditionally
    notes = [op for op in branch.walk() if str(op.attributes.get("step", "")).endswith(".note")]
    assert notes
    assert "POOL REPOSITORY" in str(notes[0].attributes["prompt"])
    outside = [op for op in wf.body.ops if op.op_name == "tool.shell"]
    assert [op.attributes.get("argv", [""])[:2] for op in outside] == [["git", "cat-file"]]
    assert not [d for d in result.diagnostics if d.code == "SKC156" and d.loc.line == 14]


def test_an_intro_with_a_note_before_a_code_block_reads_the_note_with_its_code(tmp_path: Path) -> None:
    result = _compile(tmp_path, "# Fix\n\n## Steps\n\nIf the pack is stale, copy the extensions into the pack:\n\n"
                                "**Warning:** files copied there are lost when the pack is updated.\n\n"
                                "```bash\ncp -r ext/ \"$PACK/ext/\"\n```\n")
    wf = result.module.workflows[0]
    assert len([op for op in wf.walk() if op.op_name == "tool.shell"]) == 1
    assert not [op for op in wf.body.ops if op.op_name == "tool.shell"]  # the copy runs under the condition
    assert not [d for d in result.diagnostics if d.code == "SKC156"]


@pytest.mark.parametrize(("text", "line"), [
    ("# Alert\n\n## Mitigation\n\nCordon and drain the node and delete it.\nIf the pod fails to start check the logs.\n", 6),
    ("# Alert\n\n## Steps\n\nRestart the service:\n\n```bash\nsystemctl restart x\n```\n\nIf you see log lines like:\n\n"
     "```\nERROR failed\n```\n", 11),
])
def test_a_condition_with_nothing_under_it_is_reported_where_it_is_written(tmp_path: Path, text: str,
                                                                           line: int) -> None:
    result = _compile(tmp_path, text)
    found = [d for d in result.diagnostics if d.code == "SKC156"]
    assert [(d.loc.line, d.severity) for d in found] == [(line, "warning")]


def test_a_condition_with_a_step_under_it_is_not_reported(tmp_path: Path) -> None:
    result = _compile(tmp_path, "# Alert\n\n## Steps\n\nIf the disk is full, clean the logs:\n\n"
                                "```bash\nrm -rf /var/log/x/*.gz\n```\n")
    assert not [d for d in result.diagnostics if d.code == "SKC156"]


@pytest.mark.parametrize(("sentence", "cond", "action"), [  # corpus sentences written without a comma
    ("If issue persists look into the node logs.", "issue persists", "look into the node logs."),
    ("If the problem persists send a channel wide notification in #development.", "the problem persists",
     "send a channel wide notification in #development."),
    ("If this happens repeat the above process to find the new master.", "this happens",
     "repeat the above process to find the new master."),
    ("If no value change is detected return an information that there's no build currently available.",
     "no value change is detected", "return an information that there's no build currently available."),
])
def test_a_condition_without_a_comma_splits_after_a_clause_that_ends_in_its_verb(sentence: str, cond: str,
                                                                                 action: str) -> None:
    got = parse_condition(sentence)
    assert got is not None
    assert (got.cond, got.action) == (cond, action)


@pytest.mark.parametrize("sentence", [
    "If you need ssh access to individual vms on GCP you have come to the right place.",  # a run-on sentence
    "If pods restart frequently check the node.",  # 'restart' is the clause's own verb
    "If the pod fails to start check the logs.",  # 'fails to': the clause goes on
    "If the job fails:",  # a header: its block is the action
])
def test_a_condition_without_a_comma_stays_whole_otherwise(sentence: str) -> None:
    got = parse_condition(sentence)
    assert got is not None
    assert got.action == ""


def test_a_comma_less_condition_from_the_corpus_becomes_a_decision_over_the_step_before(tmp_path: Path) -> None:
    result = _compile(tmp_path, "# Alert\n\n## Mitigation\n\nCordon and drain the node and delete it.\n"
                                "If issue persists look into the node logs.\n")
    ops = {op.op_name: op for op in result.module.workflows[0].walk()}
    assert ops["llm.decide"].attributes["prompt"] == "Issue persists?"
    assert not [d for d in result.diagnostics if d.code == "SKC156"]
