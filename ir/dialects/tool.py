"""The `tool` dialect: steps that are already code and run on the CPU.

Every tool op declares its `effects`. Operands are substituted into the command
by position: `{0}` in `argv`, `cmd`, `query`, `url` or `path` is the first operand.
An optional `fallback` names another step to run when this one fails, and
`timeout_s` / `retries` bound it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from skc.ir.attrs import BOOL, INT, NUM, STR, STR_DICT, STRS, AttrSpec, one_of, opt, req
from skc.ir.core import Dialect, Op, Value
from skc.ir.dialects._build import build
from skc.ir.location import UNKNOWN, Diagnostic, Location
from skc.ir.traits import RunsTool
from skc.ir.types import ANY, DATA, TABLE, TEXT, TOKEN, Type, Variadic, kinds

_RUN: dict[str, AttrSpec] = {
    "effects": req(STRS, "resources read or written"),
    "timeout_s": opt(NUM, "per-attempt timeout"),
    "retries": opt(INT, "extra attempts on failure"),
    "fallback": opt(STR, "step to run instead when this one fails"),
    "confirm": opt(BOOL, "needs confirmation before a write"),
    "step": opt(STR, "the source step's label"),
}
_OUT = (DATA, Variadic(kinds("token")))


class ShellOp(Op):
    """A command: `argv` (run without a shell) or `cmd` (needs one: pipes, globs).

        %0 = "tool.shell"(%ns) {argv = ["oc", "get", "pods", "-n", "{0}"], effects = ["read:k8s"]} : (!skc.text) -> !skc.table
    """

    name = "tool.shell"
    traits = frozenset({RunsTool})
    operands_sig = (Variadic(ANY),)
    results_sig = _OUT
    pure = False
    attrs = {**_RUN, "argv": opt(STRS, "argument list"), "cmd": opt(STR, "shell command line"),
             "cwd": opt(STR, "working directory"), "env": opt(STRS, "environment variables it needs")}

    def verify_(self) -> Iterator[Diagnostic]:
        if ("argv" in self.attributes) == ("cmd" in self.attributes):
            yield Diagnostic("SKC208", self.where, "tool.shell needs exactly one of 'argv' and 'cmd'")


class PythonOp(Op):
    """Python code; operands arrive as `args`, the value of `result` is the output.

        %1 = "tool.python"(%0) {code = "result = len(args[0].splitlines())", effects = ["pure"]} : (!skc.text) -> !skc.num
    """

    name = "tool.python"
    traits = frozenset({RunsTool})
    operands_sig = (Variadic(ANY),)
    results_sig = _OUT
    pure = False
    attrs = {**_RUN, "code": req(STR, "the program"),
             "session": opt(STR, "ops with the same session share one interpreter within a run, in order")}


class SqlOp(Op):
    """A query against a data source (`lang` is sql, promql or kql; `db` names the source).

        %2 = "tool.sql"(%r) {db = "incidents", effects = ["read:db:incidents"], query = "SELECT * FROM deploys WHERE region = {0}"} : (!skc.text) -> !skc.table
    """

    name = "tool.sql"
    traits = frozenset({RunsTool})
    operands_sig = (Variadic(ANY),)
    results_sig = _OUT
    pure = False
    attrs = {**_RUN, "query": req(STR, "the query"), "db": opt(STR, "data source name"),
             "lang": opt(one_of("sql", "promql", "kql", "logql"), "query language (default sql)")}


class HttpOp(Op):
    """An HTTP request.

        %3 = "tool.http"() {effects = ["net:http"], method = "GET", url = "http://127.0.0.1:9090/-/healthy"} : () -> !skc.text
    """

    name = "tool.http"
    traits = frozenset({RunsTool})
    operands_sig = (Variadic(ANY),)
    results_sig = _OUT
    pure = False
    attrs = {**_RUN, "url": req(STR, "URL"), "body": opt(STR, "request body"),
             "method": opt(one_of("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"), "default GET"),
             "headers": opt(STR_DICT, "request headers")}


class ScriptOp(Op):
    """A script shipped with the skill (`scripts/...`).

        %4 = "tool.script"(%0) {args = ["{0}"], effects = ["write:*"], path = "scripts/rotate.sh"} : (!skc.text) -> !skc.text
    """

    name = "tool.script"
    traits = frozenset({RunsTool})
    operands_sig = (Variadic(ANY),)
    results_sig = _OUT
    pure = False
    attrs = {**_RUN, "path": req(STR, "script path, relative to the skill"),
             "args": opt(STRS, "arguments"), "interpreter": opt(STR, "e.g. python3, bash")}


class FileReadOp(Op):
    """Reads a file.

        %5 = "tool.file_read"() {effects = ["read:fs:/etc/hosts"], path = "/etc/hosts"} : () -> !skc.text
    """

    name = "tool.file_read"
    traits = frozenset({RunsTool})
    operands_sig = (Variadic(ANY),)
    results_sig = _OUT
    pure = False
    attrs = {**_RUN, "path": req(STR, "file path")}


class FileWriteOp(Op):
    """Writes (or appends) its first operand to a file; yields an ordering token.

        %6 = "tool.file_write"(%1) {append = true, effects = ["write:fs:/tmp/report.md"], path = "/tmp/report.md"} : (!skc.text) -> !skc.token
    """

    name = "tool.file_write"
    traits = frozenset({RunsTool})
    operands_sig = (ANY, Variadic(ANY))
    results_sig = (Variadic(kinds("token")),)
    pure = False
    attrs = {**_RUN, "path": req(STR, "file path"), "append": opt(BOOL, "append, not replace")}


TOOL = Dialect("tool", [ShellOp, PythonOp, SqlOp, HttpOp, ScriptOp, FileReadOp, FileWriteOp])


def shell(argv: list[str] | None, *operands: Value, effects: list[str], cmd: str | None = None,
          result: Type = TEXT, loc: Location = UNKNOWN, name: str | None = None, **attrs: Any) -> Value:
    return build(ShellOp, operands, result, {"argv": argv, "cmd": cmd, "effects": effects, **attrs},
                 loc, name).result


def python(code: str, *operands: Value, effects: list[str] | None = None, result: Type = TEXT,
           loc: Location = UNKNOWN, name: str | None = None, **attrs: Any) -> Value:
    return build(PythonOp, operands, result, {"code": code, "effects": effects or ["pure"], **attrs},
                 loc, name).result


def sql(query: str, *operands: Value, db: str | None = None, effects: list[str] | None = None,
        result: Type | None = None, loc: Location = UNKNOWN, name: str | None = None, **attrs: Any) -> Value:
    eff = effects or [f"read:db:{db or 'default'}"]
    return build(SqlOp, operands, result or TABLE, {"query": query, "db": db, "effects": eff, **attrs},
                 loc, name).result


def http(url: str, *operands: Value, method: str = "GET", effects: list[str] | None = None,
         result: Type = TEXT, loc: Location = UNKNOWN, name: str | None = None, **attrs: Any) -> Value:
    return build(HttpOp, operands, result, {"url": url, "method": method,
                 "effects": effects or ["net:http"], **attrs}, loc, name).result


def script(path: str, *operands: Value, effects: list[str] | None = None, args: list[str] | None = None,
           result: Type = TEXT, loc: Location = UNKNOWN, name: str | None = None, **attrs: Any) -> Value:
    return build(ScriptOp, operands, result, {"path": path, "args": args,
                 "effects": effects or ["write:*"], **attrs}, loc, name).result


def file_read(path: str, *operands: Value, result: Type = TEXT, loc: Location = UNKNOWN,
              name: str | None = None, **attrs: Any) -> Value:
    return build(FileReadOp, operands, result, {"path": path, "effects": [f"read:fs:{path}"], **attrs},
                 loc, name).result


def file_write(path: str, content: Value, *operands: Value, append: bool = False,
               loc: Location = UNKNOWN, name: str | None = None, **attrs: Any) -> Value:
    return build(FileWriteOp, (content, *operands), TOKEN, {"path": path, "append": append or None,
                 "effects": [f"write:fs:{path}"], **attrs}, loc, name).result
