"""Finding skills in the layouts people keep them in; symlinks followed, loops not."""

from __future__ import annotations

import os
from pathlib import Path

from skc.compiler.library import find_skills
from tests.library.conftest import write_skill


def test_finds_skills_in_every_layout(small_library: Path) -> None:
    found = [p.relative_to(small_library).as_posix() for p in find_skills(small_library)]
    assert found == [".claude/skills/release-notes", "greeter", "plugins/data/skills/csv-summary"]


def test_symlinked_skill_is_found_and_a_link_loop_ends(tmp_path: Path) -> None:
    real = write_skill(tmp_path / "store" / "pdf-tools", "pdf-tools", "Merge and split PDF files.", "# PDF\n")
    lib = tmp_path / "lib"
    lib.mkdir()
    os.symlink(real, lib / "pdf-tools")
    os.symlink(lib, lib / "loop")  # lib/loop -> lib: a cycle
    found = find_skills(lib)
    assert [p.name for p in found] == ["pdf-tools"]


def test_lowercase_skill_md_and_skipped_folders(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "skill.md").write_text("---\nname: a\ndescription: x\n---\n", encoding="utf-8")
    write_skill(tmp_path / "node_modules" / "b", "b", "x", "")
    write_skill(tmp_path / "out.skb" / "c", "c", "x", "")
    assert [p.name for p in find_skills(tmp_path)] == ["a"]


def test_a_skill_folder_is_its_own_library(tmp_path: Path) -> None:
    skill = write_skill(tmp_path / "solo", "solo", "x", "")
    assert find_skills(skill) == [skill]
