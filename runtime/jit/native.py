"""Native lowering of numeric row predicates: MLIR (func/arith/scf/memref → LLVM) or llvmlite.

A row predicate (`rowpred.py`) over N rows becomes one loop, compiled once per
predicate and cached:

    count(c0: memref<?xf64>, ..., n: index) -> i64      rows that satisfy it
    mask(c0, ..., out: memref<?xi8>, n: index)          one 0/1 byte per row

Two backends build the same kernel, whose text `codegen.py` writes. `mlir`
takes a `func.func` with `scf.for`, `memref.load` and `arith.cmpf`, lowers it to
the LLVM dialect with `mlir.passmanager` and JITs it with
`mlir.execution_engine.ExecutionEngine`. `llvm` takes LLVM IR and compiles it
with llvmlite's MCJIT. Either
import may be missing (the `mlir` extra is optional), and so may numpy (the
column buffers); `count_rows` then uses the other backend, or Python.

Native code pays only above a number of rows (converting row dicts to float64
columns costs time too): `native_threshold()` reads it from
`bench/results/native.json` (written by `bench/native.py`), or the environment
variable `SKC_NATIVE_THRESHOLD`, else `DEFAULT_THRESHOLD`.
"""

from __future__ import annotations

import ctypes
import json
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

try:  # numpy holds the column buffers; it is not a dependency of skc, so it may be missing
    import numpy as np
except ImportError:  # pragma: no cover - exercised only in environments without numpy
    np = None  # type: ignore[assignment]

from skc.runtime.jit.codegen import llvm_text, mlir_text
from skc.runtime.jit.rowpred import (
    NotLowerable,
    Pred,
    as_number,
    columns,
    count_python,
    is_numeric,
    mask_python,
)

DEFAULT_THRESHOLD = 100_000  # bench/native.py one-shot crossover on a 2-core dev box
RESULTS_FILE = Path(__file__).resolve().parents[2] / "bench" / "results" / "native.json"
class _MemRef1D(ctypes.Structure):
    """MLIR's descriptor of a rank-1 memref (what the C interface takes by pointer)."""

    _fields_ = [("allocated", ctypes.c_void_p), ("aligned", ctypes.c_void_p),
                ("offset", ctypes.c_int64), ("shape", ctypes.c_int64 * 1), ("strides", ctypes.c_int64 * 1)]


def _memref(a: np.ndarray) -> _MemRef1D:
    d = _MemRef1D(a.ctypes.data, a.ctypes.data, 0)
    d.shape[0], d.strides[0] = len(a), 1
    return d


@dataclass
class Kernel:
    """A compiled predicate: `count(cols)` and `mask(cols)` over float64 column buffers."""

    backend: str
    columns: list[str]
    compile_s: float
    _count: Callable[[list[np.ndarray], int], int]
    _mask: Callable[[list[np.ndarray], np.ndarray, int], None]
    _keep: Any = None  # the engine that owns the machine code

    def count(self, cols: list[np.ndarray], n: int | None = None) -> int:
        n = len(cols[0]) if cols else (n or 0)
        return int(self._count(cols, n)) if n else 0

    def mask(self, cols: list[np.ndarray], n: int | None = None) -> np.ndarray:
        n = len(cols[0]) if cols else (n or 0)
        out = np.zeros(n, dtype=np.uint8)
        if n:
            self._mask(cols, out, n)
        return out.view(np.bool_)


def _compile_mlir(pred: Pred) -> Kernel:
    from mlir import execution_engine, ir, passmanager

    start = time.perf_counter()
    with ir.Context():
        module = ir.Module.parse(mlir_text(pred))
        passmanager.PassManager.parse(
            "builtin.module(convert-scf-to-cf,expand-strided-metadata,finalize-memref-to-llvm,"
            "convert-arith-to-llvm,convert-func-to-llvm,convert-cf-to-llvm,reconcile-unrealized-casts)"
        ).run(module.operation)
        engine = execution_engine.ExecutionEngine(module, opt_level=3)
        count_fn, mask_fn = engine.lookup("count"), engine.lookup("mask")

    def call(fn: Any, arrays: list[np.ndarray], n: int, result: Any) -> None:
        descs = [_memref(a) for a in arrays]
        ptrs: list[Any] = [ctypes.pointer(ctypes.pointer(d)) for d in descs]
        ptrs.append(ctypes.pointer(ctypes.c_int64(n)))
        if result is not None:
            ptrs.append(ctypes.pointer(result))
        fn((ctypes.c_void_p * len(ptrs))(*[ctypes.cast(p, ctypes.c_void_p) for p in ptrs]))

    def count(cols: list[np.ndarray], n: int) -> int:
        res = ctypes.c_int64()
        call(count_fn, cols, n, res)
        return res.value

    def mask(cols: list[np.ndarray], out: np.ndarray, n: int) -> None:
        call(mask_fn, [*cols, out], n, None)

    kernel = Kernel("mlir", columns(pred), 0.0, count, mask, engine)
    kernel.count([np.zeros(1) for _ in kernel.columns], 1)  # ORC materialises lazily: pay it here
    kernel.compile_s = time.perf_counter() - start
    return kernel


_llvm_lock = threading.Lock()
_llvm_ready = False


