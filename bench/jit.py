"""JIT solidification on the example runbook: solidified ops vs the embedded model, and run 1 vs run 5.

    .venv/bin/python -m bench.jit            # writes bench/results/jit.json, prints a markdown table
    .venv/bin/python -m bench.jit --quick    # fewer repeats

Everything runs in one process on the embedded model (Gemma 3 270M), on the
checkout-latency bundle compiled from examples/runbooks/checkout-latency.mlir and
the seeded incident database. The model is loaded (and warmed up) before anything
is timed. Each repeat takes a fresh bundle through two sequences of runs:

    jit        6 runs, no recompile: runs 1-4 ask the model (the 4th promotes),
               later runs are answered by the JIT's program in process
    recompile  6 runs with `recompile=True`: the 4th run promotes and writes the
               ops back, later runs execute the bundle's guarded code regions

Per llm step, from the scheduler's own op timings (`op_end.duration_s`, median
over all repeats): the model's answer, the JIT's in-process answer, and the
bundle's code region; plus each step's op called directly (the LLM target vs the
candidate under its guard, median of repeated calls on the same inputs).
End to end: median duration of run 1 and of run 5 of each sequence.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import json
import platform
import shutil
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "examples" / "runbooks"
OUT = Path(__file__).resolve().parent / "results" / "jit.json"
INPUTS = {"service": "checkout", "since": "2024-05-14 14:00:00"}
STEPS = ("Step 9",)  # the llm step; step 8 (the mitigation) is code in the runbook
RUNS = 6


def _incident_db(path: Path) -> Path:
    spec = importlib.util.spec_from_file_location("make_incident_db", EXAMPLE / "make_incident_db.py")
    assert spec is not None
    assert spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod.build(path)  # type: ignore[no-any-return]


def _bundle(folder: Path) -> Path:
    from skc.compiler.driver import compile_path

    result = compile_path(EXAMPLE / "checkout-latency.mlir", output=folder / "checkout-latency.skb")
    assert result.ok, result.diagnostics
    assert result.output is not None
    return result.output


def _timings(run_dir: Path) -> dict[str, tuple[str, float]]:
    """Per llm step: who answered (llm, jit, bundle) and the op's duration in the trace."""
    out: dict[str, tuple[str, float]] = {}
    for line in (run_dir / "trace.jsonl").read_text().splitlines():
        e = json.loads(line)
        if e.get("event") != "op_end" or e.get("step") not in STEPS:
            continue
        if e["name"].startswith("llm."):
            out[e["step"]] = ("jit" if e.get("solidified") else "llm", float(e["duration_s"]))
        elif e["name"] == "ctrl.retry" and e.get("solidified"):
            out[e["step"]] = ("bundle", float(e["duration_s"]))
    return out


def _sequence(folder: Path, db: Path, recompile: bool) -> tuple[list[float], list[dict[str, tuple[str, float]]]]:
    from skc.runtime.api import run

    bundle = _bundle(folder)
    durations, per_op = [], []
    for _ in range(RUNS):
        result = run(str(bundle), INPUTS, db={"incidents": str(db)}, runs_dir=folder / "runs", recompile=recompile)
        assert result.status == "ok", result.error
        assert result.run_dir is not None
        durations.append(result.duration_s)
        per_op.append(_timings(result.run_dir))
    return durations, per_op


def _direct(bundle: Path, db: Path, repeats: int) -> dict[str, dict[str, Any]]:
    """Each promoted step's op called directly: the LLM target vs the candidate under its guard."""
    from skc.compiler.bundle import read_bundle
    from skc.runtime.jit import JitManager, ProfileStore, op_key
    from skc.runtime.jit.guard import guarded
    from skc.runtime.targets.base import ExecContext
    from skc.runtime.targets.llm import LLMTarget

    module = read_bundle(bundle).module
    store = ProfileStore.for_bundle(bundle)
    jit = JitManager(store)
    promoted = jit.promoted()
    target = LLMTarget()
    out: dict[str, dict[str, Any]] = {}
    for op in module.workflow().walk():
        key = op_key(op) if op.op_name.startswith("llm.") else None
        if key not in promoted:
            continue
        cand = promoted[key]
        args = store.pairs(key, 1)[-1].inputs
        ctx = ExecContext("bench", bundle.parent, options={"db": {"incidents": str(db)}})
        llm = []
        for _ in range(repeats):
            start = time.perf_counter()
            asyncio.run(target.execute(op, args, ctx))
            llm.append(time.perf_counter() - start)
        code = []
        for _ in range(max(50, repeats * 10)):
            start = time.perf_counter()
            outcome = guarded(op, jit.sandbox.run(cand, args, jit.config.timeout_s))
            code.append(time.perf_counter() - start)
            assert outcome.ok, outcome.error
        llm_s, code_s = statistics.median(llm), statistics.median(code)
        out[str(op.attributes.get("step"))] = {"op": op.op_name, "kind": cand.kind, "llm_s": llm_s,
                                               "code_s": code_s, "ratio": llm_s / code_s}
    jit.close()
    store.close()
    return out


