"""The corpus survey of approval points: `python tests/approvals/survey.py [N]`.

Compiles every runbook of `../shared/corpus/runbooks` and counts, over the ops that
write: those marked `confirm`, the SKC123 warnings (writes nobody asked to
confirm), and the destructive ones (delete/rollback/restart/scale/drop/...,
`confirm.destructive`). The corpus is `$SKC_CORPUS`, else `../shared/corpus` from the
repository root (as the front-end tests find it). With N, prints a seeded random sample of N marked writes
with the document lines before each (what `confirm_sample.md` judges by hand).
"""

from __future__ import annotations

import json
import os
import random
import sys
from collections import Counter
from pathlib import Path
from typing import Any

from skc.compiler.frontend import load
from skc.compiler.frontend.markdown.confirm import destructive

CORPUS = Path(os.environ.get("SKC_CORPUS") or Path(__file__).resolve().parents[2] / ".." / "shared" / "corpus").resolve()


def command_of(attrs: dict[str, Any]) -> str:
    argv = attrs.get("argv")
    if isinstance(argv, list):
        return " ".join(str(a) for a in argv)
    return str(attrs.get("cmd") or attrs.get("query") or attrs.get("path") or "")


def writes_of(path: Path) -> tuple[list[dict[str, Any]], int]:
    """The writing tool ops of one runbook (file, line, command, confirm, destructive) and its SKC123 count."""
    result = load(path)
    out = []
    if result.module is not None:
        for wf in result.module.workflows:
            for op in wf.walk():
                if not op.op_name.startswith("tool.") or not any(str(e).startswith("write:") for e in op.effects):
                    continue
                command = command_of(dict(op.attributes))
                out.append({"file": str(Path(op.where.file).resolve().relative_to(CORPUS)), "line": op.where.line, "op": op.op_name,
                            "command": command, "confirm": op.attributes.get("confirm") is True,
                            "destructive": destructive(command)})
    return out, sum(1 for d in result.diagnostics if d.code == "SKC123")


def survey(corpus: Path = CORPUS, kind: str = "runbooks") -> dict[str, Any]:
    """Counts over the runbooks (or, with kind="skills", the SKILL.md folders) of the corpus."""
    counts: Counter[str] = Counter()
    marked: list[dict[str, Any]] = []
    paths = sorted((corpus / "runbooks").glob("**/*.md")) if kind == "runbooks" else \
        sorted(p.parent for p in (corpus / "skills").glob("**/SKILL.md"))
    for path in paths:
        ops, skc123 = writes_of(path)
        counts["documents"] += 1
        counts["writes"] += len(ops)
        counts["confirm"] += sum(o["confirm"] for o in ops)
        counts["SKC123"] += skc123
        counts["destructive"] += sum(o["destructive"] for o in ops)
        counts["destructive_confirm"] += sum(o["destructive"] and o["confirm"] for o in ops)
        marked += [o for o in ops if o["confirm"]]
    return {"counts": dict(counts), "marked": marked}


def main() -> None:
    found = survey()
    skills = survey(kind="skills")
    print(json.dumps({"runbooks": found["counts"], "skills": skills["counts"]}, indent=2, sort_keys=True))
    found["marked"] += skills["marked"]
    if len(sys.argv) > 1:
        sample = random.Random(17).sample(found["marked"], min(int(sys.argv[1]), len(found["marked"])))
        for k, o in enumerate(sorted(sample, key=lambda o: (o["file"], o["line"])), 1):
            lines = (CORPUS / o["file"]).read_text(encoding="utf-8", errors="replace").split("\n")
            print(f"\n### {k}. {o['file']}:{o['line']}  `{o['command'][:100]}`")
            for n in range(max(1, o["line"] - 14), o["line"] + 1):
                print(f"    {n:5} {lines[n - 1][:150]}")


if __name__ == "__main__":
    main()