def _compile_llvm(pred: Pred) -> Kernel:
    import llvmlite.binding as llvm

    global _llvm_ready
    start = time.perf_counter()
    with _llvm_lock:
        if not _llvm_ready:
            llvm.initialize_native_target()
            llvm.initialize_native_asmprinter()
            _llvm_ready = True
        tm = llvm.Target.from_default_triple().create_target_machine(
            opt=3, cpu=llvm.get_host_cpu_name(), features=llvm.get_host_cpu_features().flatten())
        module = llvm.parse_assembly(llvm_text(pred))
        module.verify()
        pb = llvm.create_pass_builder(tm, llvm.create_pipeline_tuning_options(speed_level=3))
        pb.getModulePassManager().run(module, pb)
        engine = llvm.create_mcjit_compiler(module, tm)
        engine.finalize_object()
    k = len(columns(pred))
    ptr = ctypes.c_void_p
    count_fn = ctypes.CFUNCTYPE(ctypes.c_int64, *[ptr] * k, ctypes.c_int64)(engine.get_function_address("count"))
    mask_fn = ctypes.CFUNCTYPE(None, *[ptr] * (k + 1), ctypes.c_int64)(engine.get_function_address("mask"))

    def count(cols: list[np.ndarray], n: int) -> int:
        return int(count_fn(*[c.ctypes.data for c in cols], n))

    def mask(cols: list[np.ndarray], out: np.ndarray, n: int) -> None:
        mask_fn(*[c.ctypes.data for c in cols], out.ctypes.data, n)

    return Kernel("llvm", columns(pred), time.perf_counter() - start, count, mask, engine)


_COMPILERS = {"mlir": _compile_mlir, "llvm": _compile_llvm}
_kernels: dict[tuple[str, str], Kernel] = {}
_kernels_lock = threading.Lock()


def available_backends() -> list[str]:
    """The native backends whose bindings import here, in order of preference.

    llvmlite first: bench/native.py measures the same kernel speed for both, but
    llvmlite compiles about 4x faster and calls with less overhead (no memref
    descriptors). `SKC_NATIVE_BACKEND=mlir` puts MLIR first.
    """
    found: list[str] = []
    if np is None:
        return found
    order = [("llvm", "llvmlite.binding"), ("mlir", "mlir.execution_engine")]
    if os.environ.get("SKC_NATIVE_BACKEND") == "mlir":
        order.reverse()
    for name, module in order:
        try:
            __import__(module)
            found.append(name)
        except ImportError:
            continue
    return found


def compile_kernel(pred: Pred, backend: str | None = None) -> Kernel:
    """The kernel for `pred` on `backend` (the first available when None), compiled once."""
    if not is_numeric(pred):
        raise NotLowerable("text comparisons run in Python")
    name = backend or next(iter(available_backends()), None)
    if name is None:
        raise NotLowerable("neither the MLIR bindings nor llvmlite is installed")
    key = (name, json.dumps(pred, sort_keys=True))
    with _kernels_lock:
        kernel = _kernels.get(key)
        if kernel is None:
            kernel = _kernels[key] = _COMPILERS[name](pred)
    return kernel


def column_buffers(rows: list[Any], names: list[str]) -> list[np.ndarray]:
    """Contiguous float64 columns read from row dicts with `as_number` semantics.

    Raises AttributeError when a row is not a dict (callers then stay in Python).
    """
    out = []
    for name in names:
        raw = [r.get(name) for r in rows]
        try:
            arr = np.array(raw)
        except (ValueError, OverflowError):
            arr = None
        if arr is not None and arr.ndim == 1 and arr.dtype.kind in "fiub":
            out.append(np.ascontiguousarray(arr, dtype=np.float64))
        else:
            out.append(np.fromiter(map(as_number, raw), dtype=np.float64, count=len(raw)))
    return out


_threshold: int | str | None = "unset"


def native_threshold() -> int | None:
    """Rows from which native code beats Python on row dicts (None: never), cached."""
    global _threshold
    if _threshold == "unset":
        env = os.environ.get("SKC_NATIVE_THRESHOLD")
        if env:
            _threshold = None if env.lower() in ("never", "none") else int(env)
        elif RESULTS_FILE.exists():
            try:
                _threshold = json.loads(RESULTS_FILE.read_text()).get("threshold_rows", DEFAULT_THRESHOLD)
            except (ValueError, OSError):
                _threshold = DEFAULT_THRESHOLD
        else:
            _threshold = DEFAULT_THRESHOLD
    return _threshold  # type: ignore[return-value]


def _native_kernel(pred: Pred, rows: list[Any], threshold: int | None,
                   backend: str | None) -> tuple[Kernel, list[np.ndarray]] | None:
    limit = native_threshold() if threshold is None else threshold
    if limit is None or len(rows) < limit or not is_numeric(pred) or np is None:
        return None
    try:
        kernel = compile_kernel(pred, backend)
        return kernel, column_buffers(rows, kernel.columns)
    except (NotLowerable, AttributeError):
        return None


def count_rows(pred: Pred, rows: list[Any], *, threshold: int | None = None,
               backend: str | None = None) -> int:
    """Rows satisfying `pred`: native at or above the threshold, else Python (same answer)."""
    native = _native_kernel(pred, rows, threshold, backend)
    if native is None:
        return count_python(pred, rows)
    kernel, cols = native
    return kernel.count(cols, len(rows))


def mask_rows(pred: Pred, rows: list[Any], *, threshold: int | None = None,
              backend: str | None = None) -> list[bool]:
    """Per-row truth of `pred`, native at or above the threshold, else Python."""
    native = _native_kernel(pred, rows, threshold, backend)
    if native is None:
        return mask_python(pred, rows)
    kernel, cols = native
    return kernel.mask(cols, len(rows)).tolist()
