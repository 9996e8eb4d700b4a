"""Compile throughput over the corpus: files per second per core, and how many compile cleanly.

    python -m bench.compile [--corpus ../shared/corpus] [--repeats 3] [--clock wall|cpu] [--out bench/results/compile.json]
    python -m bench.compile --compare-ref REV [--rounds 3] [--clock cpu]    # before/after, one run

Every source of the corpus (each SKILL.md folder, each runbook .md) goes through
`compile_path` with the default pipeline and an in-memory bundle (nothing is
written). The first round warms up and classifies each file: clean (no
diagnostics), warnings only, errors (no bundle), or crashed (an uncaught
exception: a bug, listed and failing the benchmark with exit code 1). Then the
whole corpus is compiled `--repeats` times in this one process, each round from cleared
caches (`clear_caches`: no answer remembered from an earlier round); the median
round gives files per second per core (one process = one core), overall and per
kind (skill, tsg). `--clock cpu` times rounds by the process's CPU time instead of
the wall clock: on a shared, loaded machine that is the closer measure of one core.

`--compare-ref REV` measures the tree at git revision REV (unpacked by `git archive`
into a temporary folder, imported in place of the working tree's skc, see
`bench.ab.baseline_tree`) and the working tree with this same file, in alternating
subprocesses (`--rounds` each, so both see the same load), and prints both sides'
median rounds side by side with their ratio.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import time
import traceback
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from skc import __version__
from skc.compiler.driver import compile_path, discover_sources
from skc.compiler.frontend import kind_of
from skc.compiler.passes import DEFAULT_PIPELINE
from skc.ir.location import errors

CORPUS = (Path(__file__).resolve().parents[1] / ".." / "shared" / "corpus").resolve()
RESULTS = Path(__file__).resolve().parent / "results" / "compile.json"


def classify(path: Path) -> tuple[str, float, list[str]]:
    """(outcome, seconds, diagnostic codes) of compiling one source once."""
    start = time.perf_counter()
    try:
        result = compile_path(path)
    except Exception:
        return "crashed", time.perf_counter() - start, [traceback.format_exc(limit=-3)]
    seconds = time.perf_counter() - start
    codes = [d.code for d in result.diagnostics]
    if errors(result.diagnostics) or result.bundle is None:
        return "errors", seconds, codes
    return ("warnings" if result.diagnostics else "clean"), seconds, codes


def clear_caches() -> int:
    """Empties every `functools` cache of skc's modules (how many): the recognisers remember
    answers by text (`flow.goto_target`, `queries.sql_dialect`, the shell parser, ...), so a
    round after the warm-up would find every answer of the corpus remembered and time cache
    hits. Each timed round starts from what a fresh process has after its imports; the files
    of one round still share what they have in common, as in one `skc compile` of a folder."""
    cleared = 0
    for name, module in list(sys.modules.items()):
        if module is None or not (name == "skc" or name.startswith("skc.")):
            continue
        for obj in list(vars(module).values()):
            if callable(getattr(obj, "cache_clear", None)) and callable(getattr(obj, "cache_info", None)):
                obj.cache_clear()
                cleared += 1
    return cleared


def timed_round(paths: list[Path], clock: Callable[[], float] = time.perf_counter) -> dict[str, float]:
    """Seconds spent per kind compiling every path once (crashes count, and are caught), from
    cleared caches (`clear_caches`)."""
    clear_caches()
    spent: dict[str, float] = {}
    for p in paths:
        start = clock()
        try:
            compile_path(p)
        except Exception:  # already reported by the warm-up round
            pass
        spent[kind_of(p)] = spent.get(kind_of(p), 0.0) + clock() - start
    return spent


CLOCKS: dict[str, Callable[[], float]] = {"wall": time.perf_counter, "cpu": time.process_time}


def run(corpus: Path, repeats: int, clock: str = "wall") -> dict[str, Any]:
    paths = discover_sources(corpus)
    kinds = Counter(kind_of(p) for p in paths)
    outcomes: dict[str, list[str]] = {"clean": [], "warnings": [], "errors": [], "crashed": []}
    codes: Counter[str] = Counter()
    slowest: list[tuple[float, str]] = []
    crashes: dict[str, str] = {}
    for i, p in enumerate(paths, 1):
        outcome, seconds, found = classify(p)
        rel = p.relative_to(corpus).as_posix()
        outcomes[outcome].append(rel)
        slowest.append((seconds, rel))
        if outcome == "crashed":
            crashes[rel] = found[0]
        else:
            codes.update(found)
        if sys.stderr.isatty():
            print(f"\r[{i}/{len(paths)}] warm-up", end="", file=sys.stderr, flush=True)
        elif i % 100 == 0 or i == len(paths):
            print(f"[{i}/{len(paths)}] warm-up", file=sys.stderr, flush=True)
    if sys.stderr.isatty():
        print(file=sys.stderr)
    rounds = []
    for r in range(repeats):
        print(f"round {r + 1}/{repeats}", file=sys.stderr, flush=True)
        rounds.append(timed_round(paths, CLOCKS[clock]))
    totals = [sum(rd.values()) for rd in rounds]
    median = statistics.median(totals)
    per_kind: dict[str, dict[str, Any]] = {k: {"files": n, "seconds": statistics.median(rd.get(k, 0.0) for rd in rounds)} for k, n in kinds.items()}
    for v in per_kind.values():
        v["files_per_second_per_core"] = v["files"] / v["seconds"] if v["seconds"] else None
    return {
        "benchmark": "compile", "skc_version": __version__, "python": platform.python_version(),
        "machine": platform.machine(), "corpus": str(corpus), "pipeline": DEFAULT_PIPELINE,
        "files": len(paths), "repeats": repeats, "clock": clock, "round_seconds": totals, "median_seconds": median,
        "files_per_second_per_core": len(paths) / median if median else None,
        "per_kind": per_kind,
        "outcomes": {k: len(v) for k, v in outcomes.items()},
        "diagnostic_codes": dict(sorted(codes.items())),
        "slowest": [{"file": f, "seconds": s} for s, f in sorted(slowest, reverse=True)[:10]],
        "failed_files": outcomes["errors"], "crashes": crashes,
    }


def table(res: dict[str, Any]) -> str:
    o = res["outcomes"]
    lines = [f"compile: {res['files']} files from {res['corpus']}, median of {res['repeats']} rounds",
             f"  {'all':8} {res['files']:5d} files  {res['median_seconds']:8.3f} s  "
             f"{res['files_per_second_per_core'] or 0:9.1f} files/s/core"]
    for kind, v in sorted(res["per_kind"].items()):
        lines.append(f"  {kind:8} {v['files']:5d} files  {v['seconds']:8.3f} s  "
                     f"{v['files_per_second_per_core'] or 0:9.1f} files/s/core")
    lines.append(f"  clean {o['clean']}, warnings only {o['warnings']}, errors {o['errors']}, "
                 f"crashed {o['crashed']}")
    top = sorted(res["diagnostic_codes"].items(), key=lambda kv: -kv[1])[:8]
    lines.append("  most frequent diagnostics: " + ", ".join(f"{c} x{n}" for c, n in top))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.compile", description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument("--clock", choices=sorted(CLOCKS), default="wall")
    parser.add_argument("--compare-ref", metavar="REV", help="also measure git revision REV, interleaved")
    parser.add_argument("--rounds", type=int, default=3, help="with --compare-ref: subprocess rounds per side")
    args = parser.parse_args(argv)
    if not args.corpus.is_dir():
        print(f"{args.corpus}: no corpus here", file=sys.stderr)
        return 2
    if args.compare_ref:
        from bench.compile_compare import compare

        return compare(args.compare_ref, args.corpus, max(1, args.rounds), args.clock, args.out)
    res = run(args.corpus, max(1, args.repeats), args.clock)
    print(table(res))
    for f, tb in res["crashes"].items():
        print(f"CRASH {f}\n{tb}", file=sys.stderr)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(res, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {args.out}")
    return 1 if res["crashes"] else 0


if __name__ == "__main__":
    sys.exit(main())
