"""What the compiler makes of every corpus source, dumped so that two revisions can be diffed.

    python -m bench.ir_dump --out dump.jsonl [--corpus ../shared/corpus] [--only SUBSTRING]
    python -m bench.ir_dump --compare-ref REV [--only SUBSTRING] [--show 5]

A speed-up must not change what skc compiles. For each source `discover_sources`
finds (each SKILL.md folder, each runbook), one JSON line records its kind, every
diagnostic (code, location, message, hint), the printed IR after the default
pipeline, and the bundle: the manifest's bytes and each file's sha256 (a bundle is
content-addressed, so one changed byte is a changed behaviour). A crash is recorded
as its exception type and message, not raised.

`--compare-ref REV` dumps REV's tree (`bench.ab.baseline_tree`) and the working tree
in two subprocesses, then lists every source whose record differs, with the first
differing field and a unified diff of the first `--show` ones. Exit status 1 when any
record differs, so it can gate a change.
"""

from __future__ import annotations

import argparse
import difflib
import hashlib
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
CORPUS = (ROOT / ".." / "shared" / "corpus").resolve()


def record(path: Path) -> dict[str, Any]:
    """One source's kind, diagnostics, printed IR and bundle hashes (or its crash)."""
    from skc.compiler.driver import compile_path
    from skc.ir.printer import print_module

    rec: dict[str, Any] = {"source": str(path)}
    try:
        result = compile_path(path)
    except Exception as e:  # a crash is a finding, recorded like any other outcome
        rec["crash"] = f"{type(e).__name__}: {e}"
        return rec
    rec["kind"] = result.kind
    rec["diagnostics"] = [[d.code, str(d.loc), d.message, d.hint] for d in result.diagnostics]
    rec["ir"] = print_module(result.module) if result.module is not None else None
    b = result.bundle
    if b is not None:
        rec["manifest"] = b.manifest_bytes.decode("utf-8")
        rec["files"] = {name: hashlib.sha256(data).hexdigest() for name, data in sorted(b.files.items())}
    return rec


def dump(corpus: Path, out: Path, only: str | None) -> int:
    """Writes one JSON line per source of `corpus` to `out`; returns how many."""
    from skc.compiler.driver import discover_sources

    n = 0
    with out.open("w", encoding="utf-8") as f:
        for path in sorted(discover_sources(corpus)):
            if only and only not in str(path):
                continue
            f.write(json.dumps(record(path), sort_keys=True) + "\n")
            n += 1
    return n


def _load(path: Path) -> dict[str, dict[str, Any]]:
    return {r["source"]: r for r in map(json.loads, path.read_text(encoding="utf-8").splitlines())}


def _first_difference(a: dict[str, Any], b: dict[str, Any]) -> str:
    for key in ("crash", "kind", "diagnostics", "ir", "manifest", "files"):
        if a.get(key) != b.get(key):
            return key
    return "?"


def _text(rec: dict[str, Any], key: str) -> list[str]:
    value = rec.get(key)
    text = value if isinstance(value, str) else json.dumps(value, indent=1, sort_keys=True)
    return text.splitlines(keepends=True)


def compare(rev: str, corpus: Path, only: str | None, show: int) -> int:
    """Dumps both sides, prints the differing sources; 1 when any differs.

    Each side runs this file as a script (so REV needs no copy of it) with that side's
    tree first on PYTHONPATH.
    """
    from bench.ab import baseline_tree

    with tempfile.TemporaryDirectory(prefix="skc-ir-dump-") as tmp:
        src, pkgs = baseline_tree(rev, Path(tmp) / "base")
        env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
        outs = {"before": Path(tmp) / "before.jsonl", "after": Path(tmp) / "after.jsonl"}
        for side, pythonpath in (("before", f"{pkgs}:{src}"), ("after", str(ROOT))):
            cmd = [sys.executable, __file__, "--corpus", str(corpus), "--out", str(outs[side])]
            if only:
                cmd += ["--only", only]
            print(f"dumping {side} ({rev if side == 'before' else 'working tree'}) ...", file=sys.stderr)
            subprocess.run(cmd, check=True, env={**env, "PYTHONPATH": pythonpath})
        before, after = _load(outs["before"]), _load(outs["after"])
    differ = sorted(s for s in before.keys() | after.keys() if before.get(s) != after.get(s))
    print(f"{len(before)} sources before, {len(after)} after; {len(differ)} differ")
    for s in differ:
        a, b = before.get(s, {}), after.get(s, {})
        print(f"  {s}: {_first_difference(a, b) if a and b else 'missing on one side'}")
    for s in differ[:show]:
        a, b = before.get(s, {}), after.get(s, {})
        key = _first_difference(a, b)
        sys.stdout.writelines(difflib.unified_diff(_text(a, key), _text(b, key), f"{rev}:{s}:{key}",
                                                   f"working:{s}:{key}", n=2))
    return 1 if differ else 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.ir_dump", description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", type=Path, default=CORPUS)
    ap.add_argument("--out", type=Path, help="write the dump here (JSON lines)")
    ap.add_argument("--only", help="only sources whose path contains this")
    ap.add_argument("--compare-ref", metavar="REV", help="diff REV's dump against the working tree's")
    ap.add_argument("--show", type=int, default=5, help="unified diffs shown with --compare-ref")
    args = ap.parse_args(argv)
    if args.compare_ref:
        return compare(args.compare_ref, args.corpus.resolve(), args.only, args.show)
    if args.out is None:
        ap.error("give --out or --compare-ref")
    n = dump(args.corpus.resolve(), args.out, args.only)
    print(f"{n} sources dumped to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
