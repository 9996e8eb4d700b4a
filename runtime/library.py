"""Routing a task in a skill library, and running the chosen skill.

    ranking = route("lib.skb", "what does this scan say?", files=["out.sarif"], model="local")
    ranking, result = run_task("lib.skb", "fix the failing CI on my PR")

`route` asks the compiled router (`skc.compiler.library`) first. Only when the
ranking is close (the runner-up within `CLOSE_RATIO` of the top) and a model is
given does the model choose — a grammar-constrained choice among the close
candidates' names and descriptions, never the whole library, so a library of
1,000 skills costs the model no more than a few skills. `run_task` runs the first
selected skill's workflow (its sub-bundle in a compiled library, else the skill
folder compiled on the fly) with `task` (and `files`) when the workflow declares
those inputs; the other selected skills are named in the ranking.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from skc.compiler.library.load import Library, load_library
from skc.compiler.library.router import CLOSE_RATIO, Ranking
from skc.runtime.config import RunConfig

MAX_CHOICES = 4
MAX_DESCRIPTION_CHARS = 400


def choice_prompt(library: Library, ranking: Ranking, ids: list[str]) -> list[dict[str, Any]]:
    """The chat messages that ask a model to pick one of `ids` for the ranking's task."""
    lines = []
    for sid in ids:
        card = library.card(sid)
        lines.append(f"- {sid}: {card.description[:MAX_DESCRIPTION_CHARS]}")
    files = f"\nFiles given: {', '.join(ranking.files)}" if ranking.files else ""
    return [{"role": "system", "content": "You choose which skill an assistant should use for a user's task. "
                                          "Answer with the skill id only."},
            {"role": "user", "content": f"Task: {ranking.task}{files}\n\nSkills:\n" + "\n".join(lines)
                                        + "\n\nWhich skill fits the task best?"}]


def ask_model(library: Library, ranking: Ranking, backend: Any) -> Ranking:
    """The ranking with the model's choice among the close candidates put first (`decided_by="model"`)."""
    top = ranking.candidates[0].score if ranking.candidates else 0.0
    ids = [c.id for c in ranking.candidates if c.score >= CLOSE_RATIO * top][:MAX_CHOICES]
    if len(ids) < 2:
        return ranking
    answer = backend.complete(choice_prompt(library, ranking, ids), max_tokens=32, choices=ids).text.strip()
    if answer not in ids:
        return ranking
    selected = [answer] + [s for s in ranking.selected if s != answer]
    return Ranking(ranking.task, ranking.files, ranking.candidates, selected, ranking.close, decided_by="model")


def route(path: str | Path | Library, task: str, files: Iterable[str] = (), *, model: str | None = None,
          k: int = 5) -> Ranking:
    """The ranking of the library at `path` for `task`; with `model`, close calls go to that model."""
    library = path if isinstance(path, Library) else load_library(path)
    ranking = library.router.route(task, list(files), k=k)
    if ranking.close and model:
        from skc.runtime.llm.registry import get_backend

        ranking = ask_model(library, ranking, get_backend(model))
    return ranking


def skill_source(library: Library, skill_id: str) -> Path:
    """What to run for a skill: its compiled sub-bundle, else its folder."""
    entry = library.entry(skill_id)
    if entry is not None and entry.bundle is not None:
        return library.path / entry.bundle
    return library.source(skill_id)


def run_task(path: str | Path, task: str, files: Iterable[str] = (), *, config: RunConfig | None = None,
             inputs: dict[str, Any] | None = None) -> tuple[Ranking, Any]:
    """Routes `task` in the library at `path` and runs the first selected skill (see module doc).

    `config` is the run's configuration (`skc.runtime.config.RunConfig`); its `model`, when
    set, also decides the router's close calls. Raises
    DiagnosticError (SKC193) when no skill has any evidence for the task.
    """
    from skc.ir.location import Diagnostic, DiagnosticError, Location
    from skc.runtime.api import run
    from skc.runtime.plan import load_source

    library = load_library(path)
    files = list(files)
    cfg = config or RunConfig()
    ranking = route(library, task, files, model=cfg.model)
    if not ranking.selected:
        raise DiagnosticError([Diagnostic("SKC193", Location(str(path), 1, 1),
                                          "no skill in the library matches the task",
                                          "say what you want done in more words, or give the files")])
    source = skill_source(library, ranking.selected[0])
    names = load_source(source).module.workflow(cfg.workflow).input_names
    given = dict(inputs or {})  # a skill's task and files go in only where its workflow takes them
    cfg = cfg.with_overrides({"task": task if "task" in names else None,
                              "files": [str(Path(f).resolve()) for f in files] if "files" in names else ()})
    return ranking, run(source, given, cfg)
