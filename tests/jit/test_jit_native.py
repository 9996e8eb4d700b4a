"""Native lowering: MLIR and llvmlite kernels agree with Python evaluation on random data."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from skc.ir import NUM, InsertionPoint, calc, ctrl, data, workflow
from skc.runtime.jit import native
from skc.runtime.jit.rowpred import (
    NotLowerable,
    count_python,
    ieee_div,
    mask_python,
    pred_from_calc,
)

BACKENDS = native.available_backends()
COLS = ["latency_ms", "status", "cpu"]

cells = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True, width=64),
    st.integers(min_value=-(2**40), max_value=2**40),
    st.sampled_from(["512", " 7.5% ", "abc", "", "1e3", "-0"]),
    st.none(), st.booleans())
rows_st = st.lists(st.fixed_dictionaries({}, optional={c: cells for c in COLS}), max_size=300)
consts = st.one_of(st.floats(min_value=-1e6, max_value=1e6), st.sampled_from([0.0, -0.0, 500, 0.5]))
leaf = st.one_of(st.builds(lambda c: {"op": "col", "name": c}, st.sampled_from(COLS)),
                 st.builds(lambda v: {"op": "const", "value": v}, consts))
values = st.recursive(leaf, lambda inner: st.builds(
    lambda op, a, b: {"op": op, "args": [a, b]}, st.sampled_from(["add", "sub", "mul", "div"]), inner, inner),
    max_leaves=4)
atoms = st.builds(lambda p, a, b: {"op": "cmp", "pred": p, "lhs": a, "rhs": b},
                  st.sampled_from(["gt", "ge", "lt", "le", "eq", "ne"]), values, values)
preds = st.recursive(atoms, lambda inner: st.one_of(
    st.builds(lambda op, xs: {"op": op, "args": xs}, st.sampled_from(["and", "or"]), st.lists(inner, min_size=2, max_size=3)),
    st.builds(lambda x: {"op": "not", "arg": x}, inner)), max_leaves=5)


@pytest.mark.skipif(not BACKENDS, reason="neither MLIR bindings nor llvmlite")
@settings(max_examples=60, deadline=None)
@given(pred=preds, rows=rows_st)
def test_native_equals_python_on_random_predicates_and_rows(pred: dict, rows: list[dict]) -> None:
    want_count, want_mask = count_python(pred, rows), mask_python(pred, rows)
    for backend in BACKENDS:
        assert native.count_rows(pred, rows, threshold=0, backend=backend) == want_count
        assert native.mask_rows(pred, rows, threshold=0, backend=backend) == want_mask


@pytest.mark.parametrize("backend", ["mlir", "llvm"])
def test_each_backend_compiles_the_solidified_slow_error_predicate(backend: str) -> None:
    if backend not in BACKENDS:
        pytest.skip(f"{backend} bindings not installed")
    pred = {"op": "and", "args": [
        {"op": "cmp", "pred": "gt", "lhs": {"op": "col", "name": "latency_ms"}, "rhs": {"op": "const", "value": 500}},
        {"op": "cmp", "pred": "ge", "lhs": {"op": "col", "name": "status"}, "rhs": {"op": "const", "value": 500}}]}
    rng = np.random.default_rng(0)
    lat, status = rng.uniform(0, 1000, 100_000), rng.choice([200.0, 404.0, 500.0, 503.0], 100_000)
    kernel = native.compile_kernel(pred, backend)
    assert kernel.backend == backend
    assert kernel.columns == ["latency_ms", "status"]
    assert kernel.count([lat, status]) == int(((lat > 500) & (status >= 500)).sum())
    assert (kernel.mask([lat, status]) == ((lat > 500) & (status >= 500))).all()
    assert native.compile_kernel(pred, backend) is kernel  # cached


def test_mlir_text_is_func_arith_scf_over_memrefs() -> None:
    pred = {"op": "cmp", "pred": "ne", "lhs": {"op": "col", "name": "x"}, "rhs": {"op": "const", "value": 1.5}}
    text = native.mlir_text(pred)
    for piece in ("func.func @count(%c0: memref<?xf64>, %n: index) -> i64", "scf.for", "memref.load",
                  "arith.cmpf une", "func.func @mask"):
        assert piece in text
    if "mlir" in BACKENDS:
        from mlir import ir

        with ir.Context():
            ir.Module.parse(text).operation.verify()


def test_predicate_from_a_calc_subgraph() -> None:
    wf = workflow("w", inputs={"lat": NUM, "status": NUM})
    with InsertionPoint(wf.body):
        lat, status = wf.arg("lat"), wf.arg("status")
        seconds = calc.div(lat, data.const(1000, NUM))
        slow = calc.cmp("gt", seconds, data.const(0.5, NUM))
        err = calc.cmp("ge", status, data.const(500, NUM))
        both = calc.and_(slow, calc.not_(calc.not_(err)))
        ctrl.return_(both)
    pred = pred_from_calc(both, {lat: "latency_ms", status: "status"})
    rows = [{"latency_ms": 900, "status": 503}, {"latency_ms": 100, "status": 503},
            {"latency_ms": 900, "status": 200}, {"latency_ms": "700", "status": "500"}]
    assert count_python(pred, rows) == 2
    for backend in BACKENDS:
        assert native.count_rows(pred, rows, threshold=0, backend=backend) == 2
    with pytest.raises(NotLowerable):
        pred_from_calc(both, {lat: "latency_ms"})  # status is not bound to a column


def test_threshold_decides_native_or_python(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    pred = {"op": "cmp", "pred": "gt", "lhs": {"op": "col", "name": "x"}, "rhs": {"op": "const", "value": 0}}
    rows = [{"x": i - 5} for i in range(10)]
    compiled: list[Any] = []
    real = native.compile_kernel
    monkeypatch.setattr(native, "compile_kernel", lambda p, b=None: compiled.append(p) or real(p, b))
    assert native.count_rows(pred, rows, threshold=11) == 4
    assert not compiled
    if BACKENDS:
        assert native.count_rows(pred, rows, threshold=10) == 4
        assert compiled
    results = tmp_path / "native.json"
    results.write_text(json.dumps({"threshold_rows": 1234}))
    monkeypatch.setattr(native, "RESULTS_FILE", results)
    monkeypatch.setattr(native, "_threshold", "unset")
    monkeypatch.delenv("SKC_NATIVE_THRESHOLD", raising=False)
    assert native.native_threshold() == 1234
    monkeypatch.setattr(native, "_threshold", "unset")
    monkeypatch.setenv("SKC_NATIVE_THRESHOLD", "never")
    assert native.native_threshold() is None


def test_without_any_backend_python_answers(monkeypatch: pytest.MonkeyPatch) -> None:
    pred = {"op": "cmp", "pred": "lt", "lhs": {"op": "col", "name": "x"}, "rhs": {"op": "const", "value": 3}}
    monkeypatch.setattr(native, "available_backends", lambda: [])
    monkeypatch.setattr(native, "_kernels", {})
    assert native.count_rows(pred, [{"x": 1}, {"x": 5}, {"x": "2"}], threshold=0) == 2
    monkeypatch.undo()
    monkeypatch.setattr(native, "np", None)  # numpy is not an skc dependency
    assert native.available_backends() == []
    assert native.mask_rows(pred, [{"x": 1}, {"x": 5}], threshold=0) == [True, False]


def test_text_predicates_and_non_dict_rows_stay_in_python() -> None:
    text = {"op": "cmp", "pred": "eq", "lhs": {"op": "col", "name": "phase"}, "rhs": {"op": "const", "value": "Running"}}
    assert native.count_rows(text, [{"phase": "Running"}, {"phase": "Failed"}], threshold=0) == 1
    num = {"op": "cmp", "pred": "ne", "lhs": {"op": "col", "name": "x"}, "rhs": {"op": "const", "value": 1}}
    assert native.count_rows(num, [{"x": 2}, "not a row", {"x": 1}], threshold=0) == 1


def test_ieee_division_matches_numpy() -> None:
    with np.errstate(divide="ignore", invalid="ignore"):
        for a in (1.0, -1.0, 0.0, math.nan, math.inf):
            for b in (0.0, -0.0, 2.0, math.inf, math.nan):
                want, got = float(np.float64(a) / np.float64(b)), ieee_div(a, b)
                assert (math.isnan(want) and math.isnan(got)) or want == got, (a, b)
