"""A skill's example tasks seed the JIT (issue 14, Build item 2): the first run of the route on an
example task is a JIT hit with no model call, the examples are the route's first profile pairs, and
any other task still goes to the model."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from skc.compiler.frontend.skill import compile_skill
from skc.runtime.api import run
from skc.runtime.jit.store import ProfileStore
from skc.runtime.llm.base import Completion, LLMBackend

SKILL = '''---
name: notes
description: Keep a notes file. Use when the user wants to add a note or clear the notes.
---

# Notes

## Add an entry

1. Append the line:

   ```bash
   echo added >> notes.txt
   ```

2. Show the file:

   ```bash
   cat notes.txt
   ```

## Empty the log

1. Empty the file:

   ```bash
   : > notes.txt
   ```

2. Report it:

   ```bash
   echo cleared
   ```

User: "I want a blank page again"

## Examples

- "Please remember this for me" - the user wants something kept
- "Help me with my notes" - which procedure is not said
'''


class Counting(LLMBackend):
    """Picks the first outcome offered; counts the route decisions it was asked."""

    name = "counting"

    def __init__(self) -> None:
        self.decisions = 0

    def complete(self, messages: list[dict[str, Any]], **kw: Any) -> Completion:  # type: ignore[override]
        if kw.get("choices"):
            self.decisions += 1
            return Completion(kw["choices"][0], 5, 1, 0.0)
        return Completion("ok", 1, 1, 0.0)

    def count_tokens(self, text: str) -> int:
        return 1


def _skill(tmp_path: Path) -> Path:
    skill = tmp_path / "notes"
    skill.mkdir()
    (skill / "SKILL.md").write_text(SKILL, encoding="utf-8")
    return skill


def _events(run_dir: Path, kind: str) -> list[dict[str, Any]]:
    lines = (run_dir / "trace.jsonl").read_text(encoding="utf-8").splitlines()
    return [e for e in (json.loads(ln) for ln in lines if ln.strip()) if e.get("event") == kind]


def test_the_examples_are_the_routes_seeds(tmp_path: Path) -> None:
    module = compile_skill(_skill(tmp_path)).module
    assert module is not None
    route = next(op for op in module.walk() if op.op_name == "llm.decide")
    # an example inside a procedure's section asks for it; one in "Examples" only when its words say which
    assert route.attributes["seeds"] == {"I want a blank page again": "empty_the_log"}
    assert set(module.ops[0].attributes["test_tasks"]) == {"Please remember this for me", "I want a blank page again",
                                                           "Help me with my notes"}


def test_an_example_task_is_a_jit_hit_on_the_first_run(tmp_path: Path) -> None:
    skill, work = _skill(tmp_path), tmp_path / "work"
    work.mkdir()
    backend = Counting()
    r = run(skill, task="i want a  blank page again!", options={"llm_backend": backend},
            runs_dir=tmp_path / "runs", workdir=work, allow_writes=True)
    assert r.status == "ok", r.error
    assert backend.decisions == 0  # the seed answered the route
    hits = _events(Path(str(r.run_dir)), "jit_hit")
    assert [h.get("seed") for h in hits] == [True]
    assert (work / "notes.txt").read_text(encoding="utf-8") == ""  # emptied
    profiles = list((tmp_path / "runs" / "jit").rglob("*.sqlite"))
    assert len(profiles) == 1
    store = ProfileStore(profiles[0])
    try:
        seeded = [p for key in store.op_keys() for p in store.pairs(key) if p.source == "seed"]
    finally:
        store.close()
    assert [(p.inputs[0], p.output) for p in seeded] == [("I want a blank page again", "empty_the_log")]


def test_another_task_still_asks_the_model(tmp_path: Path) -> None:
    skill, work = _skill(tmp_path), tmp_path / "work"
    work.mkdir()
    backend = Counting()
    r = run(skill, task="Please remember this for me", options={"llm_backend": backend}, runs_dir=tmp_path / "runs",
            workdir=work, allow_writes=True)
    assert r.status == "ok", r.error
    assert backend.decisions == 1
    assert not [h for h in _events(Path(str(r.run_dir)), "jit_hit") if h.get("seed")]
