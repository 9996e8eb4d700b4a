"""A resumed run replays a python session's earlier imports and definitions (issue 14, item 4):
a later block finds the function an earlier block defined, though the earlier block's result came
from the journal and its interpreter is gone; a normal run replays nothing."""

from __future__ import annotations

from pathlib import Path

from skc.compiler.frontend.skill import compile_skill
from skc.compiler.frontend.skill.session import replayable
from skc.runtime.api import run
from skc.runtime.journal import read_journal
from tests.fake_models import Plain

SKILL = '''---
name: shout
description: Shout the words of a file. Use when the user wants a file shouted.
---

# Shout

## Shout a file

1. Set up the helpers:

   ```python
   import textwrap
   WIDTH = 40
   calls = []

   def shout(text):
       calls.append(text)
       return textwrap.shorten(text.upper(), WIDTH)
   ```

2. Shout the file:

   ```python
   text = open("go.txt", encoding="utf-8").read()
   result = shout(text) + f" (calls before: {len(calls)})"
   ```
'''




def _skill(tmp_path: Path) -> Path:
    skill = tmp_path / "shout"
    skill.mkdir()
    (skill / "SKILL.md").write_text(SKILL, encoding="utf-8")
    return skill


def test_replayable_keeps_imports_defs_and_constants_only() -> None:
    code = "import os\nfrom json import dumps\nN = 3\nrows = load()\n@staticmethod\ndef f(x):\n    return x\nprint(1)\n"
    assert replayable(code) == ["import os", "from json import dumps", "N = 3", "@staticmethod\ndef f(x):\n    return x"]
    assert replayable("def broken(:\n") == []


def test_the_second_block_carries_the_first_blocks_definitions(tmp_path: Path) -> None:
    module = compile_skill(_skill(tmp_path)).module
    assert module is not None
    blocks = [op for op in module.walk() if op.op_name == "tool.python"]
    assert "replay" not in blocks[0].attributes  # the first block has nothing before it
    replay = str(blocks[1].attributes["replay"])
    assert "def shout(text):" in replay
    assert "WIDTH = 40" in replay
    assert "calls = []" in replay  # a literal: safe to run again
    assert "open(" not in replay


def test_a_resumed_run_finds_a_function_an_earlier_block_defined(tmp_path: Path) -> None:
    skill, work = _skill(tmp_path), tmp_path / "work"
    work.mkdir()
    options = {"llm_backend": Plain(), "jit": False}
    first = run(skill, task="Shout go.txt", options=options, runs_dir=tmp_path / "runs", workdir=work,
                allow_writes=True, run_id="r1")
    assert first.status == "failed"  # go.txt is missing: block 2 fails, block 1 is done
    assert first.error is not None
    assert "go.txt" in first.error.message
    done_before = set(read_journal(tmp_path / "runs" / "r1" / "journal.jsonl").done)  # type: ignore[arg-type]
    (work / "go.txt").write_text("a quiet sentence", encoding="utf-8")
    again = run(None, resume="r1", options=options, runs_dir=tmp_path / "runs", workdir=work, allow_writes=True)
    assert again.status == "ok", again.error
    # block 1 did not run again (its result is the journal's), yet its function and constant exist;
    # its computed state starts afresh from the replayed literal
    assert "A QUIET SENTENCE (calls before: 1)" in str(again.outputs["result"])
    assert done_before <= set(read_journal(tmp_path / "runs" / "r1" / "journal.jsonl").done)  # type: ignore[arg-type]


def test_a_normal_run_replays_nothing(tmp_path: Path) -> None:
    skill, work = _skill(tmp_path), tmp_path / "work"
    work.mkdir()
    (work / "go.txt").write_text("hello", encoding="utf-8")
    r = run(skill, task="Shout go.txt", options={"llm_backend": Plain(), "jit": False}, runs_dir=tmp_path / "runs",
            workdir=work, allow_writes=True)
    assert r.status == "ok", r.error
    assert "HELLO (calls before: 1)" in str(r.outputs["result"])  # `calls` kept block 1's state: not replayed
