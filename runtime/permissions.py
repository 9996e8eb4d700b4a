"""Permissions (deny by default) and secret redaction.

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

Rules are written as in SKILL.md `allowed-tools` (space- or comma-separated): `Bash`,
`Bash(git:*)` (program `git` as resolved on PATH, any arguments; no substitution,
redirection to a file, background job or compound command unless bare `Bash` or an
exact rule allows it; a redirection to a file is allowed by a `Write(<path>)` rule), `Bash(git status:*)` (a word prefix), `Bash(make test)`
(exactly), `Bash(git diff *)` (a glob over the command line), `Read`,
`Read(/var/log/**)`, `WebFetch(domain:example.com)`, `Sql(incidents)`.

Policy:

* A workflow with a `permissions` attribute (a skill's allowed-tools) may run only
  what a rule allows: its own rules plus the run's `--allow` rules.
* A workflow without one (a runbook) may run, by default, ops that only read:
  `read:`/`net:` effects, `pure`, HTTP GET/HEAD. A `cmd` whose model shows a write
  the declared effects do not (a writing command inside `$(…)`, `<(…)`, an `if`, after
  `&`; a redirection to a file; a program path that is not the one on PATH) writes. An op that writes (a `write:`
  effect, or an HTTP POST/PUT/PATCH/DELETE) needs `--allow-writes` or an `--allow`
  rule that matches it.
* When the bundle's environment binding is strict (compiled for this machine,
  `env-bind{strict=true}`), a command whose program it does not list (shell
  builtins aside) is refused; when the run's bindings list hosts, so is an HTTP
  request to any other host.

Checks happen before the run starts for every request whose deciding words are
known statically (literal argv, or workflow inputs already substituted) and again
at the op, after substitution, for the rest. A refusal is SKC301 (rules) or SKC302
(environment binding), naming the step and the rule set.

Secrets (`Redactor`, `secret_values`) live in `redact.py`; they are re-exported here.
"""

from __future__ import annotations

import fnmatch
import os
import re
import shlex
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from skc.ir.core import Op
from skc.ir.dialects.llm import AgentOp
from skc.ir.dialects.tool import FileReadOp, FileWriteOp, HttpOp, PythonOp, ScriptOp, ShellOp, SqlOp
from skc.ir.effects import parse_effects
from skc.runtime.redact import Redactor, secret_values
from skc.runtime.values import substitute
from skc.stdlib.shell import Word, parse
from skc.stdlib.shell.effects import command_effects
from skc.stdlib.shell.programs import known_program, strip_wrappers
from skc.stdlib.shell.query import hazards, resolves_to, simple_commands, unknowns
from skc.stdlib.shell.rules import Verdict, allowed, match_words

_RULE = re.compile(r"([A-Za-z][A-Za-z0-9_]*)(?:\(([^()]*)\))?")  # separators (space, comma) are skipped
_UNKNOWN = re.compile(r"\{\d+\}")
READ_METHODS = ("GET", "HEAD")
SHELL_BUILTINS = frozenset({"cd", "echo", "export", "set", "unset", "test", "[", "true", "false", "read",
                            "source", ".", "eval", "exit", "printf", "pwd", "wait", "trap", "shift", ":",
                            "type", "umask", "ulimit", "exec", "command", "builtin", "local", "declare"})
__all__ = ["Denial", "Policy", "Redactor", "Request", "Rule", "parse_rules", "policy_for", "requests_for",
           "secret_values", "shell_request"]


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


def _unknown(text: str) -> bool:
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


def _words(texts: list[str]) -> list[Word]:
    return [Word(t, t) for t in texts]


def _script_forms(req: Request) -> list[list[Word]]:
    """A skill script's other spellings: `scripts/x.sh a` and `bash scripts/x.sh a`, `./scripts/x.sh`."""
    if req.script is None or req.script not in req.words:
        return []
    rest = req.words[req.words.index(req.script):]
    bare = req.script.removeprefix("./")
    forms = [[bare, *rest[1:]], ["./" + bare, *rest[1:]]]
    forms += [[interp, bare, *rest[1:]] for interp in ("bash", "sh", "python3", "python", "node")]
    return [_words(f) for f in forms]


def bash_verdict(rules: list[Rule], req: Request) -> Verdict:
    """Whether these rules allow a Bash request: a command line on its model, argv on its words."""
    specs = [r.spec for r in rules if r.tool == "Bash"]
    if not specs:
        return Verdict(False, f"`{req.text}`")
    if req.shell is not None:
        def writable(path: str) -> bool:
            return any(rule_matches(r, Request("Write", subject=path, writes=True)) for r in rules)
        return allowed(specs, req.shell, writable=writable)
    forms = _script_forms(req)
    verdicts = [match_words(s, _words(req.words), alternatives=forms) for s in specs]
    if any(verdicts):
        return Verdict(True)
    return Verdict(None if any(v is None for v in verdicts) else False, f"`{req.text}`")


def rule_matches(rule: Rule, req: Request) -> bool | None:
    tool = req.tool
    if tool == "Bash":
        return bash_verdict([rule], req).allowed if rule.tool == "Bash" else False
    if tool == "Python":
        if rule.tool == "Python":
            return True
        program = (rule.spec or "").split(":")[0].split()[:1]
        return rule.tool == "Bash" and (rule.spec is None or program in (["python"], ["python3"]))
    if tool == "Sql":
        if rule.tool == "Sql":
            return rule.spec in (None, "*", req.subject)
        return rule.tool == "Bash" and (rule.spec is None or rule.spec.startswith("sqlite3"))
    if tool in ("Read", "Write"):
        names = ("Read",) if tool == "Read" else ("Write", "Edit")
        if rule.tool not in names:
            return False
        if rule.spec is None:
            return True
        if _unknown(req.subject):
            return None
        return fnmatch.fnmatch(req.subject, rule.spec) or fnmatch.fnmatch(
            os.path.abspath(req.subject), rule.spec)
    if tool == "WebFetch":
        if rule.tool != "WebFetch":
            return False
        if rule.spec is None:
            return True
        if _unknown(req.subject):
            return None
        domain = rule.spec.removeprefix("domain:")
        return req.subject == domain or (domain.startswith("*.") and req.subject.endswith(domain[1:]))
    return rule.tool == tool


