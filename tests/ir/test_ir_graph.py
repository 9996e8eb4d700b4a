"""The networkx view: nodes are a workflow's top-level ops, edges its data dependencies."""

from __future__ import annotations

from pathlib import Path

import networkx as nx

from skc.ir import (
    BOOL,
    JSON,
    NUM,
    TEXT,
    InsertionPoint,
    calc,
    ctrl,
    data,
    llm,
    parse_module,
    to_networkx,
    tool,
    workflow,
)

ROOT = Path(__file__).resolve().parents[2]


def names(graph: nx.DiGraph) -> dict[int, str]:
    return {n: graph.nodes[n]["op"].op_name for n in graph.nodes}


def test_nodes_are_the_top_level_ops_in_order() -> None:
    wf = workflow("w", {"ns": TEXT})
    with InsertionPoint(wf.body):
        pods = tool.shell(["kubectl", "get", "pods", "-n", "{0}"], wf.arg("ns"), effects=["read:k8s"])
        ctrl.return_(data.count(pods))
    graph = to_networkx(wf)
    assert names(graph) == {0: "tool.shell", 1: "data.count", 2: "ctrl.return"}
    assert all(graph.nodes[i]["op"] is op for i, op in enumerate(wf.body.ops))
    assert all(graph.nodes[i]["name"] == op.op_name for i, op in enumerate(wf.body.ops))


def test_edges_go_from_producer_to_consumer_carrying_the_values() -> None:
    wf = workflow("w", {"a": NUM, "b": NUM})
    with InsertionPoint(wf.body):
        total = calc.add(wf.arg("a"), wf.arg("b"))       # 0
        double = calc.add(total, total)                    # 1
        ratio = calc.div(double, total)                    # 2
        ctrl.return_(ratio)                                # 3
    graph = to_networkx(wf)
    assert set(graph.edges) == {(0, 1), (0, 2), (1, 2), (2, 3)}
    assert graph.edges[0, 1]["values"] == [total]
    assert graph.edges[1, 2]["values"] == [double]


def test_workflow_inputs_are_not_nodes_and_independent_ops_are_unordered() -> None:
    wf = workflow("w", {"ns": TEXT})
    with InsertionPoint(wf.body):
        a = tool.shell(["oc", "get", "pods", "-n", "{0}"], wf.arg("ns"), effects=["read:k8s"])
        b = tool.shell(["oc", "get", "events", "-n", "{0}"], wf.arg("ns"), effects=["read:k8s"])
        ctrl.return_(a, b)
    graph = to_networkx(wf)
    assert graph.number_of_nodes() == 3
    assert set(graph.edges) == {(0, 2), (1, 2)}
    assert [sorted(level) for level in nx.topological_generations(graph)] == [[0, 1], [2]]


def test_uses_inside_regions_count_for_the_enclosing_op() -> None:
    wf = workflow("w", {"ns": TEXT, "thr": NUM})
    with InsertionPoint(wf.body):
        pods = tool.shell(["oc", "get", "pods"], effects=["read:k8s"], result=JSON)   # 0
        n = data.count(pods)                                                           # 1
        hot = calc.cmp("gt", n, wf.arg("thr"))                                         # 2
        branch = ctrl.if_(hot, [TEXT])                                                 # 3
        with InsertionPoint(branch.then_block):
            ctrl.yield_(llm.decide("Down?", ["yes", "no"], pods))
        with InsertionPoint(branch.else_block):
            ctrl.yield_(data.const("ok"))
        per_pod = ctrl.map_(pods)                                                      # 4
        with InsertionPoint(per_pod.body):
            ctrl.yield_(data.template("{0} of {1}", per_pod.body.args[0], branch.result))
        ctrl.return_(per_pod.result)                                                   # 5
    graph = to_networkx(wf)
    assert graph.number_of_nodes() == 6
    assert set(graph.edges) == {(0, 1), (1, 2), (2, 3), (0, 3), (0, 4), (3, 4), (4, 5)}
    assert nx.is_directed_acyclic_graph(graph)
    assert nx.dag_longest_path(graph) == [0, 1, 2, 3, 4, 5]


def test_each_result_of_a_multi_result_op_gives_its_own_edges() -> None:
    text = (ROOT / "tests" / "golden" / "ir" / "ctrl_retry.mlir").read_text(encoding="utf-8")
    (wf,) = parse_module(text).workflows
    graph = to_networkx(wf)
    restart = wf.body.ops[1]
    # %journal (2) waits on the retry's token %restart#1; the return (3) takes %restart#0.
    assert names(graph) == {0: "ctrl.retry", 1: "ctrl.retry", 2: "tool.shell", 3: "ctrl.return"}
    assert set(graph.edges) == {(1, 2), (0, 3), (1, 3), (2, 3)}
    assert graph.edges[1, 2]["values"] == [restart.results[1]]
    assert graph.edges[1, 3]["values"] == [restart.results[0]]


def test_each_value_is_listed_once_per_edge() -> None:
    wf = workflow("w", {"c": BOOL})
    with InsertionPoint(wf.body):
        flag = calc.not_(wf.arg("c"))
        ctrl.return_(calc.and_(flag, flag))
    graph = to_networkx(wf)
    assert graph.edges[0, 1]["values"] == [flag]


def test_every_golden_workflow_is_a_dag_ending_in_its_return() -> None:
    for path in sorted((ROOT / "tests" / "golden" / "ir").glob("*.mlir")):
        for wf in parse_module(path.read_text(encoding="utf-8")).workflows:
            graph = to_networkx(wf)
            assert nx.is_directed_acyclic_graph(graph), path.name
            last = len(wf.body.ops) - 1
            assert graph.nodes[last]["name"] == "ctrl.return"
            assert graph.out_degree(last) == 0
