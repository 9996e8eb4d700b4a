"""`skc approve` and `skc reject`: decide a waiting run's approvals; and how `skc run` asks and reports them.

    skc approve RUN_ID "Step 3" --resume       # approve, then continue the run
    skc approve RUN_ID --all                   # every waiting approval
    skc reject RUN_ID 3 --reason "not during the freeze"

With no STEP and no `--all`, `skc approve` lists what waits and exits 2. Exit codes
after `--resume` are those of `skc run` (4: it waits again). The decision, who
made it and what was shown are journaled (see `skc.runtime.approvals`).
"""

from __future__ import annotations

import json
import sys
from typing import Any

import click

from skc.errors import user_errors
from skc.runtime.approvals import EXIT_WAITING

__all__ = ["EXIT_WAITING", "approve_cmd", "reject_cmd", "show_waiting", "tty_asker"]


def _describe(info: dict[str, Any]) -> str:
    step = info.get("step") or f"op {info.get('op')}"
    touches = ", ".join(info.get("touches") or []) or "?"
    note = f"\n    note: {info['note']}" if info.get("note") else ""
    return f"  {step} ({info.get('name', '')}, op {info.get('op')}) touches {touches}:\n    {info.get('command', '')}{note}"


def show_waiting(result: Any) -> None:
    """After `skc run`: what waits for a person and the command that decides it (stderr)."""
    if result.status != "waiting":
        return
    click.echo(f"run {result.run_id} waits for {len(result.approvals)} approval(s):", err=True)
    for info in result.approvals:
        click.echo(_describe(info), err=True)
    first = result.approvals[0].get("step") or result.approvals[0].get("op") if result.approvals else "STEP"
    click.echo(f"approve: skc approve {result.run_id} {json.dumps(first)} --resume   "
               f"reject: skc reject {result.run_id} {json.dumps(first)} --reason TEXT --resume", err=True)


def tty_asker(progress: Any = None) -> Any:
    """On a terminal, a function that asks the person at it (approve / reject / details);
    None otherwise, so that a run without a TTY never reads stdin."""
    if not sys.stdin.isatty():
        return None

    def ask(info: dict[str, Any]) -> tuple[bool, str]:
        live = getattr(progress, "live", None)
        if live is not None:
            live.stop()
        try:
            click.echo("approval needed:\n" + _describe(info), err=True)
            while True:
                answer = click.prompt("[a]pprove / [r]eject / [d]etails", default="d", err=True).strip().lower()
                if answer in ("a", "approve", "y", "yes"):
                    return True, "approved at the prompt"
                if answer in ("r", "reject", "n", "no"):
                    return False, click.prompt("reason", default="rejected at the prompt", err=True)
                click.echo(json.dumps(info, indent=2, sort_keys=True, default=str), err=True)
        finally:
            if live is not None:
                live.start()

    return ask


def _resume(ctx: click.Context, run_id: str, runs_dir: str | None) -> None:
    from skc.cli_run import run_cmd

    ctx.invoke(run_cmd, resume=run_id, runs_dir=runs_dir)


@click.command("approve")
@click.argument("run_id")
@click.argument("steps", nargs=-1)
@click.option("--all", "every", is_flag=True, help="Approve every waiting approval of the run.")
@click.option("--resume", is_flag=True, help="Then continue the run (as `skc run --resume RUN_ID`).")
@click.option("--by", help="Who approves [the login name, or $SKC_USER].")
@click.option("--runs-dir", envvar="SKC_RUNS_DIR", type=click.Path(), help="Where runs live [.skc/runs].")
@click.pass_context
@user_errors
def approve_cmd(ctx: click.Context, run_id: str, steps: tuple[str, ...], every: bool, resume: bool, by: str | None,
                runs_dir: str | None) -> None:
    """Approve the waiting STEPs (name, number or op id) of run RUN_ID.

    Examples:

      skc approve 20261207-020000-ab12cd 3 --resume

      skc approve 20261207-020000-ab12cd --all --by alice
    """
    from skc.runtime.approvals import approve

    for rec in approve(run_id, steps, runs_dir=runs_dir, every=every, by=by):
        click.echo(f"approved {rec['step'] or rec['op']} (op {rec['op']}) by {rec['by']}: {rec['shown']}", err=True)
    if resume:
        _resume(ctx, run_id, runs_dir)


@click.command("reject")
@click.argument("run_id")
@click.argument("steps", nargs=-1)
@click.option("--reason", required=True, help="Why (journaled; the step's error when it has no 'otherwise').")
@click.option("--all", "every", is_flag=True, help="Reject every waiting approval of the run.")
@click.option("--resume", is_flag=True, help="Then continue the run (as `skc run --resume RUN_ID`).")
@click.option("--by", help="Who rejects [the login name, or $SKC_USER].")
@click.option("--runs-dir", envvar="SKC_RUNS_DIR", type=click.Path(), help="Where runs live [.skc/runs].")
@click.pass_context
@user_errors
def reject_cmd(ctx: click.Context, run_id: str, steps: tuple[str, ...], reason: str, every: bool, resume: bool,
               by: str | None, runs_dir: str | None) -> None:
    """Reject the waiting STEPs of run RUN_ID: each takes its 'otherwise' step, or fails.

    Example:

      skc reject 20261207-020000-ab12cd 3 --reason "not during the sale" --resume
    """
    from skc.runtime.approvals import reject

    for rec in reject(run_id, steps, reason, runs_dir=runs_dir, every=every, by=by):
        click.echo(f"rejected {rec['step'] or rec['op']} (op {rec['op']}) by {rec['by']}: {reason}", err=True)
    if resume:
        _resume(ctx, run_id, runs_dir)
