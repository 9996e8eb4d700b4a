"""No escape from `allowed-tools: Bash(git:*)`.

Each attack of `attacks.py` first runs under plain bash to show it creates `p` (so
these tests can fail), then under skc from all three front ends — a .skflow workflow
with `permissions ["Bash(git:*)"]`, a SKILL.md with `allowed-tools: Bash(git:*)`, and a
runbook run read-only with `--allow 'Bash(git:*)'` — with and without
`--allow-writes` for the two with allowed-tools. Nothing may be created, and the
refusal names the offending part.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from attacks import ATTACKS, Attack

from skc.ir.location import DiagnosticError
from skc.runtime.api import run

IDS = [a.name for a in ATTACKS]


def _workdir(tmp_path: Path) -> Path:
    """A working directory holding `x/git`: a script named git that is not the git on PATH."""
    work = tmp_path / "work"
    (work / "x").mkdir(parents=True)
    fake = work / "x" / "git"
    fake.write_text("#!/bin/sh\ntouch p\n")
    fake.chmod(0o755)
    return work


def _skflow(folder: Path, command: str) -> Path:
    literal = json.dumps(command).replace("{", "\\{").replace("}", "\\}")
    path = folder / "attack.skflow"
    path.write_text(f'workflow attack() -> text\n    permissions ["Bash(git:*)"]\n{{\n'
                    f'    step out = shell {literal} effects [read:git]\n    return out\n}}\n')
    return path


def _markdown(command: str) -> str:
    return "```bash\n" + command + "\n```\n"


def _skill(folder: Path, command: str) -> Path:
    skill = folder / "attack"
    skill.mkdir()
    (skill / "SKILL.md").write_text(
        "---\nname: attack\ndescription: Shows the history of a git repository.\nallowed-tools: Bash(git:*)\n---\n"
        f"# Attack\n\n## Steps\n\n1. Show the history:\n\n{_markdown(command)}")
    return skill


def _runbook(folder: Path, command: str) -> Path:
    path = folder / "attack.md"
    path.write_text(f"# Git history\n\n## Step 1\n\nShow the history:\n\n{_markdown(command)}")
    return path


def attempt(source: Path, work: Path, **options: object) -> str:
    """Runs `source` in `work`: the refusal's text, or '' when it ran."""
    try:
        result = run(source, {}, workdir=work, runs_dir=work.parent / "runs", **options)  # type: ignore[arg-type]
    except DiagnosticError as e:
        return "\n".join(f"{d.code} {d.message}" for d in e.diagnostics)
    if result.error is not None:
        return f"{result.error.code} {result.error.message}"
    return ""


@pytest.mark.parametrize("attack", ATTACKS, ids=IDS)
def test_the_attack_creates_the_file_under_plain_bash(attack: Attack, tmp_path: Path) -> None:
    work = _workdir(tmp_path)
    subprocess.run(["bash", "-c", attack.command], cwd=work, capture_output=True, timeout=30, check=False)
    assert (work / "p").exists()


@pytest.mark.parametrize("allow_writes", [False, True], ids=["read-only", "allow-writes"])
@pytest.mark.parametrize("attack", ATTACKS, ids=IDS)
def test_skflow(attack: Attack, allow_writes: bool, tmp_path: Path) -> None:
    work = _workdir(tmp_path)
    verdict = attempt(_skflow(tmp_path, attack.command), work, allow_writes=allow_writes)
    assert not (work / "p").exists()
    assert "SKC301" in verdict
    assert attack.part in verdict


def _refused_in_markdown(attack: Attack, verdict: str) -> None:
    """The markdown front ends split a block into commands and run plain words as argv, so the
    refusal names either the part the shell model found or the command the front end made."""
    if attack.variable and "SKC305" in verdict:
        return  # `${X:-…}` became the workflow input `x`: asked for, its default never runs
    assert "SKC301" in verdict
    assert attack.part in verdict or attack.inner in verdict


@pytest.mark.parametrize("allow_writes", [False, True], ids=["read-only", "allow-writes"])
@pytest.mark.parametrize("attack", ATTACKS, ids=IDS)
def test_skill(attack: Attack, allow_writes: bool, tmp_path: Path) -> None:
    work = _workdir(tmp_path)
    verdict = attempt(_skill(tmp_path, attack.command), work, allow_writes=allow_writes,
                      task="show the history of the repository")
    assert not (work / "p").exists()
    if attack.variable:
        return  # in a skill `${X…}` is a parameter drawn from the task (llm.extract), passed as one argv word
    _refused_in_markdown(attack, verdict)


@pytest.mark.parametrize("attack", ATTACKS, ids=IDS)
def test_read_only_runbook(attack: Attack, tmp_path: Path) -> None:
    work = _workdir(tmp_path)
    verdict = attempt(_runbook(tmp_path, attack.command), work, allow=["Bash(git:*)"])
    assert not (work / "p").exists()
    _refused_in_markdown(attack, verdict)


def test_a_runbook_with_allow_writes_runs_writes_it_was_allowed(tmp_path: Path) -> None:
    """The other side of read-only mode: `--allow-writes` is the user's consent to writes."""
    work = _workdir(tmp_path)
    assert attempt(_runbook(tmp_path, "git --version && touch p"), work, allow_writes=True) == ""
    assert (work / "p").exists()
