"""The skill task suite (`bench/skill_tasks.py`): its shape, and the tasks a skill
completes with no model at all.

The suite has at least 25 tasks over at least 10 skills, each skill compiles to an
entry that takes the task, and every outcome is a check on files or the answer.
Tasks whose procedure and parameters the task states outright run here with a
backend that refuses every request: they must complete (the script ran with the
right arguments and wrote the asked file) without a single model call. The whole
suite on the embedded model is `python -m bench.skills` (and the slow test below).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from bench.skill_tasks import TASKS, skill_dir
from skc.compiler.frontend.skill.skill_md import compile_skill
from skc.runtime.api import run
from skc.runtime.llm.base import Completion, LLMBackend

REPO = Path(__file__).resolve().parents[2]
CORPUS = Path(os.environ.get("SKC_CORPUS") or REPO / ".." / "shared" / "corpus").resolve()
NO_MODEL = ["csv-json", "xlsx-convert", "xlsx-derived-name", "docx-create", "docx-minutes", "pdf-merge",
            "pdf-merge-order", "skill-init", "oss-readiness", "oss-org", "skill-package-anthropic"]


class NoModel(LLMBackend):
    """Refuses every request: a task that reaches the model fails."""

    name = "no-model"

    def complete(self, messages: list[dict[str, Any]], **kw: Any) -> Completion:
        raise RuntimeError("this task should not need a model")

    def count_tokens(self, text: str) -> int:
        return 0


def needs_corpus() -> None:
    if not CORPUS.is_dir():
        pytest.skip(f"the shared corpus is not at {CORPUS}")


def test_the_suite_has_enough_tasks_and_skills() -> None:
    assert len(TASKS) >= 25
    assert len({t.skill for t in TASKS}) >= 10
    assert len({t.id for t in TASKS}) == len(TASKS)
    assert sum(t.skill.startswith("corpus:") for t in TASKS) >= 10
    assert len({t.skill for t in TASKS if t.skill.startswith("corpus:")}) >= 10  # skills of the corpus, not ours


def test_every_skill_of_the_suite_takes_a_task() -> None:
    needs_corpus()
    for skill in sorted({t.skill for t in TASKS}):
        r = compile_skill(skill_dir(skill, CORPUS))
        assert r.module is not None, skill
        assert r.module.workflow().input_names == ["task", "files"], skill


@pytest.mark.parametrize("task_id", NO_MODEL)
def test_tasks_the_task_states_outright_need_no_model(task_id: str, tmp_path: Path) -> None:
    pytest.importorskip("openpyxl")
    pytest.importorskip("docx")
    pytest.importorskip("pypdf")
    t = next(t for t in TASKS if t.id == task_id)
    if t.skill.startswith("corpus:"):
        needs_corpus()
    work = tmp_path / "work"
    work.mkdir()
    files = t.setup(work)
    r = run(skill_dir(t.skill, CORPUS), task=t.task, files=files, options={"llm_backend": NoModel(), "jit": False},
            workdir=work, allow_writes=True, runs_dir=tmp_path / "runs")
    assert r.status == "ok", r.error
    assert r.tokens_in == 0
    assert t.check(work, "\n".join(map(str, r.outputs.values()))), t.outcome


@pytest.mark.slow
def test_the_suite_on_the_embedded_model(tmp_path: Path) -> None:
    pytest.importorskip("llama_cpp")
    needs_corpus()
    from bench.skills import run_one

    done = sum(run_one(t, "skc", CORPUS, "local", 6)["ok"] for t in TASKS)
    assert done >= 0.7 * len(TASKS)
