"""P2, orchestration overhead: per-op cost of running 1000 no-op ops.

    python -m bench.overhead [--ops 1000] [--repeats 5] [--no-ray] [--out bench/results/overhead.json]
    python -m bench.overhead --compare-ref REV [--rounds 3] [--no-ray] ...   before (REV) and after, one run

The graph is `random-1000` (bench/workloads) with every latency set to 0: each op
does nothing, so the time per op is what the orchestrator costs. Side by side, in
this one process, median of `--repeats` after a warm-up; the floor and skc's rows
are sampled in turn (one sample of each row per repeat, not all of one row's samples
then the next row's), so that a change in the machine's load between rows does not
skew the ratios to the floor; LangGraph is measured after them:

    asyncio.gather waves   the floor: raw coroutines gathered wave by wave
    skc scheduler          skc's scheduler on the local engine, no journal and no trace file
    skc run (local)        `skc.runtime.api.run`: journal, trace, result files (the no-op ops are
                           replayable: their journal records wait for no fsync, docs/runtime.md)
    skc run (tmpfs)        the same with the run folder on /dev/shm (when there is one): writes
                           and fsyncs cost nothing there, so this row is skc's own per-op work and
                           the difference to the row above is the disk
    LangGraph              the same DAG as a LangGraph StateGraph (join edges for ops with
                           several predecessors), async no-op nodes, `ainvoke`
    skc run (Ray)          `run(..., engine=RayEngine())`, every op a Ray task; Ray's start-up
                           (`ray.init`, 2 CPUs) is timed once and reported apart

Reported: seconds per run, microseconds per op, the ratio to the floor, and how many
times skc run's per-op cost LangGraph's is; and where skc spends its time: one extra
run of "skc scheduler" and one of "skc run (tmpfs)" under cProfile, their top
functions by own time (the profiler slows them; only the shares are read).

`--compare-ref REV` runs this benchmark on the tree of git revision REV and on the
working tree, interleaved round by round in this one invocation (`bench.ab`: REV is
unpacked to a temporary folder and imported as skc in its own process), and prints
both sides' rows side by side: the before/after of a change, under the same load.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import logging
import os
import pstats
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Annotated, Any, TypedDict

from bench import publish
from bench.workloads import Dag, random_dag
from bench.workloads.run import asyncio_waves, median_time, skc_run, skc_scheduler

RESULTS = Path(__file__).resolve().parent / "results" / "overhead.json"


def merge(a: dict[int, str], b: dict[int, str]) -> dict[int, str]:
    """LangGraph's reducer for the results: in place, so no O(n^2) copying is charged to it."""
    a.update(b)
    return a


class GraphState(TypedDict):
    """The LangGraph state: every op's result by op index."""

    done: Annotated[dict[int, str], merge]


def langgraph_runner(dag: Dag) -> tuple[Any, float] | str:
    """(a function timing one `ainvoke` of the DAG as a LangGraph graph, compile seconds),
    or why LangGraph cannot run here."""
    try:
        from importlib.metadata import version

        from langgraph.graph import END, START, StateGraph
    except ImportError as e:
        return f"langgraph is not installed ({e}); pip install 'skc[bench]'"

    def node(i: int) -> Any:
        preds = dag.preds[i]

        async def fn(state: GraphState) -> dict[str, dict[int, str]]:
            _ = [state["done"][p] for p in preds]
            return {"done": {i: f"op{i}"}}
        return fn

    started = time.perf_counter()
    builder = StateGraph(GraphState)
    for i in range(dag.n):
        builder.add_node(f"n{i}", node(i))
    for i, ps in enumerate(dag.preds):
        if not ps:
            builder.add_edge(START, f"n{i}")
        elif len(ps) == 1:
            builder.add_edge(f"n{ps[0]}", f"n{i}")
        else:
            builder.add_edge([f"n{p}" for p in ps], f"n{i}")
    for i in dag.sinks():
        builder.add_edge(f"n{i}", END)
    graph = builder.compile()
    compile_s = time.perf_counter() - started

    def once() -> float:
        started = time.perf_counter()
        out = asyncio.run(graph.ainvoke({"done": {}}, {"recursion_limit": dag.n + 10}))
        elapsed = time.perf_counter() - started
        if len(out["done"]) != dag.n:
            raise RuntimeError(f"LangGraph ran {len(out['done'])} of {dag.n} nodes")
        return elapsed

    once.version = version("langgraph")  # type: ignore[attr-defined]
    return once, compile_s


