"""Seeded decisions: a skill's example tasks answer its route before any model does.

The skill lowering gives a route `llm.decide` a `seeds` attribute, `{example task:
route}` (`compiler/frontend/skill/seeds.py`). `JitManager` asks `seed_answer` first:
a task equal to a seed (case and runs of spaces ignored, trailing punctuation too)
is answered by the seed, as a JIT hit (`jit_hit` with `seed = true`; no model call,
0 tokens). `seed_pairs` are what the manager writes to the profile store (source
`seed`) the first time it sees the op, so the decision it synthesises from later
model answers has to agree with the examples too.
"""

from __future__ import annotations

import re
from typing import Any

from skc.ir.core import Op
from skc.ir.dialects.llm import DecideOp


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().rstrip(".!?").strip().lower()


def seeds_of(op: Op) -> dict[str, str]:
    """The op's seeds, keyed by normalised task ({} when it has none)."""
    seeds = op.attributes.get("seeds")
    if not isinstance(op, DecideOp) or not isinstance(seeds, dict):
        return {}
    outcomes = {str(o) for o in op.attributes.get("outcomes") or []}  # type: ignore[union-attr]
    return {_norm(str(k)): str(v) for k, v in seeds.items() if str(v) in outcomes}


def seed_answer(op: Op, inputs: list[Any]) -> str | None:
    """The seeded outcome for these inputs (operand 0 is the task), or None."""
    seeds = seeds_of(op)
    if not seeds or not inputs or not isinstance(inputs[0], str):
        return None
    return seeds.get(_norm(inputs[0]))


def seed_pairs(op: Op) -> list[tuple[list[Any], str]]:
    """(inputs, output) of every seed, in the op's operand layout (the task alone)."""
    seeds = op.attributes.get("seeds")
    if not seeds_of(op) or not isinstance(seeds, dict):
        return []
    return [([str(k)], str(v)) for k, v in seeds.items() if _norm(str(k)) in seeds_of(op)]
