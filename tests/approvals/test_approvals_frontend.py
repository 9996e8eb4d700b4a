"""The front end finds the confirmation requests people write (compiler/frontend/markdown/confirm.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from ap_helpers import writes

from skc.compiler.frontend import FrontendResult, load
from skc.compiler.frontend.markdown.confirm import request
from skc.runtime.api import run
from skc.runtime.approvals import reject


def _compile(tmp_path: Path, text: str, name: str = "runbook.md") -> FrontendResult:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return load(path)


def _writes(result: FrontendResult) -> list[dict[str, Any]]:
    assert result.module is not None
    return [{"cmd": " ".join(map(str, op.attributes.get("argv") or [])) or str(op.attributes.get("cmd")),
             "confirm": op.attributes.get("confirm") is True, "fallback": op.attributes.get("fallback"),
             "line": op.where.line}
            for op in result.module.workflows[0].walk()
            if op.op_name.startswith("tool.") and any(str(e).startswith("write:") for e in op.effects)]


def _skc123(result: FrontendResult) -> list[int]:
    return [d.loc.line for d in result.diagnostics if d.code == "SKC123"]


@pytest.mark.parametrize(("text", "kind"), [
    ("Confirm with the on-call lead before rolling back.", "consult"),
    ("After approval, run the rollback.", "approval"),
    ("Get approval from the EOC, then restart the pods.", "approval"),
    ("Only if the incident commander agrees, fail over the database.", "agrees"),
    ("Do not proceed without sign-off from the DBRE on call.", "prohibition"),
    ("If it looks related to a release, check with the people in #releases about a rollback.", "consult"),
    ("Ask the service owner if specific old data can be deleted.", "ask"),
    ("Ask the user before deleting the branch.", "ask"),
    ("Create a Merge Request with your changes and ask the SRE team for approval.", "approval"),
    ("You should do this activity in a CR.", "change-management"),
    ("Open a production change issue first.", "change-management"),
    ("Confirm before deleting anything.", "confirm-before"),
])
def test_requests_people_write_are_found(text: str, kind: str) -> None:
    assert request(text) == kind


@pytest.mark.parametrize("text", [
    "Confirm that the pods still exist.",
    "To confirm this is the cause of the slow requests, look at the dashboard.",
    "Check with `gitlab-ctl status postgresql` that it runs.",
    "Find the request you'd like to approve, and click View.",
    "Don't bail or ask the user for a key just because the env var is unset.",
    "Ask the user to run the following command.",
    "Then confirm it landed before advancing.",
])
def test_checking_is_not_asking(text: str) -> None:
    assert request(text) is None


def test_a_step_that_asks_is_marked_and_one_that_checks_warns(tmp_path: Path) -> None:
    result = _compile(tmp_path, "# Web\n\n"
                      "1. Confirm that the pods are running, then delete the stuck one: `kubectl delete pod web-1 -n prod`\n"
                      "2. Confirm with the on-call lead before rolling back: `kubectl rollout undo deployment/web -n prod`\n")
    delete, undo = _writes(result)
    assert (delete["confirm"], undo["confirm"]) == (False, True)
    assert _skc123(result) == [3]


def test_a_warning_before_a_destructive_command_asks(tmp_path: Path) -> None:
    result = _compile(tmp_path, "# Disk\n\n## Free space\n\n> **Warning**\n> This deletes the data for good.\n\n"
                      "```bash\nkubectl delete pvc data-0 -n prod\n```\n\n## Label\n\n"
                      "> **Warning**\n> Labels drive the scheduler.\n\n```bash\nkubectl label node n1 disk=full\n```\n")
    delete, label = _writes(result)
    assert delete["confirm"] is True
    assert label["confirm"] is False  # a warning asks only before a destructive command
    assert _skc123(result) == [label["line"]]


def test_the_commands_own_prompt_asks(tmp_path: Path) -> None:
    result = _compile(tmp_path, "# Pool\n\n1. Delete the node pool:\n\n   ```console\n"
                      "   $ az aks nodepool delete --name np1 --cluster-name c1 --resource-group rg\n"
                      "   Are you sure you want to perform this operation? (y/N): y\n   ```\n")
    [delete] = _writes(result)
    assert delete["confirm"] is True


def test_a_request_covers_its_section_not_the_next(tmp_path: Path) -> None:
    result = _compile(tmp_path, "# Web\n\n## Roll back\n\nGet approval from the EOC first.\n\n"
                      "1. Roll back: `kubectl rollout undo deployment/web -n prod`\n\n## Restart\n\n"
                      "1. Restart: `kubectl rollout restart deployment/api -n prod`\n")
    undo, restart = _writes(result)
    assert (undo["confirm"], restart["confirm"]) == (True, False)


@pytest.mark.parametrize(("mode", "confirmed", "warned"), [("none", False, False), ("all", True, False)])
def test_front_matter_opts_out_or_gates_everything(tmp_path: Path, mode: str, confirmed: bool, warned: bool) -> None:
    result = _compile(tmp_path, f"---\napprovals: {mode}\n---\n# Web\n\n"
                      "1. Delete the stuck pod: `kubectl delete pod web-1 -n prod`\n")
    [delete] = _writes(result)
    assert delete["confirm"] is confirmed
    assert bool(_skc123(result)) is warned


def test_a_skill_that_says_ask_the_user_before(tmp_path: Path) -> None:
    folder = tmp_path / "branch-cleanup"
    folder.mkdir()
    (folder / "SKILL.md").write_text("---\nname: branch-cleanup\ndescription: Delete merged git branches.\n---\n"
                                     "# Branch cleanup\n\n## Steps\n\n1. List merged branches:\n\n"
                                     "   ```bash\n   git branch --merged\n   ```\n\n"
                                     "2. Ask the user before deleting them:\n\n"
                                     "   ```bash\n   git push origin --delete old-branch\n   ```\n",
                                     encoding="utf-8")
    result = load(folder)
    [push] = [w for w in _writes(result) if "push" in w["cmd"]]
    assert push["confirm"] is True


ROLLBACK = """# Rotate the web log

