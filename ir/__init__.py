"""The skc IR: typed SSA dataflow over ops with effects, in MLIR's generic text form.

Others import from here: types, values/ops/blocks/regions, the dialect builders,
`Module`, `print_module`, `parse_module`, `verify` and the networkx view.
"""

from skc.ir.attrs import AttrSpec
from skc.ir.builder import InsertionPoint, insert
from skc.ir.core import Block, Dialect, Op, Region, UnregisteredOp, Value, replace_all_uses, uses
from skc.ir.dialects import DIALECTS, OPS, calc, ctrl, data, llm, op_class, tool
from skc.ir.dialects.skc import WorkflowOp, workflow
from skc.ir.effects import Effect, parse_effect, parse_effects
from skc.ir.graph import to_networkx
from skc.ir.location import UNKNOWN, Diagnostic, DiagnosticError, Location
from skc.ir.module import Module
from skc.ir.parser import parse_file, parse_module
from skc.ir.printer import print_module, print_op
from skc.ir.types import BOOL, FILE, JSON, NUM, TABLE, TEXT, TOKEN, Type, json_type
from skc.ir.verifier import verify

__all__ = [
    "BOOL", "DIALECTS", "FILE", "JSON", "NUM", "OPS", "TABLE", "TEXT", "TOKEN", "UNKNOWN",
    "AttrSpec", "Block", "Diagnostic", "DiagnosticError", "Dialect", "Effect", "InsertionPoint",
    "Location", "Module", "Op", "Region", "Type", "UnregisteredOp", "Value", "WorkflowOp",
    "calc", "ctrl", "data", "insert", "json_type", "llm", "op_class", "parse_effect",
    "parse_effects", "parse_file", "parse_module", "print_module", "print_op", "replace_all_uses",
    "to_networkx", "tool", "uses", "verify", "workflow",
]
