"""`skc check PATH...`: lint skills, runbooks, .skflow and .mlir files (see `skc.compiler.check`)."""

from __future__ import annotations

import json
import sys

import click

from skc.compiler.check import check_paths, exit_code, totals


@click.command("check")
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--json", "as_json", is_flag=True, help="Diagnostics as one JSON list on stdout.")
@click.option("--strict", is_flag=True, help="Skills: front matter fields the spec rejects are errors.")
def check(paths: tuple[str, ...], as_json: bool, strict: bool) -> None:
    """Check sources for spec violations, unreachable steps, undefined variables,
    unhandled outcomes, unconfirmed writes and more.

    Each PATH is a SKILL.md folder (or file), a runbook .md, a .skflow or an .mlir file;
    any other folder stands for every source under it. Prints
    `file:line:col: severity SKCnnn: message` with a hint, sorted by location, then a
    summary. Exit status: 0 clean or warnings only, 1 errors, 2 unusable input.

    Example: skc check examples/skflow/crashloop.skflow
    """
    reports = check_paths(list(paths), strict=strict)
    if as_json:
        click.echo(json.dumps([d.to_json() for r in reports for d in r.diagnostics], indent=2))
    else:
        for report in reports:
            for d in report.diagnostics:
                click.echo(str(d))
        click.echo(totals(reports))
    sys.exit(exit_code(reports))
