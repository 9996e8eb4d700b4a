"""Round trips: .skflow -> IR -> .skflow -> IR for the examples, IR -> .skflow -> IR for the
IR corpus (goldens and examples), string rendering, and what the printer cannot say."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from skc.compiler.frontend.skflow.parse import compile_skflow, parse_skflow
from skc.compiler.frontend.skflow.printer import print_skflow
from skc.compiler.frontend.skflow.strings import Interp, decode, render, render_plain
from skc.ir import (
    JSON,
    TEXT,
    Block,
    InsertionPoint,
    Module,
    Region,
    ctrl,
    data,
    parse_module,
    verify,
    workflow,
)
from skc.ir.dialects.ctrl import MapOp
from skc.ir.dialects.data import ConstOp

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT / "examples" / "skflow").glob("*.skflow"))
IR_CORPUS = sorted([*(ROOT / "tests" / "golden" / "ir").glob("*.mlir"), *(ROOT / "examples" / "ir").glob("*.mlir")])
DATA = Path(__file__).parent / "data"


def test_there_are_examples() -> None:
    assert len(EXAMPLES) >= 3


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_example_compiles_verifies_and_round_trips(path: Path) -> None:
    first = compile_skflow(path)
    assert first.ok, [str(d) for d in first.diagnostics]
    assert first.module is not None
    assert verify(first.module) == []
    assert all(op.loc.file == str(path) and op.loc.line > 0 for op in first.module.walk())
    text = print_skflow(first.module)
    second = parse_skflow(text, "printed.skflow")
    assert second.module is not None, [str(d) for d in second.diagnostics]
    assert first.module.structurally_equal(second.module)
    assert print_skflow(second.module) == text  # printing is a fixed point
    plain = print_skflow(first.module, locs=False)
    assert not re.search(r'@(unknown|("[^"]*":)?\d+:\d+)( \{)?$', plain, re.MULTILINE)
    assert parse_skflow(plain, "readable.skflow").ok


@pytest.mark.parametrize("path", IR_CORPUS, ids=lambda p: p.name)
def test_ir_corpus_round_trips(path: Path) -> None:
    module = parse_module(path.read_text(encoding="utf-8"), str(path))
    text = print_skflow(module)
    result = parse_skflow(text, "printed.skflow")
    assert result.ok, "\n".join([text, *map(str, result.diagnostics)])
    assert result.module is not None
    for before, after in zip(module.workflows, result.module.workflows, strict=True):
        if before.inputs and "arg_names" not in before.attributes:
            # .skflow names every input, so re-parsing adds arg_names; the printer says so.
            assert "# skc: the IR has no 'arg_names' attribute" in text
            before.attributes["arg_names"] = after.attributes["arg_names"]
    assert module.structurally_equal(result.module), text


def test_printer_golden_for_reading() -> None:
    module = parse_module((ROOT / "examples" / "ir" / "kafka_consumer_lag.mlir").read_text(encoding="utf-8"),
                          "kafka_consumer_lag.mlir")
    text = print_skflow(module, locs=False)
    assert text == (DATA / "kafka_consumer_lag.skflow").read_text(encoding="utf-8")


def test_what_cannot_be_printed_becomes_a_comment() -> None:
    wf = workflow("broken", {"items": JSON})
    with InsertionPoint(wf.body):
        bad = MapOp([wf.arg("items")], [JSON], {}, [Region([Block([JSON, JSON])])])
        wf.body.append(bad)
        with InsertionPoint(bad.body):
            ctrl.yield_(data.const("x"))
        ctrl.return_(bad.result)
    text = print_skflow(Module([wf, ConstOp([], [TEXT], {"value": "loose"})]))
    assert "# skc: cannot print ctrl.map" in text
    assert "block argument" in text
    assert "# skc: cannot print top-level data.const" in text


@settings(max_examples=400, deadline=None)
@given(st.text(max_size=80))
def test_any_text_renders_to_a_literal_that_decodes_back(text: str) -> None:
    literal = render_plain(text, "    ")
    decoded = decode(literal)
    assert not decoded.errors
    assert decoded.plain() == text
    # In templated positions nothing in it becomes an insertion.
    assert decode(render((text,) if text else (), templated=True)).segments == ((text,) if text else ())


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.text(max_size=12), st.sampled_from(["ns", "pod", "x_1"])), max_size=6))
def test_insertions_survive_rendering(parts: list[str]) -> None:
    segments = tuple(Interp(p, 0, 0, "{{" + p + "}}") if p in ("ns", "pod", "x_1") else p for p in parts)
    got = decode(render(segments, templated=True))
    assert [s if isinstance(s, str) else s.name for s in got.segments] == \
        [s if isinstance(s, str) else s.name for s in _merge(segments)]


def _merge(segments: tuple[str | Interp, ...]) -> tuple[str | Interp, ...]:
    out: list[str | Interp] = []
    for s in segments:
        if isinstance(s, str) and out and isinstance(out[-1], str):
            out[-1] += s
        elif s != "":
            out.append(s)
    return tuple(out)


def test_the_reference_examples_parse() -> None:
    """Every complete workflow in docs/skflow.md is valid .skflow."""
    doc = (ROOT / "docs" / "skflow.md").read_text(encoding="utf-8")
    blocks = [b for b in re.findall(r"```skflow\n(.*?)```", doc, re.DOTALL) if b.startswith("workflow")]
    assert blocks
    for block in blocks:
        result = parse_skflow(block, "docs/skflow.md")
        assert result.ok, [str(d) for d in result.diagnostics]


def _random_modules():  # type: ignore[no-untyped-def]
    """The IR tests' random-module strategy (tests/ir/test_ir_roundtrip.py), loaded by path."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("skflow_random_ir", ROOT / "tests" / "ir" / "test_ir_roundtrip.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.modules()


@settings(max_examples=100, deadline=None)
@given(module=_random_modules())
def test_random_ir_round_trips_through_skflow(module: Module) -> None:
    text = print_skflow(module)
    assume("# skc: cannot print" not in text)  # only NaNs with a payload, in practice
    result = parse_skflow(text, "random.skflow")
    assert result.module is not None, "\n".join([text, *map(str, result.diagnostics)])
    assert module.structurally_equal(result.module), text
