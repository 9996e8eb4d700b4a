"""`values.encode_line` (orjson, falling back to `json`'s C encoder) writes the same JSON data
as the reference `json.dumps(jsonable(value))`, whatever the value holds."""

from __future__ import annotations

import dataclasses
import datetime
import enum
import json
import math
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from skc.runtime.values import encode_line, encode_record, jsonable


def reference(value: Any) -> Any:
    """The JSON data the journal wrote before orjson: `jsonable`'s walk, through `json`."""
    return json.loads(json.dumps(jsonable(value), separators=(",", ":")))


def same(a: Any, b: Any) -> bool:
    """Equal JSON data; NaN is never equal to itself, so compare floats by their text."""
    if isinstance(a, float) and isinstance(b, float):
        return repr(a) == repr(b)
    if isinstance(a, dict) and isinstance(b, dict):
        return list(a) == list(b) and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    return type(a) is type(b) and a == b


class Sub(str):
    def __str__(self) -> str:
        return "not the content"


class Num(int):
    pass


class Real(float):
    pass


class Level(enum.IntEnum):
    HIGH = 3


@dataclasses.dataclass
class Point:
    x: int


leaves = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-(2 ** 70), max_value=2 ** 70),
    st.floats(allow_nan=True, allow_infinity=True), st.text(), st.binary(max_size=8),
    st.builds(Sub, st.text(max_size=5)), st.builds(Num, st.integers(-5, 5)),
    st.builds(Real, st.floats(allow_nan=True)), st.just(Level.HIGH), st.builds(Point, st.integers()),
    st.just(datetime.date(2026, 1, 2)), st.frozensets(st.integers(0, 3), max_size=3),
)
values = st.recursive(leaves, lambda kids: st.one_of(
    st.lists(kids, max_size=4), st.tuples(kids, kids),
    st.dictionaries(st.text(max_size=6), kids, max_size=4),
    st.dictionaries(st.integers(0, 9), kids, max_size=2)), max_leaves=20)


@settings(max_examples=400, deadline=None)
@given(values)
def test_encode_line_writes_the_reference_json_data(value: Any) -> None:
    line = encode_line(value)
    assert "\n" not in line
    assert same(json.loads(line), reference(value))


def test_the_usual_records_take_the_fast_path_and_keep_key_order() -> None:
    record = {"ts": 1.5, "event": "op_end", "op": "3", "name": "sim.sleep", "step": "Step 1", "duration_s": 1.2e-05,
              "cache_hit": False, "values": ["é", 2 ** 63, [1, 2]]}
    line = encode_line(record)
    assert list(json.loads(line)) == list(record)
    assert json.loads(line) == record
    assert "é" in line  # orjson's UTF-8, not `json`'s \u escape: this line did not take the fallback


def test_non_finite_floats_and_odd_leaves_are_written_as_jsonable_writes_them() -> None:
    value = {"a": math.nan, "b": [math.inf, None], "c": Sub("x"), "d": Real(math.nan), "e": b"\xff", "f": {1, 2}}
    assert same(json.loads(encode_line(value)), reference(value))
    assert json.loads(encode_line({1: "x", None: 2})) == {"1": "x", "null": 2}


@settings(max_examples=200, deadline=None)
@given(values)
def test_encode_record_is_encode_line_as_one_utf8_line(value: Any) -> None:
    assert encode_record(value) == (encode_line(value) + "\n").encode()


def test_a_record_said_to_be_finite_is_written_as_orjson_writes_it() -> None:
    record = {"ts": 1.5, "event": "op_end", "op": "3", "start": 1.25, "duration_s": 1.2e-05}
    assert encode_record(record, finite=True) == encode_record(record)
    with_null = {**record, "error": None}  # looked through, it takes `json`'s encoder: the same data
    assert json.loads(encode_record(with_null, finite=True)) == json.loads(encode_record(with_null)) == with_null
    assert json.loads(encode_record({"x": math.nan})) == {"x": "nan"}  # looked through: jsonable's name
    assert json.loads(encode_record({"x": math.nan}, finite=True)) == {"x": None}  # what `finite` vouches against
