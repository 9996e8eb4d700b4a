"""tree-sitter-bash → the shell model (`model.py`).

`parse(text)` returns a `Sequence` for any text: it never raises. Syntax errors,
constructs this converter does not know and nesting deeper than `MAX_DEPTH` become
`Unknown` nodes carrying their text and location, so a consumer can deny them by
name. Results are cached by text (commands repeat: checks before the run and again
at the op).
"""

from __future__ import annotations

import re
import shlex
from functools import lru_cache
from typing import Any

import tree_sitter_bash
from tree_sitter import Language, Parser

from skc.stdlib.shell.model import (
    MAX_DEPTH,
    Compound,
    Expansion,
    Loc,
    Node,
    Pipeline,
    Redirect,
    Redirected,
    Sequence,
    Simple,
    Unknown,
    Word,
)

_LANGUAGE = Language(tree_sitter_bash.language())
_SEPARATORS = {";", "&", "\n", "&&", "||", ";;", ";&", ";;&"}
_REDIRECTS = {"file_redirect", "heredoc_redirect", "herestring_redirect"}
_EXPANSIONS = {"command_substitution": "command", "process_substitution": "process",
               "arithmetic_expansion": "arithmetic", "expansion": "parameter", "simple_expansion": "parameter",
               "brace_expression": "brace", "ansi_c_string": "ansi"}
_COMPOUND = {"if_statement": "if", "elif_clause": "if", "else_clause": "if", "for_statement": "for",
             "c_style_for_statement": "for", "while_statement": "while", "case_statement": "case",
             "case_item": "case", "test_command": "test", "negated_command": "not", "subshell": "subshell",
             "compound_statement": "group", "function_definition": "function", "do_group": "group",
             "arithmetic_expansion": "arith", "select_statement": "select"}
_WORDS = {"word", "string", "raw_string", "concatenation", "number", "simple_expansion", "expansion",
          "command_substitution", "process_substitution", "arithmetic_expansion", "ansi_c_string",
          "translated_string", "brace_expression", "extglob_pattern", "variable_name", "regex",
          "test_operator", "special_variable_name", "string_content", "heredoc_body", "array"}


_PLACEHOLDER = re.compile(rb"(?<!\$)\{(\d+)\}")
_PLAIN = re.compile(r"[\w./:=@%+,^-]+")  # a word shlex would give back unchanged
MAX_TEXT = 100_000  # a longer command line is one `Unknown` node (hostile-input bound)
# tree-sitter-bash's scanner calls <ctype.h> `isdigit`/`isalpha` on the code point after `{`, `$`
# and `?`: a code point above 255 indexes past glibc's table (undefined behaviour), and one in a
# high plane ("a{\U00080000") reads unmapped memory and kills the process with SIGSEGV. Bash
# itself treats every non-ASCII character as a word character, so each one above U+00FF (and
# each byte that is not UTF-8) is given to the parser as that many ASCII `x` bytes: the same
# byte offsets (the model's text is still sliced from the original bytes), no wide code point.
_WIDE = re.compile(rb"[\xc2\xc3][\x80-\xbf]|[\xc4-\xff][\x80-\xbf]*|[\x80-\xbf]")


def _narrow(m: re.Match[bytes]) -> bytes:
    b = m.group(0)
    return b if b[0] in (0xC2, 0xC3) else b"x" * len(b)


@lru_cache(maxsize=4096)
def parse(text: str) -> Sequence:
    """The model of `text` (a command line, or several lines of a script).

    skc's operand placeholders `{N}` (the runtime puts one shell-quoted word there) are
    parsed as the plain word they stand for; the model keeps their text."""
    if len(text) > MAX_TEXT:
        loc = Loc(1, 1)
        return Sequence(text, loc, (Unknown(text, loc, f"longer than {MAX_TEXT} characters: not analysed"),), (";",))
    src = text.encode("utf-8", errors="surrogateescape")
    masked = _PLACEHOLDER.sub(lambda m: b"_" + m.group(1) + b"_", src)
    if not masked.isascii():
        masked = _WIDE.sub(_narrow, masked)
    tree = Parser(_LANGUAGE).parse(masked)
    return _Converter(src).sequence(tree.root_node, 0)


