"""Kernel text for native lowering: a row predicate as an MLIR module and as LLVM IR.

Both write the same two functions over float64 columns, one loop each:

    count(c0, ..., n) -> i64          rows that satisfy the predicate
    mask(c0, ..., out, n)             one 0/1 byte per row

MLIR: `func.func` with `scf.for`, `memref.load`, `arith.cmpf`/`andi`/`ori`/`xori`
over `memref<?xf64>` arguments (lowered to the LLVM dialect by `native.py`).
LLVM IR: the same loop with `phi`, `getelementptr`, `fcmp`, one `ptr` per column.
Comparisons are IEEE 754 (`ogt`... ordered, `ne` unordered), matching Python's.
"""

from __future__ import annotations

import struct

from skc.runtime.jit.rowpred import NotLowerable, Pred, columns

_MLIR_CMP = {"gt": "ogt", "ge": "oge", "lt": "olt", "le": "ole", "eq": "oeq", "ne": "une"}
_ARITH = {"add": "fadd", "sub": "fsub", "mul": "fmul", "div": "fdiv"}


def _hex(x: float) -> str:
    """A float64 as its exact bit pattern, which both MLIR and LLVM IR accept."""
    return f"0x{struct.unpack('<Q', struct.pack('<d', float(x)))[0]:016X}"


class _Emitter:
    """Writes one backend's instructions for the loop body; `value` walks the predicate."""

    def __init__(self, cols: list[str]) -> None:
        self.cols = cols
        self.lines: list[str] = []
        self.loaded: dict[int, str] = {}
        self.n = 0

    def fresh(self) -> str:
        self.n += 1
        return f"%v{self.n}"

    def value(self, node: Pred) -> str:
        op = node["op"]
        if op == "col":
            j = self.cols.index(node["name"])
            if j not in self.loaded:
                self.loaded[j] = self.load(j)
            return self.loaded[j]
        if op == "const":
            return self.const(float(node["value"]))
        if op in _ARITH:
            a, b = (self.value(x) for x in node["args"])
            return self.arith(_ARITH[op], a, b)
        if op == "cmp":
            return self.cmp(_MLIR_CMP[node["pred"]], self.value(node["lhs"]), self.value(node["rhs"]))
        if op in ("and", "or"):
            args = [self.value(x) for x in node["args"]]
            acc = args[0]
            for a in args[1:]:
                acc = self.logic(op, acc, a)
            return acc
        if op == "not":
            return self.logic("xor", self.value(node["arg"]), "true")
        raise NotLowerable(f"cannot lower {op}")

    # One instruction each; the backends below write them in their own syntax.
    def load(self, j: int) -> str:
        raise NotImplementedError

    def const(self, x: float) -> str:
        raise NotImplementedError

    def arith(self, op: str, a: str, b: str) -> str:
        raise NotImplementedError

    def cmp(self, pred: str, a: str, b: str) -> str:
        raise NotImplementedError

    def logic(self, op: str, a: str, b: str) -> str:
        raise NotImplementedError


class _MlirEmitter(_Emitter):
    def emit(self, text: str) -> str:
        v = self.fresh()
        self.lines.append(f"      {v} = {text}")
        return v

    def load(self, j: int) -> str:
        return self.emit(f"memref.load %c{j}[%i] : memref<?xf64>")

    def const(self, x: float) -> str:
        return self.emit(f"arith.constant {_hex(x)} : f64")

    def arith(self, op: str, a: str, b: str) -> str:
        return self.emit(f"arith.{op[1:]}f {a}, {b} : f64")

    def cmp(self, pred: str, a: str, b: str) -> str:
        return self.emit(f"arith.cmpf {pred}, {a}, {b} : f64")

    def logic(self, op: str, a: str, b: str) -> str:
        if b == "true":
            b = self.emit("arith.constant true")
        return self.emit(f"arith.{op}i {a}, {b} : i1")


class _LlvmEmitter(_Emitter):
    def emit(self, text: str) -> str:
        v = self.fresh()
        self.lines.append(f"  {v} = {text}")
        return v

    def load(self, j: int) -> str:
        p = self.emit(f"getelementptr double, ptr %c{j}, i64 %i")
        return self.emit(f"load double, ptr {p}")

    def const(self, x: float) -> str:
        return _hex(x)

    def arith(self, op: str, a: str, b: str) -> str:
        return self.emit(f"{op} double {a}, {b}")

    def cmp(self, pred: str, a: str, b: str) -> str:
        return self.emit(f"fcmp {pred} double {a}, {b}")

    def logic(self, op: str, a: str, b: str) -> str:
        return self.emit(f"{op} i1 {a}, {b}")


def mlir_text(pred: Pred) -> str:
    """The `count` and `mask` kernels for `pred` as an MLIR module (func/scf/arith/memref)."""
    cols = columns(pred)
    args = ", ".join(f"%c{j}: memref<?xf64>" for j in range(len(cols)))
    sep = ", " if cols else ""
    out = []
    for kind in ("count", "mask"):
        em = _MlirEmitter(cols)
        p = em.value(pred)
        if kind == "count":
            head = f"  func.func @count({args}{sep}%n: index) -> i64 attributes {{llvm.emit_c_interface}} {{"
            loop = "    %r = scf.for %i = %zero to %n step %one iter_args(%acc = %z) -> (i64) {"
            tail = [f"      %e = arith.extui {p} : i1 to i64", "      %acc2 = arith.addi %acc, %e : i64",
                    "      scf.yield %acc2 : i64", "    }", "    return %r : i64", "  }"]
        else:
            head = f"  func.func @mask({args}{sep}%out: memref<?xi8>, %n: index) attributes {{llvm.emit_c_interface}} {{"
            loop = "    scf.for %i = %zero to %n step %one {"
            tail = [f"      %e = arith.extui {p} : i1 to i8", "      memref.store %e, %out[%i] : memref<?xi8>",
                    "    }", "    return", "  }"]
        out += [head, "    %zero = arith.constant 0 : index", "    %one = arith.constant 1 : index",
                "    %z = arith.constant 0 : i64", loop, *em.lines, *tail]
    return "module {\n" + "\n".join(out) + "\n}\n"


def llvm_text(pred: Pred) -> str:
    """The `count` and `mask` kernels for `pred` as LLVM IR (one pointer per column)."""
    cols = columns(pred)
    params = "".join(f"ptr %c{j}, " for j in range(len(cols)))
    out = []
    for kind in ("count", "mask"):
        em = _LlvmEmitter(cols)
        p = em.value(pred)
        if kind == "count":
            sig, acc, ret = f"i64 @count({params}i64 %n)", "  %acc = phi i64 [0, %entry], [%acc2, %body]", "ret i64 %acc"
            store = [f"  %e = zext i1 {p} to i64", "  %acc2 = add i64 %acc, %e"]
        else:
            sig, acc, ret = f"void @mask({params}ptr %out, i64 %n)", "", "ret void"
            store = [f"  %e = zext i1 {p} to i8", "  %po = getelementptr i8, ptr %out, i64 %i",
                     "  store i8 %e, ptr %po"]
        out += [f"define {sig} {{", "entry:", "  br label %loop", "loop:",
                "  %i = phi i64 [0, %entry], [%i2, %body]", *([acc] if acc else []),
                "  %done = icmp sge i64 %i, %n", "  br i1 %done, label %exit, label %body", "body:",
                *em.lines, *store, "  %i2 = add i64 %i, 1", "  br label %loop", "exit:", f"  {ret}", "}"]
    return "\n".join(out) + "\n"
