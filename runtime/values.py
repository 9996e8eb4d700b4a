"""Runtime values: conversion between what tools print and the IR's typed values.

The representation per IR type is fixed (see `skc.runtime`): !skc.text -> str,
!skc.json -> JSON data, !skc.table -> list of row dicts, !skc.bool -> bool,
!skc.num -> int | float, !skc.file -> a path (str), !skc.token -> None.

`coerce` turns a target's raw output (usually text) into the declared type and
raises `ValueError` with a readable reason when it cannot; `to_text` is the
inverse used to substitute values into commands (`{0}` -> the first operand);
`parse_input` reads `--input name=value` text for a workflow input of a type.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
from json.encoder import c_make_encoder, encode_basestring_ascii  # type: ignore[attr-defined]
from typing import Any

from skc.ir.types import Type

try:
    import orjson
except ImportError:  # pragma: no cover - orjson is a dependency; `json`'s encoder is the reference
    orjson = None  # type: ignore[assignment]

_PLACEHOLDER = re.compile(r"\{(\d+)\}")
_TRUE = {"true", "yes", "y", "1", "on", "ok"}
_FALSE = {"false", "no", "n", "0", "off", ""}


# unions built once: `int | float` written in an isinstance call builds a new union on every call
NUMBER = int | float  # what targets test numbers with, too
_SCALAR = str | bool | int
_ITEMS = list | tuple | set | frozenset
_SETS = set | frozenset

def to_text(value: Any) -> str:
    """The text of a value as it goes into a command or prompt: strings as they are,
    whole numbers without `.0`, booleans as `true`/`false`, JSON compact, None empty."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer() and math.isfinite(value):
        return str(int(value))
    if isinstance(value, NUMBER):
        return str(value)
    return json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)


def placeholders(text: str) -> list[int]:
    """The operand positions `text` refers to (`{0}`, `{1}`, ...), in order of appearance."""
    return [int(m.group(1)) for m in _PLACEHOLDER.finditer(text)]


def substitute(text: str, args: list[Any], *, quote: Any = None) -> str:
    """`text` with `{n}` replaced by `to_text(args[n])` (`quote` applied to it when given).

    Only `{digits}` within range is a placeholder; other braces (PromQL label sets,
    JSON bodies) are left alone.
    """

    def repl(m: re.Match[str]) -> str:
        i = int(m.group(1))
        if i >= len(args):
            return m.group(0)
        text_value = to_text(args[i])
        return quote(text_value) if quote is not None else text_value

    return _PLACEHOLDER.sub(repl, text)


def parse_number(text: str) -> int | float:
    t = text.strip().rstrip("%")
    try:
        return int(t)
    except ValueError:
        try:
            value = float(t)
        except ValueError:
            raise ValueError(f"{text.strip()[:60]!r} is not a number") from None
        if not math.isfinite(value):
            raise ValueError(f"{text!r} is not a finite number") from None
        return value


def parse_bool(text: str) -> bool:
    t = text.strip().lower()
    if t in _TRUE:
        return True
    if t in _FALSE:
        return False
    raise ValueError(f"{text.strip()[:60]!r} is not a boolean (true/false, yes/no, 1/0)")


def parse_table(text: str) -> Any:
    """Rows from tool output: JSON (a list of objects, or any JSON document), else a
    delimited (CSV/TSV) or column-aligned (`kubectl get`) table with a header row."""
    stripped = text.strip()
    if not stripped:
        return []
    try:
        return json.loads(stripped)
    except ValueError:
        pass
    lines = [ln for ln in stripped.splitlines() if ln.strip()]
    header = lines[0]
    if "\t" in header:
        return list(csv.DictReader(io.StringIO("\n".join(lines)), delimiter="\t"))
    if "," in header and len(lines) > 1 and all(ln.count(",") == header.count(",") for ln in lines[1:]):
        return list(csv.DictReader(io.StringIO("\n".join(lines))))
    columns = re.split(r"\s{2,}|\t", header.strip())
    if len(columns) == 1:
        columns = header.split()
    rows = []
    for line in lines[1:]:
        cells = re.split(r"\s{2,}|\t", line.strip())
        if len(cells) != len(columns):
            cells = line.split(None, len(columns) - 1)
        rows.append(dict(zip(columns, cells + [""] * (len(columns) - len(cells)), strict=False)))
    return rows


def _scalar(value: Any) -> Any:
    """The one cell of a one-row, one-column table (a SQL `COUNT(*)`), else the value."""
    if isinstance(value, list) and len(value) == 1 and isinstance(value[0], dict) and len(value[0]) == 1:
        return next(iter(value[0].values()))
    if isinstance(value, list) and not value:
        return None
    return value


def coerce(value: Any, type_: Type) -> Any:
    """`value` as the runtime representation of `type_`; ValueError when impossible."""
    kind = type_.kind
    if kind == "token":
        return None
    if kind == "text":
        return value if isinstance(value, str) else to_text(_scalar(value))
    if kind == "file":
        if not isinstance(value, str) or not value.strip():
            raise ValueError(f"expected a file path, got {to_text(value)[:60]!r}")
        return value.strip()
    if kind == "num":
        value = _scalar(value)
        if isinstance(value, bool):
            return int(value)
        if isinstance(value, NUMBER):
            return value
        if isinstance(value, str):
            return parse_number(value)
        raise ValueError(f"expected a number, got {to_text(value)[:60]!r}")
    if kind == "bool":
        value = _scalar(value)
        if isinstance(value, bool):
            return value
        if isinstance(value, NUMBER):
            return value != 0
        if isinstance(value, str):
            return parse_bool(value)
        if value is None:
            return False
        raise ValueError(f"expected a boolean, got {to_text(value)[:60]!r}")
    if kind == "table":
        return parse_table(value) if isinstance(value, str) else value
    if kind == "json":
        if isinstance(value, str):
            stripped = value.strip()
            try:
                return json.loads(stripped) if stripped else None
            except json.JSONDecodeError as e:
                raise ValueError(f"output is not JSON ({e.msg} at char {e.pos}): {stripped[:80]!r}") from None
        return value
    raise ValueError(f"unknown type kind {kind!r}")


