"""Effects of a shell command line, over the model: every command that would run counts.

`command_effects(text)` walks every simple command of the model — in lists,
pipelines, compound commands, function bodies, and inside command, process and
parameter substitutions — and classifies each with the program table
(`programs.segment_effects`, wrappers such as sudo stripped). Redirections to files
write them (`write:fs:<path>`); text the model cannot classify, and any program it
does not know, is `write:*`. So `git log $(touch p)`, ``git log `touch p` ``,
`diff <(touch p) x` and `if touch p; then …` all write, as they do.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from skc.stdlib.shell.model import Node, Pipeline, Redirect, Redirected, Simple, Unknown, Word
from skc.stdlib.shell.parse import parse
from skc.stdlib.shell.programs import segment_effects
from skc.stdlib.shell.query import nodes, strip_wrappers


@dataclass
class CommandEffects:
    """What a command line does: effects (`read:k8s`, `write:fs:/tmp/x`, `write:*`, ...), whether
    it writes a named resource, whether some part is unknown, and the programs it runs."""

    effects: list[str] = field(default_factory=list)
    writes: bool = False
    unknown: bool = False
    programs: list[str] = field(default_factory=list)

    @property
    def writes_anything(self) -> bool:
        return self.writes or self.unknown or any(e.startswith("write:") for e in self.effects)


def word_text(word: Word) -> str:
    """A word as the program table sees it: its value, or its text when it expands."""
    return word.value if word.value is not None else word.text


def _redirect_words(redirects: tuple[Redirect, ...]) -> list[str]:
    """Redirections to files as the program table's tokens (`>`, `path`)."""
    out: list[str] = []
    for r in redirects:
        if r.kind == "file" and r.target is not None:
            out += [r.op, word_text(r.target)]
    return out


def command_effects(text: str | Node) -> CommandEffects:
    """The effects of a command line (see the module docstring)."""
    root = parse(text) if isinstance(text, str) else text
    out = CommandEffects()
    later: set[int] = set()  # simple commands reading a pipe (not their first argument's files)
    for n in nodes(root):
        if isinstance(n, Pipeline):
            later.update(id(p) for p in n.parts[1:])
        elif isinstance(n, Unknown):
            out.effects.append("write:*")
            out.unknown = True
        elif isinstance(n, Redirected):
            effects, writes, _ = segment_effects(_redirect_words(n.redirects), [], first=True)
            out.effects += [e for e in effects if e != "pure"]
            out.writes |= writes
        elif isinstance(n, Simple):
            words = [word_text(w) for w in n.words]
            core = strip_wrappers(words) if words else []
            if core:
                out.programs.append(core[0])
            effects, writes, unknown = segment_effects(core + _redirect_words(n.redirects), words,
                                                       first=id(n) not in later)
            out.effects += effects
            out.writes |= writes
            out.unknown |= unknown
    return out
