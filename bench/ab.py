"""Before/after in one run: a benchmark on a baseline revision and on the working tree, interleaved.

    python -m bench.ab --base REV [--rounds 3] overhead --no-ray --repeats 3
    python -m bench.ab --base REV compile --repeats 1

The baseline is `git archive REV` unpacked into a temporary folder and imported
in place of the installed skc (a `skc/` package whose `ir`, `compiler`,
`runtime`, `grammar` and `stdlib` point into the archive, first on PYTHONPATH);
its own `bench/` runs it.
Each round runs `python -m bench.<name> ARGS --out <tmp>/<side>-<round>.json`
once per side, alternating, so both sides see the same machine load; the
result is each side's JSON of its median round (by the benchmark's headline
number) and a table of every row, before and after, side by side. A ratio
against the floor measured in the same process (overhead's `x_floor`) is what to
compare across machines; the seconds are for this machine only.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
ROOMS = ("ir", "compiler", "runtime", "grammar", "stdlib")


def baseline_tree(rev: str, into: Path) -> tuple[Path, Path]:
    """Unpacks `rev` into `into/src`: (that folder, a PYTHONPATH folder importing it as `skc`)."""
    src, pkgs = into / "src", into / "pkgs"
    src.mkdir(parents=True)
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", rev], check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(src)], input=archive, check=True)
    (pkgs / "skc").mkdir(parents=True)
    for f in (src / "skc").iterdir():
        os.symlink(f, pkgs / "skc" / f.name)
    for room in ROOMS:
        os.symlink(src / room, pkgs / "skc" / room)
    return src, pkgs


def headline(name: str, res: dict[str, Any]) -> float:
    """The number a round is ranked by (lower is better): skc run's seconds, or compile seconds."""
    if name == "overhead":
        return float(res["rows"]["skc run (local)"]["median_s"])
    return -float(res.get("files_per_second_per_core") or 0.0)


def rows(name: str, res: dict[str, Any]) -> dict[str, str]:
    if name == "overhead":
        out = {k: f"{r['us_per_op']:8.1f} us/op  x{r['x_floor']:.1f} floor"
               for k, r in res["rows"].items() if "us_per_op" in r}
        lg, run = res["rows"].get("LangGraph", {}), res["rows"].get("skc run (local)", {})
        if "median_s" in lg and run.get("median_s"):
            out["LangGraph / skc run"] = f"{lg['median_s'] / run['median_s']:8.1f}x"
        return out
    out = {"files/s/core": f"{res.get('files_per_second_per_core') or 0:8.1f}"}
    for kind, v in sorted((res.get("per_kind") or {}).items()):
        out[f"  {kind}"] = f"{v.get('files_per_second_per_core') or 0:8.1f} ({v.get('files')} files)"
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.ab", description=__doc__.splitlines()[0])
    parser.add_argument("--base", required=True, help="baseline git revision")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("bench", help="benchmark module under bench/ (overhead, compile, ...)")
    parser.add_argument("args", nargs=argparse.REMAINDER)
    a = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="skc-ab-") as tmp:
        src, pkgs = baseline_tree(a.base, Path(tmp) / "base")
        # -P: the working directory is not put first on sys.path, so each side imports its own tree
        sides = {"before": (src, {**os.environ, "PYTHONPATH": f"{pkgs}:{src}"}),
                 "after": (ROOT, {**os.environ, "PYTHONPATH": str(ROOT)})}
        results: dict[str, list[dict[str, Any]]] = {"before": [], "after": []}
        for k in range(a.rounds):
            for side, (cwd, env) in sides.items():
                out = Path(tmp) / f"{side}-{k}.json"
                subprocess.run([sys.executable, "-P", "-m", f"bench.{a.bench}", *a.args, "--out", str(out)],
                               cwd=cwd, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                results[side].append(json.loads(out.read_text(encoding="utf-8")))
    best = {side: sorted(rs, key=lambda r: headline(a.bench, r))[len(rs) // 2] for side, rs in results.items()}
    print(f"{a.bench}: before = {a.base}, after = working tree; median of {a.rounds} interleaved rounds")
    before, after = rows(a.bench, best["before"]), rows(a.bench, best["after"])
    for key in dict.fromkeys([*before, *after]):
        print(f"  {key:24} before {before.get(key, '-'):32} after {after.get(key, '-')}")
    print(json.dumps({"base": a.base, "before": best["before"], "after": best["after"]}, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
