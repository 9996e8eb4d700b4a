"""`skc recompile`: write the llm steps the JIT has promoted back into a bundle as code.

The work is `skc.runtime.jit.recompile.recompile`; this module parses arguments and
prints what changed. Exit codes: 0 done (also when nothing was promoted), 2 a user
error (no bundle, no such run).
"""

from __future__ import annotations

import json
from typing import Any

import click

from skc.errors import user_errors


def summary(result: dict[str, Any]) -> str:
    """One line per op that changed, then where the bundle went (RecompileResult.to_json())."""
    lines = []
    for item in result["solidified"]:
        lines.append(f"  solidified {item['step']} ({item['op']}): {item['kind']} {item['candidate']}, "
                     f"{item['evidence']} recorded runs; guard: {item['guard']}")
    for item in result["kept"]:
        lines.append(f"  kept       {item['step']} ({item['op']}): {item['candidate']}")
    for item in result["reverted"]:
        lines.append(f"  reverted   {item['step']} ({item['op']}): no longer promoted, the LLM answers again")
    for item in result["skipped"]:
        lines.append(f"  skipped    {item['step'] or '(no step)'} ({item['op']}): {item['reason']}")
    if result["output"]:
        head = f"recompiled: {result['output']} is bundle v{result['bundle_version']}"
    else:
        head = f"recompile: nothing to change (bundle v{result['bundle_version']})"
    return "\n".join([head, *lines])


@click.command("recompile")
@click.argument("bundle", type=click.Path())
@click.option("--from-run", metavar="RUN_ID",
              help="Use the profile that run recorded into, and only the ops it promoted or ran as code.")
@click.option("--runs-dir", envvar="SKC_RUNS_DIR", type=click.Path(), help="Where runs live [.skc/runs].")
@click.option("-o", "--output", type=click.Path(), help="Where to write the bundle [in place].")
@click.option("--force", is_flag=True, help="Write (and bump the version) even when nothing changed.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@user_errors
def recompile_cmd(bundle: str, from_run: str | None, runs_dir: str | None, output: str | None, force: bool,
                  as_json: bool) -> None:
    """Rewrite BUNDLE's promoted llm steps as guarded code ops that fall back to the LLM step.

    Examples:

      skc recompile build/checkout-latency.skb

      skc recompile app.skb --from-run 20260101-120000-ab12cd -o app-solid.skb
    """
    from skc.runtime.jit.recompile import recompile

    result = recompile(bundle, from_run=from_run, runs_dir=runs_dir, output=output, force=force).to_json()
    if as_json:
        click.echo(json.dumps(result, indent=2, sort_keys=True))
    else:
        click.echo(summary(result))
