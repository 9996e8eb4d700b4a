"""Library checks: a description too vague to win, and near-duplicate skills."""

from __future__ import annotations

from pathlib import Path

from skc.compiler.library.check import check_library, near_duplicates, vague_skills
from skc.compiler.library.load import load_library
from tests.library.conftest import write_skill


def test_vague_description_is_reported_with_the_skill_it_loses_to(tmp_path: Path) -> None:
    write_skill(tmp_path / "code-helper", "code-helper", "Helps review code changes.", "")
    write_skill(tmp_path / "security-diff-review", "security-diff-review",
                "Review code changes in a pull request diff for security regressions and help fix them.", "")
    write_skill(tmp_path / "greeter", "greeter", "Greet a new teammate on their first day.", "")
    found = vague_skills(load_library(tmp_path))
    assert [d.code for d in found] == ["SKC191"]
    assert "'code-helper'" in found[0].message
    assert "security-diff-review" in found[0].message
    assert found[0].loc.file.endswith("code-helper/SKILL.md")
    assert found[0].severity == "warning"


def test_distinct_skills_are_clean(small_library: Path) -> None:
    assert check_library(load_library(small_library)) == []


def test_near_duplicates_named_once_per_pair(tmp_path: Path) -> None:
    for name in ("pdf-merge", "merge-pdfs"):
        write_skill(tmp_path / name, name, "Merge several PDF files into one document, keeping bookmarks.",
                    "## When to use\nThe user has PDFs to combine.\n")
    write_skill(tmp_path / "greeter", "greeter", "Greet a new teammate.", "")
    found = near_duplicates(load_library(tmp_path))
    assert len(found) == 1
    assert "merge-pdfs" in found[0].message
    assert "pdf-merge" in found[0].message
