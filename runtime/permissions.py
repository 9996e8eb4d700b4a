"""Permissions (deny by default) and secret redaction.

Every tool op asks for a tool in the Agent Skills vocabulary (a `Request`, see
`permission_requests.py`); the run's `Policy` judges each request against rules.

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
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from skc.runtime.permission_requests import Request, Rule, command_words, parse_rules, unresolved
from skc.runtime.redact import Redactor, secret_values
from skc.stdlib.shell import Word
from skc.stdlib.shell.rules import Verdict, allowed, match_words

SHELL_BUILTINS = frozenset({"cd", "echo", "export", "set", "unset", "test", "[", "true", "false", "read",
                            "source", ".", "eval", "exit", "printf", "pwd", "wait", "trap", "shift", ":",
                            "type", "umask", "ulimit", "exec", "command", "builtin", "local", "declare"})
__all__ = ["Denial", "Policy", "Redactor", "policy_for", "secret_values"]


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
        if unresolved(req.subject):
            return None
        return fnmatch.fnmatch(req.subject, rule.spec) or fnmatch.fnmatch(
            os.path.abspath(req.subject), rule.spec)
    if tool == "WebFetch":
        if rule.tool != "WebFetch":
            return False
        if rule.spec is None:
            return True
        if unresolved(req.subject):
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
        if self.binaries and words and not unresolved(words[0]) and words[0] not in SHELL_BUILTINS:
            program = words[0]
            if program not in self.binaries and os.path.basename(program) not in self.binaries \
                    and not any((isinstance(b, dict) and b.get("path") == program) or b == program
                                for b in self.binaries.values()):
                return Denial("SKC302", f"`{program}` is not in the bundle's environment binding",
                              "recompile with an environment that provides it (skc compile --env)")
        return None

    def _host(self, req: Request) -> Denial | None:
        if req.tool == "WebFetch" and self.hosts is not None and not unresolved(req.subject):
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
