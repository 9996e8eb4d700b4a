"""The verifier's diagnostics: one small invalid module per rule, SKC201 to SKC212.

Each case is the smallest module that breaks one rule, and the test says exactly
which diagnostics come out and where. An op with a source `loc(...)` is reported
there (the runbook line it came from); an op without one is reported where it
stands in the .mlir text.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass

import pytest

from skc.ir import (
    BOOL,
    TEXT,
    InsertionPoint,
    Location,
    Module,
    calc,
    ctrl,
    data,
    parse_module,
    verify,
    workflow,
)
from skc.ir.verifier import __doc__ as VERIFIER_DOC

FILE = "case.mlir"


@dataclass(frozen=True)
class Case:
    """An invalid module and the (code, file, line, col) of every diagnostic it must get."""

    id: str
    text: str
    expected: tuple[tuple[str, str, int, int], ...]


def at(code: str, line: int, col: int, file: str = FILE) -> tuple[str, str, int, int]:
    return (code, file, line, col)


def mlir(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


CASES = [
    Case("SKC201 use before definition", mlir('''
        "skc.workflow"() ({
          %0 = "calc.not"(%1) : (!skc.bool) -> !skc.bool
          %1 = "data.const"() {value = true} : () -> !skc.bool
          "ctrl.return"(%0) : (!skc.bool) -> ()
        }) {sym_name = "w"} : () -> ()
    '''), (at("SKC201", 2, 3),)),
    Case("SKC202 operand of the wrong type", mlir('''
        "skc.workflow"() ({
        ^bb0(%status: !skc.text):
          %0 = "calc.not"(%status) : (!skc.text) -> !skc.bool loc("runbooks/Disk.md":7:3)
          "ctrl.return"(%0) : (!skc.bool) -> ()
        }) {sym_name = "w"} : () -> ()
    '''), (at("SKC202", 7, 3, "runbooks/Disk.md"),)),
    Case("SKC202 wrong operand count", mlir('''
        "skc.workflow"() ({
        ^bb0(%a: !skc.num):
          %0 = "calc.add"(%a) : (!skc.num) -> !skc.num
          "ctrl.return"(%0) : (!skc.num) -> ()
        }) {sym_name = "w"} : () -> ()
    '''), (at("SKC202", 3, 3),)),
    Case("SKC203 result of the wrong type", mlir('''
        "skc.workflow"() ({
        ^bb0(%a: !skc.num, %b: !skc.num):
          %0 = "calc.cmp"(%a, %b) {pred = "gt"} : (!skc.num, !skc.num) -> !skc.num
          "ctrl.return"(%0) : (!skc.num) -> ()
        }) {sym_name = "w"} : () -> ()
    '''), (at("SKC203", 3, 3),)),
    Case("SKC204 body without ctrl.return", mlir('''
        "skc.workflow"() ({
          %0 = "data.const"() {value = "ok"} : () -> !skc.text
        }) {sym_name = "w"} : () -> ()
    '''), (at("SKC204", 2, 3),)),
    Case("SKC204 terminator before the end", mlir('''
        "skc.workflow"() ({
          %0 = "data.const"() {value = "ok"} : () -> !skc.text
          "ctrl.return"(%0) : (!skc.text) -> ()
          %1 = "data.const"() {value = "unreachable"} : () -> !skc.text
          "ctrl.return"(%1) : (!skc.text) -> ()
        }) {sym_name = "w"} : () -> ()
    '''), (at("SKC204", 3, 3),)),
    Case("SKC204 a ctrl.map body ends with ctrl.return instead of ctrl.yield", mlir('''
        "skc.workflow"() ({
        ^bb0(%items: !skc.json):
          %0 = "ctrl.map"(%items) ({
          ^bb0(%item: !skc.json):
            "ctrl.return"() {status = "escalate"} : () -> ()
          }) : (!skc.json) -> !skc.json
          "ctrl.return"() : () -> ()
        }) {sym_name = "w"} : () -> ()
    '''), (at("SKC204", 5, 5),)),
    Case("SKC205 two ops that need each other", mlir('''
        "skc.workflow"() ({
          %0 = "calc.not"(%1) : (!skc.bool) -> !skc.bool loc("runbooks/Loop.md":3:1)
          %1 = "calc.not"(%0) : (!skc.bool) -> !skc.bool loc("runbooks/Loop.md":4:1)
          "ctrl.return"(%1) : (!skc.bool) -> ()
        }) {sym_name = "w"} : () -> ()
    '''), (at("SKC205", 3, 1, "runbooks/Loop.md"),)),
    Case("SKC205 an op that needs its own result", mlir('''
        "skc.workflow"() ({
          %0 = "calc.not"(%0) : (!skc.bool) -> !skc.bool
          "ctrl.return"(%0) : (!skc.bool) -> ()
        }) {sym_name = "w"} : () -> ()
    '''), (at("SKC205", 2, 3),)),
    Case("SKC206 tool op without effects", mlir('''
        "skc.workflow"() ({
          %0 = "tool.shell"() {argv = ["uptime"]} : () -> !skc.text
          "ctrl.return"(%0) : (!skc.text) -> ()
        }) {sym_name = "w"} : () -> ()
    '''), (at("SKC206", 2, 3),)),
    Case("SKC206 llm.agent without effects", mlir('''
        "skc.workflow"() ({
          %0 = "llm.agent"() {max_tokens = 100 : i64, max_turns = 2 : i64, prompt = "fix it", tools = ["Bash"]} : () -> !skc.text
          "ctrl.return"(%0) : (!skc.text) -> ()
        }) {sym_name = "w"} : () -> ()
    '''), (at("SKC206", 2, 3),)),
    Case("SKC207 malformed effect", mlir('''
        "skc.workflow"() ({
          %0 = "tool.shell"() {argv = ["rm", "-rf", "/tmp/x"], effects = ["delete:fs:/tmp/x"]} : () -> !skc.text
          "ctrl.return"(%0) : (!skc.text) -> ()
        }) {sym_name = "w"} : () -> ()
    '''), (at("SKC207", 2, 3),)),
    Case("SKC207 empty effect list", mlir('''
        "skc.workflow"() ({
          %0 = "tool.http"() {effects = [], url = "http://127.0.0.1/"} : () -> !skc.text
          "ctrl.return"(%0) : (!skc.text) -> ()
        }) {sym_name = "w"} : () -> ()
    '''), (at("SKC207", 2, 3),)),
    Case("SKC208 missing required attribute", mlir('''
        "skc.workflow"() ({
          %0 = "llm.generate"() {temperature = 0.0 : f64} : () -> !skc.text
          "ctrl.return"(%0) : (!skc.text) -> ()
        }) {sym_name = "w"} : () -> ()
    '''), (at("SKC208", 2, 3),)),
    Case("SKC208 attribute of the wrong shape", mlir('''
        "skc.workflow"() ({
        ^bb0(%a: !skc.num):
          %0 = "calc.cmp"(%a, %a) {pred = "approximately"} : (!skc.num, !skc.num) -> !skc.bool
          "ctrl.return"(%0) : (!skc.bool) -> ()
        }) {sym_name = "w"} : () -> ()
    '''), (at("SKC208", 3, 3),)),
    Case("SKC208 llm.decide with repeated outcomes", mlir('''
        "skc.workflow"() ({
          %0 = "llm.decide"() {outcomes = ["up", "up"], prompt = "Is it up?"} : () -> !skc.text
          "ctrl.return"(%0) : (!skc.text) -> ()
        }) {sym_name = "w"} : () -> ()
    '''), (at("SKC208", 2, 3),)),
    Case("SKC208 tool.shell with both argv and cmd", mlir('''
        "skc.workflow"() ({
          %0 = "tool.shell"() {argv = ["ls"], cmd = "ls | wc -l", effects = ["read:fs:."]} : () -> !skc.text
          "ctrl.return"(%0) : (!skc.text) -> ()
        }) {sym_name = "w"} : () -> ()
    '''), (at("SKC208", 2, 3),)),
    Case("SKC208 regex that does not compile", mlir('''
        "skc.workflow"() ({
        ^bb0(%t: !skc.text):
          %0 = "data.regex_extract"(%t) {pattern = "(unclosed"} : (!skc.text) -> !skc.text
          "ctrl.return"(%0) : (!skc.text) -> ()
        }) {sym_name = "w"} : () -> ()
    '''), (at("SKC208", 3, 3),)),
    Case("SKC209 unknown op", mlir('''
        "skc.workflow"() ({
          %0 = "llm.chat"() {prompt = "hi"} : () -> !skc.text
          "ctrl.return"(%0) : (!skc.text) -> ()
        }) {sym_name = "w"} : () -> ()
    '''), (at("SKC209", 2, 3),)),
    Case("SKC209 top-level op that is not a workflow", mlir('''
        "skc.workflow"() ({
          "ctrl.return"() : () -> ()
        }) {sym_name = "w"} : () -> ()
        %0 = "data.const"() {value = "stray"} : () -> !skc.text
    '''), (at("SKC209", 4, 1),)),
    Case("SKC210 ctrl.if with one region", mlir('''
        "skc.workflow"() ({
        ^bb0(%c: !skc.bool):
          "ctrl.if"(%c) ({
            "ctrl.yield"() : () -> ()
          }) : (!skc.bool) -> ()
          "ctrl.return"() : () -> ()
        }) {sym_name = "w"} : () -> ()
    '''), (at("SKC210", 3, 3),)),
    Case("SKC210 ctrl.map body with two arguments", mlir('''
        "skc.workflow"() ({
        ^bb0(%items: !skc.json):
          %0 = "ctrl.map"(%items) ({
          ^bb0(%item: !skc.json, %index: !skc.num):
            "ctrl.yield"(%item) : (!skc.json) -> ()
          }) : (!skc.json) -> !skc.json
          "ctrl.return"(%0) : (!skc.json) -> ()
        }) {sym_name = "w"} : () -> ()
    '''), (at("SKC210", 3, 3),)),
    Case("SKC210 arg_names that do not match the inputs", mlir('''
        "skc.workflow"() ({
        ^bb0(%ns: !skc.text):
          "ctrl.return"() : () -> ()
        }) {arg_names = ["ns", "pod"], sym_name = "w"} : () -> () loc("runbooks/Pods.md":1:1)
    '''), (at("SKC210", 1, 1, "runbooks/Pods.md"),)),
    Case("SKC210 output_names that do not match ctrl.return", mlir('''
        "skc.workflow"() ({
          %0 = "data.const"() {value = "ok"} : () -> !skc.text
          "ctrl.return"(%0) : (!skc.text) -> ()
        }) {output_names = ["status", "report"], sym_name = "w"} : () -> ()
    '''), (at("SKC210", 1, 1),)),
    Case("SKC211 two workflows with one name", mlir('''
        "skc.workflow"() ({
          "ctrl.return"() : () -> ()
        }) {sym_name = "triage"} : () -> ()
        "skc.workflow"() ({
          "ctrl.return"() : () -> ()
        }) {sym_name = "triage"} : () -> ()
    '''), (at("SKC211", 4, 1),)),
    Case("SKC211 workflow name that is not an identifier", mlir('''
        "skc.workflow"() ({
          "ctrl.return"() : () -> ()
        }) {sym_name = "pod triage!"} : () -> ()
    '''), (at("SKC211", 1, 1),)),
    Case("SKC212 ctrl.if branch yields the wrong type", mlir('''
        "skc.workflow"() ({
        ^bb0(%c: !skc.bool):
          %0 = "ctrl.if"(%c) ({
            %1 = "data.const"() {value = "many"} : () -> !skc.text
            "ctrl.yield"(%1) : (!skc.text) -> ()
          }, {
            %2 = "data.const"() {value = 0 : i64} : () -> !skc.num
            "ctrl.yield"(%2) : (!skc.num) -> ()
          }) : (!skc.bool) -> !skc.num
          "ctrl.return"(%0) : (!skc.num) -> ()
        }) {sym_name = "w"} : () -> ()
    '''), (at("SKC212", 5, 5),)),
    Case("SKC212 ctrl.map body yields two values", mlir('''
        "skc.workflow"() ({
        ^bb0(%items: !skc.json):
          %0 = "ctrl.map"(%items) ({
          ^bb0(%item: !skc.json):
            %1 = "data.count"(%item) : (!skc.json) -> !skc.num
            "ctrl.yield"(%item, %1) : (!skc.json, !skc.num) -> () loc("runbooks/Map.md":9:5)
          }) : (!skc.json) -> !skc.json
          "ctrl.return"(%0) : (!skc.json) -> ()
        }) {sym_name = "w"} : () -> ()
    '''), (at("SKC212", 9, 5, "runbooks/Map.md"),)),
    Case("SKC212 ctrl.retry yields fewer values than it produces", mlir('''
        "skc.workflow"() ({
          %0:2 = "ctrl.retry"() ({
            %1 = "tool.http"() {effects = ["net:http"], url = "http://127.0.0.1/"} : () -> !skc.text
            "ctrl.yield"(%1) : (!skc.text) -> ()
          }) {max_attempts = 2 : i64} : () -> (!skc.text, !skc.token)
          "ctrl.return"(%0#0) : (!skc.text) -> ()
        }) {sym_name = "w"} : () -> ()
    '''), (at("SKC212", 4, 5),)),
]


def located(text: str) -> list[tuple[str, str, int, int]]:
    return [(d.code, d.loc.file, d.loc.line, d.loc.col) for d in verify(parse_module(text, FILE))]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_verifier_reports_the_rule_at_the_op(case: Case) -> None:
    assert located(case.text) == list(case.expected)


def test_every_verifier_code_has_a_case() -> None:
    documented = {line.split()[0] for line in VERIFIER_DOC.splitlines() if line.strip().startswith("SKC2")}
    tested = {code for c in CASES for code, *_ in c.expected}
    assert documented == {f"SKC{n}" for n in range(201, 213)}
    assert tested == documented


def test_a_value_from_another_workflow_is_not_in_scope() -> None:
    first = workflow("first", {"ns": TEXT})
    second = workflow("second")
    with InsertionPoint(first.body):
        ctrl.return_(first.arg("ns"))
    with InsertionPoint(second.body):
        here = Location("runbooks/Two.md", 5, 1)
        data.template("{0}", first.arg("ns"), loc=here)
        ctrl.return_()
    diags = verify(Module([first, second]))
    assert [(d.code, d.loc) for d in diags] == [("SKC201", Location("runbooks/Two.md", 5, 1))]


def test_a_value_defined_in_a_branch_is_not_visible_after_it() -> None:
    wf = workflow("w", {"c": BOOL})
    with InsertionPoint(wf.body):
        branch = ctrl.if_(wf.arg("c"))
        with InsertionPoint(branch.then_block):
            inner = data.const("only here")
            ctrl.yield_()
        with InsertionPoint(branch.else_block):
            ctrl.yield_()
        ctrl.return_(calc.cmp("eq", inner, inner, loc=Location("r.md", 9, 1)))
    diags = verify(Module([wf]))
    assert {(d.code, d.loc.line) for d in diags} == {("SKC201", 9)}


def test_diagnostics_carry_a_message_and_a_hint() -> None:
    (diag,) = verify(parse_module(CASES[0].text, FILE))
    assert str(diag).startswith("case.mlir:2:3: error SKC201: operand #0 of calc.not is used before it is defined")
    assert diag.hint


def test_a_ctrl_if_branch_may_end_the_workflow_early():
    """"Stop here and escalate": a branch of a top-level ctrl.if may end with ctrl.return."""
    module = parse_module(mlir('''
        "skc.workflow"() ({
        ^bb0(%c: !skc.bool):
          "ctrl.if"(%c) ({
            "ctrl.return"() {status = "escalate"} : () -> ()
          }, {
            "ctrl.yield"() : () -> ()
          }) : (!skc.bool) -> ()
          "ctrl.return"() : () -> ()
        }) {sym_name = "w"} : () -> ()
    '''), "early.mlir")
    assert verify(module) == []
