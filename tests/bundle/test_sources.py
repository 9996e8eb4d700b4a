"""The manifest's source list: a skill folder's files, hashed once while they stay the same."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from skc.compiler import sources
from skc.compiler.sources import source_files

SKILL_MD = "---\nname: skill\ndescription: d\n---\n# Skill\n"


def _skill(tmp_path: Path) -> Path:
    folder = tmp_path / "skill"
    (folder / "scripts").mkdir(parents=True)
    (folder / "SKILL.md").write_text(SKILL_MD, encoding="utf-8")
    (folder / "scripts" / "run.sh").write_text("echo one\n", encoding="utf-8")
    (folder / ".hidden").write_text("x", encoding="utf-8")
    return folder


def test_a_file_written_just_now_is_not_remembered(tmp_path: Path) -> None:
    folder = _skill(tmp_path)
    source_files(folder)
    assert str((folder / "SKILL.md").resolve()) not in sources._DIGESTS


def test_a_skill_folder_lists_its_visible_files_with_their_hashes(tmp_path: Path) -> None:
    folder = _skill(tmp_path)
    listed = source_files(folder)
    assert [(s.path, s.size) for s in listed] == [("SKILL.md", len(SKILL_MD)), ("scripts/run.sh", 9)]
    assert listed[1].sha256 == hashlib.sha256(b"echo one\n").hexdigest()


def test_a_file_edited_in_place_is_hashed_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sources, "_SETTLED_NS", -1)  # remember every digest, however recent the file
    folder = _skill(tmp_path)
    script = folder / "scripts" / "run.sh"
    first = source_files(folder)[1].sha256
    mtime = script.stat().st_mtime_ns
    script.write_text("echo two\n", encoding="utf-8")  # same size; the modification time put back
    os.utime(script, ns=(mtime, mtime))  # size and modification time as before: the change time differs
    assert source_files(folder)[1].sha256 == hashlib.sha256(b"echo two\n").hexdigest() != first


def test_an_unchanged_file_is_read_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sources, "_SETTLED_NS", -1)  # the files were just written: remember them anyway
    folder = _skill(tmp_path)
    first = source_files(folder)
    reads: list[str] = []
    real_sha = sources.sha256
    monkeypatch.setattr(sources, "sha256", lambda data: reads.append("read") or real_sha(data))
    assert source_files(folder) == first
    assert reads == []


def test_a_linked_file_is_named_by_its_target(tmp_path: Path) -> None:
    folder = _skill(tmp_path)
    outside = tmp_path / "shared.sh"
    outside.write_text("echo shared\n", encoding="utf-8")
    (folder / "scripts" / "shared.sh").symlink_to(outside)
    paths = [s.path for s in source_files(folder)]
    assert str(outside.resolve()) in paths
