"""Approval gates at run time: a confirmed write waits while the rest of the run goes on,
and a person's decision (now, later, or never) decides what happens to it."""

from __future__ import annotations

from pathlib import Path

import pytest
from ap_helpers import records, two_branches, writes

from skc.ir.location import DiagnosticError
from skc.runtime.api import run
from skc.runtime.approvals import approve, reject, waiting_approvals
from skc.runtime.journal import read_journal
from skc.runtime.timeline_html import render_html
from skc.runtime.trace import read_trace, render_text


def _run(src: Path | None, tmp_path: Path, **kw: object):  # type: ignore[no-untyped-def]
    return run(src, runs_dir=tmp_path / "runs", workdir=tmp_path, **kw)  # type: ignore[arg-type]


def test_the_write_waits_while_the_independent_branch_finishes(tmp_path: Path) -> None:
    result = _run(two_branches(tmp_path), tmp_path)
    assert result.status == "waiting"
    assert result.error is None
    assert writes(tmp_path) == []  # nobody approved: nothing was written
    done = read_journal(result.run_dir / "journal.jsonl").done
    assert done["0"]["values"] == ["pods-ok"]  # Step 1 finished while Step 2 waited
    [pending] = result.approvals
    assert pending["step"] == "Step 2"
    assert pending["command"].startswith("echo rolled-back >> ")
    assert pending["touches"] == [f"fs:{tmp_path / 'writes.txt'}"]
    assert [r["state"] for r in records(result.run_dir, "approval")] == ["pending"]
    assert records(result.run_dir, "end")[-1]["status"] == "waiting"


def test_approve_then_resume_runs_the_write_once_and_keeps_the_rest(tmp_path: Path) -> None:
    first = _run(two_branches(tmp_path), tmp_path)
    [rec] = approve(first.run_id, ["2"], runs_dir=tmp_path / "runs", by="alice")
    assert rec["by"] == "alice"
    assert rec["shown"] == first.approvals[0]["command"]
    second = _run(None, tmp_path, resume=first.run_id)
    assert second.status == "ok", second.error
    assert second.outputs == {"pods": "pods-ok", "rollback": "rolled-back"}
    assert (second.executed, second.restored) == (1, 1)  # Step 1 came from the journal
    again = _run(None, tmp_path, resume=first.run_id)
    assert again.status == "ok"
    assert writes(tmp_path) == ["rolled-back"]
    states = [r["state"] for r in records(first.run_dir, "approval")]
    assert states == ["pending", "approved", "running"]
    text = render_text(read_trace(first.run_dir / "trace.jsonl"))
    assert "approved by alice" in text  # who approved is in `skc trace`


def test_reject_takes_the_otherwise_step(tmp_path: Path) -> None:
    first = _run(two_branches(tmp_path, otherwise=True), tmp_path)
    assert first.status == "waiting"
    reject(first.run_id, ["Step 2"], "change freeze", runs_dir=tmp_path / "runs", by="bob")
    second = _run(None, tmp_path, resume=first.run_id)
    assert second.status == "ok", second.error
    assert second.outputs["rollback"] == "left-as-is"
    assert writes(tmp_path) == []
    [decided] = [r for r in records(first.run_dir, "approval") if r["state"] == "rejected"]
    assert decided["by"] == "bob"
    assert decided["reason"] == "change freeze"


def test_reject_without_otherwise_fails_the_step_and_keeps_finished_results(tmp_path: Path) -> None:
    first = _run(two_branches(tmp_path), tmp_path)
    reject(first.run_id, ["2"], "not now", runs_dir=tmp_path / "runs")
    second = _run(None, tmp_path, resume=first.run_id)
    assert second.status == "failed"
    assert second.error is not None
    assert second.error.code == "SKC313"
    assert "not now" in second.error.message
    assert "Step 2" in second.error.message
    assert writes(tmp_path) == []
    assert "0" in read_journal(first.run_dir / "journal.jsonl").done


def test_approval_timeout_turns_waiting_into_a_rejection(tmp_path: Path) -> None:
    result = _run(two_branches(tmp_path, read_s=0.0), tmp_path, approval_timeout=0.3)
    assert result.status == "failed"
    assert result.error is not None
    assert result.error.code == "SKC313"
    [decided] = [r for r in records(result.run_dir, "approval") if r["state"] == "rejected"]
    assert decided["by"] == "timeout"
    assert writes(tmp_path) == []


def test_a_timeout_that_passed_while_the_run_was_stopped_rejects_on_resume(tmp_path: Path) -> None:
    first = _run(two_branches(tmp_path, otherwise=True), tmp_path)
    second = _run(None, tmp_path, resume=first.run_id, approval_timeout=0.0)
    assert second.status == "ok"
    assert second.outputs["rollback"] == "left-as-is"


@pytest.mark.parametrize("flags", [{"approve": ["Step 2"]}, {"approve": ["1"]}, {"approve_all": True},
                                   {"allow_writes": True}])
def test_pre_approval_runs_unattended(tmp_path: Path, flags: dict[str, object]) -> None:
    result = _run(two_branches(tmp_path), tmp_path, **flags)
    assert result.status == "ok", result.error
    assert writes(tmp_path) == ["rolled-back"]
    [approved] = [r for r in records(result.run_dir, "approval") if r["state"] == "approved"]
    assert "--approve" in approved["by"]


