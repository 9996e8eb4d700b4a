"""`skc runs`: list the runs of a runs directory, show one, cancel one that is running.

The work is `skc.runtime.runs`; this module parses arguments and formats. Exit
codes: 0 done, 2 a user error (no such run; cancel of a run that is not running).
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import click

from skc.errors import user_errors

_RUNS_DIR = click.option("--runs-dir", envvar="SKC_RUNS_DIR", type=click.Path(), help="Where runs live [.skc/runs].")
_JSON = click.option("--json", "as_json", is_flag=True, help="Print as JSON.")


def _root(runs_dir: str | None) -> Path:
    from skc.runtime.api import runs_root

    return runs_root(runs_dir)


def _when(ts: float | None) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(ts)) if ts else "-"


@click.group("runs", invoke_without_command=True)
@_RUNS_DIR
@_JSON
@click.pass_context
@user_errors
def runs(ctx: click.Context, runs_dir: str | None, as_json: bool) -> None:
    """List runs (id, status, start time, duration, source); `show RUN` and `cancel RUN` below.

    Examples:

      skc runs

      skc runs show latest

      skc runs cancel 20260101-120000-ab12cd
    """
    if ctx.invoked_subcommand is not None:
        return
    from skc.runtime.runs import list_runs

    infos = list_runs(_root(runs_dir))
    if as_json:
        click.echo(json.dumps([i.to_json() for i in infos], indent=2))
        return
    if not infos:
        click.echo(f"no runs in {_root(runs_dir)}", err=True)
        return
    click.echo(f"{'RUN':<24} {'STATUS':<12} {'STARTED':<19} {'TIME':>8}  SOURCE")
    for i in infos:
        took = f"{i.duration_s:.1f}s" if i.duration_s is not None else "-"
        status = f"{i.status} ({i.pid})" if i.pid else i.status
        click.echo(f"{i.run_id:<24} {status:<12} {_when(i.started):<19} {took:>8}  {i.source}")


@runs.command("show")
@click.argument("run_id")
@_RUNS_DIR
@_JSON
@user_errors
def show_cmd(run_id: str, runs_dir: str | None, as_json: bool) -> None:
    """Show run RUN_ID (or `latest`): status, source, inputs, ops done, outputs or error."""
    from skc.runtime.runs import find, run_info

    run_dir = find(_root(runs_dir), run_id)
    info = run_info(run_dir)
    record = json.loads((run_dir / "run.json").read_text(encoding="utf-8"))
    result_file = run_dir / "result.json"
    result = json.loads(result_file.read_text(encoding="utf-8")) if result_file.is_file() else {}
    if as_json:
        click.echo(json.dumps({**info.to_json(), "inputs": record.get("inputs", {}),
                               "outputs": result.get("outputs") if info.status != "running" else None},
                              indent=2, sort_keys=True, default=str))
        return
    flag = f" --runs-dir {runs_dir}" if runs_dir else ""
    lines = [f"run {info.run_id}: {info.status}" + (f" (pid {info.pid})" if info.pid else ""),
             f"  source    {info.source}", f"  workflow  {info.workflow}", f"  started   {_when(info.started)}",
             f"  ops done  {info.ops_done}", f"  inputs    {json.dumps(record.get('inputs', {}), sort_keys=True)}"]
    if info.duration_s is not None:
        lines.append(f"  took      {info.duration_s:.2f}s")
    if info.status == "ok":
        lines.append(f"  outputs   {json.dumps(result.get('outputs', {}), sort_keys=True, default=str)}")
    if info.error:
        lines.append(f"  error     {info.error}")
    if info.status in ("failed", "interrupted"):
        lines.append(f"  resume:   skc run --resume {info.run_id}{flag}")
    lines.append(f"  trace:    skc trace {info.run_id}{flag}")
    click.echo("\n".join(lines))


@runs.command("cancel")
@click.argument("run_id")
@_RUNS_DIR
@click.option("--grace-s", type=click.FloatRange(0), default=10.0, show_default=True,
              help="Seconds to wait after SIGINT (then SIGTERM, then SIGKILL).")
@user_errors
def cancel_cmd(run_id: str, runs_dir: str | None, grace_s: float) -> None:
    """Stop run RUN_ID, which another process is running; its journal stays resumable."""
    from skc.runtime.runs import cancel_run

    info = cancel_run(_root(runs_dir), run_id, grace_s)
    flag = f" --runs-dir {runs_dir}" if runs_dir else ""
    click.echo(f"run {info.run_id}: {info.status}, {info.ops_done} ops done; "
               f"resume with `skc run --resume {info.run_id}{flag}`")
