"""One analysis core: what ops touch and what they wait for, for the compiler and the runtime.

The concurrency pass (its schedule, `skc ir explain`), cse, the graph views and
the scheduler all ask these functions, so what the compiler reports and what a
run does follow one set of rules:

    effects     `op_effects` (an op and its regions; an impure op without declared
                effects is `write:*`), `writes`, `may_exit`, `conflict`
    defuse      `producers`, `data_preds`: which op of a block defines each value
                and which ops each op's operands (nested uses included) come from
    deps        `block_graph`: data + effect-ordering + early-exit edges of one
                block, with fallback steps on standby (`DepGraph`)
"""

from skc.ir.analysis.defuse import data_preds, producers
from skc.ir.analysis.deps import DepGraph, block_graph, effect_preds
from skc.ir.analysis.effects import conflict, may_exit, op_effects, writes

__all__ = ["DepGraph", "block_graph", "conflict", "data_preds", "effect_preds", "may_exit",
           "op_effects", "producers", "writes"]
