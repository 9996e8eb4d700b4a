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
    for file, _line, _verdict in rows:
        if file not in marked:
            doc = CORPUS / file
            ops, _ = writes_of(doc.parent if doc.name == "SKILL.md" else doc)
            marked[file] = {o["line"] for o in ops if o["confirm"]}
            writing[file] = {o["line"] for o in ops}
    # Skills compile only their procedures and tools (issue 14): a sampled skill line that no
    # longer becomes a write at all is not judged here; every write that remains must be marked.
    judged_yes = [(f, int(n)) for f, n, v in rows if v == "yes"
                  if not f.endswith("SKILL.md") or int(n) in writing[f]]
    assert [(f, n) for f, n in judged_yes if n not in marked[f]] == []
    assert sum(v == "yes" for _, _, v in rows) / len(rows) >= 0.9