class _Converter:
    """One conversion: the source bytes and the recursive node → model functions."""

    def __init__(self, src: bytes) -> None:
        self.src = src

    def text(self, n: Any) -> str:
        return self.src[n.start_byte:n.end_byte].decode("utf-8", errors="replace")

    @staticmethod
    def loc(n: Any) -> Loc:
        return Loc(n.start_point[0] + 1, n.start_point[1] + 1)

    def unknown(self, n: Any, reason: str) -> Unknown:
        return Unknown(self.text(n), self.loc(n), reason)

    # ------------------------------------------------------------ statements

    def sequence(self, n: Any, depth: int) -> Sequence:
        """Statements of a program / body / list, with the separator after each."""
        items: list[Node] = []
        ops: list[str] = []
        for child in n.children:
            kind = child.type
            if kind in _SEPARATORS or (not child.is_named and kind in ("&", ";")):
                if items and len(ops) < len(items):
                    ops.append(kind)
                elif items and kind == "&":
                    ops[-1] = "&"
                continue
            if kind == "comment" or not child.is_named:
                continue
            if len(ops) < len(items):
                ops.append(";")
            items.append(self.statement(child, depth + 1))
        while len(ops) < len(items):
            ops.append(";")
        return Sequence(self.text(n), self.loc(n), tuple(items), tuple(ops))

    def statement(self, n: Any, depth: int) -> Node:
        if depth > MAX_DEPTH:
            return self.unknown(n, f"nested more than {MAX_DEPTH} levels deep")
        kind = n.type
        if n.has_error or kind == "ERROR":
            return self.unknown(n, "does not parse as bash")
        if kind == "command":
            return self.simple(n, depth)
        if kind in ("declaration_command", "unset_command"):
            return self.declaration(n, depth)
        if kind in ("variable_assignment", "variable_assignments"):
            assigns = tuple(self.word(c, depth) for c in n.named_children) if kind == "variable_assignments" \
                else (self.word(n, depth),)
            return Simple(self.text(n), self.loc(n), None, (), assigns)
        if kind == "pipeline":
            parts = tuple(self.statement(c, depth + 1) for c in n.named_children if c.type != "comment")
            return Pipeline(self.text(n), self.loc(n), parts)
        if kind == "list":
            return self.sequence(n, depth)
        if kind == "redirected_statement":
            return self.redirected(n, depth)
        if kind in _COMPOUND:
            return self.compound(n, depth)
        return self.unknown(n, f"unsupported shell construct ({kind})")

    def simple(self, n: Any, depth: int) -> Node:
        program: Word | None = None
        args: list[Word] = []
        assigns: list[Word] = []
        redirects: list[Redirect] = []
        extra: list[Node] = []
        for child in n.named_children:
            if child.type == "command_name":
                program = self.word(child.named_children[0] if child.named_children else child, depth)
            elif child.type == "variable_assignment":
                assigns.append(self.word(child, depth))
            elif child.type in _REDIRECTS:
                redirects.extend(self.redirect(child, depth, extra))
            elif child.type == "comment":
                continue
            else:
                args.append(self.word(child, depth))
        node: Node = Simple(self.text(n), self.loc(n), program, tuple(args), tuple(assigns), tuple(redirects))
        return self.join(n, node, extra)

    def declaration(self, n: Any, depth: int) -> Node:
        """`export A=1`, `local x`, `declare -a y`, `unset z`: a simple command of its keyword."""
        keyword = n.children[0]
        program = Word(self.text(keyword), self.text(keyword))
        args = tuple(self.word(c, depth) for c in n.named_children if c.type != "comment")
        return Simple(self.text(n), self.loc(n), program, args)

    def redirected(self, n: Any, depth: int) -> Node:
        body_node = n.child_by_field_name("body")
        extra: list[Node] = []
        redirects = tuple(r for c in n.named_children if c.type in _REDIRECTS for r in self.redirect(c, depth, extra))
        if body_node is None:
            node: Node = Simple(self.text(n), self.loc(n), None, (), (), redirects)
        else:
            body = self.statement(body_node, depth + 1)
            if isinstance(body, Simple):
                node = Simple(self.text(n), body.loc, body.program, body.args, body.assigns,
                              body.redirects + redirects)
            else:
                node = Redirected(self.text(n), self.loc(n), body, redirects)
        return self.join(n, node, extra)

    def join(self, n: Any, node: Node, extra: list[Node]) -> Node:
        """A here-document's line may go on after its marker (`cat <<EOF | grep x`): tree-sitter
        puts that rest inside the redirect; the model pipes the command into it."""
        if not extra:
            return node
        return Pipeline(self.text(n), self.loc(n), (node, *extra))

    def compound(self, n: Any, depth: int) -> Node:
        kind = _COMPOUND[n.type]
        if kind == "arith":
            return Compound(self.text(n), self.loc(n), kind, (self.word(n, depth),))
        words: list[Word] = []
        bodies: list[Node] = []
        statements = [c for c in n.named_children if c.type not in _WORDS and c.type != "comment"]
        for child in n.named_children:
            if child.type in _WORDS:
                words.append(self.word(child, depth))
        if statements:
            holder = Sequence(self.text(n), self.loc(n),
                              tuple(self.statement(c, depth + 1) for c in statements), (";",) * len(statements))
            bodies.append(holder)
        return Compound(self.text(n), self.loc(n), kind, tuple(words), tuple(bodies))

    def redirect(self, n: Any, depth: int, extra: list[Node]) -> list[Redirect]:
        """The redirect `n` (and those tree-sitter nests in a here-doc's marker line)."""
        fd = ""
        nested: list[Redirect] = []
        op = ""
        target: Word | None = None
        for child in n.children:
            if child.type == "file_descriptor":
                fd = self.text(child)
            elif not child.is_named and not op:
                op = child.type
            elif child.type == "heredoc_body":
                target = self.word(child, depth)
            elif child.type in ("heredoc_start", "heredoc_end"):
                continue
            elif child.type in _REDIRECTS:
                nested.extend(self.redirect(child, depth, extra))
            elif child.type in _WORDS and target is None:
                target = self.word(child, depth)
            elif child.is_named and child.type != "comment":
                extra.append(self.statement(child, depth + 1))
        if n.type == "heredoc_redirect":
            return [Redirect(op or "<<", target, fd, "heredoc"), *nested]
        if n.type == "herestring_redirect":
            return [Redirect("<<<", target, fd, "herestring"), *nested]
        dup = op in (">&", "<&", ">&-", "<&-") and target is not None and (target.value or "").rstrip("-").isdigit()
        return [Redirect(op, target, fd, "dup" if dup else "file"), *nested]

    # ----------------------------------------------------------------- words

    def word(self, n: Any, depth: int) -> Word:
        expansions: list[Expansion] = []
        glob = self.collect(n, depth, expansions)
        text = self.text(n)
        value: str | None = None
        if not expansions and n.type != "heredoc_body" and _PLAIN.fullmatch(text):
            value = text
        elif not expansions and n.type != "heredoc_body":
            try:
                parts = shlex.split(text, posix=True) if text else [""]
                value = parts[0] if len(parts) == 1 else None
            except ValueError:
                value = None
        elif not expansions:
            value = text
        return Word(text, value, tuple(expansions), glob)

    def collect(self, n: Any, depth: int, out: list[Expansion]) -> bool:
        """Appends the expansions under `n` to `out`; whether an unquoted glob character occurs."""
        glob = False
        stack = [(n, False)]
        while stack:
            node, quoted = stack.pop()
            kind = node.type
            if kind in _EXPANSIONS:
                text = self.text(node)
                exp_kind = _EXPANSIONS[kind]
                if kind == "command_substitution" and text.startswith("`"):
                    exp_kind = "backtick"
                if kind in ("command_substitution", "process_substitution"):
                    body = self.sequence(node, depth + 1) if depth < MAX_DEPTH else Sequence(
                        text, self.loc(node), (self.unknown(node, f"nested more than {MAX_DEPTH} levels deep"),),
                        (";",))
                    out.append(Expansion(exp_kind, text, body))
                    continue
                out.append(Expansion(exp_kind, text))
                if kind == "ansi_c_string":
                    continue
            if kind == "word" and not quoted and any(c in self.text(node) for c in "*?["):
                glob = True
            if kind in ("raw_string", "string_content"):
                continue
            inner = quoted or kind in ("string", "heredoc_body")
            stack.extend((c, inner) for c in reversed(node.children))
        return glob
