"""`compile_library`: one bundle for a folder of skills, broken skills located, incremental by content."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from skc.compiler.bundle import read_bundle
from skc.compiler.library.build import LIBRARY_FILE, compile_library
from skc.compiler.library.load import load_library


def test_every_skill_compiled_into_one_library(small_library: Path, tmp_path: Path) -> None:
    result = compile_library(small_library, tmp_path / "lib.skb")
    assert (result.compiled, result.reused, result.crashed, result.failed) == (3, 0, 0, 0)
    manifest = json.loads((tmp_path / "lib.skb" / LIBRARY_FILE).read_text())
    ids = [s["id"] for s in manifest["skills"]]
    assert ids == [".claude/skills/release-notes", "greeter", "plugins/data/skills/csv-summary"]
    for s in manifest["skills"]:
        assert read_bundle(tmp_path / "lib.skb" / s["bundle"]).module.workflows  # a real, checked bundle
    assert len(load_library(tmp_path / "lib.skb").cards) == 3


def test_a_broken_skill_is_a_located_diagnostic_not_the_end(small_library: Path, tmp_path: Path) -> None:
    bad = small_library / "broken"
    bad.mkdir()
    (bad / "SKILL.md").write_text("---\nname: Broken_Name\ndescription: x\n---\n\n# B\n", encoding="utf-8")
    result = compile_library(small_library, tmp_path / "lib.skb")
    entry = next(s for s in result.manifest.skills if s.id == "broken")
    assert entry.bundle is None
    assert result.failed == 1
    assert result.compiled == 4
    errors = [d for d in result.diagnostics if d.severity == "error"]
    assert errors
    assert all(d.loc.file.endswith("broken/SKILL.md") and d.loc.line >= 1 for d in errors)
    assert "broken" in [c.id for c in load_library(tmp_path / "lib.skb").cards]  # still routable


def test_recompile_touches_only_changed_skills(small_library: Path, tmp_path: Path) -> None:
    out = tmp_path / "lib.skb"
    compile_library(small_library, out)
    greeter = out / "skills" / "greeter.skb" / "manifest.json"
    before = greeter.stat().st_mtime_ns
    again = compile_library(small_library, out)
    assert (again.compiled, again.reused) == (0, 3)
    assert greeter.stat().st_mtime_ns == before
    notes = small_library / ".claude" / "skills" / "release-notes" / "SKILL.md"
    notes.write_text(notes.read_text() + "\nMention breaking changes first.\n", encoding="utf-8")
    third = compile_library(small_library, out)
    assert (third.compiled, third.reused) == (1, 2)
    assert greeter.stat().st_mtime_ns == before


def test_a_removed_skill_leaves_the_library(small_library: Path, tmp_path: Path) -> None:
    out = tmp_path / "lib.skb"
    compile_library(small_library, out)
    import shutil

    shutil.rmtree(small_library / "greeter")
    result = compile_library(small_library, out)
    assert [s.id for s in result.manifest.skills] == [".claude/skills/release-notes", "plugins/data/skills/csv-summary"]
    assert not (out / "skills" / "greeter.skb").exists()


def test_a_compiler_crash_on_one_skill_is_recorded(small_library: Path, tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    import skc.compiler.driver as driver

    real = driver.compile_path

    def flaky(path, **kw):  # type: ignore[no-untyped-def]
        if Path(path).name == "greeter":
            raise RuntimeError("boom")
        return real(path, **kw)

    monkeypatch.setattr(driver, "compile_path", flaky)
    result = compile_library(small_library, tmp_path / "lib.skb")
    assert result.crashed == 1
    assert result.compiled == 3
    crash = [d for d in result.diagnostics if d.code == "SKC190"]
    assert len(crash) == 1
    assert "boom" in crash[0].message
    assert crash[0].loc.file.endswith("greeter/SKILL.md")


def test_an_empty_folder_is_a_diagnostic(tmp_path: Path) -> None:
    result = compile_library(tmp_path, tmp_path / "lib.skb")
    assert [d.code for d in result.diagnostics] == ["SKC193"]
    assert not (tmp_path / "lib.skb").exists()


def test_refuses_to_overwrite_something_else(small_library: Path, tmp_path: Path) -> None:
    out = tmp_path / "taken"
    out.mkdir()
    (out / "precious.txt").write_text("keep", encoding="utf-8")
    result = compile_library(small_library, out)
    assert [d.code for d in result.diagnostics] == ["SKC190"]
    assert (out / "precious.txt").read_text() == "keep"
