"""How the CLI reports user errors: diagnostics to stderr, exit code 2, no traceback."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterable
from functools import wraps
from typing import ParamSpec, TypeVar

import click

from skc.ir.location import Diagnostic, DiagnosticError

P = ParamSpec("P")
R = TypeVar("R")

USER_ERROR = 2


def report(diags: Iterable[Diagnostic], as_json: bool = False) -> None:
    """Writes diagnostics to stderr (human form) or stdout (`--json`)."""
    diags = list(diags)
    if as_json:
        click.echo(json.dumps([d.to_json() for d in diags], indent=2))
        return
    for d in diags:
        click.echo(str(d), err=True)


def user_errors(fn: Callable[P, R]) -> Callable[P, R]:
    """Turns DiagnosticError and unreadable files into a report and exit code 2."""

    @wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return fn(*args, **kwargs)
        except DiagnosticError as e:
            report(e.diagnostics)
            sys.exit(USER_ERROR)
        except OSError as e:
            click.echo(f"{getattr(e, 'filename', '') or ''}: error SKC100: {e.strerror or e}", err=True)
            sys.exit(USER_ERROR)

    return wrapper
