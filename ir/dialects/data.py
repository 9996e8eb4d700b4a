"""The `data` dialect: pure transformations of values (constants, templates, JSON, regex)."""

from __future__ import annotations

from skc.ir.attrs import ANYTHING, BOOL, INT, REGEX, STR, opt, req
from skc.ir.core import Dialect, Op, Value
from skc.ir.dialects._build import build
from skc.ir.location import UNKNOWN, Location
from skc.ir.types import ANY, DATA, JSON, NUM, TEXT, Type, Variadic, kinds

_COLLECTION = kinds("json", "table", "text")


class ConstOp(Op):
    """A constant value.

        %0 = "data.const"() {value = "ok"} : () -> !skc.text
    """

    name = "data.const"
    operands_sig = ()
    results_sig = (DATA,)
    attrs = {"value": req(ANYTHING, "the value")}


class TemplateOp(Op):
    """Text with `{0}`, `{1}`, ... replaced by the operands.

        %1 = "data.template"(%ns, %pod) {template = "pod {1} in {0}"} : (!skc.text, !skc.text) -> !skc.text
    """

    name = "data.template"
    operands_sig = (Variadic(ANY),)
    results_sig = (kinds("text"),)
    attrs = {"template": req(STR, "text with positional placeholders")}


class JsonGetOp(Op):
    """A JSONPath query (`$.items[0].name`, filters `[?(@.x != 'y')]`) on JSON or a table.

        %1 = "data.json_get"(%0) {path = "$.items[*].metadata.name"} : (!skc.json) -> !skc.json
    """

    name = "data.json_get"
    operands_sig = (_COLLECTION,)
    results_sig = (DATA,)
    attrs = {"path": req(STR, "JSONPath expression")}


class RegexExtractOp(Op):
    """The first match of `pattern` (its `group`), or every match with `all = true`.

        %1 = "data.regex_extract"(%0) {group = 1 : i64, pattern = "version=(\\\\S+)"} : (!skc.text) -> !skc.text
    """

    name = "data.regex_extract"
    operands_sig = (kinds("text", "json", "table", "file"),)
    results_sig = (kinds("text", "json"),)
    attrs = {"pattern": req(REGEX, "Python regular expression"), "group": opt(INT, "group number"),
             "all": opt(BOOL, "every match, as a JSON list")}


class ConcatOp(Op):
    """The operands' text joined with `sep` (default newline), or a JSON list.

        %2 = "data.concat"(%0, %1) {sep = "\\n"} : (!skc.text, !skc.text) -> !skc.text
    """

    name = "data.concat"
    operands_sig = (Variadic(ANY),)
    results_sig = (kinds("text", "json"),)
    attrs = {"sep": opt(STR, "separator")}


class CountOp(Op):
    """Number of items: JSON array length, table rows, or non-empty text lines.

        %3 = "data.count"(%1) : (!skc.json) -> !skc.num
    """

    name = "data.count"
    operands_sig = (_COLLECTION,)
    results_sig = (kinds("num"),)


DATA_DIALECT = Dialect("data", [ConstOp, TemplateOp, JsonGetOp, RegexExtractOp, ConcatOp, CountOp])


def const(value: object, result: Type = TEXT, *, loc: Location = UNKNOWN, name: str | None = None) -> Value:
    return build(ConstOp, (), result, {"value": value}, loc, name).result


def template(text: str, *operands: Value, loc: Location = UNKNOWN, name: str | None = None) -> Value:
    return build(TemplateOp, operands, TEXT, {"template": text}, loc, name).result


def json_get(source: Value, path: str, result: Type | None = None, *, loc: Location = UNKNOWN,
             name: str | None = None) -> Value:
    return build(JsonGetOp, (source,), result or JSON, {"path": path}, loc, name).result


def regex_extract(source: Value, pattern: str, *, group: int | None = None, all: bool | None = None,
                  result: Type = TEXT, loc: Location = UNKNOWN, name: str | None = None) -> Value:
    return build(RegexExtractOp, (source,), result, {"pattern": pattern, "group": group, "all": all},
                 loc, name).result


def concat(*operands: Value, sep: str | None = None, result: Type = TEXT, loc: Location = UNKNOWN,
           name: str | None = None) -> Value:
    return build(ConcatOp, operands, result, {"sep": sep}, loc, name).result


def count(source: Value, *, loc: Location = UNKNOWN, name: str | None = None) -> Value:
    return build(CountOp, (source,), NUM, {}, loc, name).result
