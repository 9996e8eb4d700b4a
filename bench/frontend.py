"""Markdown front-end throughput: corpus files per second through `load()`, median of 3.

    python -m bench.frontend [--corpus ../shared/corpus] [--repeats 3] [--out bench/results/frontend.json]

Every SKILL.md folder and every runbook .md of the corpus goes through the front
end only (markdown-it parse, step extraction, lowering, verify; no passes). A
warm-up round checks that every file gives a module that verifies, counts the
diagnostics by code and times each file; then the whole corpus is run `--repeats`
times in this one process and the median round gives files per second (one
process = one core), overall and per kind (skill, tsg), plus the slowest files.
Exit code 1 when a file raises or gives IR that does not verify.
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
from pathlib import Path

from skc.compiler.frontend import kind_of, load
from skc.ir import verify

ROOT = Path(__file__).resolve().parents[1]
CORPUS = (ROOT / ".." / "shared" / "corpus").resolve()
RESULTS = ROOT / "bench" / "results" / "frontend.json"


def sources(corpus: Path) -> list[Path]:
    return sorted(p.parent for p in corpus.glob("skills/**/SKILL.md")) + sorted(corpus.glob("runbooks/**/*.md"))


def warm_up(paths: list[Path]) -> tuple[list[str], Counter[str], list[tuple[float, str]], int]:
    """(problems, diagnostic codes, per-file seconds, files that verified)."""
    problems: list[str] = []
    codes: Counter[str] = Counter()
    times: list[tuple[float, str]] = []
    verified = 0
    for p in paths:
        start = time.perf_counter()
        try:
            result = load(p)
        except Exception:
            problems.append(f"{p}: {traceback.format_exc(limit=-2)}")
            continue
        times.append((time.perf_counter() - start, str(p)))
        codes.update(d.code for d in result.diagnostics)
        if result.module is not None and not verify(result.module):
            verified += 1
        elif result.module is not None:
            problems.append(f"{p}: {verify(result.module)[0]}")
    return problems, codes, times, verified


def timed_round(paths: list[Path]) -> dict[str, float]:
    spent: dict[str, float] = {}
    for p in paths:
        start = time.perf_counter()
        load(p)
        kind = kind_of(p)
        spent[kind] = spent.get(kind, 0.0) + time.perf_counter() - start
    return spent


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    if not args.corpus.is_dir():
        print(f"no corpus at {args.corpus}", file=sys.stderr)
        return 2
    paths = sources(args.corpus)
    counts = Counter(kind_of(p) for p in paths)
    problems, codes, times, verified = warm_up(paths)
    rounds = [timed_round(paths) for _ in range(max(1, args.repeats))]
    totals = [sum(r.values()) for r in rounds]
    median = statistics.median(totals)
    per_kind = {k: round(counts[k] / statistics.median(r.get(k, 0.0) for r in rounds), 1) for k in counts}
    report = {
        "benchmark": "frontend",
        "files": len(paths),
        "by_kind": dict(counts),
        "verified": verified,
        "problems": len(problems),
        "repeats": len(rounds),
        "round_seconds": [round(t, 3) for t in totals],
        "median_seconds": round(median, 3),
        "files_per_second": round(len(paths) / median, 1),
        "files_per_second_by_kind": per_kind,
        "slowest": [{"file": f, "ms": round(s * 1000, 1)} for s, f in sorted(times, reverse=True)[:5]],
        "diagnostics": dict(sorted(codes.items())),
        "python": platform.python_version(),
        "machine": platform.machine(),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(f"{len(paths)} files ({verified} verified, {len(problems)} problems): "
          f"{report['files_per_second']} files/s (median of {len(rounds)} rounds, {median:.2f}s) -> {args.out}")
    for problem in problems:
        print(problem, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
