"""The recogniser tables (`markdown/rules.py`) and the tables built from them in `llm_kinds` and `flow`."""

from __future__ import annotations

import re

import pytest

from skc.compiler.frontend.markdown import flow, llm_kinds
from skc.compiler.frontend.markdown.rules import Rule, Rules

_TABLE: Rules[str] = Rules(
    Rule(re.compile(r"\bstop\b", re.I), lambda m: "stop"),
    Rule(re.compile(r"(?P<n>\d+) pods"), lambda m: f"pods:{m.group('n')}" if m.group("n") != "0" else None),
    Rule(re.compile(r"(?P<n>\d+) nodes", re.S), lambda m: f"nodes:{m.group('n')}"),
)


@pytest.mark.parametrize(("text", "expected"), [
    ("STOP here", "stop"),               # flags stay with their row: only the first row ignores case
    ("3 pods and 4 nodes", "pods:3"),    # rows in table order, not leftmost match
    ("4 nodes then 3 pods", "pods:3"),
    ("0 pods and 4 nodes", "nodes:4"),   # a builder's None hands over to the next row
    ("3 PODS", None),
    ("nothing to see", None),
])
def test_first_row_that_builds_wins(text: str, expected: str | None) -> None:
    assert _TABLE.first(text) == expected
    assert _TABLE.could_match(text) == any(r.pattern.search(text) for r in _TABLE.rules)


def test_accept_and_anchored_and_combination() -> None:
    assert _TABLE.first("3 pods, stop", accept=lambda m: m.start() == 0) == "pods:3"
    anchored: Rules[str] = Rules(*_TABLE.rules, anchored=True)
    assert anchored.first("well, stop") is None
    assert anchored.first("Stop now") == "stop"
    both = Rules(Rule(re.compile("a"), lambda m: "a")) + Rules(Rule(re.compile("b"), lambda m: "b"))
    assert [r.build(m) for m, r in both.matches("ba")] == ["a", "b"]
    assert Rules[str]().first("anything") is None


@pytest.mark.parametrize(("text", "kind"), [
    ("Investigate why the pods crash", "agent"),
    ("Decide whether to roll back", "decide"),
    ("Extract the run id from the output", "extract"),
    ("Write a short status update", "generate"),
    ("To check whether the fix worked, collect the logs", "extract"),  # judged on the main clause
])
def test_llm_kinds_table(text: str, kind: str) -> None:
    assert llm_kinds.llm_kind(text) == kind


@pytest.mark.parametrize(("text", "hint"), [
    ("Run steps 2 through 4 in parallel.", flow.ParallelHint((2, 3, 4))),
    ("Steps 1, 3 and 5 can run concurrently.", flow.ParallelHint((1, 3, 5))),
    ("Run steps 2-3 one at a time.", flow.ParallelHint((2, 3), serial=True)),
    ("Run the following checks in parallel:", flow.ParallelHint(following=True)),
    ("Run steps 1 through 400 in parallel.", None),  # a range over 200 steps is no hint, and no later row applies
    ("Check the parallel port.", None),
])
def test_parallel_hint_table(text: str, hint: flow.ParallelHint | None) -> None:
    assert flow.parallel_hint(text) == hint


@pytest.mark.parametrize(("text", "anchored", "status"), [
    ("Escalate to the DBA team.", True, "escalate"),
    ("Escalate to the DBA team if needed.", True, None),
    ("Otherwise you are done.", True, None),        # anchored: the exit must open the step
    ("Otherwise you are done.", False, "stop"),
    ("This is a definitive resolution.", True, "resolved"),
    ("Skip the remaining steps.", False, "stop"),
])
def test_exit_table(text: str, anchored: bool, status: str | None) -> None:
    assert flow.exit_status(text, anchored=anchored) == status


def test_jumps_table() -> None:
    assert flow.goto_target("Go to step 5.") == 5
    assert flow.goto_target("See step 3 instead.") == 3
    assert flow.goto_target("If so, go to step 7", anchored=True) is None