def parse_input(text: str, type_: Type) -> Any:
    """A `--input name=value` string as a value of the input's type (JSON for json/table)."""
    if type_.kind in ("json", "table"):
        try:
            return json.loads(text)
        except ValueError:
            return text if type_.kind == "json" else parse_table(text)
    return coerce(text, type_)


def shape_results(result_types: list[Type], raw: list[Any]) -> list[Any]:
    """One value per declared result: the raw values coerced in order; tokens are None.

    Tool ops declare their data result first and ordering tokens after it; a target
    returns only the data values, so missing trailing values are filled with None.
    """
    if len(result_types) == 1:  # the usual op: one result, no iterator needed
        t = result_types[0]
        return [None] if t.kind == "token" else [coerce(raw[0] if raw else None, t)]
    out: list[Any] = []
    data = iter(raw)
    for t in result_types:
        if t.kind == "token":
            out.append(None)
            continue
        out.append(coerce(next(data, None), t))
    return out


def shape_values(results: list[Any], raw: list[Any]) -> list[Any]:
    """`shape_results` for an op's result values (each with its `.type`), one result without a list of types."""
    if len(results) == 1:
        t = results[0].type
        return [None] if t.kind == "token" else [coerce(raw[0] if raw else None, t)]
    return shape_results([r.type for r in results], raw)


def jsonable(value: Any) -> Any:
    """`value` with every non-JSON leaf (tuples, bytes, sets, ...) made JSON data."""
    if value is None or isinstance(value, _SCALAR):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, _ITEMS):
        return [jsonable(v) for v in value]
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    return str(value)


def _leaf(value: Any) -> Any:
    """What `jsonable` makes of a leaf `json` cannot write (the encoder recurses into lists)."""
    if isinstance(value, _SETS):
        return list(value)
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    return str(value)


# The C encoder `json.JSONEncoder.encode` builds anew on every call, made once: no circular
# check (a cycle raises RecursionError here, as it does in `jsonable`), keys in their own
# order (sorting them doubled the cost of a trace event), no NaN.
_ENCODE = c_make_encoder(None, _leaf, encode_basestring_ascii, None, ":", ",", False, False, False) \
    if c_make_encoder is not None else None
_ENCODER = json.JSONEncoder(separators=(",", ":"), allow_nan=False, default=_leaf)


def _orjson_leaf(value: Any) -> Any:
    """What orjson asks about (its `default`): what `json` writes for a subclass of a JSON
    type (passed through, `OPT_PASSTHROUGH_SUBCLASS`) or a dataclass or datetime (passed
    through), and `_leaf`'s answer for anything else."""
    if isinstance(value, str):
        return str.__str__(value)
    if isinstance(value, bool):
        return bool(value)
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            return str(value)  # as `jsonable` writes it
        return float(value)
    if isinstance(value, dict):
        return dict(value)
    if isinstance(value, list):
        return list(value)
    return _leaf(value)


_ORJSON_OPTS = (orjson.OPT_PASSTHROUGH_SUBCLASS | orjson.OPT_PASSTHROUGH_DATACLASS
                | orjson.OPT_PASSTHROUGH_DATETIME) if orjson is not None else 0


def encode_line(value: Any) -> str:
    """`json.dumps(jsonable(value), separators=(",", ":"))`, in one pass: one JSON line of
    the journal or the trace, keys in the order the record has them.

    orjson writes it (~10x faster than the C encoder of `json`; the line is the same
    JSON data, spelled differently: non-ASCII characters as UTF-8 rather than `\\u`
    escapes, floats in their shortest form); what orjson refuses (a non-str key, an
    int beyond 64 bits, a lone surrogate) and any line holding `null` (orjson writes a
    non-finite float as null, `jsonable` as its name) take `json`'s C encoder. That
    encoder writes the value as it is; only what it refuses (a non-finite float) takes
    the slow `jsonable` walk. Differences to `jsonable`: bool and None dict keys are
    written `true`/`null` (JSON's spelling), not `True`/`None`; an Enum that is no str
    or int is written by orjson as its value, not its name.
    """
    return encode_record(value)[:-1].decode()


_ORJSON_LINE = _ORJSON_OPTS | orjson.OPT_APPEND_NEWLINE if orjson is not None else 0


def encode_record(value: Any, *, finite: bool = False) -> bytes:
    """`encode_line(value)` as the UTF-8 bytes of one line of a JSON-lines file, newline
    included: what the journal and the trace write (orjson's output as it is, not decoded).
    `finite`: the caller knows `value` holds no non-finite float (the one thing orjson writes
    differently, as `null`), so orjson's line needs no looking through."""
    if orjson is not None:
        try:
            line = orjson.dumps(value, default=_orjson_leaf, option=_ORJSON_LINE)
        except TypeError:  # orjson.JSONEncodeError too
            pass
        else:
            if finite or b"null" not in line:
                return line
    try:
        text = "".join(_ENCODE(value, 0)) if _ENCODE is not None else _ENCODER.encode(value)
    except (TypeError, ValueError):
        text = json.dumps(jsonable(value), separators=(",", ":"))
    return (text + "\n").encode()  # ASCII: `json` escapes what is not
