"""The hand-checked sample of `confirm_sample.md` stays true: every write judged a real request
is still marked `confirm` (so the measured precision holds). Needs the shared corpus (skips without it)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from survey import CORPUS, writes_of

SAMPLE = Path(__file__).with_name("confirm_sample.md")
ROW = re.compile(r"^\| \d+ \| (\S+):(\d+) \| .*? \| (yes|no) \|", re.M)


def test_the_hand_checked_sample_still_holds() -> None:
    if not CORPUS.is_dir():
        pytest.skip(f"the shared corpus is not at {CORPUS}")
    rows = ROW.findall(SAMPLE.read_text(encoding="utf-8"))
    assert len(rows) == 30
    marked: dict[str, set[int]] = {}
    writing: dict[str, set[int]] = {}
    by_hand: dict[str, set[int]] = {}
    for file, _line, _verdict in rows:
        if file not in marked:
            doc = CORPUS / file
            ops, _ = writes_of(doc.parent if doc.name == "SKILL.md" else doc)
            marked[file] = {o["line"] for o in ops if o["confirm"]}
            writing[file] = {o["line"] for o in ops}
            by_hand[file] = _typed_into_manual_steps(doc)
    # Skills compile only their procedures and tools (issue 14): a sampled skill line that no
    # longer becomes a write at all is not judged here; every write that remains must be marked.
    # A line typed into an interactive program that is a manual step (`gpg> trust` after
    # `gpg --edit-key`) is done by a person: nothing runs it unasked.
    judged_yes = [(f, int(n)) for f, n, v in rows if v == "yes"
                  if (not f.endswith("SKILL.md") or int(n) in writing[f]) and int(n) not in by_hand[f]]
    assert [(f, n) for f, n in judged_yes if n not in marked[f]] == []
    assert sum(v == "yes" for _, _, v in rows) / len(rows) >= 0.9


def _typed_into_manual_steps(doc: Path) -> set[int]:
    """The lines of `doc` a manual step's command covers: from a `ctrl.manual` op's line to the
    next op's, when no tool op runs in between (the transcript typed into the program it opens)."""
    from skc.compiler.frontend import load

    module = load(doc.parent if doc.name == "SKILL.md" else doc).module  # the front end makes the manual steps
    if module is None:
        return set()
    lines = sorted({(op.where.line, op.op_name) for wf in module.workflows for op in wf.walk()
                    if op.op_name == "ctrl.manual" or op.op_name.startswith("tool.")})
    covered: set[int] = set()
    for (line, name), nxt in zip(lines, [*lines[1:], (10**9, "")], strict=True):
        if name == "ctrl.manual":
            covered |= set(range(line, nxt[0]))
    return covered
