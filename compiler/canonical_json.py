"""Canonical JSON bytes for bundle files: sorted keys, 2-space indent, UTF-8, trailing newline.

    to_json_bytes({"b": 1, "a": [1.5]}) == b'{\n  "a": [\n    1.5\n  ],\n  "b": 1\n}\n'

The bytes are exactly those of `json.dumps(data, sort_keys=True, indent=2,
ensure_ascii=False)` (bundle hashes and golden files depend on them). The standard
library's encoder is pure Python as soon as `indent` is set, and encoding reports was a
tenth of a compile, so plain data (dicts with string keys, lists, tuples, strings,
ints, floats, bools, None, and the models, dataclasses, sets and paths `_jsonable`
turns into those) goes through orjson, with every float pre-rendered as
`json` renders it (orjson writes `1e-05` as `0.00001`). Anything else, or no
orjson installed, takes the standard library's path.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from skc.ir.location import Diagnostic

try:
    import orjson
except ImportError:  # pragma: no cover - orjson is a dependency; the stdlib path is the reference
    orjson = None  # type: ignore[assignment]



def _jsonable(value: Any) -> Any:
    """What `json` calls for a value it cannot encode: models, dataclasses, sets, paths, diagnostics."""
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    if isinstance(value, set | frozenset):
        return sorted(value, key=str)
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, Diagnostic):
        return value.to_json()
    raise TypeError(f"{type(value).__name__} is not JSON-serialisable")


class _NotPlain(Exception):
    """The data holds something whose JSON only the standard library's encoder defines here."""


_INF, _NEG_INF = float("inf"), float("-inf")


def _float(value: float) -> Any:
    if value != value:
        return orjson.Fragment(b"NaN")
    if value == _INF or value == _NEG_INF:
        return orjson.Fragment(b"Infinity" if value > 0 else b"-Infinity")
    return orjson.Fragment(float.__repr__(value).encode())


_SCALARS = frozenset({str, bool, type(None)})  # kept as they are (checked inline: most leaves are these)
_INT_MIN, _INT_END = -(2 ** 63), 2 ** 64  # the ints orjson writes itself


def _plain(value: Any) -> Any:
    """`value` with floats pre-rendered and `_jsonable` types converted (raises `_NotPlain`).

    The leaves of a dict or list (strings, ints, floats, None, bools: nearly every node) are
    handled in the container's loop, without a call each."""
    t = type(value)
    if t in _SCALARS:
        return value
    if t is dict:
        out = {}
        for k, v in value.items():
            if type(k) is not str:
                raise _NotPlain
            tv = type(v)
            if tv in _SCALARS or (tv is int and _INT_MIN <= v < _INT_END):
                out[k] = v
            elif tv is float:
                out[k] = _float(v)
            else:
                out[k] = _plain(v)
        return out
    if t is list or t is tuple:
        items = []
        for v in value:
            tv = type(v)
            if tv in _SCALARS or (tv is int and _INT_MIN <= v < _INT_END):
                items.append(v)
            elif tv is float:
                items.append(_float(v))
            else:
                items.append(_plain(v))
        return items
    if t is int:
        if _INT_MIN <= value < _INT_END:
            return value
        return orjson.Fragment(int.__repr__(value).encode())
    if t is float:
        return _float(value)
    if isinstance(value, str | int | float | dict | list | tuple):  # subclasses: json's own rules
        raise _NotPlain
    return _plain(_jsonable(value))


def to_json_bytes(data: Any) -> bytes:
    """Canonical JSON: sorted keys, 2-space indent, trailing newline; models, dataclasses, sets allowed."""
    if orjson is not None:
        try:
            return orjson.dumps(_plain(data), option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS) + b"\n"
        except (_NotPlain, orjson.JSONEncodeError, RecursionError):
            pass
    return stdlib_json_bytes(data)


def stdlib_json_bytes(data: Any) -> bytes:
    """The reference encoding (the standard library's), which `to_json_bytes` always equals."""
    return (json.dumps(data, sort_keys=True, indent=2, ensure_ascii=False, default=_jsonable) + "\n").encode()
