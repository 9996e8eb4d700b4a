"""The `--model` option shared by `skc run` and `skc profile`: its help (the spec forms) and
its check, which runs before anything else so a bad spec is exit 2 with a message naming it."""

from __future__ import annotations

import os

import click

MODEL_HELP = (
    "LLM to use: `local` (the embedded Gemma 3 270M, in a supervised worker process), "
    "`local:PATH.gguf` (another GGUF file), or `openai:URL[#model]` (any OpenAI-compatible endpoint, "
    "e.g. openai:http://127.0.0.1:8000/v1#qwen2.5; API key from $SKC_OPENAI_API_KEY). "
    "Default: $SKC_MODEL, else local.")


def check_model(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """Click callback: the spec (or `$SKC_MODEL` when none is given) must name a model."""
    from skc.runtime.llm.registry import check_spec

    spec = value if value is not None else os.environ.get("SKC_MODEL")
    problem = check_spec(spec) if spec else None
    if problem is not None:
        where = "" if value is not None else " (from $SKC_MODEL)"
        raise click.BadParameter(problem + where, ctx=ctx, param=param)
    return value
