"""`skc run` and `skc trace`: run a bundle or source, and look at a run's timeline.

Exit codes of `skc run`: 0 the run finished (status ok), 1 the run failed (an op
failed; the error names the op, its step and why; the journal is kept for
`--resume`), 2 a user error found before anything ran (bad input, permission
refused statically, compile errors), 130 interrupted.
"""

from __future__ import annotations

import json
import sys
import threading
from pathlib import Path
from typing import Any

import click

from skc.errors import USER_ERROR, report, user_errors


def _pairs(values: tuple[str, ...], what: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in values:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise click.BadParameter(f"expected NAME=VALUE, got {item!r}", param_hint=what)
        out[key.strip()] = value
    return out


class Progress:
    """A one-line live status on stderr: ops done/total, running ops, tokens (TTY only)."""

    def __init__(self) -> None:
        from rich.console import Console
        from rich.live import Live

        self.total = 0
        self.done = 0
        self.failed = 0
        self.tokens = [0, 0]
        self.running: dict[str, str] = {}
        self._lock = threading.Lock()
        self.live = Live(console=Console(stderr=True), refresh_per_second=8, transient=True,
                         get_renderable=self.render)

    def render(self) -> Any:
        from rich.text import Text

        with self._lock:
            running = ", ".join(list(self.running.values())[:4]) + (" ..." if len(self.running) > 4 else "")
            text = (f"ops {self.done}/{max(self.total, self.done)}  running {len(self.running)}"
                    f"{': ' + running if running else ''}  tokens {self.tokens[0]}/{self.tokens[1]}"
                    + (f"  failed {self.failed}" if self.failed else ""))
        return Text(text, style="bold" if not self.failed else "bold red")

    def __call__(self, e: dict[str, Any]) -> None:
        with self._lock:
            kind = e.get("event")
            op = str(e.get("op", ""))
            if kind == "run_start":
                self.total = int(e.get("ops") or 0)
            elif kind == "op_start":
                self.running[op] = str(e.get("step") or e.get("name"))
            elif kind == "op_end":
                self.running.pop(op, None)
                self.done += 1
                self.tokens[0] += int(e.get("tokens_in") or 0)
                self.tokens[1] += int(e.get("tokens_out") or 0)
            elif kind == "op_error":
                self.running.pop(op, None)
                self.failed += 1

    def __enter__(self) -> Progress:
        self.live.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.live.stop()


def _show(value: Any) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value, indent=2, sort_keys=True, default=str)


