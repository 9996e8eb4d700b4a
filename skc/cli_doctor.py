"""`skc doctor`: check the install (llama.cpp build, model file, model worker, optional parts)."""

from __future__ import annotations

import json
import sys

import click


@click.command("doctor")
@click.option("--json", "as_json", is_flag=True, help="Print the checks as JSON.")
@click.option("--fix", is_flag=True, help="Also prepare (or rebuild) the embedded model file.")
@click.option("--quick", is_flag=True, help="Do not start the model worker.")
def doctor(as_json: bool, fix: bool, quick: bool) -> None:
    """Check what runs need and say what to fix; exit 1 if something must be fixed."""
    from skc.runtime.doctor import as_json as to_json
    from skc.runtime.doctor import diagnose, render

    checks = diagnose(fix=fix, run_model=not quick)
    report = to_json(checks)
    click.echo(json.dumps(report, indent=2) if as_json else render(checks))
    if not report["ok"]:
        sys.exit(1)
