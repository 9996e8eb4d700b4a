"""The `.skflow` front end: the explicit workflow language (docs/skflow.md) to skc IR.

    workflow triage(ns: text, threshold: num) -> text {
      step pods = shell ["kubectl", "get", "pods", "-n", ns, "-o", "json"] effects [read:k8s] -> json
      step failing = count(json_get(pods, "$.items[?(@.status.phase != 'Running')]"))
      step verdict = if failing > threshold {
        yield decide "Is the namespace degraded?" with pods outcomes [degraded, down]
      } else {
        yield "ok"
      }
      return verdict
    }

`parse_skflow(text, file)` and `compile_skflow(path)` return a `FrontendResult`; bad
input becomes diagnostics (SKC130 syntax, SKC131-139 meaning: see `skflow_lower`),
never an exception. The module is None when there is any error.
"""

from __future__ import annotations

import difflib
import re
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from lark import Lark, UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken

from skc.compiler.frontend import FrontendResult
from skc.compiler.frontend.skflow.lower import Lowerer
from skc.compiler.frontend.skflow.nodes import Document
from skc.compiler.frontend.skflow.transform import SkflowTransformer
from skc.ir.location import Diagnostic, Location

# How syntax errors name what was expected (lark's terminal names -> words).
_EXPECTED = {
    "NAME": "a name", "STRING": "a string", "RAW_STRING": "a string", "LONG_STRING": "a string",
    "INT": "a number", "FLOAT": "a number", "EFFECT": "an effect like read:k8s",
    "LBRACE": "'{'", "RBRACE": "'}'", "LPAR": "'('", "RPAR": "')'", "LSQB": "'['", "RSQB": "']'",
    "COMMA": "','", "EQUAL": "'='", "COLON": "':'",
}


@cache
def parser() -> Lark:
    """The LALR parser for `grammar/skflow.lark` (built once)."""
    grammar = resources.files("skc.grammar").joinpath("skflow.lark").read_text(encoding="utf-8")
    return Lark(grammar, parser="lalr", propagate_positions=True, maybe_placeholders=False)


def _describe(name: str) -> str:
    if name in _EXPECTED:
        return _EXPECTED[name]
    term = next((t for t in parser().terminals if t.name == name), None)
    if term is not None and term.pattern.type == "str":
        return repr(term.pattern.value)
    return name.lower()


def _syntax_error(e: UnexpectedInput, text: str, file: str) -> Diagnostic:
    line, col = max(e.line, 1), max(e.column, 1)
    if isinstance(e, UnexpectedCharacters):
        pos = e.pos_in_stream or 0
        ch = text[pos] if pos < len(text) else ""
        hint = "strings use double quotes" if ch == "'" else ""
        return Diagnostic("SKC130", Location(file, line, col), f"unexpected character {ch!r}", hint)
    if isinstance(e, UnexpectedEOF) or (isinstance(e, UnexpectedToken) and e.token.type == "$END"):
        lines = text.splitlines() or [""]
        line, col = len(lines), len(lines[-1]) + 1
        return Diagnostic("SKC130", Location(file, line, col), "unexpected end of file",
                          "a `{` is not closed, or a statement is unfinished")
    assert isinstance(e, UnexpectedToken)
    described = {_describe(t) for t in e.expected}
    words = sorted(w.strip("'") for w in described if w.startswith("'") and w[1:-1].isidentifier())
    close = difflib.get_close_matches(str(e.token), words, n=1, cutoff=0.7)
    hint = f"did you mean `{close[0]}`? " if close else ""
    shown = _summarise(described)
    hint += f"expected {shown}" if shown else ""
    return Diagnostic("SKC130", Location(file, line, col), f"unexpected {str(e.token)!r}", hint)


_GROUPS = (  # (what to call it, its members): several expected members become one phrase
    ("a value", {"a number", "a string", "'true'", "'false'", "'null'", "'inf'", "'nan'", "'['", "'{'", "'-'"}),
    ("a statement (step, if, map, retry, return, yield, or a tool/model step)",
     {"'step'", "'if'", "'map'", "'retry'", "'return'", "'yield'", "'shell'", "'python'", "'sql'", "'http'",
      "'script'", "'file_read'", "'file_write'", "'generate'", "'decide'", "'extract'", "'agent'", "'op'"}),
    ("a clause (effects, with, needs, timeout, ...)",
     {"'effects'", "'with'", "'needs'", "'attrs'", "'confirm'", "'append'", "'args'", "'outcomes'", "'db'",
      "'lang'", "'timeout'", "'retries'", "'fallback'", "'label'", "'cwd'", "'env'", "'body'", "'headers'",
      "'interpreter'", "'system'", "'max_tokens'", "'temperature'", "'model'", "'schema'", "'examples'",
      "'tools'", "'max_turns'", "'parallel'", "'backoff'"}),
    ("an operator", {"'+'", "'*'", "'/'", "'=='", "'!='", "'<'", "'<='", "'>'", "'>='", "'and'", "'or'",
                     "'contains'", "'matches'"}),
)


