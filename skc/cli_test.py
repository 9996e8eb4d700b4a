"""`skc test BUNDLE`: run a compiled skill on its test tasks (its examples) and report pass/fail."""

from __future__ import annotations

import json
import sys

import click

from skc.errors import user_errors


@click.command("test")
@click.argument("source", type=click.Path())
@click.option("--model", help="LLM to use (a backend spec; default: the embedded model).")
@click.option("--allow", multiple=True, metavar="RULE", help="An extra permission rule, e.g. 'Bash(git:*)'.")
@click.option("--allow-writes", is_flag=True, help="Let skills without allowed-tools write.")
@click.option("--workdir", type=click.Path(file_okay=False), help="Run every task here (default: a fresh folder each).")
@click.option("--json", "as_json", is_flag=True, help="The outcomes as JSON.")
@user_errors
def test_cmd(source: str, model: str | None, allow: tuple[str, ...], allow_writes: bool, workdir: str | None,
             as_json: bool) -> None:
    """Run the skill SOURCE (a bundle or a SKILL.md folder) on each of its test tasks.

    Exit status: 0 every task passed, 1 some failed, 2 the skill has no test tasks or does not compile.

    Example: skc test examples/skills/csv-report --workdir data/
    """
    from skc.runtime.skill_tests import run_skill_tests

    options = {"model": model} if model else {}
    outcomes = run_skill_tests(source, options=options, workdir=workdir, allow=allow, allow_writes=allow_writes)
    if as_json:
        click.echo(json.dumps([o.__dict__ for o in outcomes], indent=2))
    else:
        for o in outcomes:
            click.echo(o.line())
        passed = sum(o.passed for o in outcomes)
        click.echo(f"{passed}/{len(outcomes)} test tasks passed")
    sys.exit(0 if all(o.passed for o in outcomes) else 1)
