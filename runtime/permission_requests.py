"""Permission requests: what each op asks to do, as a tool of the Agent Skills vocabulary.

Every tool op becomes a `Request` for a tool in the Agent Skills vocabulary:

    tool.shell, tool.script  Bash(<command>)         a `cmd` is judged on the shell model
                                                     (`skc.stdlib.shell.rules`): every simple
                                                     command on its own, substitutions,
                                                     redirections, background jobs named
    tool.python              Python                  (Bash(python:*) / Bash(python3:*) also allow it)
    tool.sql                 Sql(<db>)               (Bash(sqlite3:*) also allows it)
    tool.file_read           Read(<path>)
    tool.file_write          Write(<path>)           (Edit(<path>) also allows it)
    tool.http                WebFetch(<host>)
    llm.agent                each tool it may call

A `cmd` also writes when its shell model shows a write its declared effects do not
(`shell_request`). `Rule` is one allowed-tools entry (`parse_rules`), as an agent op names
the tools it may call; `permissions.Policy` judges requests against rules.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from skc.ir.core import Op
from skc.ir.dialects.llm import AgentOp
from skc.ir.dialects.tool import FileReadOp, FileWriteOp, HttpOp, PythonOp, ScriptOp, ShellOp, SqlOp
from skc.ir.effects import parse_effects
from skc.runtime.values import substitute
from skc.stdlib.shell import parse
from skc.stdlib.shell.effects import command_effects
from skc.stdlib.shell.programs import known_program
from skc.stdlib.shell.query import hazards, resolves_to, simple_commands, strip_wrappers, unknowns

_RULE = re.compile(r"([A-Za-z][A-Za-z0-9_]*)(?:\(([^()]*)\))?")  # separators (space, comma) are skipped
_UNKNOWN = re.compile(r"\{\d+\}")
READ_METHODS = ("GET", "HEAD")


@dataclass(frozen=True)
class Rule:
    """One allowed-tools entry: a tool name and an optional specifier."""

    tool: str
    spec: str | None = None

    def __str__(self) -> str:
        return self.tool if self.spec is None else f"{self.tool}({self.spec})"


def parse_rules(entries: Iterable[str]) -> list[Rule]:
    """`["Bash(git:*) Read", "WebFetch"]` -> rules (entries may hold several, space- or comma-separated)."""
    rules = []
    for entry in entries:
        for m in _RULE.finditer(entry):
            spec = m.group(2)
            rules.append(Rule(m.group(1), spec.strip() if spec is not None else None))
    return rules


@dataclass
class Request:
    """What one op asks to do: a tool and what it is applied to (`subject`: words, path, host)."""

    tool: str
    words: list[str] = field(default_factory=list)
    subject: str = ""
    writes: bool = False
    shell: str | None = None  # the command line, when it runs under `bash -c`
    script: str | None = None  # a skill's own script: rules may name it with or without its interpreter
    why: str = ""  # the part of a command line that writes (runbook mode)

    @property
    def text(self) -> str:
        if self.tool == "Bash":
            return self.shell if self.shell is not None else " ".join(self.words)
        return self.subject

    def __str__(self) -> str:
        return f"{self.tool}({self.text})" if self.text else self.tool


def unresolved(text: str) -> bool:
    """Whether `text` still holds a `{n}` placeholder (its value is not known yet)."""
    return bool(_UNKNOWN.search(text))


def command_words(command: str) -> list[list[str]]:
    """The words of every simple command of a command line (from the shell model)."""
    return [[w.value if w.value is not None else w.text for w in c.words] for c in simple_commands(command)]


def shell_request(command: str, *, writes: bool = False) -> Request:
    """The request of a command line run by `bash -c`; it writes when its model shows a write
    that `writes` (the declared effects) does not."""
    why = _model_write(command)
    words = command_words(command)
    return Request("Bash", words[0] if words else [], writes=writes or bool(why), shell=command, why=why)


# Variables that choose which program runs, or what a program runs (git, pagers, editors, the shell).
_PROGRAM_CHOOSERS = re.compile(r"(?:PATH|LD_[A-Z_]+|BASH_ENV|ENV|SHELLOPTS|BASHOPTS|PS4|IFS|PROMPT_COMMAND|GIT_[A-Z_]+"
                               r"|[A-Z_]*PAGER|EDITOR|VISUAL|[A-Z_]*_COMMAND|[A-Z_]*SSH[A-Z_]*|PYTHON[A-Z_]*|NODE_OPTIONS"
                               r"|PERL5?[A-Z_]*|RUBY[A-Z_]*)=")
_CODE_RUNNERS = frozenset({"eval", "source", ".", "bash", "sh", "zsh", "dash", "ksh", "python", "python3", "perl",
                           "ruby", "node"})


_INPUT_REDIRECT = re.compile(r"\d*(<<<|<<-|<<|<)(?![>&])")


def _model_write(command: str) -> str:
    """The part of `command` that writes beyond its top-level program's declared effects, or ''."""
    script = parse(command)
    found = hazards(script)
    hidden = [h for h in found if h.kind in ("substitution", "background", "compound", "unknown", "program")]
    unknown = bool(unknowns(script))
    for h in found:
        if h.kind == "redirect" and not _INPUT_REDIRECT.match(h.text):  # `< file` only reads it
            return str(h)
    for cmd in simple_commands(script):
        program = cmd.program
        if program is not None and not program.literal:
            return f"program name `{program.text}` that expands"
        name = (program.value or "").rsplit("/", 1)[-1] if program is not None else ""
        if program is not None and "/" in (program.value or "") and known_program(name) and \
                not resolves_to(program, name):
            return f"`{cmd.text}` (a program that is not the one on PATH)"
        chooser = next((a for a in cmd.assigns if _PROGRAM_CHOOSERS.match(a.text)), None)
        if chooser is not None:
            return f"variable assignment `{chooser.text}` (it chooses what runs)"
        core = strip_wrappers([w.value or w.text for w in cmd.words])
        if core and core[0] in _CODE_RUNNERS and (core[0] in ("eval", "source", ".") or "-c" in core[1:]):
            return f"`{cmd.text}` (runs code given as text)"
        one = command_effects(cmd)
        unknown = unknown or one.unknown
        if one.writes or (hidden and one.unknown):
            return f"`{cmd.text}`"
    if hidden and unknown:
        return str(hidden[0])
    return ""