def _summarise(described: set[str]) -> str:
    """What the parser expected, with families of tokens named as one thing."""
    parts: list[str] = []
    rest = set(described)
    for phrase, members in _GROUPS:
        if len(rest & members) >= 3:
            parts.append(phrase)
            rest -= members
    parts += sorted(rest)
    return ", ".join(parts[:6]) + (", ..." if len(parts) > 6 else "")


MAX_TREE_DEPTH = 240  # about 60 nested blocks: deeper input is SKC128, never a RecursionError


MAX_BRACKETS = 200
MAX_SOURCE_CHARS = 100_000  # lark's LALR parser costs ~10 us a character: bound it before lark
MAX_LINE_CHARS = 5_000  # one statement or expression (the examples' longest line is 168)
_BRACKET = re.compile(r"[(\[{]|[)\]}]")


def _too_long(text: str, file: str) -> Diagnostic | None:
    """SKC128 at the first line over MAX_LINE_CHARS, or for a source over MAX_SOURCE_CHARS."""
    if len(text) > MAX_SOURCE_CHARS:
        return Diagnostic("SKC128", Location(file, 1, 1), f"the workflow has {len(text)} characters "
                          f"(at most {MAX_SOURCE_CHARS})", "split it into several workflows")
    for i, line in enumerate(text.split("\n"), 1):
        if len(line) > MAX_LINE_CHARS:
            return Diagnostic("SKC128", Location(file, i, MAX_LINE_CHARS + 1),
                              f"line {i} has {len(line)} characters (at most {MAX_LINE_CHARS})",
                              "break the expression into several steps")
    return None


def _bracket_depth(text: str) -> tuple[int, int] | None:
    """Where `(`, `[` and `{` (counted everywhere, strings too) first nest deeper than MAX_BRACKETS."""
    depth = 0
    for m in _BRACKET.finditer(text):
        depth += 1 if m.group() in "([{" else -1
        if depth > MAX_BRACKETS:
            line = text.count("\n", 0, m.start()) + 1
            return line, m.start() - text.rfind("\n", 0, m.start())
    return None


def _too_deep(tree: Any) -> tuple[int, int] | None:
    """Where the syntax tree first gets deeper than `MAX_TREE_DEPTH` (walked without recursion)."""
    stack = [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_TREE_DEPTH:
            meta = getattr(node, "meta", None)
            line = getattr(meta, "line", None) or getattr(node, "line", None) or 1
            return line, getattr(meta, "column", None) or getattr(node, "column", None) or 1
        stack.extend((child, depth + 1) for child in getattr(node, "children", ()))
    return None


def parse_document(text: str, file: str = "<input>") -> tuple[Document | None, list[Diagnostic]]:
    """The syntax tree of `text`, or None and a syntax diagnostic."""
    if (long := _too_long(text, file)) is not None:
        return None, [long]
    if (deep := _bracket_depth(text)) is not None:  # before lark: it would build the whole tree first
        line, col = deep
        return None, [Diagnostic("SKC128", Location(file, line, col), f"brackets nest more than {MAX_BRACKETS} deep",
                                 "split it into smaller steps or workflows")]
    try:
        tree = parser().parse(text)
    except UnexpectedInput as e:
        return None, [_syntax_error(e, text, file)]
    if (deep := _too_deep(tree)) is not None:
        line, col = deep
        return None, [Diagnostic("SKC128", Location(file, line, col), f"the workflow nests more than {MAX_TREE_DEPTH // 4} "
                                 "blocks or expression levels deep", "split it into smaller steps or workflows")]
    transformer = SkflowTransformer()
    doc = transformer.transform(tree)
    diags = [Diagnostic("SKC135", Location(file, e.line, e.col), e.message, e.hint) for e in transformer.errors]
    return doc, diags


def parse_skflow(text: str, file: str = "<input>") -> FrontendResult:
    """Parses and lowers .skflow text; every op is located at its statement in `file`."""
    doc, diags = parse_document(text, file)
    if doc is None:
        return FrontendResult(None, diags)
    lowerer = Lowerer(file)
    try:
        module = lowerer.document(doc)
    except RecursionError:  # a shape the depth check does not measure: still a located error
        return FrontendResult(None, [Diagnostic("SKC128", Location(file, 1, 1), "the workflow nests too deeply",
                                                "split it into smaller steps or workflows")])
    diags += lowerer.diags
    diags.sort(key=lambda d: (d.loc.line, d.loc.col))
    if any(d.severity == "error" for d in diags):
        return FrontendResult(None, diags)
    return FrontendResult(module, diags)


def compile_skflow(path: Path) -> FrontendResult:
    """The `.skflow` file at `path` as IR (unreadable files become SKC100)."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        return FrontendResult(None, [Diagnostic("SKC100", Location(str(path), 1, 1), f"cannot read: {e}",
                                                "give the path of a readable UTF-8 .skflow file")])
    return parse_skflow(text, str(path))
