"""Secret redaction, once, where values leave the process.

The secrets of a run are the `--secret` values and the values of environment
variables whose names look like credentials (`*_TOKEN`, `*_KEY`, `*_PASSWORD`, ...;
at least 4 characters long). A secret can reach an output in another spelling than
its own: shell-quoted by the shell target (`shlex.quote`, `'\\''` inside single quotes),
escaped inside double quotes (`\\"`, `\\$`, `` \\` ``, `\\\\`), backslash-escaped
(`printf %q`), JSON-escaped (`\\"`, `\\\\`, `\\n`, `\\uXXXX`) or HTML-escaped. `Redactor`
replaces every one of those forms by `***` — in nested JSON-like data or in text.

Boundaries that use it: the journal, the trace (and the HTML timeline and progress
lines made from it), `run.json`, `result.json`, and `redacted_result`, which wraps
`skc.runtime.api.run` so that what it returns (outputs, error, dry-run plan) and the
diagnostics it raises (stderr of the CLI, `--json`) are redacted too.
"""

from __future__ import annotations

import dataclasses
import html
import json
import os
import re
import shlex
from collections.abc import Awaitable, Callable, Iterable, Mapping
from typing import Any, TypeVar

from skc.ir.location import Diagnostic, DiagnosticError

_SECRET_NAME = re.compile(
    r"(?:^|_)(?:TOKEN|KEY|SECRET|PASSWORD|PASSWD|PASS|PAT|CREDENTIALS?|APIKEY|AUTH)$")
MASK = "***"


def secret_values(environ: Mapping[str, str], extra: Iterable[str] = ()) -> list[str]:
    """The values to redact: credential-looking env vars (>= 4 chars) and explicit secrets."""
    found = {v for k, v in environ.items() if _SECRET_NAME.search(k.upper()) and len(v) >= 4}
    found.update(s for s in extra if s)
    return sorted(found, key=len, reverse=True)


def spellings(secret: str) -> set[str]:
    """Every form in which `secret` may appear in an output (see the module docstring)."""
    forms = {secret, shlex.quote(secret), secret.replace("'", "'\"'\"'"), secret.replace("'", "'\\''"),
             re.sub(r'(["$`\\])', r"\\\1", secret), re.sub(r"([^\w@%+=:,./-])", r"\\\1", secret),
             html.escape(secret), html.escape(secret, quote=False)}
    for form in list(forms):
        forms.add(json.dumps(form)[1:-1])
        forms.add(json.dumps(form, ensure_ascii=False)[1:-1])
    return {f for f in forms if f}


class Redactor:
    """Replaces every spelling of every secret inside strings of nested JSON data by `***`."""

    def __init__(self, secrets: Iterable[str]) -> None:
        self.secrets = [s for s in secrets if s]
        forms = sorted({f for s in self.secrets for f in spellings(s)}, key=len, reverse=True)
        self._rx = re.compile("|".join(re.escape(f) for f in forms)) if forms else None

    def __bool__(self) -> bool:
        return self._rx is not None

    def text(self, value: str) -> str:
        return self._rx.sub(MASK, value) if self._rx is not None else value

    def __call__(self, value: Any) -> Any:
        if self._rx is None:
            return value
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, dict):
            return {self(k) if isinstance(k, str) else k: self(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [self(v) for v in value]
        if isinstance(value, Diagnostic):
            return dataclasses.replace(value, message=self.text(value.message), hint=self.text(value.hint))
        return value


R = TypeVar("R")


def redacted_result(secrets: Iterable[str], run: Callable[[], Awaitable[R]]) -> Awaitable[R]:
    """Awaits `run()`: its result's outputs, error and plan, and the diagnostics it raises,
    leave with every secret (from `secrets` and the environment) redacted; the CLI prints only those."""
    redact = Redactor(secret_values(os.environ, secrets))

    async def guarded() -> R:
        try:
            result = await run()
        except DiagnosticError as e:
            if redact:
                raise DiagnosticError([redact(d) for d in e.diagnostics]) from None
            raise
        if redact:
            for name in ("outputs", "error", "plan", "exit_status"):
                if hasattr(result, name):
                    setattr(result, name, redact(getattr(result, name)))
        return result

    return guarded()
