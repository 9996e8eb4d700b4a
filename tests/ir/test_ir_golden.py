"""Golden IR files: every hand-written module is valid, canonical and upstream-MLIR compatible.

The files in tests/golden/ir/ and examples/ir/ are written in the printer's
canonical form, so for each of them: it parses, verifies with no diagnostics,
prints back to exactly the same text, and upstream MLIR's parser accepts it
(and what upstream MLIR prints back parses to the same IR, less locations).
Together the goldens use every op of every dialect.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from skc.ir import OPS, UNKNOWN, Module, parse_module, print_module, verify

ROOT = Path(__file__).resolve().parents[2]
GOLDENS = sorted((ROOT / "tests" / "golden" / "ir").glob("*.mlir"))
EXAMPLES = sorted((ROOT / "examples" / "ir").glob("*.mlir"))
FILES = GOLDENS + EXAMPLES


def _id(path: Path) -> str:
    return str(path.relative_to(ROOT))


def upstream_parse(text: str) -> str:
    """Parses `text` with upstream MLIR (unregistered dialects allowed); returns MLIR's print."""
    mlir_ir = pytest.importorskip("mlir.ir")
    ctx = mlir_ir.Context()
    ctx.allow_unregistered_dialects = True
    return str(mlir_ir.Module.parse(text, ctx))


def without_locations(module: Module) -> Module:
    for op in module.walk():
        op.loc = UNKNOWN
    return module


def test_there_are_enough_goldens() -> None:
    assert len(GOLDENS) >= 12
    assert len(EXAMPLES) >= 3


@pytest.mark.parametrize("path", FILES, ids=_id)
def test_parses_and_verifies_clean(path: Path) -> None:
    module = parse_module(path.read_text(encoding="utf-8"), str(path))
    assert module.workflows
    assert verify(module) == []


@pytest.mark.parametrize("path", FILES, ids=_id)
def test_prints_back_identically(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert print_module(parse_module(text, str(path))) == text


@pytest.mark.parametrize("path", FILES, ids=_id)
def test_upstream_mlir_accepts_it(path: Path) -> None:
    upstream_parse(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("path", FILES, ids=_id)
def test_upstream_mlir_print_reads_back_as_the_same_ir(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    ours = without_locations(parse_module(text, str(path)))
    theirs = without_locations(parse_module(upstream_parse(text), "upstream.mlir"))
    assert theirs.structurally_equal(ours)


def test_goldens_use_every_registered_op() -> None:
    used = {op.op_name for path in GOLDENS for op in parse_module(path.read_text(encoding="utf-8")).walk()}
    assert set(OPS) - used == set()


def test_goldens_cover_the_text_forms_that_matter() -> None:
    texts = "".join(path.read_text(encoding="utf-8") for path in GOLDENS)
    modules = [parse_module(path.read_text(encoding="utf-8")) for path in GOLDENS]
    assert any(len(m.workflows) > 1 for m in modules), "a file with several workflows"
    assert any(len(op.results) > 1 for m in modules for op in m.walk()), "a multi-result op"
    needles = {
        'loc("': "source locations",
        "\\E2\\": "unicode (as UTF-8 escapes)",
        '\\"': "escaped quotes",
        "\\\\": "escaped backslashes",
        "\\n": "newlines",
        " : f64": "floats",
        "e-0": "floats with exponents",
        "0x7FF8": "nan",
        "= [[": "nested lists",
        "= {": "dictionaries",
    }
    for needle, what in needles.items():
        assert needle in texts, what
