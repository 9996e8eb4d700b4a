"""IR throughput: build, print, parse and verify a 10,000-op module, in ops per second.

    python -m bench.ir [--ops 10000] [--repeats 5] [--out bench/results/ir.json]

The module is built through the snake_case builders from a runbook-shaped block
(a shell step, JSON queries, a threshold, a `ctrl.if` with an `llm.decide`, a
`ctrl.map` over the items, a write with an ordering token) repeated until it
holds the requested number of ops, nested ops included. Each stage is run once
to warm up, then `--repeats` times; the table shows the median. As a baseline,
the same text is parsed and printed by upstream MLIR (C++, through its Python
bindings) when they are installed.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench import median_seconds
from skc.ir import (
    NUM,
    TABLE,
    TEXT,
    InsertionPoint,
    Location,
    Module,
    Value,
    calc,
    ctrl,
    data,
    llm,
    parse_module,
    print_module,
    tool,
    verify,
    workflow,
)

RESULTS = Path(__file__).resolve().parent / "results" / "ir.json"


def _step(ns: Value, thr: Value, previous: Value, i: int) -> Value:
    """One runbook-shaped step of 19 ops (nested ones included); returns its summary."""
    loc = Location("runbooks/Bench.md", i + 1, 1)
    pods = tool.shell(["oc", "get", "pods", "-n", "{0}", "-l", f"app=svc-{i}"], ns,
                      effects=["read:k8s"], result=TABLE, loc=loc, name="pods")
    down = data.json_get(pods, "$.items[?(@.status.phase != 'Running')]", loc=loc, name="down")
    hot = calc.cmp("gt", data.count(down), thr, loc=loc)
    branch = ctrl.if_(hot, [TEXT], loc=loc)
    with InsertionPoint(branch.then_block):
        ctrl.yield_(llm.decide("Why are the pods down? « Ünïcödé » \"quoted\"",
                               ["image-pull", "oom", "crash"], pods, previous))
    with InsertionPoint(branch.else_block):
        ctrl.yield_(data.const("healthy"))
    per_pod = ctrl.map_(down, max_parallel=8, loc=loc)
    with InsertionPoint(per_pod.body):
        name = data.json_get(per_pod.body.args[0], "$.metadata.name", TEXT)
        ctrl.yield_(data.template("{0}: {1}", name, branch.result))
    ratio = calc.div(data.count(per_pod.result), data.const(2.5, NUM))
    tool.file_write(f"/tmp/bench/{i}.txt", data.concat(branch.result, sep="\n"), loc=loc)
    return data.template("{0} ({1})", branch.result, ratio, name="summary")


def build_module(n_ops: int) -> Module:
    """A one-workflow module of about `n_ops` ops (never fewer), built through the builders."""
    wf = workflow("bench", {"ns": TEXT, "thr": NUM}, loc=Location("runbooks/Bench.md", 1, 1))
    with InsertionPoint(wf.body):
        ns, thr = wf.inputs
        last: Value = data.const("start", TEXT)
        count, i = 3, 0  # the workflow, the first const and the return
        while count < n_ops:
            last = _step(ns, thr, last, i)
            count, i = count + 19, i + 1
        ctrl.return_(last)
    return Module([wf])


def _upstream() -> tuple[Callable[[str], Any], Callable[[Any], str]] | None:
    try:
        from mlir.ir import Context
        from mlir.ir import Module as MlirModule
    except ImportError:
        return None
    ctx = Context()
    ctx.allow_unregistered_dialects = True
    return (lambda text: MlirModule.parse(text, ctx)), str


def run(n_ops: int = 10_000, repeats: int = 5) -> dict[str, Any]:
    module = build_module(n_ops)
    ops = sum(1 for _ in module.walk())
    text = print_module(module)
    parsed = parse_module(text)
    if print_module(parsed) != text or not parsed.structurally_equal(module):
        raise RuntimeError("print -> parse -> print is not the identity on the benchmark module")
    if verify(parsed):
        raise RuntimeError("the benchmark module does not verify")

    stages: dict[str, float] = {
        "build (builders)": median_seconds(lambda: build_module(n_ops), repeats),
        "print": median_seconds(lambda: print_module(module), repeats),
        "parse": median_seconds(lambda: parse_module(text), repeats),
        "verify": median_seconds(lambda: verify(parsed), repeats),
    }
    upstream = _upstream()
    if upstream is not None:
        mlir_parse, mlir_print = upstream
        mlir_module = mlir_parse(text)
        stages["upstream MLIR parse (baseline)"] = median_seconds(lambda: mlir_parse(text), repeats)
        stages["upstream MLIR print (baseline)"] = median_seconds(lambda: mlir_print(mlir_module), repeats)
    return {
        "benchmark": "ir",
        "ops": ops,
        "text_bytes": len(text.encode("utf-8")),
        "repeats": repeats,
        "statistic": "median after one warm-up",
        "python": platform.python_version(),
        "machine": f"{platform.system()} {platform.machine()}",
        "stages": {name: {"seconds": round(s, 6), "ops_per_s": round(ops / s)} for name, s in stages.items()},
    }


def table(result: dict[str, Any]) -> str:
    rows = [f"IR benchmark: {result['ops']} ops, {result['text_bytes']:,} bytes of text, "
            f"median of {result['repeats']}",
            f"{'stage':<32}{'seconds':>10}{'ops/s':>14}"]
    for name, s in result["stages"].items():
        rows.append(f"{name:<32}{s['seconds']:>10.4f}{s['ops_per_s']:>14,}")
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.ir", description=__doc__.splitlines()[0])
    parser.add_argument("--ops", type=int, default=10_000, help="ops in the module (default 10000)")
    parser.add_argument("--repeats", type=int, default=5, help="timed repeats per stage (default 5)")
    parser.add_argument("--out", type=Path, default=RESULTS, help="where to write the JSON results")
    args = parser.parse_args(argv)
    result = run(args.ops, args.repeats)
    print(table(result))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
