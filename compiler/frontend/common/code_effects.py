"""Effects of the code blocks that are not shell: SQL (by statement) and Python (a
conservative scan of its syntax tree, `python_effects`)."""

from __future__ import annotations

import ast

from skc.stdlib.shell.sql import classify_sql_text


def classify_sql(query: str, db: str = "default") -> tuple[list[str], bool]:
    """(effects, writes) of a SQL text against database `db`."""
    writes = classify_sql_text(query)
    return [f"{'write' if writes else 'read'}:db:{db}"], writes


_PY_PURE_IMPORTS = frozenset({
    "json", "re", "math", "statistics", "datetime", "collections", "itertools", "functools", "decimal", "fractions",
    "string", "textwrap", "operator", "typing", "dataclasses", "enum"})
# Builtins that run code, read the terminal, reach other modules or the interpreter's internals.
_PY_IMPURE_NAMES = frozenset({
    "open", "exec", "eval", "compile", "__import__", "input", "breakpoint", "globals", "locals", "vars", "getattr",
    "setattr", "delattr", "__builtins__", "__loader__", "__spec__", "memoryview", "help", "exit", "quit"})
# Modules whose names alone mark code as touching the system, imported or not.
_PY_SYSTEM_NAMES = frozenset({"os", "sys", "subprocess", "socket", "shutil", "pathlib", "io", "ctypes", "importlib"})


def python_effects(code: str) -> list[str]:
    """The effects of a Python block, by a conservative scan of its syntax tree.

    `["pure"]` when the code imports only pure modules (json, re, math, statistics,
    datetime, collections, itertools, functools, decimal, fractions, string, textwrap,
    operator, typing, dataclasses, enum), names none of the builtins that run code or
    reach outside (open, exec, eval, compile, __import__, input, breakpoint, globals,
    getattr, ...), touches no `os`/`sys`/`subprocess`/`socket`/`shutil`/`pathlib` and
    uses no dunder attribute (`x.__class__`: the way out of any such check). Anything
    else is `["write:*"]`, except one obvious narrowing: when the only impurity is
    `open("<literal path>"[, "<literal mode>"])`, the effect is `read:fs:<path>`, or
    `write:fs:<path>` for a mode that writes. Code that does not parse is `write:*`.
    """
    try:
        tree = ast.parse(code)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return ["write:*"]
    opens: list[tuple[int, int, str, bool]] = []
    open_calls: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "open":
            spec = _literal_open(node)
            if spec is None:
                return ["write:*"]
            opens.append((node.lineno, node.col_offset, *spec))
            open_calls.add(id(node.func))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            if any(a.name.split(".")[0] not in _PY_PURE_IMPORTS for a in node.names):
                return ["write:*"]
        elif isinstance(node, ast.ImportFrom):
            if node.level or (node.module or "").split(".")[0] not in _PY_PURE_IMPORTS:
                return ["write:*"]
        elif isinstance(node, ast.Name):
            if (node.id in _PY_IMPURE_NAMES and id(node) not in open_calls) or node.id in _PY_SYSTEM_NAMES:
                return ["write:*"]
        elif isinstance(node, ast.Attribute):
            if node.attr.startswith("__") and node.attr.endswith("__"):
                return ["write:*"]
    if not opens:
        return ["pure"]
    paths = dict.fromkeys(f"{'write' if writes else 'read'}:fs:{path}" for _, _, path, writes in sorted(opens))
    return list(paths)


def _literal_open(call: ast.Call) -> tuple[str, bool] | None:
    """(path, writes) of `open("path")` / `open("path", "mode")` with literal strings; None otherwise."""
    if len(call.args) > 2 or any(k.arg not in ("mode", "encoding", "errors", "newline") for k in call.keywords):
        return None
    values = [a.value for a in [*call.args, *(k.value for k in call.keywords)]
              if isinstance(a, ast.Constant) and isinstance(a.value, str)]
    if not call.args or len(values) != len(call.args) + len(call.keywords) or not values[0].strip() \
            or values[0] != values[0].strip():
        return None
    modes = values[1:2] + [str(k.value.value) for k in call.keywords  # type: ignore[attr-defined]
                           if k.arg == "mode"]
    return values[0], any(c in m for m in modes for c in "wax+")
