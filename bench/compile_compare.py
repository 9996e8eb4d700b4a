"""`python -m bench.compile --compare-ref REV`: compile throughput before (REV) and after
(the working tree), measured by the same `bench/compile.py` in alternating subprocesses.

Each round runs `bench/compile.py --repeats 1` once per side (a warm-up pass, then one
timed pass over the corpus); the before side imports REV's tree (`git archive`, see
`bench.ab.baseline_tree`), the after side the working tree. Sides alternate so that
both see the same machine load; each side's median round (by overall files/s) is
printed next to the other's, per kind (skill, tsg), with the after/before ratio.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from bench.ab import ROOT, baseline_tree

SCRIPT = Path(__file__).resolve().parent / "compile.py"


def _rate(res: dict[str, Any], kind: str | None = None) -> float:
    if kind is None:
        return float(res.get("files_per_second_per_core") or 0.0)
    return float((res["per_kind"].get(kind) or {}).get("files_per_second_per_core") or 0.0)


def compare(rev: str, corpus: Path, rounds: int, clock: str, out: Path) -> int:
    """Runs both sides `rounds` times, prints the table, writes both medians to `out`."""
    results: dict[str, list[dict[str, Any]]] = {"before": [], "after": []}
    with tempfile.TemporaryDirectory(prefix="skc-compile-ref-") as tmp:
        src, pkgs = baseline_tree(rev, Path(tmp) / "base")
        env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
        sides = {"before": {**env, "PYTHONPATH": f"{pkgs}:{src}"}, "after": {**env, "PYTHONPATH": str(ROOT)}}
        for k in range(rounds):
            for side, side_env in sides.items():
                print(f"round {k + 1}/{rounds}: {side}", file=sys.stderr, flush=True)
                dest = Path(tmp) / f"{side}-{k}.json"
                # -P: the script's folder is not put first on sys.path, so each side imports its own skc
                subprocess.run([sys.executable, "-P", str(SCRIPT), "--corpus", str(corpus), "--repeats", "1",
                                "--clock", clock, "--out", str(dest)], env=side_env, cwd=tmp, check=True,
                               stdout=subprocess.DEVNULL)
                results[side].append(json.loads(dest.read_text(encoding="utf-8")))
    best = {side: sorted(rs, key=_rate)[len(rs) // 2] for side, rs in results.items()}
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"compile: before = {rev}, after = working tree; {clock} clock; median of {rounds} interleaved rounds;"
          f" load average {load:.1f}")
    kinds = sorted(best["after"]["per_kind"])
    for kind in [None, *kinds]:
        b, a = _rate(best["before"], kind), _rate(best["after"], kind)
        n = best["after"]["files"] if kind is None else best["after"]["per_kind"][kind]["files"]
        print(f"  {kind or 'all':8} {n:5d} files  before {b:7.1f}  after {a:7.1f} files/s/core  "
              f"x{a / b if b else float('nan'):.2f}")
    same = best["before"]["diagnostic_codes"] == best["after"]["diagnostic_codes"]
    print(f"  diagnostics {'identical' if same else 'DIFFER'} before and after")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"base": rev, "clock": clock, "rounds": rounds, "before": best["before"],
                               "after": best["after"]}, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {out}")
    return 0
