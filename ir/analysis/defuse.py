"""Def-use within one block: which top-level op defines each value, and who uses it.

A value defined anywhere inside a top-level op (in its regions too) counts as
defined by that op; a use anywhere inside an op counts as a use by it. Block
arguments (workflow inputs, a region's own arguments) have no producer.
"""

from __future__ import annotations

from skc.ir.core import Block, Op, Value


def producers(block: Block) -> dict[int, int]:
    """`id(value) -> index` of the top-level op of `block` that defines it."""
    out: dict[int, int] = {}
    for i, op in enumerate(block.ops):
        if op.regions:
            for inner in op.walk():
                for r in inner.results:
                    out[id(r)] = i
        else:
            for r in op.results:
                out[id(r)] = i
    return out


def nested_uses(op: Op) -> list[Value]:
    """Every operand of `op` and of the ops nested in its regions, in program order."""
    if not op.regions:
        return op.operands
    return [v for inner in op.walk() for v in inner.operands]


def data_preds(block: Block) -> list[set[int]]:
    """For each top-level op of `block`, the indices of the ops whose values it uses."""
    producer = producers(block).get
    preds: list[set[int]] = []
    for i, op in enumerate(block.ops):
        found: set[int] = set()
        for v in nested_uses(op) if op.regions else op.operands:
            p = producer(id(v))
            if p is not None and p != i:
                found.add(p)
        preds.append(found)
    return preds
