"""Runtime values and the in-process data/calc ops: coercion, substitution, JSONPath, predicates."""

from __future__ import annotations

import asyncio

import pytest

from skc.ir import BOOL, JSON, NUM, TABLE, TEXT, TOKEN
from skc.ir.core import Value
from skc.ir.dialects.calc import CmpOp, DivOp
from skc.ir.dialects.data import ConcatOp, CountOp, RegexExtractOp
from skc.runtime.targets.base import ExecContext, OpFailed
from skc.runtime.targets.calc import CalcTarget, compare
from skc.runtime.targets.data import json_path, regex_extract
from skc.runtime.values import coerce, parse_input, parse_table, shape_results, substitute, to_text

PODS = {"items": [
    {"name": "a", "status": {"phase": "Running"}, "restarts": 0},
    {"name": "b", "status": {"phase": "CrashLoopBackOff"}, "restarts": 7},
    {"name": "api-1", "status": {"phase": "Pending"}, "restarts": 2},
]}


def test_text_of_values_and_substitution_leaves_other_braces() -> None:
    assert [to_text(v) for v in ("x", 3.0, 2.5, True, None, {"a": 1})] == ["x", "3", "2.5", "true", "", '{"a":1}']
    assert substitute("rate{code=~\"5..\"} {0} {1} {7}", ["x", 2]) == 'rate{code=~"5.."} x 2 {7}'
    assert substitute("echo {0}", ["a b; rm -rf /"], quote=lambda v: f"<{v}>") == "echo <a b; rm -rf />"


@pytest.mark.parametrize(("raw", "type_", "want"), [
    ("42\n", NUM, 42), ("3.5", NUM, 3.5), ("12%", NUM, 12), ([{"n": 7}], NUM, 7),
    ("yes", BOOL, True), ("0", BOOL, False), ("", BOOL, False),
    ('{"a": [1]}', JSON, {"a": [1]}), ("", JSON, None),
    ("[1, 2]", TABLE, [1, 2]), (5, TEXT, "5"), ([{"x": "only"}], TEXT, "only"),
])
def test_coerce(raw: object, type_: object, want: object) -> None:
    assert coerce(raw, type_) == want  # type: ignore[arg-type]


def test_coerce_refuses_what_does_not_fit() -> None:
    with pytest.raises(ValueError, match="not JSON"):
        coerce("not json", JSON)
    with pytest.raises(ValueError, match="number"):
        coerce("many", NUM)
    with pytest.raises(ValueError, match="boolean"):
        coerce("perhaps", BOOL)


def test_tables_from_tool_output() -> None:
    kubectl = "NAME    READY   STATUS    RESTARTS\nweb-1   1/1     Running   0\nweb-2   0/1     Error     3\n"
    assert parse_table(kubectl) == [{"NAME": "web-1", "READY": "1/1", "STATUS": "Running", "RESTARTS": "0"},
                                    {"NAME": "web-2", "READY": "0/1", "STATUS": "Error", "RESTARTS": "3"}]
    assert parse_table("a,b\n1,2\n3,4") == [{"a": "1", "b": "2"}, {"a": "3", "b": "4"}]
    assert parse_table("a\tb\n1\t2") == [{"a": "1", "b": "2"}]
    assert parse_input('[{"x": 1}]', TABLE) == [{"x": 1}]


def test_shape_results_fills_tokens() -> None:
    assert shape_results([TEXT, TOKEN], ["out"]) == ["out", None]


@pytest.mark.parametrize(("path", "want"), [
    ("$.items[0].name", "a"),
    ("$.items[-1].name", "api-1"),
    ("$['items'][1]['status']['phase']", "CrashLoopBackOff"),
    ("$.items[*].name", ["a", "b", "api-1"]),
    ("$.items[?(@.status.phase != 'Running')].name", ["b", "api-1"]),
    ("$.items[?(@.restarts > 1 && @.restarts < 5)].name", ["api-1"]),
    ("$.items[?(@.restarts >= 7 || @.name == 'a')].name", ["a", "b"]),
    ("$.items[?(@.name =~ '^api-')].restarts", [2]),
    ("$.items[1:].name", ["b", "api-1"]),
    ("$..phase", ["Running", "CrashLoopBackOff", "Pending"]),
    ("$.items[?(@.missing)]", []),
])
def test_json_path_subset(path: str, want: object) -> None:
    assert json_path(path, PODS) == want


def test_json_path_errors_name_the_path() -> None:
    with pytest.raises(KeyError, match=r"\$\.items\[9\]"):
        json_path("$.items[9]", PODS)
    with pytest.raises(ValueError, match="unsupported filter"):
        json_path("$.items[?(len(@) > 1)]", PODS)
    with pytest.raises(ValueError, match="must start with"):
        json_path("items", PODS)


def test_regex_extract() -> None:
    text = "version=1.2.3\nversion=2.0.0"
    assert regex_extract(text, r"version=(\S+)", None, False) == "1.2.3"
    assert regex_extract(text, r"version=(\S+)", None, True) == ["1.2.3", "2.0.0"]
    assert regex_extract(text, r"nothing", None, False) == ""


def _ctx() -> ExecContext:
    from pathlib import Path

    return ExecContext("r", Path("."))


def test_calc_target_predicates_and_arithmetic() -> None:
    assert compare("gt", "12", 3) is True  # numeric, not lexical
    assert compare("lt", "abc", "abd") is True
    assert compare("eq", "01", "1") is False  # two texts compare as text
    assert compare("contains", ["x", "y"], "y") is True
    assert compare("matches", "pod-7 failed", r"pod-\d+") is True
    n = Value(NUM)
    cmp = CmpOp([n, n], [BOOL], {"pred": "ge"})
    assert asyncio.run(CalcTarget().execute(cmp, [5, 5], _ctx())).values == [True]
    div = DivOp([n, n], [NUM], {})
    assert asyncio.run(CalcTarget().execute(div, [9, 3], _ctx())).values == [3]
    with pytest.raises(OpFailed, match="division by zero"):
        asyncio.run(CalcTarget().execute(div, [1, 0], _ctx()))


def test_data_ops_count_concat_regex() -> None:
    from skc.runtime.targets.data import DataTarget

    t, j = Value(TEXT), Value(JSON)
    assert asyncio.run(DataTarget().execute(CountOp([t], [NUM]), ["a\n\nb\n"], _ctx())).values == [2]
    assert asyncio.run(DataTarget().execute(CountOp([j], [NUM]), [[1, 2, 3]], _ctx())).values == [3]
    concat = ConcatOp([t, t], [TEXT], {"sep": " | "})
    assert asyncio.run(DataTarget().execute(concat, ["a", 3], _ctx())).values == ["a | 3"]
    rx = RegexExtractOp([t], [TEXT], {"pattern": "(["})
    with pytest.raises(OpFailed):
        asyncio.run(DataTarget().execute(rx, ["x"], _ctx()))
