"""Questions asked of the shell model: which commands run, what in it a rule must see.

* `nodes(node)` — every node, depth first, including the commands inside
  substitutions (`$(…)`, backticks, `<(…)`, `${X:-$(…)}`) and here-document bodies;
* `simple_commands(node)` — every simple command that would run, wherever it is;
* `hazards(node)` — what makes a command line more than "these programs with these
  arguments": substitutions, redirections to files, background jobs, compound commands,
  function definitions, assignments in front of a program, globs/expansions in a
  program name, text the model could not classify. Each `Hazard` names its text;
* `resolves_to(word, name, path)` — whether a program word runs exactly the program
  `name` found on `path` (`git`, or `/usr/bin/git` when that is where `git` resolves;
  never `/tmp/x/git`);
* `strip_wrappers(words)` — the words of a simple command from the program it runs
  (sudo/env/time/watch/xargs/... in front of it dropped);
* `top_parts(script)` — the top-level pipeline parts (for result types);
* `render(script)` — a one-line-per-command listing for `--dry-run`.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass

from skc.stdlib.shell.model import (
    Compound,
    Node,
    Pipeline,
    Redirect,
    Redirected,
    Sequence,
    Simple,
    Unknown,
    Word,
)
from skc.stdlib.shell.parse import parse


@dataclass(frozen=True, slots=True)
class Hazard:
    """Something in a command line beyond plain programs and arguments: kind and text."""

    kind: str  # "substitution" | "redirect" | "background" | "compound" | "assignment" | "program" | "unknown"
    text: str
    what: str  # a phrase for messages: "command substitution `$(touch p)`"

    def __str__(self) -> str:
        return self.what


def _word_bodies(words: list[Word]) -> Iterator[Sequence]:
    for w in words:
        for e in w.expansions:
            if e.body is not None:
                yield e.body


def _redirect_words(redirects: tuple[Redirect, ...]) -> list[Word]:
    return [r.target for r in redirects if r.target is not None]


def children(node: Node) -> list[Node]:
    """The nodes directly under `node`, substitution bodies included."""
    if isinstance(node, Sequence):
        return list(node.items)
    if isinstance(node, Pipeline):
        return list(node.parts)
    if isinstance(node, Simple):
        words = [*node.assigns, *node.words, *_redirect_words(node.redirects)]
        return list(_word_bodies(words))
    if isinstance(node, Compound):
        return [*_word_bodies(list(node.words)), *node.bodies]
    if isinstance(node, Redirected):
        return [node.body, *_word_bodies(_redirect_words(node.redirects))]
    return []


def nodes(node: Node) -> Iterator[Node]:
    """Every node under (and including) `node`, depth first, in text order."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(reversed(children(current)))


def simple_commands(node: Node | str) -> list[Simple]:
    """Every simple command that may run (with a program), wherever it is in the text."""
    root = parse(node) if isinstance(node, str) else node
    return [n for n in nodes(root) if isinstance(n, Simple) and n.program is not None]


def unknowns(node: Node) -> list[Unknown]:
    return [n for n in nodes(node) if isinstance(n, Unknown)]


def _word_hazards(word: Word) -> Iterator[Hazard]:
    for e in word.expansions:
        if e.kind in ("command", "backtick"):
            yield Hazard("substitution", e.text, f"command substitution `{e.text}`")
        elif e.kind == "process":
            yield Hazard("substitution", e.text, f"process substitution `{e.text}`")
        elif e.kind == "arithmetic":
            yield Hazard("substitution", e.text, f"arithmetic expansion `{e.text}`")


def _redirect_hazards(redirects: tuple[Redirect, ...]) -> Iterator[Hazard]:
    for r in redirects:
        target = r.target.text if r.target is not None else ""
        if r.target is not None:
            yield from _word_hazards(r.target)
        if r.to_file:
            yield Hazard("redirect", f"{r.fd}{r.op}{target}", f"redirection `{r.fd}{r.op}{target}` to a file")


