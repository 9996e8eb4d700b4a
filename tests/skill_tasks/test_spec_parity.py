"""Spec parity: skc's verdict on a skill's front matter equals the agentskills reference
validator's (`skills-ref validate`), case by case.

The cases restate the reference validator's own test cases in our words (valid skill,
missing fields, name rules, i18n names, directory mismatch, unknown fields, lengths,
lowercase skill.md) plus the points issue 14 found where skc disagreed with it. A
verdict is "valid" when skc reports no error; `skc check --strict` makes unknown
fields errors, as the reference does.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from skc.compiler.check import check_path
from skc.compiler.frontend.skill.skill_md import compile_skill

BODY = "\n# Demo\n\nSome guidance.\n"


def write(tmp: Path, front: str, folder: str = "my-skill", file: str = "SKILL.md") -> Path:
    d = tmp / folder
    d.mkdir(parents=True, exist_ok=True)
    (d / file).write_text("---\n" + front + "---\n" + BODY, encoding="utf-8")
    return d


def errors(folder: Path, *, strict: bool = False) -> list[str]:
    return [d.code for d in compile_skill(folder, strict=strict).diagnostics if d.severity == "error"]


# (front matter, folder, reference verdict: the error codes skc must give, in any order)
CASES = [
    ("name: my-skill\ndescription: A test skill\n", "my-skill", []),
    ("name: my-skill\ndescription: x\nlicense: MIT\nmetadata:\n  author: me\n  version: '1.0'\n"
     "compatibility: Requires Python 3.11\nallowed-tools: Bash(git:*) Read\n", "my-skill", []),
    ("description: A test skill\n", "my-skill", ["SKC110"]),                     # missing name
    ("name: my-skill\n", "my-skill", ["SKC113"]),                                # missing description
    ("name: my-skill\ndescription: ''\n", "my-skill", ["SKC113"]),               # empty description
    ("name: MySkill\ndescription: x\n", "MySkill", ["SKC111"]),                  # uppercase
    ("name: -my-skill\ndescription: x\n", "-my-skill", ["SKC111"]),              # leading hyphen
    ("name: my-skill-\ndescription: x\n", "my-skill-", ["SKC111"]),              # trailing hyphen
    ("name: my--skill\ndescription: x\n", "my--skill", ["SKC111"]),              # consecutive hyphens
    ("name: my_skill\ndescription: x\n", "my_skill", ["SKC111"]),                # invalid character
    ("name: " + "a" * 65 + "\ndescription: x\n", "a" * 65, ["SKC111"]),          # too long
    ("name: " + "a" * 64 + "\ndescription: x\n", "a" * 64, []),                  # exactly 64
    ("name: other-skill\ndescription: x\n", "my-skill", ["SKC112"]),             # directory mismatch
    ("name: Bad_Name\ndescription: x\n", "my-skill", ["SKC111", "SKC112"]),      # both, not only one
    ("name: мой-навык\ndescription: x\n", "мой-навык", []),                       # Cyrillic letters
    ("name: 技能\ndescription: x\n", "技能", []),                                  # CJK letters
    ("name: café\ndescription: x\n", "café", []),                                 # NFC name, NFC folder
    ("name: cafe\u0301\ndescription: x\n", "caf\u00e9", []),                      # NFD name == NFC folder
    ("name: МойНавык\ndescription: x\n", "МойНавык", ["SKC111"]),                 # uppercase Cyrillic
    ("name: my-skill\ndescription: " + "x" * 1025 + "\n", "my-skill", ["SKC113"]),
    ("name: my-skill\ndescription: " + "x" * 1024 + "\n", "my-skill", []),
    ("name: my-skill\ndescription: x\ncompatibility: " + "c" * 501 + "\n", "my-skill", ["SKC117"]),
    ("name: my-skill\ndescription: x\ncompatibility: " + "c" * 500 + "\n", "my-skill", []),
    ("name: my-skill\ndescription: x\ncompatibility: 3.11\n", "my-skill", []),   # a string after loading
    ("name: my-skill\ndescription: x\nmetadata:\n  version: 1.0\n", "my-skill", []),
    ("name: my-skill\ndescription: x\nallowed-tools: Read, Grep\n", "my-skill", []),  # comma-separated
    ("name: my-skill\ndescription: 42\n", "my-skill", []),                       # "42" after loading
    ("name: my-skill\ndescription: x\nunknown_field: y\n", "my-skill", []),      # warning (strict: error)
]


@pytest.mark.parametrize(("front", "folder", "expected"), CASES)
def test_verdict_matches_the_reference_validator(tmp_path: Path, front: str, folder: str,
                                                 expected: list[str]) -> None:
    assert sorted(errors(write(tmp_path, front, folder))) == sorted(expected)


def test_unknown_fields_are_rejected_by_the_spec_and_fail_under_strict(tmp_path: Path) -> None:
    d = write(tmp_path, "name: my-skill\ndescription: x\nauthor: me\n")
    (warning,) = [x for x in compile_skill(d).diagnostics if x.code == "SKC114"]
    assert warning.severity == "warning"
    assert "spec rejects" in warning.message
    assert errors(d, strict=True) == ["SKC114"]


def test_a_lowercase_skill_md_is_checked(tmp_path: Path) -> None:
    d = write(tmp_path, "name: other\ndescription: x\n", file="skill.md")
    assert "SKC112" in errors(d)
    assert check_path(d).errors >= 1
    ok = write(tmp_path, "name: lower\ndescription: x\n", folder="lower", file="skill.md")
    assert errors(ok) == []


def test_a_symlinked_folder_is_judged_by_the_links_own_name(tmp_path: Path) -> None:
    real = write(tmp_path, "name: linked-skill\ndescription: x\n", folder="v2-checkout")
    link = tmp_path / "linked-skill"
    os.symlink(real, link)
    assert errors(link) == []
    assert errors(real) == ["SKC112"]


def test_compatibility_that_is_not_text_says_so(tmp_path: Path) -> None:
    d = write(tmp_path, "name: my-skill\ndescription: x\ncompatibility:\n  python: '3.11'\n")
    (diag,) = [x for x in compile_skill(d).diagnostics if x.code == "SKC117"]
    assert "must be a string" in diag.message
    assert "500" not in diag.message


def test_check_and_compile_agree_on_a_missing_script(tmp_path: Path) -> None:
    d = tmp_path / "my-skill"
    d.mkdir()
    (d / "SKILL.md").write_text("---\nname: my-skill\ndescription: x\n---\n\n## Steps\n\n"
                                "1. Run `python scripts/absent.py --out report.txt`.\n", encoding="utf-8")
    report = check_path(d)
    assert [x.code for x in report.diagnostics if x.severity == "error"] == ["SKC127"]
    assert report.exit_code == 1


def test_skc_check_strict_fails_on_unknown_fields(tmp_path: Path) -> None:
    import subprocess
    import sys

    d = write(tmp_path, "name: my-skill\ndescription: x\nauthor: me\n")
    plain = subprocess.run([sys.executable, "-m", "skc", "check", str(d)], capture_output=True, text=True,
                           check=False, timeout=120)
    strict = subprocess.run([sys.executable, "-m", "skc", "check", "--strict", str(d)], capture_output=True,
                            text=True, check=False, timeout=120)
    assert plain.returncode == 0, plain.stdout
    assert strict.returncode == 1
    assert "SKC114" in strict.stdout
