"""Bad .skflow input becomes located diagnostics (SKC130-139) with hints, never a traceback."""

from __future__ import annotations

import textwrap

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from skc.compiler.frontend import load
from skc.compiler.frontend.skflow.parse import parse_skflow

HEADER = "workflow t(ns: text, n: num) -> text {\n"


def diags(body: str, header: str = HEADER) -> list[tuple[str, int, int, str]]:
    result = parse_skflow(header + body + "}\n", "t.skflow")
    assert (result.module is None) == any(d.severity == "error" for d in result.diagnostics)
    assert all(d.hint for d in result.diagnostics), [str(d) for d in result.diagnostics]
    return [(d.code, d.loc.line, d.loc.col, d.severity) for d in result.diagnostics]


def test_a_typo_on_line_7_col_12_is_reported_there() -> None:
    text = textwrap.dedent("""\
        # triage
        workflow triage(ns: text) -> json {
            step pods = shell ["kubectl", "get", "pods", "-n", ns, "-o", "json"]
                effects [read:k8s]
                -> json

            return podz
        }
        """)
    result = parse_skflow(text, "triage.skflow")
    assert result.module is None
    [d] = result.diagnostics
    assert (d.code, d.loc.file, d.loc.line, d.loc.col) == ("SKC131", "triage.skflow", 7, 12)
    assert "podz" in d.message
    assert d.hint == "did you mean `pods`?"
    assert str(d).startswith("triage.skflow:7:12: error SKC131: `podz` is not defined here\n  hint: ")


@pytest.mark.parametrize(("body", "expected"), [
    # syntax: an unexpected token, a stray character, an unfinished file
    ("    step a = shell [\"x\"] effects [read:k8s] timeout\n    return a\n", ("SKC130", 3, 5)),
    ("    step a = 'x'\n    return a\n", ("SKC130", 2, 14)),
    # names: undefined (also inside a string insertion), defined twice, reserved
    ("    step a = shell \"echo {{nss}}\" effects [pure]\n    return a\n", ("SKC131", 2, 26)),
    ("    step a = \"x\"\n    step a = \"y\"\n    return a\n", ("SKC132", 3, 10)),
    ("    step if = \"x\"\n    return ns\n", ("SKC132", 2, 10)),
    # types: a text condition, count of a number, arithmetic on text, the declared output
    ("    step r = if ns { yield \"a\" } else { yield \"b\" }\n    return r\n", ("SKC133", 2, 17)),
    ("    step c = count(n)\n    return ns\n", ("SKC133", 2, 14)),
    ("    step c = ns + 1\n    return ns\n", ("SKC133", 2, 14)),
    ("    return n\n", ("SKC133", 2, 5)),
    ("    step r = if n > 1 { yield \"a\" } else { yield 2 }\n    return r\n", ("SKC133", 2, 44)),
    # clauses: missing effects, one the step does not take, a repeated one, a bad value
    ("    step a = shell [\"ls\"]\n    return a\n", ("SKC134", 2, 5)),
    ("    step a = shell [\"ls\"] effects [pure] outcomes [a, b]\n    return a\n", ("SKC134", 2, 42)),
    ("    step a = shell [\"ls\"] effects [pure] timeout 1 timeout 2\n    return a\n", ("SKC134", 2, 52)),
    ("    step a = shell [\"ls\"] effects [pure] retries \"twice\"\n    return a\n", ("SKC134", 2, 42)),
    ("    step a = decide \"ok?\" with ns\n    return a\n", ("SKC134", 2, 5)),
    # strings: a bad escape, a literal {0} that would be read as a placeholder
    ("    step a = \"C:\\Users\"\n    return a\n", ("SKC135", 2, 17)),
    ("    step a = shell \"echo {{ns}} {0}\" effects [pure]\n    return a\n", ("SKC135", 2, 20)),
    # needs on a step without a token; an unknown function; bad arguments
    ("    step g = generate \"x\"\n    step a = shell [\"ls\"] effects [pure] needs g\n    return a\n",
     ("SKC136", 3, 48)),
    ("    step c = cnt(ns)\n    return ns\n", ("SKC137", 2, 14)),
    ("    step c = json_get(ns, n)\n    return ns\n", ("SKC137", 2, 14)),
    # types and locations
    ("    step a = shell [\"ls\"] effects [pure] -> txt\n    return a\n", ("SKC138", 2, 45)),
    ("    step a = \"x\" @3:4\n    return a\n", ("SKC138", 2, 18)),
    # structure: yield in the workflow body, return inside map, something after return
    ("    yield ns\n", ("SKC139", 2, 5)),
    ("    step m = map x in [1] { return ns }\n    return ns\n", ("SKC139", 2, 29)),
    ("    return ns\n    step a = \"x\"\n", ("SKC139", 3, 5)),
])
def test_located_errors(body: str, expected: tuple[str, int, int]) -> None:
    found = diags(body)
    assert (*expected, "error") in found, found


