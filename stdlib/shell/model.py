"""The shell model: a small typed tree of one bash command line.

`parse(text)` (in `parse.py`) builds it from tree-sitter-bash; everything that
reasons about shell text (effects inference, permission checks, read-only mode,
dry-run rendering) reads this model instead of re-splitting strings.

    Script        the whole text: a `Sequence`
    Sequence      items joined by `;`, newline, `&` (background), `&&`, `||`
    Pipeline      parts joined by `|` / `|&`
    Simple        one simple command: assignments, program word, argument words, redirects
    Compound      `if`, `for`, `while`, `until`, `case`, `select`, `[[ ]]`, `!`, `(( ))`,
                  subshell `( )`, group `{ }`, function definitions: their words and bodies
    Redirected    a compound command (or pipeline) with redirections
    Unknown       text the model cannot classify (a parse error, a construct it does not
                  know, nesting beyond `MAX_DEPTH`): carried with its location, never dropped

Words keep the text as written, the static value when it has one (quotes removed,
no expansion), and the expansions inside them (`$(…)`/backticks, `<(…)`/`>(…)`,
`$((…))`, `${…}`/`$X`, brace expansion); command and process substitutions carry the
commands they run as nested nodes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Union

MAX_DEPTH = 120  # nesting beyond this is an `Unknown` node (hostile input, not a real command)


@dataclass(frozen=True, slots=True)
class Loc:
    """Where a node starts: 1-based line and column (in bytes) of the command text."""

    line: int
    col: int


@dataclass(frozen=True, slots=True)
class Expansion:
    """One expansion inside a word: kind and text, and for command/process
    substitutions the commands it runs (`body`)."""

    kind: str  # "command" | "backtick" | "process" | "arithmetic" | "parameter" | "brace" | "ansi"
    text: str
    body: Sequence | None = None


@dataclass(frozen=True, slots=True)
class Word:
    """One shell word: as written, its static value (None when it expands), its expansions."""

    text: str
    value: str | None
    expansions: tuple[Expansion, ...] = ()
    glob: bool = False  # an unquoted `*`, `?` or `[`: the word may become several file names

    @property
    def literal(self) -> bool:
        return self.value is not None and not self.glob


@dataclass(frozen=True, slots=True)
class Redirect:
    """A redirection: operator (`>`, `>>`, `&>`, `<`, `>&`, `<<`, `<<<`, ...), the fd it
    applies to, and its target word (a file, an fd number, a here-string or a here-doc body)."""

    op: str
    target: Word | None
    fd: str = ""
    kind: str = "file"  # "file" | "dup" (fd to fd) | "heredoc" | "herestring"

    @property
    def to_file(self) -> bool:
        """Whether it opens a file other than /dev/null, /dev/stdout, /dev/stderr."""
        if self.kind != "file" or (self.target is not None and self.target.expansions and all(
                e.kind == "process" for e in self.target.expansions)):
            return False  # `> >(cmd)` writes to a process: a process substitution, not a file
        target = self.target.value if self.target is not None else None
        return target not in ("/dev/null", "/dev/stdout", "/dev/stderr")


@dataclass(frozen=True, slots=True)
class Simple:
    """A simple command: `A=1 prog arg... >file`."""

    text: str
    loc: Loc
    program: Word | None
    args: tuple[Word, ...] = ()
    assigns: tuple[Word, ...] = ()
    redirects: tuple[Redirect, ...] = ()

    @property
    def words(self) -> list[Word]:
        return ([self.program] if self.program is not None else []) + list(self.args)


@dataclass(frozen=True, slots=True)
class Pipeline:
    """`a | b | c` (`|&` pipes stderr too)."""

    text: str
    loc: Loc
    parts: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Sequence:
    """Items with the operator after each (`;`, `\\n`, `&`, `&&`, `||`; the last is `;`
    unless the text ends with `&`)."""

    text: str
    loc: Loc
    items: tuple[Node, ...]
    ops: tuple[str, ...]

    @property
    def background(self) -> list[Node]:
        return [item for item, op in zip(self.items, self.ops, strict=True) if op == "&"]


@dataclass(frozen=True, slots=True)
class Compound:
    """A compound command: kind (`if`, `for`, `while`, `until`, `case`, `select`, `test`,
    `not`, `arith`, `subshell`, `group`, `function`), the words it evaluates and its bodies."""

    text: str
    loc: Loc
    kind: str
    words: tuple[Word, ...] = ()
    bodies: tuple[Node, ...] = ()


@dataclass(frozen=True, slots=True)
class Redirected:
    """A compound command or pipeline with redirections after it."""

    text: str
    loc: Loc
    body: Node
    redirects: tuple[Redirect, ...]


@dataclass(frozen=True, slots=True)
class Unknown:
    """Text the model cannot classify, with why; consumers treat it as the worst case."""

    text: str
    loc: Loc
    reason: str


Node = Union[Simple, Pipeline, Sequence, Compound, Redirected, Unknown]  # noqa: UP007
Script = Sequence
