"""What a skill's llm ops may read besides their operands: its pieces, chosen by the task, and
its reference files, read on demand.

Two attributes, both set by the skill lowering (`lower.py`):

- `context = {"head": ..., "pieces": [...], "chars": N}` (the rules and references,
  then the procedures' text) on the ops that take the user's task as operand 0 (the whole-task op and the answer to a question about the
  skill's knowledge). At compile time the task is unknown, so the runtime picks the
  rules and references that share the most words with the task
  (`skc.stdlib.skill_task.pick_context`, at most `chars` characters) and makes them
  the system prompt after `head` (the skill's name and description); with `quote`,
  the answer to a question (`is_question`) ends with the lines of those pieces that
  share the most words with it (`evidence`), the skill's own words. The op's static
  `system` (pieces in document order) stays for `explain` and for backends that
  ignore `context`.
- `references = [names]`, `reference_root = folder` on `llm.agent` ops: the skill's
  reference files (`references/`, `reference/`, `examples/`, other documents next to
  SKILL.md; never `scripts/`, never SKILL.md itself), listed by name in the agent's
  system prompt and read with the agent tool `read_reference(name)` when the model
  wants one, instead of being inlined (`skc.runtime.targets.skill_refs`).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from skc.compiler.frontend.skill.classify import Procedure

MAX_REFERENCES = 60
# Text a reference can be: documents, data samples, and example code (not the skill's tools).
REFERENCE_SUFFIXES = frozenset({".md", ".markdown", ".txt", ".rst", ".xml", ".json", ".yaml", ".yml", ".html",
                                ".csv", ".toml", ".py", ".js", ".ts", ".sh", ".sql", ".yar", ".j2", ".tmpl"})
_SKIP_DIRS = frozenset({"scripts", "node_modules", "__pycache__", ".git", ".venv", "venv", "dist", "build"})
_SKIP_FILES = frozenset({"skill.md", "license", "license.txt", "license.md", "uv.lock", "package-lock.json"})


def task_context(head: str, pieces: list[tuple[str, str]], chars: int, *, quote: bool) -> dict[str, Any]:
    """The `context` attribute: the head and every piece ("## title\\ntext"), chosen at run time;
    `quote`: an answer to a question ends with the pieces' lines that answer it."""
    return {"head": head, "pieces": [f"## {t}\n{x}" for t, x in pieces], "chars": chars, "quote": quote}


def procedure_text(proc: Procedure, headings: dict[int, str] | None = None) -> str:
    """A procedure as knowledge: its steps, their guidance and code, one per line (what an answer
    about the skill may quote: "Transport: Streamable HTTP for remote servers" is written in a step).
    A step that was a heading is written as the heading was ("Phase 1: Root Cause Investigation",
    `headings` by line), not as its cleaned step text."""
    lines: list[str] = []
    for st in proc.steps:
        text = (headings or {}).get(st.loc.line, st.text)
        lines += [text, *st.guidance, *([st.code.strip()] if st.code.strip() else [])]
    return "\n".join(ln for ln in lines if ln.strip())


def reference_files(folder: Path) -> list[str]:
    """The skill's reference files, relative to `folder`, sorted (at most `MAX_REFERENCES`); skipped
    folders (`scripts/`, `node_modules/`, hidden ones, ...) are not walked at all."""
    top = os.fspath(Path(folder))
    found: list[str] = []
    for here, dirs, files in os.walk(top, followlinks=False):
        rel = here[len(top) + 1:] if here != top else ""  # os.walk joins the folders it descends onto `top`
        depth = rel.count(os.sep) + 1 if rel else 0
        dirs[:] = sorted(d for d in dirs if d not in _SKIP_DIRS and not d.startswith(".") and depth < 3)
        for name in files:
            if name.startswith(".") or name.lower() in _SKIP_FILES or _suffix(name).lower() not in REFERENCE_SUFFIXES \
                    or os.path.islink(os.path.join(here, name)):
                continue
            found.append(f"{rel.replace(os.sep, '/')}/{name}" if rel else name)
    return sorted(found)[:MAX_REFERENCES]


def _suffix(name: str) -> str:
    """`PurePath(name).suffix`: from the last dot, unless the name starts or ends with it."""
    i = name.rfind(".")
    return name[i:] if 0 < i < len(name) - 1 else ""


def reference_note(names: list[str]) -> str:
    """The line of an agent's system prompt that lists the reference files by name."""
    if not names:
        return ""
    return ("Reference files of the skill (not shown here; call read_reference with a name to read one "
            "when the step needs it): " + ", ".join(names))