def test_unfinished_file_points_at_its_end() -> None:
    result = parse_skflow("workflow t() {\n    step a = \"x\"\n", "t.skflow")
    [d] = result.diagnostics
    assert (d.code, d.loc.line) == ("SKC130", 2)
    assert "end of file" in d.message
    assert d.hint


def test_syntax_errors_say_what_was_expected() -> None:
    result = parse_skflow("workflow t() {\n    step = \"x\"\n}\n", "t.skflow")
    [d] = result.diagnostics
    assert (d.code, d.loc.line, d.loc.col) == ("SKC130", 2, 10)
    assert "a name" in d.hint


def test_missing_output_and_outputs_without_return() -> None:
    found = diags("    step a = \"x\"\n", header="workflow t() -> (a: text, b: text) {\n")
    assert found == [("SKC139", 3, 1, "error")]
    found = diags("    return \"x\"\n", header="workflow t() -> (a: text, text) {\n")
    assert found == [("SKC139", 1, 1, "error"), ("SKC133", 2, 5, "error")]


def test_insertion_in_a_prompt_is_a_warning_not_an_error() -> None:
    result = parse_skflow(HEADER + "    step a = generate \"Summarise {{ns}}\"\n    return a\n}\n", "t.skflow")
    assert result.ok
    [d] = result.diagnostics
    assert (d.code, d.severity, d.loc.line, d.loc.col) == ("SKC135", "warning", 2, 34)
    assert "with ns" in d.hint


def test_several_problems_are_all_reported_in_order() -> None:
    found = diags("    step a = shell [\"ls\", x] effects [pure]\n    step b = cnt(y)\n    return zz\n")
    assert [(c, line) for c, line, *_ in found] == [("SKC131", 2), ("SKC137", 3), ("SKC131", 4)]


def test_duplicate_workflows() -> None:
    result = parse_skflow("workflow a() { }\nworkflow a() { }\n", "t.skflow")
    assert [(d.code, d.loc.line) for d in result.diagnostics] == [("SKC139", 2)]


def test_load_reports_an_unreadable_skflow(tmp_path) -> None:  # type: ignore[no-untyped-def]
    bad = tmp_path / "bad.skflow"
    bad.write_bytes(b"\xff\xfe workflow")
    result = load(bad)
    assert result.module is None
    assert result.diagnostics[0].code == "SKC100"


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list('workflow step if else map in retry return yield shell "{}[]()@:=,->#\n'
                                             "abc123 .\\'rxyz_<>+*/!")), max_size=200))
def test_no_input_raises(text: str) -> None:
    result = parse_skflow(text, "fuzz.skflow")
    assert result.module is not None or result.diagnostics
    for d in result.diagnostics:
        assert d.code.startswith("SKC13")
        assert d.loc.file == "fuzz.skflow"
        assert d.loc.line >= 1
