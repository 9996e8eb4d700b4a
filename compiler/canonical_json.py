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


def _float(value: float) -> Any:
    if value != value:
        return orjson.Fragment(b"NaN")
    if value in (float("inf"), float("-inf")):
        return orjson.Fragment(b"Infinity" if value > 0 else b"-Infinity")
    return orjson.Fragment(float.__repr__(value).encode())


_SCALARS = frozenset({str, bool, type(None)})  # kept as they are (checked inline: most leaves are these)


def _plain(value: Any) -> Any:
    """`value` with floats pre-rendered and `_jsonable` types converted (raises `_NotPlain`)."""
    t = type(value)
    if t in _SCALARS:
        return value
    if t is dict:
        out = {}
        for k, v in value.items():
            if type(k) is not str:
                raise _NotPlain
            out[k] = v if type(v) in _SCALARS else _plain(v)
        return out
    if t is list or t is tuple:
        return [v if type(v) in _SCALARS else _plain(v) for v in value]
    if t is int:
        if -(2 ** 63) <= value < 2 ** 64:
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
