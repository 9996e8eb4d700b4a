"""Every corpus source (SKILL.md folders, runbook .md files) compiles or gives located diagnostics.

The corpus is ../shared/corpus beside the repository (or $SKC_CORPUS); the test is skipped where it is
absent. Each source goes through `compile_path` with the default pipeline: an
uncaught exception, a failure without an error diagnostic, or a diagnostic
without a location fails the test; a successful compile must give a bundle that
reads back.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from skc.compiler.bundle import read_bundle, write_bundle, zip_bytes
from skc.compiler.driver import compile_path, discover_sources
from skc.ir.location import errors

CORPUS = Path(os.environ.get("SKC_CORPUS", Path(__file__).resolve().parents[2] / ".." / "shared" / "corpus")).resolve()
SOURCES = discover_sources(CORPUS) if CORPUS.is_dir() else []

pytestmark = pytest.mark.skipif(not SOURCES, reason=f"no corpus at {CORPUS}")


def test_the_corpus_has_skills_and_runbooks() -> None:
    assert sum(p.is_dir() for p in SOURCES) >= 30
    assert sum(p.suffix == ".md" for p in SOURCES) >= 500


def test_every_corpus_source_compiles_or_gives_located_diagnostics() -> None:
    problems: list[str] = []
    for path in SOURCES:
        try:
            result = compile_path(path)
        except Exception as e:
            problems.append(f"{path}: uncaught {type(e).__name__}: {e}")
            continue
        if not result.ok and not errors(result.diagnostics):
            problems.append(f"{path}: failed without an error diagnostic")
        problems += [f"{path}: diagnostic without a location: {d}" for d in result.diagnostics if not d.loc.known]
        if result.ok and result.bundle is None:
            problems.append(f"{path}: compiled but made no bundle")
    assert problems == []


@pytest.mark.parametrize("pick", ["skill", "runbook"])
def test_a_corpus_source_round_trips_through_a_bundle(pick: str, tmp_path: Path) -> None:
    for path in (p for p in SOURCES if p.is_dir() == (pick == "skill")):
        result = compile_path(path)
        if result.ok:
            break
    else:
        pytest.fail(f"no corpus {pick} compiles without errors")
    assert result.bundle is not None
    write_bundle(result.bundle, tmp_path / "b.skb")
    back = read_bundle(tmp_path / "b.skb")
    assert back.manifest == result.bundle.manifest
    assert result.module is not None
    assert back.module.structurally_equal(result.module)
    again = compile_path(path)
    assert again.bundle is not None
    assert zip_bytes(again.bundle) == zip_bytes(result.bundle)  # reproducible to the byte
