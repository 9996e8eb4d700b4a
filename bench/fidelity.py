"""Runbook fidelity: how much of what runbooks say their compiled workflows keep.

    python -m bench.fidelity [--corpus ../shared/corpus] [--out bench/results/fidelity.json]

Every case of `tests/fidelity` (public corpus runbooks and runbooks written in the
idioms the corpus lacks, each with a hand-checked expected structure) is compiled
and scored by `skc.compiler.frontend.runbook.fidelity`: precision, recall and F1 per
element (commands/queries, the step they sit in, steps, step edges, inputs,
decisions, decisions that see their evidence, early exits), split by where the
documents come from, plus silent drops, invented conditions and interactive
commands left as plain shell. The table is the one README shows. A quality
measurement, not a timing: no baseline ratio.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

from bench import publish

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results" / "fidelity.json"
ELEMENTS = ("commands", "command_steps", "steps", "edges", "inputs", "decisions", "decisions_with_evidence", "exits")


def run(corpus: Path | None = None) -> dict[str, Any]:
    if corpus is not None:
        os.environ["SKC_CORPUS"] = str(corpus)
    sys.path.insert(0, str(ROOT / "tests"))
    from fidelity.cases import cases  # tests/fidelity/cases.py: the expected structures

    from skc.compiler.frontend.runbook.fidelity import Score, score_document

    groups: dict[str, Score] = {"corpus": Score(), "authored": Score(), "all": Score()}
    counts = {"corpus": 0, "authored": 0}
    for _, doc, expected in cases():
        group = "corpus" if expected.source.startswith("corpus:") else "authored"
        sc = score_document(doc, expected)
        groups[group].add(sc)
        groups["all"].add(sc)
        counts[group] += 1
    result: dict[str, Any] = {"benchmark": "fidelity", "documents": counts,
                              "judgements": judgements(Path(os.environ.get("SKC_CORPUS") or ROOT / ".." / "shared"
                                                            / "corpus"))}
    for name, sc in groups.items():
        result[name] = {
            "elements": {e: {"precision": round(c.precision, 3), "recall": round(c.recall, 3), "f1": round(c.f1, 3),
                             "expected": c.expected, "matched": c.tp}
                         for e in ELEMENTS if (c := sc.counts.get(e)) is not None and c.expected},
            "silent_drops": len(sc.silent_drops), "invented_conditions": len(sc.invented),
            "interactive_as_shell": len(sc.interactive), "misses": sc.misses[:40]}
    return result


def judgements(corpus: Path) -> dict[str, Any]:
    """Over every corpus runbook (no expected data needed): the llm ops that judge (`llm.decide`,
    `llm.extract`) or interpret (`llm.generate`) and how many get at least one value to look at."""
    from skc.compiler.frontend.runbook.tsg_md import compile_tsg

    seen: dict[str, list[int]] = {"llm.decide": [0, 0], "llm.extract": [0, 0], "llm.generate": [0, 0]}
    # llm.decide by whether any evidence exists for it: [ops, with evidence]
    split: dict[str, list[int]] = {"could_see": [0, 0], "before_first_command": [0, 0], "no_command": [0, 0]}
    crashes = 0
    files = sorted((corpus / "runbooks").rglob("*.md")) if corpus.is_dir() else []
    for f in files:
        try:
            result = compile_tsg(f)
        except Exception:  # a crash is what this counts, never what stops it
            crashes += 1
            continue
        for wf in result.module.workflows if result.module is not None else []:
            ops = list(wf.walk())
            lines = [op.loc.line for op in ops if op.op_name.startswith(("tool.", "ctrl.manual")) and op.loc.known]
            first = min(lines) if lines else None
            for op in ops:
                if op.op_name in seen:
                    seen[op.op_name][0] += 1
                    seen[op.op_name][1] += bool(op.operands)
                if op.op_name == "llm.decide":
                    group = "no_command" if first is None else \
                        "before_first_command" if op.loc.known and op.loc.line < first else "could_see"
                    split[group][0] += 1
                    split[group][1] += bool(op.operands)
    return {"runbooks": len(files), "crashes": crashes,
            **{name: {"ops": n, "with_evidence": k} for name, (n, k) in seen.items()},
            "decide_by_evidence_available": {name: {"ops": n, "with_evidence": k} for name, (n, k) in split.items()}}


def table(result: dict[str, Any]) -> str:
    docs = result["documents"]
    lines = [f"| element | corpus ({docs['corpus']} runbooks) P / R | authored ({docs['authored']}) P / R | all F1 |",
             "|---|---|---|---|"]
    for e in ELEMENTS:
        cells = []
        for g in ("corpus", "authored"):
            c = result[g]["elements"].get(e)
            cells.append(f"{c['precision']:.2f} / {c['recall']:.2f} ({c['matched']}/{c['expected']})" if c else "-")
        a = result["all"]["elements"].get(e)
        lines.append(f"| {e.replace('_', ' ')} | {cells[0]} | {cells[1]} | {a['f1']:.2f} |" if a else
                     f"| {e.replace('_', ' ')} | {cells[0]} | {cells[1]} | - |")
    for key in ("silent_drops", "invented_conditions", "interactive_as_shell"):
        lines.append(f"| {key.replace('_', ' ')} | {result['corpus'][key]} | {result['authored'][key]} | "
                     f"{result['all'][key]} |")
    j = result["judgements"]
    if j["runbooks"]:
        parts = ", ".join(f"{name} {v['with_evidence']}/{v['ops']}" for name, v in j.items()
                          if isinstance(v, dict) and "ops" in v)
        lines.append(f"\nOver all {j['runbooks']} corpus runbooks ({j['crashes']} crashes), llm ops with at least "
                     f"one operand: {parts}.")
        sp = j.get("decide_by_evidence_available")
        if sp:
            c, b, n = sp["could_see"], sp["before_first_command"], sp["no_command"]
            lines.append(f"llm.decide that could see evidence (a command runs before it in its runbook): "
                         f"{c['with_evidence']}/{c['ops']}; with none to see: {b['ops']} before their runbook's first "
                         f"command, {n['ops']} in runbooks that run no command ({b['with_evidence'] + n['with_evidence']} "
                         f"of these still get an operand: an input or an earlier answer; the rest carry SKC153).")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", type=Path, default=None, help="the shared corpus (default ../shared/corpus)")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    result = run(args.corpus)
    return publish(result, table(result), args.out)


if __name__ == "__main__":
    sys.exit(main())
