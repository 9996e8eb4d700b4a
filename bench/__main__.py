"""`python -m bench` (and `make bench`): every benchmark, then the report.

    python -m bench [--only parallel,overhead] [--quick] [--out bench/results]

Runs, in order: P1 parallel efficiency (bench.parallel), P2 orchestration overhead
(bench.overhead, with LangGraph and Ray when installed), P6 memory (bench.memory),
P5 compile throughput (bench.compile over the corpus), P4 tokens (bench.tokens) and
the portability suite (bench.portability), the last two on the embedded model.
A benchmark that fails is recorded with its error and the others still run; the
exit status is 1 if any failed. `--quick` shrinks every size (a smoke run, not a
measurement). Writes `<out>/<name>.json` and `<out>/README.md` (bench/report.py).
The full run takes a few minutes on 2 cores; the budget is 20.
"""

from __future__ import annotations

import argparse
import sys
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench import report

RESULTS = Path(__file__).resolve().parent / "results"
CORPUS = (Path(__file__).resolve().parents[1] / ".." / "shared" / "corpus").resolve()


def benchmarks(quick: bool, corpus: Path) -> list[tuple[str, Callable[[], dict[str, Any]]]]:
    from bench import compile as compile_bench
    from bench import memory, overhead, parallel, portability, tokens

    def p5() -> dict[str, Any]:
        if not corpus.is_dir():
            return {"benchmark": "compile", "skipped": f"no corpus at {corpus}"}
        return compile_bench.run(corpus, 1 if quick else 3)

    return [
        ("parallel", lambda: parallel.run(1 if quick else 3, (10,) if quick else (10, 100, 1000))),
        ("overhead", lambda: overhead.run(50 if quick else 1000, 1 if quick else 5, with_ray=not quick)),
        ("memory", lambda: memory.run(200 if quick else 10_000)),
        ("compile_throughput", p5),
        ("tokens", lambda: tokens.run(corpus, 1 if quick else 4, live=not quick)),
        ("portability", lambda: portability.run(["rate_limit"] if quick else None)),
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="", help="comma-separated benchmark names")
    parser.add_argument("--quick", action="store_true", help="tiny sizes: a smoke run, not a measurement")
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    only = {s for s in args.only.split(",") if s}
    results: dict[str, dict[str, Any]] = {}
    failed = []
    started = time.perf_counter()
    for name, fn in benchmarks(args.quick, args.corpus):
        if only and name not in only:
            continue
        print(f"== {name}", file=sys.stderr, flush=True)
        t0 = time.perf_counter()
        try:
            results[name] = fn()
        except Exception as e:
            failed.append(name)
            results[name] = {"benchmark": name, "error": f"{type(e).__name__}: {e}"}
            traceback.print_exc()
        results[name]["wall_s"] = round(time.perf_counter() - t0, 2)
        print(f"   {name}: {results[name]['wall_s']:.1f} s", file=sys.stderr, flush=True)
    page = report.write(results, args.out, time.perf_counter() - started)
    print(page.read_text(encoding="utf-8"))
    print(f"wrote {page}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
