"""`to_json_bytes` (orjson fast path) writes exactly the bytes of the standard library's encoder."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from skc.compiler.canonical_json import stdlib_json_bytes, to_json_bytes
from skc.ir.location import Diagnostic, Location

_SCALARS = st.one_of(st.none(), st.booleans(), st.integers(min_value=-(2 ** 70), max_value=2 ** 70),
                     st.floats(allow_nan=True, allow_infinity=True), st.text())
_DATA = st.recursive(_SCALARS, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.tuples(inner, inner), st.dictionaries(st.text(max_size=6), inner, max_size=4)),
    max_leaves=30)


@settings(max_examples=300, deadline=None)
@given(_DATA)
def test_same_bytes_as_the_standard_library(data: Any) -> None:
    try:
        expected = stdlib_json_bytes(data)
    except UnicodeEncodeError:  # a lone surrogate: both paths refuse it
        return
    assert to_json_bytes(data) == expected


@dataclasses.dataclass
class _Point:
    x: float
    tags: frozenset[str]


class _Str(str):
    pass


def test_models_dataclasses_sets_paths_subclasses_and_odd_keys() -> None:
    for data in [{"p": _Point(1e-05, frozenset({"b", "a"}))}, {"path": Path("/tmp/x"), "s": {3, 1, 2}},
                 {"d": Diagnostic("SKC100", Location("f.md", 1, 2), "msg")}, {1: "int keys", 2: "y"},
                 {"sub": _Str("x")}, [float("nan"), 2.5e-7, 10 ** 30]]:
        assert to_json_bytes(data) == stdlib_json_bytes(data)