@click.command("run")
@click.argument("source", required=False, type=click.Path())
@click.option("-i", "--input", "inputs", multiple=True, metavar="NAME=VALUE", help="A workflow input.")
@click.option("--task", help="A skill's task: what the user asks the skill to do.")
@click.option("--file", "files", multiple=True, type=click.Path(), help="A file the task is about (repeatable).")
@click.option("--engine", type=click.Choice(["local", "ray"]), default="local", show_default=True)
@click.option("--resume", metavar="RUN_ID", help="Continue that run; completed ops are not run again.")
@click.option("--dry-run", is_flag=True, help="Check permissions and print every command; run nothing.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.option("--runs-dir", envvar="SKC_RUNS_DIR", type=click.Path(), help="Where runs live [.skc/runs].")
@click.option("--run-id", help="Name of a new run (default: time + random).")
@click.option("--workflow", help="Which workflow of the module (default: the first).")
@click.option("--db", multiple=True, metavar="NAME=PATH", help="A SQLite data source.")
@click.option("--allow", multiple=True, metavar="RULE", help="An extra permission rule, e.g. 'Bash(git:*)'.")
@click.option("--allow-writes", is_flag=True, help="Runbooks: allow ops with write effects.")
@click.option("--secret", multiple=True, metavar="VALUE", help="A value to redact from traces and journals.")
@click.option("--limit", multiple=True, metavar="NAME=N", help="Concurrency bound for a target or resource.")
@click.option("--model", help="LLM to use (a backend spec; default: the embedded model).")
@click.option("--workdir", type=click.Path(file_okay=False), help="Working directory of the commands.")
@click.option("--no-jit", is_flag=True, help="Always ask the model: no JIT solidification of llm steps.")
@click.option("--recompile", is_flag=True,
              help="After an ok run, write the llm steps it solidified back into the bundle as code.")
@click.option("--jit-promote-after", type=click.IntRange(1), default=3, show_default=True,
              help="JIT: consecutive matching executions before an llm step runs as code.")
@click.option("--jit-demote-after", type=click.IntRange(1), default=3, show_default=True,
              help="JIT: guard misses before solidified code is dropped.")
@click.option("--jit-shadow-rate", type=click.FloatRange(0, 1), default=0.0, show_default=True,
              help="JIT: share of solidified executions also sent to the model and compared.")
@user_errors
def run_cmd(source: str | None, inputs: tuple[str, ...], task: str | None, files: tuple[str, ...], engine: str, resume: str | None, dry_run: bool,
            as_json: bool, runs_dir: str | None, run_id: str | None, workflow: str | None, db: tuple[str, ...],
            allow: tuple[str, ...], allow_writes: bool, secret: tuple[str, ...], limit: tuple[str, ...],
            model: str | None, workdir: str | None, no_jit: bool, recompile: bool, jit_promote_after: int,
            jit_demote_after: int, jit_shadow_rate: float) -> None:
    """Run SOURCE (a bundle, or a SKILL.md folder / runbook .md / .skflow / .mlir compiled on the fly).

    Examples:

      skc run examples/runbooks/checkout-latency.mlir --db incidents=incidents.db

      skc run examples/skills/csv-report --task "total sales by region" --file sales.csv

      skc run --resume 20250101-120000-ab12cd
    """
    from skc.runtime.api import run

    if source is None and resume is None:
        raise click.UsageError("give a SOURCE to run, or --resume RUN_ID")
    options: dict[str, Any] = {"model": model} if model else {}
    if no_jit:
        options["jit"] = False
        if recompile:
            raise click.UsageError("--recompile needs the JIT: drop --no-jit")
    else:
        options["jit_config"] = {"promote_after": jit_promote_after, "demote_after": jit_demote_after,
                                 "shadow_rate": jit_shadow_rate}
    limits = {k: int(v) for k, v in _pairs(limit, "--limit").items()}
    progress = Progress() if sys.stderr.isatty() and not as_json and not dry_run else None
    kwargs = dict(engine=engine, workflow=workflow, runs_dir=runs_dir, run_id=run_id, resume=resume,
                  dry_run=dry_run, allow=allow, allow_writes=allow_writes, db=_pairs(db, "--db"), secrets=secret,
                  options=options, limits=limits, progress=progress, workdir=workdir, recompile=recompile,
                  task=task, files=[str(Path(f).resolve()) for f in files])
    try:
        if progress is not None:
            with progress:
                result = run(source, _pairs(inputs, "--input"), **kwargs)  # type: ignore[arg-type]
        else:
            result = run(source, _pairs(inputs, "--input"), **kwargs)  # type: ignore[arg-type]
    except KeyboardInterrupt:
        click.echo("interrupted: resume with `skc run --resume RUN_ID` (see the runs directory)", err=True)
        sys.exit(130)
    if as_json:
        click.echo(json.dumps(result.to_json(), indent=2, sort_keys=True, default=str))
    elif result.status == "dry-run":
        for item in result.plan:
            verdict = "" if item["verdict"] == "allowed" else f"   [{item['verdict']}]"
            step = f" ({item['step']})" if item["step"] else ""
            click.echo(f"{item['op']:>6}{step} {item['target'] or '?'}: {item['command']}{verdict}")
    else:
        exit_note = f" (exited: {result.exit_status})" if result.exit_status else ""
        click.echo(f"run {result.run_id}: {result.status}{exit_note} in {result.duration_s:.2f}s, "
                   f"{result.executed} ops run, {result.restored} from the journal, "
                   f"tokens {result.tokens_in}/{result.tokens_out}", err=True)
        for name, value in result.outputs.items():
            click.echo(f"{name}: {_show(value)}")
        if result.error is not None:
            report([result.error])
        if result.run_dir is not None:
            click.echo(f"results: {result.run_dir / 'result.json'}  trace: skc trace {result.run_id}", err=True)
        if result.recompiled is not None:
            from skc.cli_recompile import summary

            click.echo(summary(result.recompiled), err=True)
    if result.status == "failed":
        sys.exit(1)
    if result.status == "interrupted":
        sys.exit(130)


def find_run(run_id: str, runs_dir: str | None) -> Path:
    from skc.ir.location import Diagnostic, DiagnosticError, Location
    from skc.runtime.api import runs_root

    root = runs_root(runs_dir)
    if Path(run_id).is_dir() and (Path(run_id) / "trace.jsonl").exists():
        return Path(run_id)
    if run_id == "latest" and root.is_dir():
        runs = sorted((p for p in root.iterdir() if (p / "trace.jsonl").exists()),
                      key=lambda p: p.stat().st_mtime)
        if runs:
            return runs[-1]
    if (root / run_id / "trace.jsonl").exists():
        return root / run_id
    raise DiagnosticError([Diagnostic("SKC308", Location(str(root), 1, 1), f"no run {run_id!r} in {root}",
                                      "give a RUN_ID printed by `skc run`, a run directory, or `latest`")])


@click.command("trace")
@click.argument("run_id")
@click.option("--runs-dir", envvar="SKC_RUNS_DIR", type=click.Path(), help="Where runs live [.skc/runs].")
@click.option("--html", "as_html", is_flag=True, help="Write a self-contained timeline page.")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Where --html writes [RUN_DIR/timeline.html].")
@click.option("--json", "as_json", is_flag=True, help="Print the raw events as JSON lines.")
@user_errors
def trace_cmd(run_id: str, runs_dir: str | None, as_html: bool, output: str | None, as_json: bool) -> None:
    """Show the timeline of run RUN_ID (or `latest`): text, --html page, or --json events."""
    from skc.runtime.timeline_html import render_html
    from skc.runtime.trace import TRACE_FILE, read_trace, render_text

    run_dir = find_run(run_id, runs_dir)
    events = read_trace(run_dir / TRACE_FILE)
    if as_html:
        out = Path(output) if output else run_dir / "timeline.html"
        out.write_text(render_html(events), encoding="utf-8")
        click.echo(str(out))
    elif as_json:
        for e in events:
            click.echo(json.dumps(e, sort_keys=True))
    else:
        click.echo(render_text(events), nl=False)
    if not events:
        sys.exit(USER_ERROR)
