"""The parser's diagnostics: SKC101 to SKC105, each at the exact line and column.

Bad IR text never escapes as a Python exception other than DiagnosticError, and
the diagnostic points at the token that is wrong (the use, the second
definition, the type), not at the op or the file.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from skc.ir import Diagnostic, DiagnosticError, Location, parse_module, print_module
from skc.ir.parser import __doc__ as PARSER_DOC

FILE = "bad.mlir"
GOLDENS = sorted((Path(__file__).resolve().parents[2] / "tests" / "golden" / "ir").glob("*.mlir"))


def mlir(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


CASES = [
    ("SKC101 missing the arrow of the op type", mlir('''
        "skc.workflow"() ({
          "ctrl.return"() : () ()
        }) {sym_name = "w"} : () -> ()
    '''), "SKC101", 2, 24),
    ("SKC101 a character that is no token", mlir('''
        "skc.workflow"() ({
          %0 = "data.const"() {value = @ok} : () -> !skc.text
        }) {sym_name = "w"} : () -> ()
    '''), "SKC101", 2, 32),
    ("SKC101 a string that never ends", mlir('''
        "skc.workflow"() ({
          %0 = "data.const"() {value = "ok} : () -> !skc.text
        }) {sym_name = "w"} : () -> ()
    '''), "SKC101", 2, 32),
    ("SKC101 more result names than results", mlir('''
        "skc.workflow"() ({
          %a, %b = "data.const"() {value = "ok"} : () -> !skc.text
        }) {sym_name = "w"} : () -> ()
    '''), "SKC101", 2, 3),
    ("SKC101 end of file inside an op", mlir('''
        "skc.workflow"() ({
          "ctrl.return"() : (
    '''), "SKC101", 3, 1),
    ("SKC102 use of an undefined value", mlir('''
        "skc.workflow"() ({
        ^bb0(%ns: !skc.text):
          "ctrl.return"(%ns, %pods) : (!skc.text, !skc.table) -> ()
        }) {sym_name = "w"} : () -> ()
    '''), "SKC102", 3, 22),
    ("SKC102 a branch's value used after the branch", mlir('''
        "skc.workflow"() ({
        ^bb0(%c: !skc.bool):
          "ctrl.if"(%c) ({
            %inner = "data.const"() {value = "x"} : () -> !skc.text
            "ctrl.yield"() : () -> ()
          }, {
            "ctrl.yield"() : () -> ()
          }) : (!skc.bool) -> ()
          "ctrl.return"(%inner) : (!skc.text) -> ()
        }) {sym_name = "w"} : () -> ()
    '''), "SKC102", 9, 17),
    ("SKC103 a value defined twice", mlir('''
        "skc.workflow"() ({
          %x = "data.const"() {value = "a"} : () -> !skc.text
          %x = "data.const"() {value = "b"} : () -> !skc.text
          "ctrl.return"(%x) : (!skc.text) -> ()
        }) {sym_name = "w"} : () -> ()
    '''), "SKC103", 3, 3),
    ("SKC103 a region value that shadows an outer one", mlir('''
        "skc.workflow"() ({
        ^bb0(%item: !skc.json):
          %0 = "ctrl.map"(%item) ({
          ^bb0(%item: !skc.json):
            "ctrl.yield"(%item) : (!skc.json) -> ()
          }) : (!skc.json) -> !skc.json
          "ctrl.return"(%0) : (!skc.json) -> ()
        }) {sym_name = "w"} : () -> ()
    '''), "SKC103", 4, 8),
    ("SKC104 a misspelt skc type", mlir('''
        "skc.workflow"() ({
          %0 = "data.const"() {value = "x"} : () -> !skc.txt
          "ctrl.return"(%0) : (!skc.text) -> ()
        }) {sym_name = "w"} : () -> ()
    '''), "SKC104", 2, 45),
    ("SKC104 a builtin MLIR type", mlir('''
        "skc.workflow"() ({
        ^bb0(%n: i64):
          "ctrl.return"(%n) : (i64) -> ()
        }) {sym_name = "w"} : () -> ()
    '''), "SKC104", 2, 10),
    ("SKC104 a schema on a type other than json", mlir('''
        "skc.workflow"() ({
        ^bb0(%t: !skc.text<"{}">):
          "ctrl.return"(%t) : (!skc.text) -> ()
        }) {sym_name = "w"} : () -> ()
    '''), "SKC104", 2, 10),
    ("SKC105 a use typed differently from its definition", mlir('''
        "skc.workflow"() ({
          %n = "data.const"() {value = 3 : i64} : () -> !skc.num
          %b = "calc.not"(%n) : (!skc.bool) -> !skc.bool
          "ctrl.return"(%b) : (!skc.bool) -> ()
        }) {sym_name = "w"} : () -> ()
    '''), "SKC105", 3, 19),
    ("SKC105 a forward use typed differently from its definition", mlir('''
        "skc.workflow"() ({
          %b = "calc.not"(%n) : (!skc.bool) -> !skc.bool
          %n = "data.const"() {value = 3 : i64} : () -> !skc.num
          "ctrl.return"(%b) : (!skc.bool) -> ()
        }) {sym_name = "w"} : () -> ()
    '''), "SKC105", 2, 19),
]


def diagnostics_or_none(text: str) -> list[Diagnostic] | None:
    """The parser's diagnostics for `text`, or None when it parses."""
    try:
        parse_module(text, FILE)
    except DiagnosticError as e:
        return e.diagnostics
    return None