def _quoted(value: str) -> str:
    return value if _UNKNOWN.fullmatch(value) else shlex.quote(value)


def _sub(text: str, args: list[Any] | None) -> str:
    return substitute(text, args) if args is not None else text


def _shell_requests(op: Op, args: list[Any] | None, writes: bool) -> list[Request]:
    a = op.attributes
    if isinstance(a.get("argv"), list):
        words = [_sub(str(w), args) for w in a["argv"]]  # type: ignore[union-attr]
        why = _model_write(shlex.join(words))  # argv runs no shell: only its program can surprise
        return [Request("Bash", words, writes=writes or bool(why), why=why)]
    cmd = str(a.get("cmd", ""))  # checked as it will run: values shell-quoted, as the shell target does
    return [shell_request(substitute(cmd, args, quote=_quoted) if args is not None else cmd, writes=writes)]


def _script_requests(op: Op, args: list[Any] | None, writes: bool) -> list[Request]:
    a = op.attributes
    interp = [str(a["interpreter"])] if a.get("interpreter") else []
    path = _sub(str(a["path"]), args)
    words = interp + [path] + [_sub(str(w), args) for w in a.get("args") or []]  # type: ignore[union-attr]
    return [Request("Bash", words, writes=writes, script=path)]


def _python_requests(op: Op, args: list[Any] | None, writes: bool) -> list[Request]:
    code = str(op.attributes.get("code", "")).strip()
    return [Request("Python", subject=code.splitlines()[0][:80] if code else "", writes=writes)]


def _http_requests(op: Op, args: list[Any] | None, writes: bool) -> list[Request]:
    method = str(op.attributes.get("method") or "GET")
    url = _sub(str(op.attributes["url"]), args)
    return [Request("WebFetch", subject=urlsplit(url).hostname or url, writes=writes or method not in READ_METHODS)]


def _agent_requests(op: Op, args: list[Any] | None, writes: bool) -> list[Request]:
    """What each tool entry of an agent could do at most (each call is checked again)."""
    out = []
    for rule in parse_rules([str(t) for t in op.attributes.get("tools") or []]):  # type: ignore[union-attr]
        spec = rule.spec or ""
        if rule.tool == "Bash":
            out.append(Request("Bash", spec.removesuffix(":*").split(), writes=writes))
        else:
            out.append(Request(rule.tool, subject=spec, writes=writes))
    return out


# The permission requests of each op class that asks for any: (op, args, whether its effects write) -> requests.
_REQUESTS: dict[type[Op], Callable[[Op, list[Any] | None, bool], list[Request]]] = {
    ShellOp: _shell_requests,
    ScriptOp: _script_requests,
    PythonOp: _python_requests,
    SqlOp: lambda op, args, writes: [Request("Sql", subject=str(op.attributes.get("db") or "default"), writes=writes)],
    FileReadOp: lambda op, args, writes: [Request("Read", subject=_sub(str(op.attributes["path"]), args), writes=False)],
    FileWriteOp: lambda op, args, writes: [Request("Write", subject=_sub(str(op.attributes["path"]), args), writes=True)],
    HttpOp: _http_requests,
    AgentOp: _agent_requests,
}


def requests_for(op: Op, args: list[Any] | None) -> list[Request]:
    """The permission requests of `op`; with `args=None`, placeholders stay as `{n}`."""
    build = _REQUESTS.get(type(op))
    if build is None:
        return []
    effects, _ = parse_effects(op.effects)
    return build(op, args, any(e.writes for e in effects))
