"""Skills on user tasks: skc against a raw-context baseline on the same model and tools.

    python -m bench.skills [--corpus ../shared/corpus] [--model local] [--only ID,...] [--baseline-turns 6]
                           [--out bench/results/skills.json]

For each task of `bench.skill_tasks` (34 tasks over 15 skills, 11 of them from the corpus), in a fresh working
directory with the task's files:

- skc: the skill compiled on the fly, run with `run(skill, task=..., files=...)`
  (JIT off, so every run is a first run): routing, parameter extraction and the
  procedure's steps as the compiler made them;
- baseline: the same model as a ReAct agent (`llm.agent`, at most `--baseline-turns`
  turns) whose system prompt is the whole SKILL.md (front matter included) and the
  skill's folder, given the task and the tools Bash, Read and Write, in the same
  working directory: what a harness that "loads the skill" does.

Reported per side: tasks whose check passed (success), wall seconds, tokens
(prompt + completion, as the backend counted them); tokens and wall time are also
summed over exactly the tasks both sides completed (`ids_both_completed`). The default model is the embedded one (Gemma 3
270M on llama.cpp, CPU).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench import publish
from bench.skill_tasks import TASKS, SkillTask, skill_dir
from skc.ir import TEXT, InsertionPoint, Module, ctrl, llm, workflow

RESULTS = Path(__file__).resolve().parent / "results" / "skills.json"
CORPUS = Path(os.environ.get("SKC_CORPUS") or Path(__file__).resolve().parents[1] / ".." / "shared" / "corpus").resolve()
BASELINE_TOOLS = ["Bash", "Read", "Write"]


def baseline_module(folder: Path, turns: int) -> Module:
    """One `llm.agent`: the whole SKILL.md as system prompt, the task as prompt, Bash/Read/Write."""
    md = next(p for p in (folder / "SKILL.md", folder / "skill.md") if p.is_file())
    system = (f"You are using the skill below. Its folder is {folder}; its scripts are in {folder}/scripts.\n\n"
              + md.read_text(encoding="utf-8"))
    wf = workflow("baseline", {"task": TEXT}, permissions=BASELINE_TOOLS)
    with InsertionPoint(wf.body):
        answer = llm.agent("Do the user's task with the skill; finish with the answer.", BASELINE_TOOLS,
                           wf.arg("task"), effects=["write:*"], max_turns=turns, max_tokens=8192, system=system)
        ctrl.return_(answer)
    wf.attributes["output_names"] = ["result"]
    return Module([wf])


def _answer(outputs: dict[str, Any]) -> str:
    return "\n".join(str(v) for v in outputs.values())


def run_one(t: SkillTask, side: str, corpus: Path, model: str, turns: int) -> dict[str, Any]:
    """Runs one task on one side in a fresh directory; success, seconds, tokens and the error if any."""
    from skc.runtime.api import run

    folder = skill_dir(t.skill, corpus)
    with tempfile.TemporaryDirectory(prefix=f"skc-{t.id}-") as tmp:
        work = Path(tmp) / "work"
        work.mkdir()
        files = t.setup(work)
        options = {"model": model, "jit": False}
        start = time.perf_counter()
        try:
            if side == "skc":
                r = run(folder, task=t.task, files=files, options=options, workdir=work, allow_writes=True,
                        runs_dir=Path(tmp) / "runs")
            else:
                task = t.task + (f" (files: {', '.join(files)})" if files else "")
                r = run(baseline_module(folder, turns), {"task": task}, options=options, workdir=work, allow_writes=True,
                        runs_dir=Path(tmp) / "runs")
        except Exception as e:  # a refused run (SKC3xx before it starts) is a failed task, reported
            return {"ok": False, "seconds": time.perf_counter() - start, "tokens": 0, "error": str(e)[:300]}
        answer = _answer(r.outputs)
        try:
            ok = r.status == "ok" and t.check(work, answer)
        except Exception:  # a file the check opens is missing or not of its kind: not done
            ok = False
        return {"ok": ok, "seconds": round(time.perf_counter() - start, 2), "tokens": r.tokens_in + r.tokens_out,
                "status": r.status, "error": str(r.error)[:300] if r.error else None, "answer": answer[:400]}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--corpus", type=Path, default=CORPUS)
    ap.add_argument("--model", default="local")
    ap.add_argument("--only", default="", help="comma-separated task ids")
    ap.add_argument("--sides", default="skc,baseline")
    ap.add_argument("--baseline-turns", type=int, default=6)
    ap.add_argument("--out", type=Path, default=RESULTS)
    args = ap.parse_args(argv)
    only = {s for s in args.only.split(",") if s}
    tasks = [t for t in TASKS if not only or t.id in only]
    sides = [s for s in args.sides.split(",") if s]
    rows: dict[str, dict[str, Any]] = {}
    for t in tasks:
        rows[t.id] = {"skill": t.skill, "task": t.task, "outcome": t.outcome}
        for side in sides:
            rows[t.id][side] = run_one(t, side, args.corpus, args.model, args.baseline_turns)
            print(f"{t.id:<18} {side:<8} {'ok ' if rows[t.id][side]['ok'] else 'FAIL'} "
                  f"{rows[t.id][side]['seconds']:7.1f}s {rows[t.id][side]['tokens']:6d} tok", file=sys.stderr)
        partial = args.out.with_suffix(".partial.json")  # what a stopped run had done
        partial.write_text(json.dumps({"model": args.model, "rows": rows}, indent=2, default=str), encoding="utf-8")
    summary = {side: _summary(rows, side, sides) for side in sides}
    result = {"model": args.model, "tasks": len(tasks), "skills": len({t.skill for t in tasks}),
              "summary": summary, "rows": rows}
    status = publish(result, _table(summary, len(tasks)), args.out)
    args.out.with_suffix(".partial.json").unlink(missing_ok=True)
    return status


def _summary(rows: dict[str, dict[str, Any]], side: str, sides: list[str]) -> dict[str, Any]:
    done = [r[side] for r in rows.values() if r[side]["ok"]]
    both = [r for r in rows.values() if all(r[s]["ok"] for s in sides)]
    return {"success": len(done), "rate": round(len(done) / max(1, len(rows)), 3),
            "seconds": round(sum(r[side]["seconds"] for r in rows.values()), 1),
            "tokens_all": sum(r[side]["tokens"] for r in rows.values()),
            "tokens_both_completed": sum(r[side]["tokens"] for r in both), "both_completed": len(both),
            "seconds_both_completed": round(sum(r[side]["seconds"] for r in both), 1),
            "ids_both_completed": sorted(k for k, r in rows.items() if all(r[s]["ok"] for s in sides))}


def _table(summary: dict[str, dict[str, Any]], n: int) -> str:
    lines = ["| side | tasks done | wall s (all tasks) | tokens (all) | tokens (tasks both did) | wall s (tasks both did) |",
             "|---|---|---|---|---|---|"]
    for side, s in summary.items():
        lines.append(f"| {side} | {s['success']}/{n} ({s['rate']:.0%}) | {s['seconds']} | {s['tokens_all']} | "
                     f"{s['tokens_both_completed']} over {s['both_completed']} | {s['seconds_both_completed']} |")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
