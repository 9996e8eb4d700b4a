"""`skc route LIB_OR_DIR --task TEXT`: which skill of a library a task goes to, and why."""

from __future__ import annotations

import json
import sys

import click

from skc.errors import user_errors


@click.command("route")
@click.argument("library", type=click.Path(exists=True))
@click.option("--task", required=True, help="The user's task, in their words.")
@click.option("--file", "files", multiple=True, metavar="F", help="A file given with the task (repeatable).")
@click.option("--json", "as_json", is_flag=True, help="Print the ranking as JSON.")
@click.option("-k", "--top", "k", type=click.IntRange(1), default=5, show_default=True, help="Candidates shown.")
@click.option("--model", help="Let this model choose when the top candidates are close (a backend spec).")
@user_errors
def route_cmd(library: str, task: str, files: tuple[str, ...], as_json: bool, k: int, model: str | None) -> None:
    """Rank the skills of LIBRARY (a library bundle or a folder of skills) for a task.

    Prints each candidate's score and the words and file types that made it; `*`
    marks the selected skill(s).

    Example: skc route ~/.claude/skills --task "what does this scan say?" --file out.sarif
    """
    from skc.compiler.library.explain import ranking_text
    from skc.runtime.library import route

    ranking = route(library, task, files, model=model, k=k)
    click.echo(json.dumps(ranking.to_json(), indent=2) if as_json else ranking_text(ranking))


def compile_library_cmd(path: str, out: str, *, profile: str | None, pipeline: str, env_file: str | None,
                        debug: bool) -> None:
    """`skc compile SKILLS_DIR -o LIB.skb`: compile the library, report per-skill diagnostics and a summary.

    Exit 0 when the library was written (skills with errors are reported and stay routable),
    2 when it could not be written, 3 when skc crashed on a skill.
    """
    from skc.compiler.library.build import compile_library
    from skc.errors import USER_ERROR, report

    def progress(n: int, total: int, sid: str) -> None:
        click.echo(f"[{n}/{total}] {sid}", err=True)

    result = compile_library(path, out, pipeline=pipeline, environment=env_file, profile=profile, debug=debug,
                             progress=progress)
    report(result.diagnostics)
    if not result.manifest.skills and result.diagnostics:
        sys.exit(USER_ERROR)
    click.echo(f"{result.output}: library of {len(result.manifest.skills)} skills ({result.compiled} compiled, "
               f"{result.reused} unchanged, {result.failed} with errors, {result.crashed} crashed) "
               f"in {result.seconds:.2f}s")
    if result.crashed:
        sys.exit(3)