def diagnostic_of(text: str) -> tuple[str, Location]:
    with pytest.raises(DiagnosticError) as info:
        parse_module(text, FILE)
    (diag,) = info.value.diagnostics
    return diag.code, diag.loc


@pytest.mark.parametrize(("name", "text", "code", "line", "col"), CASES, ids=[c[0] for c in CASES])
def test_parser_reports_the_code_at_the_token(name: str, text: str, code: str, line: int, col: int) -> None:
    assert diagnostic_of(text) == (code, Location(FILE, line, col))


def test_every_parser_code_has_a_case() -> None:
    documented = {f"SKC10{n}" for n in range(1, 6)}
    assert all(code in PARSER_DOC for code in documented)
    assert {c[2] for c in CASES} == documented


def test_module_wrapper_and_comments_are_accepted() -> None:
    text = mlir('''
        // printed by mlir-opt
        module {
          "skc.workflow"() ({
            "ctrl.return"() : () -> ()  // the end
          }) {sym_name = "w"} : () -> ()
        }
    ''')
    assert print_module(parse_module(text)) == '"skc.workflow"() ({\n  "ctrl.return"() : () -> ()\n}) {sym_name = "w"} : () -> ()\n'


def test_results_without_names_are_accepted_as_in_mlir() -> None:
    text = mlir('''
        "skc.workflow"() ({
          "data.const"() {value = "unused"} : () -> !skc.text
          "ctrl.return"() : () -> ()
        }) {sym_name = "w"} : () -> ()
    ''')
    (wf,) = parse_module(text).workflows
    assert len(wf.body.ops[0].results) == 1
    assert '%0 = "data.const"()' in print_module(parse_module(text))


@settings(max_examples=200, deadline=None)
@given(golden=st.sampled_from(GOLDENS), cut=st.floats(0, 1, exclude_max=True))
def test_a_truncated_file_gives_a_located_diagnostic(golden: Path, cut: float) -> None:
    text = golden.read_text(encoding="utf-8")
    prefix = text[: int(len(text) * cut)]
    for d in diagnostics_or_none(prefix) or []:
        assert d.code.startswith("SKC10")
        assert (d.loc.file, d.loc.line >= 1, d.loc.col >= 1) == (FILE, True, True)


@settings(max_examples=300, deadline=None)
@given(golden=st.sampled_from(GOLDENS), at=st.floats(0, 1, exclude_max=True), junk=st.text(max_size=3))
def test_a_corrupted_file_gives_a_diagnostic_not_a_crash(golden: Path, at: float, junk: str) -> None:
    text = golden.read_text(encoding="utf-8")
    i = int(len(text) * at)
    corrupted = text[:i] + junk + text[i + 1:]
    diags = diagnostics_or_none(corrupted)
    if diags is not None:
        assert diags
        assert all(d.code.startswith("SKC10") for d in diags)