1. List the logs: `ls {dir}`
2. Confirm with the on-call lead before rotating: `echo rotated >> {dir}/writes.txt`
   If not approved, go to step 3.
3. Note that nothing changed: `echo left-as-is`
"""


def test_if_not_approved_go_to_step_n_is_the_rejection_path(tmp_path: Path) -> None:
    source = tmp_path / "rotate.md"
    source.write_text(ROLLBACK.format(dir=tmp_path), encoding="utf-8")
    [rotate] = _writes(load(source))
    assert (rotate["confirm"], rotate["fallback"]) == (True, "3")
    first = run(str(source), runs_dir=tmp_path / "runs", workdir=tmp_path)
    assert first.status == "waiting"
    assert [a["step"] for a in first.approvals] == ["2"]
    reject(first.run_id, ["2"], "not during the sale", runs_dir=tmp_path / "runs")
    second = run(None, resume=first.run_id, runs_dir=tmp_path / "runs", workdir=tmp_path)
    assert second.status == "ok", second.error
    assert second.outputs["step_2"] == "left-as-is"
    assert writes(tmp_path) == []


def test_ir_explain_lists_the_approval_points_before_any_run(tmp_path: Path) -> None:
    from skc.compiler.explain import explain_json, explain_text, inspect_module

    source = tmp_path / "rotate.md"
    source.write_text(ROLLBACK.format(dir=tmp_path), encoding="utf-8")
    module = load(source).module
    assert module is not None
    ctx = inspect_module(module)
    [point] = explain_json(module, ctx)["approvals"]["rotate"]
    assert point["step"] == "2"
    assert point["if_rejected"] == "3"
    assert point["writes"] == [f"fs:{tmp_path}/writes.txt"]
    text = explain_text(module, ctx)
    assert "approval points: 1" in text
    assert "if rejected: step 3" in text


def test_skc_check_respects_the_opt_out(tmp_path: Path) -> None:
    from skc.compiler.check import check_path

    body = "# Web\n\n1. Delete the stuck pod: `kubectl delete pod web-1 -n prod`\n"
    (tmp_path / "asks.md").write_text(body, encoding="utf-8")
    (tmp_path / "optout.md").write_text("---\napprovals: none\n---\n" + body, encoding="utf-8")
    codes = {name: {d.code for d in check_path(tmp_path / name).diagnostics} for name in ("asks.md", "optout.md")}
    assert codes["asks.md"] & {"SKC123", "SKC140"}
    assert not codes["optout.md"] & {"SKC123", "SKC140"}


def test_a_document_edited_in_the_same_process_is_read_again(tmp_path: Path) -> None:
    from skc.compiler.frontend.markdown.confirm import policy

    doc = tmp_path / "rb.md"
    doc.write_text("---\napprovals: none\n---\n# Restart\n\n1. Run `kubectl delete pod web-1`.\n")
    assert policy(str(doc)) == "none"
    doc.write_text("---\napprovals: all\n---\n# Restart\n\n1. Run `kubectl delete pod web-1` now.\n")
    assert policy(str(doc)) == "all"  # the size changed: not the cached answer of the first text
