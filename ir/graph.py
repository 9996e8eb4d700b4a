"""The networkx view of a workflow: its data dependencies as a graph, for analysis.

The IR is the storage; this graph is built on demand (`to_networkx(wf)`) by the
passes and tools that want graph algorithms: topological order, antichains, the
critical path. Nodes are the positions `0..n-1` of the workflow body's top-level
ops (node attribute `op`, the Op itself, and `name`, its op name). An edge
`p -> c` says op `c` uses a value op `p` produces (edge attribute `values`, the
values carried, in first-use order). A use anywhere inside `c`'s regions
(`ctrl.if`, `ctrl.map`, `ctrl.retry` bodies) counts as a use by `c`, and a value
defined inside `p`'s regions counts as produced by `p`. The workflow's inputs
(its block arguments) and a region's own block arguments are not nodes and give
no edges. Effect ordering is not in this graph: `skc.ir.analysis.block_graph` has
the whole dependency graph that the concurrency pass and the scheduler share.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from skc.ir.analysis.defuse import nested_uses, producers
from skc.ir.core import Block, Value
from skc.ir.dialects.skc import WorkflowOp

if TYPE_CHECKING:
    import networkx as nx


def to_networkx(workflow: WorkflowOp | Block) -> nx.DiGraph:
    """The dependency graph of `workflow`'s top-level ops (or of any one block's ops)."""
    import networkx as nx  # imported here: `import skc.ir` stays light for the CLI

    block = workflow.body if isinstance(workflow, WorkflowOp) else workflow
    graph = nx.DiGraph()
    producer = producers(block)
    for i, op in enumerate(block.ops):
        graph.add_node(i, op=op, name=op.op_name)
    for i, op in enumerate(block.ops):
        for v in nested_uses(op):
            p = producer.get(id(v))
            if p is None or p == i:
                continue
            if graph.has_edge(p, i):
                carried: list[Value] = graph.edges[p, i]["values"]
                if not any(c is v for c in carried):
                    carried.append(v)
            else:
                graph.add_edge(p, i, values=[v])
    return graph
