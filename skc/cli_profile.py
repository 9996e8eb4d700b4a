"""`skc profile`: measure a model's capability profile with the probes (see docs/profiles.md)."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import click

from skc.cli_model import check_model
from skc.errors import USER_ERROR, user_errors


def default_name(spec: str, model_id: str) -> str:
    """A file-friendly profile name: the model file's stem (local models, or endpoints that name
    their model by its path, as llama.cpp servers do), else the model id."""
    base = Path(model_id).name.removesuffix(".gguf") if spec.startswith("local") or "/" in model_id else model_id
    return re.sub(r"[^a-z0-9.]+", "-", base.lower()).strip("-") or "model"


def format_summary(summary: dict[str, int | None]) -> str:
    return "\n".join(f"{p:22} {'not measured' if lvl is None else f'L{lvl}'}" for p, lvl in summary.items())


@click.command("profile")
@click.option("--model", "spec", default="local", show_default=True,
              help="Backend spec: local, local:PATH.gguf, openai, openai:URL[#model].", callback=check_model)
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write the profile JSON here (default: stdout).")
@click.option("--instances", default=3, show_default=True, type=click.IntRange(1, 50),
              help="Instances per level; a level passes only if all pass.")
@click.option("--seed", default=0, show_default=True, type=int, help="Seed of the randomised instances.")
@click.option("--primitive", "primitives", multiple=True, help="Measure only these primitives (repeatable).")
@click.option("--max-level", default=3, show_default=True, type=click.IntRange(1, 3))
@click.option("--name", help="Profile name (default: from the model).")
@click.option("-q", "--quiet", is_flag=True, help="No progress lines on stderr.")
@user_errors
def profile(spec: str, output: str | None, instances: int, seed: int, primitives: tuple[str, ...],
            max_level: int, name: str | None, quiet: bool) -> None:
    """Run the capability probes against a model and write its profile.

    Example: skc profile --model local -o gemma.json
    """
    from skc.compiler.profile import PRIMITIVES, save_profile
    from skc.runtime.llm.registry import UnknownBackend, get_backend
    from skc.runtime.probes import measure

    unknown = sorted(set(primitives) - set(PRIMITIVES))
    if unknown:
        click.echo(f"error SKC300: unknown primitive(s) {', '.join(unknown)}\n  hint: one of {', '.join(PRIMITIVES)}",
                   err=True)
        sys.exit(USER_ERROR)
    try:
        backend = get_backend(spec)
    except UnknownBackend as e:
        click.echo(f"error SKC300: {e}", err=True)
        sys.exit(USER_ERROR)
    model_id = str(getattr(backend, "model_id", spec))
    command = " ".join(["skc profile", f"--model {spec}", f"--instances {instances}", f"--seed {seed}",
                        *(f"--primitive {p}" for p in primitives), *([f"--max-level {max_level}"] if max_level != 3 else []),
                        *([f"--name {name}"] if name else []), *([f"-o {output}"] if output else [])])
    result = measure(backend, name=name or default_name(spec, model_id), model=spec if spec != "local" else
                     f"local:{model_id}", instances=instances, seed=seed, primitives=list(primitives) or None,
                     max_level=max_level, command=command, progress=None if quiet else lambda s: click.echo(s, err=True))
    if output:
        save_profile(result, output)
        click.echo(format_summary({p: lvl for p, lvl in result.summary().items() if p in result.primitives}),
                   err=True)
        click.echo(f"wrote {output} ({result.duration_s:.0f} s)", err=True)
    else:
        click.echo(result.model_dump_json(indent=2))
