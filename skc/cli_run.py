"""`skc run` and `skc trace`: run a bundle or source, and look at a run's timeline.

Exit codes of `skc run`: 0 the run finished (status ok), 1 the run failed (an op
failed; the error names the op, its step and why; the journal is kept for
`--resume`), 2 a user error found before anything ran (bad input, permission
refused statically, compile errors), 4 the run waits for an approval (`skc approve`,
then `--resume`; see `skc.runtime.approvals`), 130 interrupted.
"""

from __future__ import annotations

import json
import os
import shlex
import sys
import threading
from pathlib import Path
from typing import Any

import click

from skc.cli_approve import EXIT_WAITING, show_waiting, tty_asker
from skc.cli_model import MODEL_HELP, check_model
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


def run_config(params: dict[str, Any], progress: Progress | None = None) -> Any:
    """The RunConfig of `skc run`'s options: each option whose name is a field of RunConfig
    sets it (so a new field needs only its click option); NAME=VALUE pairs become mappings."""
    from skc.runtime.config import FIELDS, RunConfig

    values = {k: v for k, v in params.items() if k in FIELDS and v is not None}
    values["files"] = [str(Path(f).resolve()) for f in params.get("files") or ()]
    if params.get("require_signature"):
        from skc.compiler.signing import trusted_keys

        values["trusted_keys"] = trusted_keys(list(params.get("trusted_key") or ()))
    values["db"] = _pairs(params.get("db") or (), "--db")
    values["limits"] = {k: int(v) for k, v in _pairs(params.get("limits") or (), "--limit").items()}
    return RunConfig(**{**values, "progress": progress})


def _runs_dir_flag(runs_dir: str | None) -> str:
    """` --runs-dir DIR` when later commands need it to find the run (not the default, not from the env)."""
    if runs_dir is None or runs_dir == os.environ.get("SKC_RUNS_DIR"):
        return ""
    return f" --runs-dir {shlex.quote(runs_dir)}"


