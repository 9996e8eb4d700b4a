"""Shared helpers for the markdown front-end tests: the corpus location and small compilers."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from skc.compiler.frontend import FrontendResult
from skc.compiler.frontend.runbook.tsg_md import compile_tsg
from skc.compiler.frontend.skill.skill_md import compile_skill

REPO = Path(__file__).resolve().parents[2]
CORPUS = Path(os.environ.get("SKC_CORPUS") or REPO / ".." / "shared" / "corpus").resolve()  # SKC_CORPUS: a worktree elsewhere


@pytest.fixture
def corpus() -> Path:
    """The shared corpus folder (../shared/corpus from the repository root, or $SKC_CORPUS); skips when absent."""
    if not CORPUS.is_dir():
        pytest.skip(f"the shared corpus is not at {CORPUS}")
    return CORPUS


@pytest.fixture
def tsg(tmp_path: Path):
    """Compiles a runbook given as text (written to tmp_path/runbook.md)."""

    def compile_text(text: str, name: str = "runbook.md") -> FrontendResult:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return compile_tsg(path)

    return compile_text


@pytest.fixture
def skill(tmp_path: Path):
    """Compiles a skill given as SKILL.md text in a folder named `name`."""

    def compile_text(text: str, name: str = "demo-skill", scripts: tuple[str, ...] = ()) -> FrontendResult:
        folder = tmp_path / name
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "SKILL.md").write_text(text, encoding="utf-8")
        for script in scripts:
            (folder / script).parent.mkdir(parents=True, exist_ok=True)
            (folder / script).write_text("#!/bin/sh\n", encoding="utf-8")
        return compile_skill(folder)

    return compile_text