@dataclass(frozen=True)
class Denial:
    """Why a request is refused: an SKC301/SKC302 message and a hint."""

    code: str
    message: str
    hint: str


@dataclass
class Policy:
    """The run's permission policy (see the module docstring)."""

    rules: list[Rule] | None  # the workflow's allowed-tools; None for a runbook
    extra: list[Rule] = field(default_factory=list)  # --allow
    allow_writes: bool = False
    binaries: Mapping[str, Any] | None = None  # only when the binding is strict
    hosts: list[str] | None = None

    @property
    def mode(self) -> str:
        return "skill" if self.rules is not None else "runbook"

    def describe(self) -> str:
        if self.rules is not None:
            allowed = [str(r) for r in self.rules + self.extra]
            return f"allowed-tools [{', '.join(allowed) or 'nothing'}]"
        extra = f", plus --allow [{', '.join(map(str, self.extra))}]" if self.extra else ""
        writes = "reads and writes (--allow-writes)" if self.allow_writes else "read-only ops"
        return f"runbook policy: {writes}{extra}"

    def check(self, req: Request) -> Denial | bool | None:
        """A Denial, None when allowed, or False when it cannot be decided yet (unknown words)."""
        if (binding := self._binding(req)) is not None:
            return binding
        if req.tool == "Bash":
            return self._check_bash(req)
        undecided = False
        for rule in (self.rules or []) + self.extra:
            verdict = rule_matches(rule, req)
            if verdict:
                return None
            undecided = undecided or verdict is None
        if self.rules is None and (not req.writes or self.allow_writes):
            return None
        if undecided:
            return False
        if self.rules is None:
            return Denial("SKC301", f"{req} writes, and with no allowed-tools (a runbook, or a skill without the field) only reads may run by default",
                          f"run with --allow-writes, or --allow '{_suggest(req)}'")
        return Denial("SKC301", f"{req} is not allowed by {self.describe()}",
                      f"add '{_suggest(req)}' to allowed-tools, or run with --allow '{_suggest(req)}'")

    def _check_bash(self, req: Request) -> Denial | bool | None:
        verdict = bash_verdict((self.rules or []) + self.extra, req)
        if verdict.allowed:
            return None
        if self.rules is None and (not req.writes or self.allow_writes):
            return None
        if verdict.allowed is None:
            return False
        if self.rules is None:
            part = f": {req.why}" if req.why else ""
            return Denial("SKC301", f"{req} writes{part}, and with no allowed-tools (a runbook, or a skill without "
                          "the field) only reads may run by default",
                          f"run with --allow-writes, or --allow '{_suggest(req)}'")
        rule = f"Bash({verdict.program}:*)" if verdict.program else _suggest(req)
        return Denial("SKC301", f"{req} is not allowed by {self.describe()}: {verdict.part} is not allowed",
                      f"add '{rule}' to allowed-tools, or run with --allow '{rule}'")

    def _binding(self, req: Request) -> Denial | None:
        programs = [req.words[:1]] if req.shell is None else [w[:1] for w in command_words(req.shell)]
        for words in programs if req.tool == "Bash" and self.binaries else []:
            if (denial := self._binary(words)) is not None:
                return denial
        return self._host(req)

    def _binary(self, words: list[str]) -> Denial | None:
        if self.binaries and words and not _unknown(words[0]) and words[0] not in SHELL_BUILTINS:
            program = words[0]
            if program not in self.binaries and os.path.basename(program) not in self.binaries \
                    and not any((isinstance(b, dict) and b.get("path") == program) or b == program
                                for b in self.binaries.values()):
                return Denial("SKC302", f"`{program}` is not in the bundle's environment binding",
                              "recompile with an environment that provides it (skc compile --env)")
        return None

    def _host(self, req: Request) -> Denial | None:
        if req.tool == "WebFetch" and self.hosts is not None and not _unknown(req.subject):
            ok = any(req.subject == h or (h.startswith("*.") and req.subject.endswith(h[1:])) for h in self.hosts)
            if not ok:
                return Denial("SKC302", f"host {req.subject!r} is not in the environment binding's hosts",
                              f"hosts allowed: {', '.join(self.hosts) or 'none'}")
        return None


def _suggest(req: Request) -> str:
    if req.tool == "Bash" and req.script:
        return f"Bash({req.script}:*)"
    if req.tool == "Bash" and req.words:
        return f"Bash({req.words[0]}:*)"
    if req.tool == "Sql":
        return f"Sql({req.subject})"
    return req.tool


def policy_for(permissions: list[str] | None, *, allow: Iterable[str] = (), allow_writes: bool = False,
               bindings: Mapping[str, Any] | None = None) -> Policy:
    bindings = bindings or {}
    binaries = (bindings.get("binaries") or None) if bindings.get("strict") else None
    hosts = bindings.get("hosts")
    return Policy(parse_rules(permissions) if permissions is not None else None, parse_rules(allow),
                  allow_writes, binaries, list(hosts) if isinstance(hosts, list) else None)
