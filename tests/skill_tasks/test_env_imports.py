"""env-bind checks a skill's Python: a package its scripts or python steps import that
the running interpreter lacks is a located SKC219 naming what to pip install."""

from __future__ import annotations

from pathlib import Path

from skc.compiler.driver import compile_path
from skc.compiler.python_imports import imports_of, missing_modules, pip_name


def test_imports_of_skips_optional_and_relative_imports() -> None:
    src = ("import os, json\nfrom docx import Document\nfrom . import sibling\n"
           "try:\n    import fancy\nexcept ImportError:\n    fancy = None\n"
           "def f():\n    import yaml\n")
    assert imports_of(src) == ["os", "json", "docx", "yaml"]
    assert pip_name("docx") == "python-docx"
    assert pip_name("yaml") == "PyYAML"


def test_missing_modules_knows_the_stdlib_and_the_scripts_folder(tmp_path: Path) -> None:
    (tmp_path / "helper.py").write_text("", encoding="utf-8")
    assert missing_modules(["os", "helper", "yaml", "surely_not_a_module_xyz"], tmp_path) == [
        "surely_not_a_module_xyz"]


def test_a_scripts_missing_package_is_a_located_diagnostic(tmp_path: Path) -> None:
    skill = tmp_path / "reader"
    (skill / "scripts").mkdir(parents=True)
    (skill / "SKILL.md").write_text("---\nname: reader\ndescription: Reads.\n---\n\n## Steps\n\n"
                                    "1. Run `python scripts/read.py <file>` to read it.\n", encoding="utf-8")
    (skill / "scripts" / "read.py").write_text("import surely_not_a_module_xyz\nimport docx\n", encoding="utf-8")
    result = compile_path(skill)
    (d,) = [d for d in result.diagnostics if d.code == "SKC219"]
    assert (d.loc.line, d.severity) == (8, "warning")
    assert "pip install surely_not_a_module_xyz" in d.message
    assert "docx" not in d.message or "python-docx" in d.message  # installed here: not reported


def test_tool_python_imports_are_checked(tmp_path: Path) -> None:
    skill = tmp_path / "py-step"
    skill.mkdir()
    (skill / "SKILL.md").write_text("---\nname: py-step\ndescription: Computes.\n---\n\n## Steps\n\n"
                                    "```python\nimport surely_not_a_module_xyz\nprint(1)\n```\n", encoding="utf-8")
    result = compile_path(skill)
    assert [d.message for d in result.diagnostics if d.code == "SKC219"] == [
        "Python package 'surely_not_a_module_xyz' is missing: not installed for "
        f"{__import__('sys').executable}: pip install surely_not_a_module_xyz"]
