"""`skc ir ...`: print and verify IR (and, through the front ends, source documents)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from skc.errors import USER_ERROR, report, user_errors
from skc.ir import Module, parse_file, print_module, verify
from skc.ir.location import DiagnosticError, errors


def load_module(path: str) -> Module:
    """An IR module from `.mlir` text, or from any source a front end understands."""
    p = Path(path)
    if p.suffix == ".mlir":
        return parse_file(path)
    from skc.compiler.frontend import load

    result = load(p)
    if result.module is None or errors(result.diagnostics):
        raise DiagnosticError(result.diagnostics)
    report([d for d in result.diagnostics if d.severity != "error"])
    return result.module


@click.group()
def ir() -> None:
    """Inspect the IR of an .mlir file, a SKILL.md folder, a runbook .md or a .skflow file."""


@ir.command("print")
@click.argument("path", type=click.Path(exists=True))
@user_errors
def print_cmd(path: str) -> None:
    """Parse PATH, verify it, and print its IR in MLIR generic form.

    Example: skc ir print examples/ir/virt_handler_down.mlir
    """
    module = load_module(path)
    diags = verify(module)
    if diags:
        report(diags)
        sys.exit(USER_ERROR)
    click.echo(print_module(module), nl=False)


@ir.command("verify")
@click.argument("path", type=click.Path(exists=True))
@click.option("--json", "as_json", is_flag=True, help="Diagnostics as JSON.")
@user_errors
def verify_cmd(path: str, as_json: bool) -> None:
    """Parse and verify PATH; exit 0 when valid, 2 with located diagnostics otherwise."""
    diags = verify(load_module(path))
    if as_json:
        report(diags, as_json=True)
    elif diags:
        report(diags)
    else:
        click.echo(f"{path}: ok")
    if diags:
        sys.exit(USER_ERROR)
