"""`skc ir ...`: print, verify, graph and explain IR (and, through the front ends, source documents)."""

from __future__ import annotations

import json
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from skc.compiler.explain import explain_json, explain_text, inspect_module
from skc.errors import USER_ERROR, report, user_errors
from skc.ir import Module, parse_file, print_module, verify
from skc.ir.location import Diagnostic, DiagnosticError, Location, errors


def load_module(path: str) -> Module:
    """An IR module from a compiled bundle (.skb folder or zip), `.mlir` text, or any source a
    front end understands; `-` reads MLIR text from stdin."""
    if path == "-":
        from skc.ir.parser import parse_module

        return parse_module(sys.stdin.read(), "<stdin>")
    p = Path(path)
    if p.suffix == ".mlir":
        return parse_file(path)
    if (p / "manifest.json").is_file() or (p.is_file() and zipfile.is_zipfile(p)):
        from skc.compiler.bundle import read_bundle

        return read_bundle(p).module
    from skc.compiler.frontend import load

    result = load(p)
    if result.module is None or errors(result.diagnostics):
        raise DiagnosticError(result.diagnostics)
    report([d for d in result.diagnostics if d.severity != "error"])
    return result.module


@click.group()
def ir() -> None:
    """Inspect the IR of a bundle, an .mlir file, a SKILL.md folder, a runbook .md or a .skflow file."""


@ir.command("print")
@click.argument("path", type=click.Path(exists=True, allow_dash=True))
@click.option("--skflow", "as_skflow", is_flag=True, help="Print as the .skflow language instead of MLIR.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True), help="Write to FILE, not stdout.")
@user_errors
def print_cmd(path: str, as_skflow: bool, output: str | None) -> None:
    """Parse PATH (`-`: MLIR from stdin), verify it, and print its IR in MLIR generic form (or as .skflow).

    Example: skc ir print examples/ir/virt_handler_down.mlir -o out.mlir
    """
    module = load_module(path)
    diags = verify(module)
    if diags:
        report(diags)
        sys.exit(USER_ERROR)
    if as_skflow:
        from skc.compiler.frontend.skflow.printer import print_skflow

        text = print_skflow(module)
    else:
        text = print_module(module)
    if output:
        Path(output).write_text(text, encoding="utf-8")
        click.echo(f"wrote {output}", err=True)
    else:
        click.echo(text, nl=False)


@ir.command("verify")
@click.argument("path", type=click.Path(exists=True, allow_dash=True))
@click.option("--json", "as_json", is_flag=True, help="Diagnostics as JSON.")
@user_errors
def verify_cmd(path: str, as_json: bool) -> None:
    """Parse and verify PATH; exit 0 when valid, 2 with located diagnostics otherwise."""
    try:
        diags = verify(load_module(path))
    except DiagnosticError as e:  # does not parse (or compile): the same report, as JSON with --json
        if not as_json:
            raise
        diags = e.diagnostics
    if as_json:
        report(diags, as_json=True)
    elif diags:
        report(diags)
    else:
        click.echo(f"{path}: ok")
    if diags:
        sys.exit(USER_ERROR)


def _inspection_options(gpu: bool, budget_s: float | None, models: str | None) -> dict[str, Any]:
    """Compile options for the inspection pipeline from the common flags."""
    options: dict[str, Any] = {"gpu": gpu}
    if budget_s:
        options["latency_budget_s"] = budget_s
    if models:
        try:
            options["models"] = json.loads(Path(models).read_text(encoding="utf-8"))
        except ValueError as e:
            raise DiagnosticError([Diagnostic("SKC100", Location(models, 1, 1), f"--models is not JSON: {e}",
                                              'e.g. {"gpt-4o-mini": {"tokens_per_s": 80, "usd_per_mtok_out": 0.6}}')]) from None
    return options


def _inspection_flags(fn: Callable[..., None]) -> Callable[..., None]:
    fn = click.option("--models", type=click.Path(exists=True, dir_okay=False),
                      help="JSON file configuring remote models (name -> tokens_per_s, usd_per_mtok_in, ...).")(fn)
    fn = click.option("--budget-s", type=float, default=None, help="Latency budget for placement, in seconds.")(fn)
    fn = click.option("--gpu", is_flag=True, help="Place llm ops as if a GPU were present.")(fn)
    return fn


@ir.command("graph")
@click.argument("path", type=click.Path(exists=True))
@click.option("--format", "fmt", type=click.Choice(["dot", "svg", "html"]), default="dot", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True), help="Write to FILE, not stdout.")
@click.option("--json", "as_json", is_flag=True, help="The graph (nodes, edges, levels) as JSON.")
@_inspection_flags
@user_errors
def graph_cmd(path: str, fmt: str, output: str | None, as_json: bool, gpu: bool, budget_s: float | None,
              models: str | None) -> None:
    """Draw PATH's dataflow graph after verify, cse, dce, concurrency and placement.

    Nodes are coloured by target and grouped by parallel level; the critical path is red;
    dashed edges are orderings that effect conflicts add.

    Example: skc ir graph examples/ir/disk_pressure.mlir --format html -o graph.html
    """
    from skc.compiler.graph_render import render

    module = load_module(path)
    ctx = inspect_module(module, _inspection_options(gpu, budget_s, models))
    text = render(module, ctx, "json" if as_json else fmt, title=f"skc graph: {path}")
    if output:
        Path(output).write_text(text, encoding="utf-8")
        click.echo(f"wrote {output}", err=True)
    else:
        click.echo(text, nl=False)


@ir.command("explain")
@click.argument("path", type=click.Path(exists=True))
@click.option("--json", "as_json", is_flag=True, help="Every report as JSON.")
@_inspection_flags
@user_errors
def explain_cmd(path: str, as_json: bool, gpu: bool, budget_s: float | None, models: str | None) -> None:
    """Explain how PATH will run: schedule, critical path, placement, capability and environment reports.

    Example: skc ir explain examples/ir/kafka_consumer_lag.mlir --budget-s 5
    """
    from skc.compiler.library.load import is_library

    if is_library(path):  # a skill library: how its router sends tasks to skills
        from skc.compiler.library.explain import router_json, router_text
        from skc.compiler.library.load import load_library

        library = load_library(path)
        click.echo(json.dumps(router_json(library), indent=2) if as_json else router_text(library), nl=as_json)
        return
    module = load_module(path)
    ctx = inspect_module(module, _inspection_options(gpu, budget_s, models))
    if as_json:
        click.echo(json.dumps(explain_json(module, ctx), indent=2))
    else:
        click.echo(explain_text(module, ctx), nl=False)
