"""Helpers for the skill-library tests: a small library written as text, and the shared corpus."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
CORPUS = Path(os.environ.get("SKC_CORPUS") or (REPO / ".." / "shared" / "corpus")).resolve()
TASKS = Path(__file__).resolve().parent / "tasks.jsonl"


def write_skill(folder: Path, name: str, description: str, body: str, *, extra: str = "") -> Path:
    """A SKILL.md folder with the given front matter and body."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "SKILL.md").write_text(f"---\nname: {name}\ndescription: {description}\n{extra}---\n\n{body}",
                                     encoding="utf-8")
    return folder


@pytest.fixture
def corpus() -> Path:
    """The shared corpus (../shared/corpus from the repository root, or $SKC_CORPUS); skips when absent."""
    if not CORPUS.is_dir():
        pytest.skip(f"the shared corpus is not at {CORPUS}")
    return CORPUS


@pytest.fixture
def small_library(tmp_path: Path) -> Path:
    """Three skills in three layouts (.claude/skills, a plugin repository, a plain folder), each
    runnable without a model (one echo step)."""
    root = tmp_path / "skills"
    write_skill(root / ".claude" / "skills" / "release-notes", "release-notes",
                "Write release notes and a changelog from the git log between two version tags.",
                "# Release notes\n\n## When to use\nSomeone wants a changelog for a new version.\n\n"
                "## Steps\n1. Say hello:\n```bash\necho release-notes-ran\n```\n",
                extra="allowed-tools: Bash(echo:*)\n")
    write_skill(root / "plugins" / "data" / "skills" / "csv-summary", "csv-summary",
                "Summarize a CSV spreadsheet export - count its rows and list its columns.",
                "# CSV summary\n\n## When to use\nA user hands over a comma-separated export (.csv).\n\n"
                "## Steps\n1. Say hello:\n```bash\necho csv-summary-ran\n```\n",
                extra="allowed-tools: Bash(echo:*)\n")
    write_skill(root / "greeter", "greeter", "Greet a new teammate on their first day with a welcome message.",
                "# Greeter\n\n## Steps\n1. Say hello:\n```bash\necho greeter-ran\n```\n",
                extra="allowed-tools: Bash(echo:*)\n")
    return root