def ray_rows(dag: Dag, repeats: int) -> dict[str, Any]:
    """skc on the Ray engine: start-up timed apart, then the runs on the warm cluster."""
    try:
        import ray

        from skc.runtime.engines.ray_engine import RayEngine
    except ImportError as e:
        return {"skipped": f"ray is not installed ({e})"}
    started = time.perf_counter()
    ray.init(num_cpus=2, include_dashboard=False, logging_level=logging.ERROR, log_to_driver=False)
    startup = time.perf_counter() - started
    try:
        median, samples = median_time(lambda: skc_run(dag, engine=RayEngine()), repeats)
    finally:
        ray.shutdown()
    return {"startup_s": startup, "median_s": median, "samples_s": samples}


def skc_run_in(dag: Dag, folder: str) -> float:
    """`skc_run` with its run folder under `folder` (removed afterwards)."""
    root = tempfile.mkdtemp(prefix="skc-bench-", dir=folder)
    try:
        return skc_run(dag, runs_dir=root)
    finally:
        shutil.rmtree(root, ignore_errors=True)


def profile_scheduler(dag: Dag, top: int = 4) -> list[dict[str, Any]]:
    """The scheduler's top functions by own time in one profiled run, with their share of the total."""
    return profile(lambda: skc_scheduler(dag), top)


def profile_run(dag: Dag, top: int = 6) -> list[dict[str, Any]]:
    """The same for one whole `skc run` (preparing it, too) with its run folder on tmpfs, else /tmp."""
    folder = "/dev/shm" if Path("/dev/shm").is_dir() else tempfile.gettempdir()
    return profile(lambda: skc_run_in(dag, folder), top)


def profile(fn: Any, top: int) -> list[dict[str, Any]]:
    """`fn`'s top functions by own time in one profiled call, with their share of the total."""
    prof = cProfile.Profile()
    prof.enable()
    fn()
    prof.disable()
    stats = pstats.Stats(prof).stats  # type: ignore[attr-defined]
    total = sum(v[2] for v in stats.values()) or 1.0
    rows = sorted(((v[2], k) for k, v in stats.items()), reverse=True)[:top]
    root = str(Path(__file__).resolve().parent.parent) + "/"
    return [{"function": f"{k[0].replace(root, '')}:{k[1]}({k[2]})", "share": t / total} for t, k in rows]


def run(n_ops: int = 1000, repeats: int = 5, with_ray: bool = True, with_langgraph: bool = True) -> dict[str, Any]:
    dag = random_dag(n_ops).with_latency(0.0, f"random-{n_ops}-noop")
    rows: dict[str, dict[str, Any]] = {}

    timed: dict[str, Any] = {"asyncio.gather waves": lambda: asyncio_waves(dag),
                             "skc scheduler": lambda: skc_scheduler(dag),
                             "skc run (local)": lambda: skc_run(dag)}
    if Path("/dev/shm").is_dir():
        timed["skc run (tmpfs)"] = lambda: skc_run_in(dag, "/dev/shm")
    for name, row in interleaved(timed, repeats).items():
        rows[name] = row
        print(f"  {name:24} {row['median_s'] * 1e6 / dag.n:9.1f} us/op", file=sys.stderr, flush=True)
    sched_profile, run_profile = profile_scheduler(dag), profile_run(dag)
    # LangGraph last, on its own: skc's rows run without its imports, its graph of 1000 nodes
    # and its runs' garbage in the heap (as they did before the rows were interleaved)
    lg = langgraph_runner(dag) if with_langgraph else "not requested (--no-langgraph)"
    if isinstance(lg, str):
        rows["LangGraph"] = {"skipped": lg}
    else:
        rows["LangGraph"] = dict(zip(("median_s", "samples_s"), median_time(lg[0], repeats), strict=True),
                                 compile_s=lg[1], version=lg[0].version)
    if with_ray:
        rows["skc run (Ray)"] = ray_rows(dag, max(1, min(repeats, 3)))
    else:
        rows["skc run (Ray)"] = {"skipped": "not requested (--no-ray)"}
    floor = rows["asyncio.gather waves"]["median_s"]
    for row in rows.values():
        if "median_s" in row:
            row["us_per_op"] = row["median_s"] * 1e6 / dag.n
            row["x_floor"] = row["median_s"] / floor if floor else None
    if "median_s" in rows["LangGraph"]:  # how many times skc run's per-op cost LangGraph's is
        rows["LangGraph"]["x_skc_run"] = rows["LangGraph"]["median_s"] / rows["skc run (local)"]["median_s"]
    return {"benchmark": "overhead", "workload": dag.name, "ops": dag.n, "edges": dag.edges,
            "depth": dag.depth(), "repeats": repeats, "rows": rows,
            "scheduler_profile": sched_profile, "run_profile": run_profile, "load_average": _load()}


