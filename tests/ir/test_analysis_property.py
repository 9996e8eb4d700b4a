"""One dependency model: the compiler's schedule and the runtime's graph are the same graph.

Random blocks (tool ops with colliding effects, impure ops that declare none,
data uses nested in regions, `ctrl.if`s that may exit early, fallback steps on
standby) are analysed three ways: by the concurrency pass (`analyse_block`, what
`skc ir explain` reports), by the scheduler (`Scheduler.graph`, what `skc run`
follows), and by a pairwise reference written here from the rules' definition.
All three must give every op the same predecessors, and the levels the pass
records must be the longest paths of that graph.
"""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from skc.compiler.cost import CostModel
from skc.compiler.schedule import analyse_block
from skc.ir.core import Block, Op, Region, Value
from skc.ir.dialects.ctrl import IfOp, ReturnOp, YieldOp
from skc.ir.dialects.data import ConstOp
from skc.ir.dialects.skc import WorkflowOp
from skc.ir.dialects.tool import ShellOp
from skc.ir.effects import Effect, parse_effects
from skc.ir.types import BOOL, TEXT
from skc.runtime.engines.local import LocalEngine
from skc.runtime.permissions import policy_for
from skc.runtime.scheduler import Scheduler
from skc.runtime.trace import TraceWriter

RESOURCES = ["k8s", "db:a", "*", "fs:/tmp", "fs:/tmp/a", "fs:/tmp/ab", "fs:/var"]
effect_st = st.builds(lambda m, r: f"{m}:{r}", st.sampled_from(["read", "write", "net"]),
                      st.sampled_from(RESOURCES))
# None: an impure op that declares no effects (the analysis counts it as write:*)
effects_st = st.one_of(st.none(), st.just(["pure"]), st.lists(effect_st, min_size=1, max_size=2))

# kind, effects, which earlier values it uses (indices mod the values so far), its step/fallback
op_st = st.tuples(st.sampled_from(["shell", "shell", "const", "if", "if-exit"]), effects_st,
                  st.lists(st.integers(0, 50), max_size=2), st.integers(0, 5), st.integers(-1, 5))


def shell(args: list[Value], effects: list[str] | None, step: int, fallback: int) -> ShellOp:
    attrs: dict = {"argv": ["true"]}
    if effects is not None:
        attrs["effects"] = effects
    if step:
        attrs["step"] = f"s{step}"
    if fallback >= 1:
        attrs["fallback"] = f"s{fallback}"
    return ShellOp(args, [TEXT], attrs)


def build(spec: list[tuple], returns: bool) -> Block:
    block = Block([TEXT, BOOL], ["x", "c"])
    values: list[Value] = list(block.args)
    cond = block.args[1]
    for kind, effects, uses, step, fallback in spec:
        args = [values[u % len(values)] for u in uses]
        if kind == "const":
            op: Op = ConstOp([], [TEXT], {"value": "v"})
        elif kind == "shell":
            op = shell(args, effects, step, fallback)
        else:  # a branch whose then-region runs a nested op on the uses, and maybe returns
            then, other = Block(), Block()
            inner = then.append(shell(args, effects, 0, -1))
            if kind == "if-exit":
                then.append(ReturnOp([inner.results[0]], [], {"status": "stop"}))
            else:
                then.append(YieldOp([inner.results[0]], []))
            other.append(YieldOp([values[0]], []))
            op = IfOp([cond], [TEXT], {}, [Region([then]), Region([other])])
        block.append(op)
        values.extend(op.results)
    block.append(ReturnOp([values[-1]] if returns else [], []))
    return block


def reference(block: Block) -> list[set[int]]:
    """The rules, pair by pair: data uses, effect conflicts, early exits, standby fallbacks."""
    ops = block.ops
    made = {id(r): i for i, op in enumerate(ops) for inner in op.walk() for r in inner.results}
    data = [{made[id(v)] for inner in op.walk() for v in inner.operands if id(v) in made} - {i}
            for i, op in enumerate(ops)]

    def effects(op: Op) -> list[Effect]:
        out: list[Effect] = []
        for inner in op.walk():
            declared = inner.attributes.get("effects")
            if isinstance(declared, list):
                out += parse_effects(declared)[0]
            elif not inner.pure:
                out.append(Effect("write", "*"))
        return out

    eff = [effects(op) for op in ops]
    exits = [bool(op.regions) and any(isinstance(x, ReturnOp) for x in op.walk()) for op in ops]
    steps: dict[str, int] = {}  # a fallback names a step's last op that is not itself a primary
    for i, op in enumerate(ops):
        if "step" in op.attributes and "fallback" not in op.attributes:
            steps[str(op.attributes["step"])] = i
    named = {steps[f] for op in ops if (f := op.attributes.get("fallback")) in steps}
    used = {p for i, op in enumerate(ops) if not op.terminator for p in data[i]}
    standby = named - used
    preds: list[set[int]] = []
    for i, op in enumerate(ops):
        if op.terminator:
            preds.append(data[i] - standby)
            continue
        found = set(data[i])
        for j in range(i):
            if j in standby:
                continue
            if any(a.conflicts(b) for a in eff[j] for b in eff[i]) or (
                    exits[j] and any(e.writes for e in eff[i])):
                found.add(j)
        preds.append(found)
    return preds


def runtime_preds(block: Block) -> list[set[int]]:
    wf = WorkflowOp([], [], {"sym_name": "w"}, [Region([block])])
    sched = Scheduler(wf, run_id="t", engine=LocalEngine(), trace=TraceWriter(None, "t"), journal=None,
                      policy=policy_for(None), workdir=Path.cwd())
    return sched.graph(block).preds


@settings(max_examples=300, deadline=None)
@given(st.lists(op_st, max_size=14), st.booleans())
def test_compile_time_schedule_and_runtime_graph_are_one_graph(spec: list[tuple], returns: bool) -> None:
    block = build(spec, returns)
    run = runtime_preds(block)
    assert run == reference(block)
    sched = analyse_block(block, CostModel())
    kept = [i for i, op in enumerate(block.ops) if not op.terminator]
    assert [{kept[p] for p in ps} for ps in sched.preds] == [run[i] for i in kept]
    for j, ps in enumerate(sched.preds):  # levels are the graph's longest paths
        assert sched.level[j] == max((sched.level[p] + 1 for p in ps), default=0)
    for (a, b), why in sched.effect_edges.items():  # every reported ordering is an edge of the graph
        assert kept[a] in run[kept[b]]
        assert why