@click.command("run")
@click.argument("source", required=False, type=click.Path())
@click.option("-i", "--input", "inputs", multiple=True, metavar="NAME=VALUE", help="A workflow input.")
@click.option("--engine", type=click.Choice(["local", "ray"]), default="local", show_default=True)
@click.option("--resume", metavar="RUN_ID", help="Continue that run; completed ops are not run again.")
@click.option("--dry-run", is_flag=True, help="Check permissions and print every command; run nothing.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.option("--runs-dir", envvar="SKC_RUNS_DIR", type=click.Path(), help="Where runs live [.skc/runs].")
@click.option("--run-id", help="Name of a new run (default: time + random).")
@click.option("--workflow", help="Which workflow of the module (default: the first).")
@click.option("--db", multiple=True, metavar="NAME=PATH", help="A SQLite data source.")
@click.option("--allow", multiple=True, metavar="RULE", help="An extra permission rule, e.g. 'Bash(git:*)'.")
@click.option("--allow-writes", is_flag=True, help="Runbooks: allow ops with write effects (= --approve-all).")
@click.option("--approve", "approve", multiple=True, metavar="STEP",
              help="Pre-approve the confirmed writes of STEP (its name, number or op id).")
@click.option("--approve-all", is_flag=True,
              help="Pre-approve every approval point and allow every write (the old --allow-writes behaviour).")
@click.option("--approval-timeout", type=click.FloatRange(0), metavar="SECONDS",
              help="Wait this long for a decision (prompt or `skc approve`), then reject.")
@click.option("--secret", "secrets", multiple=True, metavar="VALUE",
              help="A value to redact from traces and journals.")
@click.option("--limit", "limits", multiple=True, metavar="NAME=N", help="Concurrency bound for a target or resource.")
@click.option("--model", help=MODEL_HELP, callback=check_model)
@click.option("--workdir", type=click.Path(file_okay=False), help="Working directory of the commands.")
@click.option("--no-jit", "jit", is_flag=True, flag_value=False, default=True,
              help="Always ask the model: no JIT solidification of llm steps.")
@click.option("--recompile", is_flag=True,
              help="After an ok run, write the llm steps it solidified back into the bundle as code.")
@click.option("--jit-promote-after", type=click.IntRange(1), default=3, show_default=True,
              help="JIT: consecutive matching executions before an llm step runs as code.")
@click.option("--jit-demote-after", type=click.IntRange(1), default=3, show_default=True,
              help="JIT: guard misses before solidified code is dropped.")
@click.option("--jit-shadow-rate", type=click.FloatRange(0, 1), default=0.0, show_default=True,
              help="JIT: share of solidified executions also sent to the model and compared.")
@click.option("--task", help="A skill's task: what the user asks it to do; for a skill library, the skill "
              "is chosen by routing it (skc route).")
@click.option("--file", "files", multiple=True, type=click.Path(), metavar="F",
              help="A file the task is about (repeatable).")
@click.option("--incident", type=click.Path(dir_okay=False), metavar="FILE",
              help="Runbooks: read the inputs the runbook says come from the incident out of this text (-i wins).")
@click.option("--require-signature", is_flag=True, help="Run only a bundle signed (skc bundle sign).")
@click.option("--trusted-key", multiple=True, metavar="PUB.pem", help="A key whose signature --require-signature accepts.")
@user_errors
def run_cmd(source: str | None, inputs: tuple[str, ...], as_json: bool, **params: Any) -> None:
    """Run SOURCE (a bundle, or a SKILL.md folder / runbook .md / .skflow / .mlir compiled on the fly).

    Examples:

      skc run examples/runbooks/checkout-latency.mlir --db incidents=incidents.db

      skc run examples/skills/csv-report --task "total sales by region" --file sales.csv

      skc run --resume 20250101-120000-ab12cd

    A step the document asks a person to confirm waits for approval: on a terminal
    `skc run` asks; otherwise the run stops with exit code 4 once nothing else can
    run, and `skc approve RUN STEP --resume` continues it.
    """
    from skc.runtime.api import new_run_id, run

    resume = params.get("resume")
    if source is None and resume is None:
        raise click.UsageError("give a SOURCE to run, or --resume RUN_ID")
    if params.get("recompile") and not params.get("jit", True):
        raise click.UsageError("--recompile needs the JIT: drop --no-jit")
    if resume is None and not params.get("dry_run"):
        params["run_id"] = params.get("run_id") or new_run_id()  # known here, for the resume hint
    progress = Progress() if sys.stderr.isatty() and not as_json and not params.get("dry_run") else None
    config = run_config(params, progress)
    if not as_json and not params.get("dry_run"):  # a person at a terminal answers approvals inline
        config = config.with_overrides({"ask_approval": tty_asker(progress)})
    flag = _runs_dir_flag(params.get("runs_dir"))
    given = _pairs(inputs, "--input")
    task, files = params.get("task"), tuple(params.get("files") or ())
    routed = task is not None and source is not None and _is_library(source)
    try:
        if routed:  # a skill library: route the task, run the chosen skill
            result = _run_routed(source, task, files, given, config)  # type: ignore[arg-type]
        elif progress is not None:
            with progress:
                result = run(source, given, config)
        else:
            result = run(source, given, config)
    except KeyboardInterrupt:
        click.echo(f"interrupted: resume with `skc run --resume {resume or config.run_id}{flag}`", err=True)
        sys.exit(130)
    if as_json:
        click.echo(json.dumps(result.to_json(), indent=2, sort_keys=True, default=str))
    elif result.status == "dry-run":
        for item in result.plan:
            verdict = "" if item["verdict"] == "allowed" else f"   [{item['verdict']}]"
            verdict += "   [needs approval]" if item.get("approval") else ""
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
            click.echo(f"results: {result.run_dir / 'result.json'}  trace: skc trace {result.run_id}{flag}",
                       err=True)
        if result.status in ("failed", "interrupted") and result.run_dir is not None:
            click.echo(f"resume: skc run --resume {result.run_id}{flag}", err=True)
        if result.recompiled is not None:
            from skc.cli_recompile import summary

            click.echo(summary(result.recompiled), err=True)
        show_waiting(result)
    if result.status == "failed":
        sys.exit(1)
    if result.status == "interrupted":
        sys.exit(130)
    if result.status == "waiting":
        sys.exit(EXIT_WAITING)


def _is_library(source: str) -> bool:
    from skc.compiler.library.load import is_library

    return is_library(source)


def _run_routed(source: str, task: str, files: tuple[str, ...], given: dict[str, str], config: Any) -> Any:
    """Routes `task` in the library `source` (`skc.runtime.library.run_task`) and runs the chosen skill."""
    from skc.runtime.library import run_task

    ranking, result = run_task(source, task, files, config=config.with_overrides({"progress": None}), inputs=given)
    click.echo(f"routed to {', '.join(ranking.selected)} (by the {ranking.decided_by})", err=True)
    return result


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
