"""`Bash(...)` permission rules matched against the shell model.

A rule's specifier is one of (as in SKILL.md `allowed-tools`):

    None / `*`          any command line at all (bare `Bash`)
    `git:*`             a simple command whose program is `git` (as resolved on PATH:
                        `/usr/bin/git` when that is where `git` is, never `/tmp/x/git`)
    `git status:*`      ... whose first words are `git status`
    `make test`         exactly that command
    `git diff *`        a glob over the command's words

`allowed(specs, text)` decides a whole command line: it is allowed when one rule allows
everything (bare `Bash`, or an exact rule equal to the whole line), or else when the
line holds nothing but simple commands joined by `;`, `&&`, `||`, `|` — no command,
process or arithmetic substitution, no redirection to a file (unless `writable(path)`
says a `Write` rule covers it), no background job, no compound command, function or
assignment, no program name that expands, nothing the model could not parse — and
every one of those commands is allowed by some rule on its own. The verdict names the
first part that is not: `command substitution `$(touch p)``, `` `curl x` ``.

`None` means undecidable before the run: a placeholder `{N}` sits where it matters.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from skc.stdlib.shell.model import Simple, Word
from skc.stdlib.shell.parse import parse
from skc.stdlib.shell.query import hazards, resolves_to, simple_commands

_PLACEHOLDER = re.compile(r"\{\d+\}")


@dataclass(frozen=True, slots=True)
class Verdict:
    """`allowed` True / False / None (undecidable yet), and the offending part when not allowed."""

    allowed: bool | None
    part: str = ""
    program: str = ""  # the program of the offending simple command, when that is the part


def _unknown(text: str) -> bool:
    return bool(_PLACEHOLDER.search(text))


def unrestricted(spec: str | None) -> bool:
    return spec is None or spec.strip() in ("", "*", ":*")


def match_words(spec: str | None, words: list[Word], *, path: str | None = None,
                alternatives: Iterable[list[Word]] = ()) -> bool | None:
    """Does one rule allow one simple command (`words`: program first)? None when a
    placeholder decides it. `alternatives` are other spellings of the same command
    (a skill script with and without its interpreter)."""
    if unrestricted(spec):
        return True
    assert spec is not None
    undecided = False
    for candidate in [words, *alternatives]:
        verdict = _match_one(spec.strip(), candidate, path)
        if verdict:
            return True
        undecided = undecided or verdict is None
    return None if undecided else False


def _normalised(words: list[Word], head: str, path: str | None) -> list[str] | None:
    """The command's words with the program spelled as the rule spells it, or None when the
    program is not that rule's program (a different file of the same name)."""
    if not words:
        return None
    texts = [w.value if w.value is not None else w.text for w in words]
    if _unknown(words[0].text):
        return texts
    if resolves_to(words[0], head, path):
        return [head, *texts[1:]]
    if "/" in texts[0] and resolves_to(words[0], texts[0].rsplit("/", 1)[-1], path):
        return texts  # a full path the rule may spell out (`Bash(/usr/bin/git:*)`)
    return None if "/" in texts[0] or "/" in head else texts


def _match_one(spec: str, words: list[Word], path: str | None) -> bool | None:
    if spec.endswith(":*"):
        prefix = spec[:-2].split()
        texts = _normalised(words, prefix[0], path) if prefix else None
        if texts is None:
            return False
        head = texts[:len(prefix)]
        if any(_unknown(w) for w in head):
            return None
        return head == prefix and all(words[i].literal or i >= len(prefix) for i in range(len(words)))
    head_word = spec.split()[0] if spec.split() else ""
    texts = _normalised(words, head_word, path)
    if texts is None:
        return False
    command = " ".join(texts)
    if _unknown(command):
        return None
    if "*" in spec or "?" in spec:
        return fnmatch.fnmatchcase(command, spec)
    return command == spec


def allowed(specs: list[str | None], text: str, *, path: str | None = None,
            writable: Callable[[str], bool] | None = None,
            alternatives: Callable[[Simple], Iterable[list[Word]]] | None = None) -> Verdict:
    """Whether the `Bash` rules with these specifiers allow command line `text` (see the
    module docstring)."""
    if not specs:
        return Verdict(False, f"`{text}`")
    if any(unrestricted(s) for s in specs):
        return Verdict(True)
    stripped = text.strip()
    if any(s is not None and "*" not in s and "?" not in s and s.strip() == stripped for s in specs):
        return Verdict(True)
    script = parse(text)
    for hazard in hazards(script):
        if hazard.kind == "redirect" and writable is not None and _redirect_ok(hazard.text, writable):
            continue
        return Verdict(False, str(hazard))
    undecided = ""
    for cmd in simple_commands(script):
        others = list(alternatives(cmd)) if alternatives is not None else []
        verdicts = [match_words(s, cmd.words, path=path, alternatives=others) for s in specs]
        if any(verdicts):
            continue
        if any(v is None for v in verdicts):
            undecided = undecided or cmd.text
            continue
        return Verdict(False, f"`{cmd.text}`", cmd.program.value or "" if cmd.program is not None else "")
    return Verdict(None, f"`{undecided}`") if undecided else Verdict(True)


def _redirect_ok(text: str, writable: Callable[[str], bool]) -> bool:
    target = re.sub(r"^\d*(?:&>>|&>|>>|>\||>|<)", "", text)
    return bool(target) and not _unknown(target) and writable(target)
