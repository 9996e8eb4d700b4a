"""The skill's example tasks as JIT seeds of its routing decision.

A skill's examples (sample user requests, `classify._tasks_in`) are its test tasks
(`skc test`) and also the first entries of the JIT's profile for the route
`llm.decide`: `seeds = {task: route}`. A run whose task is one of them (compared
case- and space-insensitively) answers the route from the seed, as a JIT hit, with
no model call, and the seeds are recorded in the JIT store as pairs (source `seed`)
so the decision the JIT synthesises from later runs agrees with them
(`runtime/jit/seeds.py`).

Which procedure an example asks for, first rule that answers:

1. the task's own words pick one procedure clearly (`skill_task.route`, the rule
   the runtime applies first as well);
2. the example is written inside a procedure's section: that procedure.

An example neither rule places (one in "When to Use" whose words fit several
procedures) seeds nothing: guessing its procedure would make the JIT repeat the
guess ("What does memo.docx say?" in docx-tools' When to Use is a read, not the
first procedure, create).
"""

from __future__ import annotations

from skc.compiler.frontend.skill.classify import Procedure, SkillBody
from skc.stdlib.skill_task import route


def seed_routes(body: SkillBody, routes: list[str], words: dict[str, str]) -> dict[str, str]:
    """{example task: route} for the examples of `body` (`routes[i]` names `body.procedures[i]`)."""
    if not body.procedures or not body.examples:
        return {}
    by_line = {p.loc.line: r for p, r in zip(body.procedures, routes, strict=False)}
    seeds: dict[str, str] = {}
    for task, loc in body.examples:
        chosen = route(task, words) or _enclosing(body, loc.line, by_line)
        if chosen:
            seeds[task] = chosen
    return seeds


def _enclosing(body: SkillBody, line: int, by_line: dict[int, str]) -> str:
    """The route of the procedure whose section holds `line`, or ""."""
    before = [(ln, kind) for _, kind, ln in body.sections if ln <= line]
    if not before:
        return ""
    start, kind = max(before)
    if kind != "procedure":
        return ""
    return by_line.get(start, "") or _by_start(body.procedures, start, by_line)


def _by_start(procs: list[Procedure], start: int, by_line: dict[int, str]) -> str:
    """A procedure made of numbered sibling sections starts at its first step's line."""
    ahead = [p.loc.line for p in procs if p.loc.line <= start]
    return by_line.get(max(ahead), "") if ahead else ""