def hazards(node: Node | str) -> list[Hazard]:
    """Everything in `node` a `Bash(prefix:*)` rule does not allow by itself (see the module docstring)."""
    root = parse(node) if isinstance(node, str) else node
    out: list[Hazard] = []
    for n in nodes(root):
        if isinstance(n, Sequence):
            out.extend(Hazard("background", item.text, f"background job `{item.text} &`") for item in n.background)
        elif isinstance(n, Unknown):
            out.append(Hazard("unknown", n.text, f"`{n.text[:80]}` ({n.reason})"))
        elif isinstance(n, Compound):
            out.append(Hazard("compound", n.text, f"{_COMPOUND_NAMES.get(n.kind, n.kind)} `{_short(n.text)}`"))
            for w in n.words:
                out.extend(_word_hazards(w))
        elif isinstance(n, Redirected):
            out.extend(_redirect_hazards(n.redirects))
        elif isinstance(n, Simple):
            out.extend(Hazard("assignment", a.text, f"variable assignment `{a.text}`") for a in n.assigns)
            if n.program is not None and not n.program.literal:
                out.append(Hazard("program", n.program.text, f"program name `{n.program.text}` that expands"))
            for w in n.words:
                out.extend(_word_hazards(w))
            out.extend(_redirect_hazards(n.redirects))
    return _unique(out)


_COMPOUND_NAMES = {"if": "`if` statement", "for": "`for` loop", "while": "`while` loop", "case": "`case` statement",
                   "select": "`select` loop", "test": "`[[ ]]` test", "not": "negation `!`",
                   "arith": "arithmetic command", "subshell": "subshell", "group": "command group",
                   "function": "function definition"}


def _short(text: str) -> str:
    line = text.strip().split("\n", 1)[0]
    return line if len(line) <= 60 else line[:57] + "..."


def _unique(found: list[Hazard]) -> list[Hazard]:
    return list(dict.fromkeys(found))


def program_name(cmd: Simple) -> str:
    """The program a simple command runs as written (`''` when it expands)."""
    return cmd.program.value or "" if cmd.program is not None and cmd.program.literal else ""


def resolves_to(word: Word, name: str, path: str | None = None) -> bool:
    """Whether program `word` is exactly the program `name` on `path` (see the module docstring)."""
    if not word.literal or not word.value:
        return False
    value = word.value
    if "/" not in name:
        if value == name:
            return True
        if "/" not in value:
            return False
        found = shutil.which(name, path=path if path is not None else os.environ.get("PATH", os.defpath))
        return found is not None and os.path.realpath(found) == os.path.realpath(value) \
            and os.path.basename(value) == name
    return os.path.normpath(value.removeprefix("./")) == os.path.normpath(name.removeprefix("./"))


def top_parts(script: Sequence) -> list[Node]:
    """The parts of the last top-level pipeline of `script` (or its single command)."""
    if not script.items:
        return []
    last = script.items[-1]
    if isinstance(last, Pipeline):
        return list(last.parts)
    return [last]


def render(text: str) -> list[str]:
    """One line per command that would run, indented by nesting, for `--dry-run`."""
    out: list[str] = []

    def visit(node: Node, depth: int) -> None:
        pad = "  " * depth
        if isinstance(node, Simple):
            out.append(pad + " ".join(w.text for w in [*node.assigns, *node.words]) +
                       "".join(f" {r.fd}{r.op}{r.target.text if r.target and r.kind != 'heredoc' else ''}"
                               for r in node.redirects))
        elif isinstance(node, Unknown):
            out.append(f"{pad}? {_short(node.text)} ({node.reason})")
        elif isinstance(node, Compound):
            out.append(f"{pad}{_COMPOUND_NAMES.get(node.kind, node.kind)}:")
        for child in children(node):
            visit(child, depth + (0 if isinstance(node, Sequence | Pipeline) else 1))

    visit(parse(text), 0)
    return out


def strip_wrappers(words: list[str]) -> list[str]:
    """`sudo -u x env A=1 time cmd args` -> `cmd args`; keywords (do, then) dropped."""
    i = 0
    while i < len(words):
        w = words[i]
        if w in ("do", "then", "else", "elif", "!", "{", "}", "time", "nohup", "command", "exec",
                 "builtin", "nice", "ionice", "stdbuf", "unbuffer", "env"):
            i += 1
        elif w == "sudo":
            i += 1
            while i < len(words) and words[i].startswith("-"):
                i += 2 if words[i] in ("-u", "-g", "-C", "-h", "-p") else 1
        elif w == "xargs":
            i += 1
            while i < len(words) and words[i].startswith("-"):
                i += 2 if words[i] in ("-I", "-n", "-P", "-L", "-d", "-s", "-E") else 1
        elif w in ("timeout", "watch"):
            i += 1
            while i < len(words) and (words[i].startswith("-") or re.match(r"[\d.]+[smhd]?\Z", words[i])):
                i += 2 if words[i] in ("-n", "-s", "-k", "--interval") else 1
        elif re.match(r"[A-Za-z_][A-Za-z0-9_]*=", w) and i + 1 < len(words):
            i += 1
        else:
            break
    return words[i:]