def _median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


def run_bench(repeats: int) -> dict[str, Any]:
    from skc.runtime.api import run

    work = Path(tempfile.mkdtemp(prefix="skc-bench-jit-"))
    try:
        db = _incident_db(work / "incidents.db")
        warm = _bundle(work / "warm")
        run(str(warm), INPUTS, db={"incidents": str(db)}, runs_dir=work / "warm" / "runs", options={"jit": False})
        seqs: dict[str, list[list[float]]] = {"jit": [], "recompile": []}
        ops: dict[str, dict[str, list[float]]] = {s: {"llm": [], "jit": [], "bundle": []} for s in STEPS}
        answered: dict[str, list[list[str]]] = {"jit": [], "recompile": []}
        last_bundle = warm
        for r in range(repeats):
            for name in seqs:
                folder = work / f"{name}-{r}"
                durations, per_op = _sequence(folder, db, name == "recompile")
                seqs[name].append(durations)
                answered[name].append([",".join(f"{s}:{per.get(s, ('-', 0))[0]}" for s in STEPS) for per in per_op])
                for per in per_op:
                    for step, (who, secs) in per.items():
                        ops[step][who].append(secs)
                last_bundle = folder / "checkout-latency.skb"
        direct = _direct(last_bundle, db, repeats=max(5, repeats * 3))
        e2e = {name: {f"run{i + 1}_s": statistics.median(d[i] for d in runs) for i in range(RUNS)}
               for name, runs in seqs.items()}
        steps = {}
        for step, by in ops.items():
            llm, jit_s, bundle_s = _median(by["llm"]), _median(by["jit"]), _median(by["bundle"])
            steps[step] = {"llm_s": llm, "jit_s": jit_s, "bundle_s": bundle_s, "samples": {k: len(v) for k, v in by.items()},
                           "llm_over_jit": llm / jit_s if llm and jit_s else None,
                           "llm_over_bundle": llm / bundle_s if llm and bundle_s else None}
        return {"machine": {"python": platform.python_version(), "cpu": platform.processor() or platform.machine()},
                "model": "gemma-3-270m Q4_K_M (embedded)", "repeats": repeats, "runs_per_sequence": RUNS,
                "steps_in_trace": steps, "direct": direct, "end_to_end": e2e, "answered_by": answered}
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _ms(x: float | None) -> str:
    return "-" if x is None else f"{x * 1000:.3g} ms" if x < 1 else f"{x:.2f} s"


def _x(x: float | None) -> str:
    return "-" if x is None else f"{x:,.0f}×" if x >= 10 else f"{x:.1f}×"


def table(result: dict[str, Any]) -> str:
    lines = ["| step | op (candidate) | LLM | JIT in process | ratio | bundle code region | ratio | "
             "direct: LLM target | direct: candidate + guard | ratio |",
             "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for step, s in result["steps_in_trace"].items():
        d = result["direct"].get(step, {})
        lines.append(f"| {step} | {d.get('op', '?')} ({d.get('kind', 'not promoted')}) | {_ms(s['llm_s'])} | "
                     f"{_ms(s['jit_s'])} | {_x(s['llm_over_jit'])} | {_ms(s['bundle_s'])} | {_x(s['llm_over_bundle'])} | "
                     f"{_ms(d.get('llm_s'))} | {_ms(d.get('code_s'))} | {_x(d.get('ratio'))} |")
    lines += ["", "| sequence | run 1 | run 2 | run 3 | run 4 | run 5 | run 6 | run 1 / run 5 |",
              "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for name, e in result["end_to_end"].items():
        runs = [e[f"run{i + 1}_s"] for i in range(RUNS)]
        lines.append(f"| {name} | " + " | ".join(_ms(v) for v in runs) + f" | {_x(runs[0] / runs[4])} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one repeat instead of three")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    started = time.perf_counter()
    result = run_bench(1 if args.quick else 3)
    result["bench_s"] = round(time.perf_counter() - started, 1)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(table(result))
    print(f"\n(bench took {result['bench_s']} s; {args.out})")


if __name__ == "__main__":
    main()