def test_pre_approving_another_step_leaves_this_one_waiting(tmp_path: Path) -> None:
    result = _run(two_branches(tmp_path), tmp_path, approve=["Step 1"])
    assert result.status == "waiting"
    assert writes(tmp_path) == []


def test_an_inline_answer_decides_and_is_journaled(tmp_path: Path) -> None:
    asked: list[dict[str, object]] = []

    def ask(info: dict[str, object]) -> tuple[bool, str]:
        asked.append(info)
        return False, "looks wrong"

    result = _run(two_branches(tmp_path, otherwise=True), tmp_path, ask_approval=ask)
    assert result.status == "ok"
    assert result.outputs["rollback"] == "left-as-is"
    assert [a["step"] for a in asked] == ["Step 2"]
    assert "rolled-back" in str(asked[0]["command"])
    [decided] = [r for r in records(result.run_dir, "approval") if r["state"] == "rejected"]
    assert decided["reason"] == "looks wrong"


def test_an_approved_write_that_was_running_when_the_run_died_is_not_rerun(tmp_path: Path) -> None:
    first = _run(two_branches(tmp_path), tmp_path)
    approve(first.run_id, ["2"], runs_dir=tmp_path / "runs")
    with (first.run_dir / "journal.jsonl").open("a") as f:  # as a kill -9 mid-write leaves it
        f.write('{"type":"approval","op":"1","step":"Step 2","state":"running"}\n')
        f.write('{"type":"start","op":"1","name":"tool.shell","step":"Step 2","attempt":1}\n')
    second = _run(None, tmp_path, resume=first.run_id, approve_all=True)
    assert second.status == "waiting"
    assert writes(tmp_path) == []
    assert "took effect" in second.approvals[0]["note"]
    assert waiting_approvals(first.run_dir)[0]["op"] == "1"


def test_deciding_nothing_that_waits_is_a_user_error(tmp_path: Path) -> None:
    first = _run(two_branches(tmp_path), tmp_path)
    with pytest.raises(DiagnosticError, match="SKC314"):
        approve(first.run_id, ["Step 9"], runs_dir=tmp_path / "runs")
    with pytest.raises(DiagnosticError, match="SKC314"):
        approve(first.run_id, [], runs_dir=tmp_path / "runs")
    with pytest.raises(DiagnosticError, match="SKC308"):
        approve("no-such-run", ["2"], runs_dir=tmp_path / "runs")


def test_dry_run_lists_the_approval_points(tmp_path: Path) -> None:
    result = _run(two_branches(tmp_path), tmp_path, dry_run=True)
    flagged = {item["step"]: item["approval"] for item in result.plan}
    assert flagged == {"Step 1": False, "Step 2": True}
    assert all(item["verdict"] == "allowed" for item in result.plan)  # approval, not --allow-writes


def test_the_timeline_shows_the_waiting_time_of_each_approval(tmp_path: Path) -> None:
    first = _run(two_branches(tmp_path), tmp_path)
    approve(first.run_id, ["2"], runs_dir=tmp_path / "runs")
    _run(None, tmp_path, resume=first.run_id)
    events = read_trace(first.run_dir / "trace.jsonl")
    [decided] = [e for e in events if e["event"] == "approval"]
    assert decided["waited_s"] > 0
    page = render_html(events)
    assert "waiting for approval" in page
    assert "approved by" in page


def test_an_unanswered_prompt_times_out_and_never_holds_the_run(tmp_path: Path) -> None:
    import threading

    never = threading.Event()

    def ask(info: dict[str, object]) -> tuple[bool, str]:
        never.wait(30)  # nobody at the terminal
        return True, "too late"

    result = _run(two_branches(tmp_path, otherwise=True), tmp_path, ask_approval=ask, approval_timeout=0.3)
    never.set()
    assert result.status == "ok"
    assert result.outputs["rollback"] == "left-as-is"
    assert result.duration_s < 10


def test_a_failure_elsewhere_ends_the_run_while_a_write_waits(tmp_path: Path) -> None:
    src = two_branches(tmp_path)
    src.write_text(src.read_text().replace("sleep 0.3; echo pods-ok", "sleep 0.3; exit 3"))
    result = _run(src, tmp_path)
    assert result.status == "failed"
    assert result.error is not None
    assert result.error.code == "SKC310"  # the failure is reported, not the wait
    assert writes(tmp_path) == []
    assert [r["state"] for r in records(result.run_dir, "approval")] == ["pending"]


def test_an_approval_holds_only_for_the_command_that_was_shown(tmp_path: Path) -> None:
    first = _run(two_branches(tmp_path), tmp_path)
    journal = first.run_dir / "journal.jsonl"
    with journal.open("a") as f:  # as if the person had approved another command
        f.write('{"type":"approval","op":"1","step":"Step 2","state":"approved","by":"dave",'
                '"shown":"echo something-else"}\n')
    second = _run(None, tmp_path, resume=first.run_id)
    assert second.status == "waiting"
    assert writes(tmp_path) == []
    assert "another command" in second.approvals[0]["note"]
