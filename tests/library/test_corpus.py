"""The activation task set and the whole corpus as one library (tasks: tests/library/tasks.jsonl)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from skc.compiler.library.build import compile_library
from skc.compiler.library.load import load_library
from tests.library.conftest import TASKS

# Products whose name is the skill's name: users say "Linear" for Linear tickets.
PRODUCT_NAMES = {"linear"}


def tasks() -> list[dict]:
    return [json.loads(line) for line in TASKS.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_task_set_is_large_varied_and_names_no_skill(corpus: Path) -> None:
    rows = tasks()
    ids = {c.id for c in load_library(corpus / "skills").cards}
    assert len(rows) >= 150
    assert len({t["skill"] for t in rows}) >= 60
    assert {t["skill"] for t in rows} <= ids
    assert any(not t["task"] for t in rows)
    assert sum(bool(t["files"]) for t in rows) >= 20
    for t in rows:
        name = t["skill"].rsplit("/", 1)[-1]
        if name not in PRODUCT_NAMES:
            assert not re.search(rf"\b{re.escape(name.replace('-', ' '))}\b", t["task"].lower().replace("-", " ")), t
        assert t["author"]


def test_router_top1_over_the_whole_corpus(corpus: Path) -> None:
    lib = load_library(corpus / "skills")
    rows = tasks()
    top1 = sum(lib.router.route(t["task"], t["files"]).selected[:1] == [t["skill"]] for t in rows) / len(rows)
    top3 = sum(t["skill"] in [c.id for c in lib.router.route(t["task"], t["files"]).candidates[:3]]
               for t in rows) / len(rows)
    assert top1 >= 0.9, top1
    assert top3 >= 0.95, top3


@pytest.mark.slow
def test_corpus_compiles_to_a_library_without_crashes(corpus: Path, tmp_path: Path) -> None:
    result = compile_library(corpus / "skills", tmp_path / "corpus.skb")
    assert result.crashed == 0
    assert len(result.manifest.skills) == len(list((corpus / "skills").rglob("SKILL.md")))
    assert all(s.bundle or any(d["severity"] == "error" for d in s.diagnostics) for s in result.manifest.skills)
