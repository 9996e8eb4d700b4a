"""`skc check PATH`: lint a skill, runbook, .skflow or .mlir file (see `skc.compiler.check`)."""

from __future__ import annotations

import json
import sys

import click

from skc.compiler.check import check_path


@click.command("check")
@click.argument("path", type=click.Path())
@click.option("--json", "as_json", is_flag=True, help="Diagnostics as a JSON list on stdout.")
def check(path: str, as_json: bool) -> None:
    """Check PATH for spec violations, unreachable steps, undefined variables,
    unhandled outcomes, unconfirmed writes and more.

    PATH is a SKILL.md folder (or file), a runbook .md, a .skflow or an .mlir file.
    Prints `file:line:col: severity SKCnnn: message` with a hint, sorted by location,
    then a summary. Exit status: 0 clean or warnings only, 1 errors, 2 unusable input.

    Example: skc check examples/skflow/crashloop.skflow
    """
    report = check_path(path)
    if as_json:
        click.echo(json.dumps([d.to_json() for d in report.diagnostics], indent=2))
    else:
        for d in report.diagnostics:
            click.echo(str(d))
        click.echo(report.summary())
    sys.exit(report.exit_code)