def interleaved(timed: dict[str, Any], repeats: int) -> dict[str, dict[str, Any]]:
    """Each row's median and samples: every function warmed up once, then called `repeats`
    times in turn (one sample of each per round), so that each row sees the same load."""
    for fn in timed.values():
        fn()
    samples: dict[str, list[float]] = {name: [] for name in timed}
    for _ in range(max(1, repeats)):
        for name, fn in timed.items():
            samples[name].append(fn())
    return {name: {"median_s": statistics.median(got), "samples_s": got} for name, got in samples.items()}


def _load() -> list[float] | None:
    """The 1, 5 and 15 minute load averages when the benchmark ended (what else the machine ran)."""
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return None


def table(res: dict[str, Any]) -> str:
    lines = [f"overhead: {res['ops']} no-op ops ({res['workload']}, {res['edges']} edges, depth {res['depth']}), "
             f"median of {res['repeats']}"]
    for name, row in res["rows"].items():
        if "skipped" in row:
            lines.append(f"  {name:24} skipped: {row['skipped']}")
            continue
        extra = f"  (start-up {row['startup_s']:.2f} s, not included)" if "startup_s" in row else ""
        if "x_skc_run" in row:
            extra += f"  ({row['x_skc_run']:.1f}x skc run's)"
        lines.append(f"  {name:24} {row['median_s']:8.4f} s  {row['us_per_op']:9.1f} us/op  "
                     f"x{row['x_floor']:.1f} the floor{extra}")
    for key, what in (("scheduler_profile", "skc scheduler"), ("run_profile", "skc run (tmpfs)")):
        if res.get(key):
            lines.append(f"  profile, {what}: " + "; ".join(f"{p['function']} {p['share']:.0%}" for p in res[key]))
    if res.get("load_average"):
        lines.append("  load average: " + " ".join(f"{x:.2f}" for x in res["load_average"]))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.overhead", description=__doc__.splitlines()[0])
    parser.add_argument("--ops", type=int, default=1000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--no-ray", action="store_true")
    parser.add_argument("--no-langgraph", action="store_true")
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument("--compare-ref", metavar="REV", help="run REV's tree and this one, interleaved (bench.ab)")
    parser.add_argument("--rounds", type=int, default=3, help="with --compare-ref: rounds per side")
    args = parser.parse_args(argv)
    if args.compare_ref:
        from bench import ab

        passed = ["--ops", str(args.ops), "--repeats", str(args.repeats)] + \
            (["--no-ray"] if args.no_ray else []) + (["--no-langgraph"] if args.no_langgraph else [])
        return ab.main(["--base", args.compare_ref, "--rounds", str(args.rounds), "overhead", *passed])
    res = run(args.ops, args.repeats, not args.no_ray, not args.no_langgraph)
    return publish(res, table(res), args.out)


if __name__ == "__main__":
    sys.exit(main())
