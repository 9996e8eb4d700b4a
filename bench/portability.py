"""Model portability: runbook tasks on the embedded 270M model, skc against raw-context baselines.

    python -m bench.portability [--tasks bad_deploy,dns] [--out bench/results/portability.json]

Each task of `bench/portability_tasks` has a generated SQLite database with one
planted root cause and a ground-truth string (a deployment id, a config key, a host,
a tenant, a resolver...). Success, for every contestant, is the same check: the
final answer contains the ground truth (case-insensitive).

    skc            compiles the task's .skflow runbook and runs it (`run`, JIT off) on the
                   embedded model; judged on `root_cause`, which the runbook's code decides
                   from the query results. Also reported: whether the model's one-sentence
                   `summary` still names the truth (the model only interprets)
    agent          raw context, ReAct-style (`skc.runtime.llm.agent.run_agent`): the whole
                   runbook text, the database's schema and the question; the same tool skc
                   uses (read-only SQL on the task's database) for at most 4 turns; its
                   final answer is judged
    given-results  the most generous baseline: the whole runbook plus the results of every
                   query skc's run made, and the question; one answer of at most 64 tokens

All three use the same model (Gemma 3 270M through llama.cpp, greedy). A 270M base
model rarely writes working SQL or picks the one anomalous row out of a table, so
the baselines are expected to fail often; skc succeeds where the runbook lets code
decide and leaves the model only the summary. That is the claim measured here, and
the per-task rows say where it holds.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sqlite3
import sys
import tempfile
from pathlib import Path
from typing import Any

from bench import publish
from bench.portability_tasks import TASKS, Task
from bench.portability_tasks.gen import SCHEMA

RESULTS = Path(__file__).resolve().parent / "results" / "portability.json"
SYSTEM = "You are an on-call engineer. Diagnose the incident and name its root cause exactly."
SQL_SPEC = {"type": "function", "function": {
    "name": "Sql", "description": "Run a read-only SQL query on the incidents SQLite database.",
    "parameters": {"type": "object", "properties": {"query": {"type": "string"}}, "required": ["query"]}}}


def names(text: str, truth: str) -> bool:
    return truth.lower() in (text or "").lower()


def query_rows(db: Path, query: str, limit: int = 50) -> list[dict[str, Any]]:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        cur = conn.execute(query)
        cols = [c[0] for c in cur.description or []]
        return [dict(zip(cols, row, strict=True)) for row in cur.fetchmany(limit)]
    finally:
        conn.close()


def run_skc(task: Task, db: Path, tmp: Path) -> dict[str, Any]:
    from skc.runtime.api import run
    from skc.runtime.llm.prompt import render_value

    result = run(task.runbook, task.inputs, db={"incidents": str(db)}, runs_dir=tmp / "runs", workdir=tmp,
                 options={"jit": False})
    root = str(result.outputs.get("root_cause") or "")
    summary = str(result.outputs.get("summary") or "")
    observations = []
    if result.run_dir is not None and (result.run_dir / "journal.jsonl").is_file():
        for line in (result.run_dir / "journal.jsonl").read_text(encoding="utf-8").splitlines():
            rec = json.loads(line)
            if rec.get("type") == "done" and rec.get("name") == "tool.sql":
                observations.append(f"Result of {rec.get('step')}:\n" +
                                    "\n".join(render_value(v, 3000) for v in rec.get("values") or [] if v is not None))
    return {"status": result.status, "error": str(result.error) if result.error else None,
            "root_cause": root, "summary": summary, "success": result.status == "ok" and names(root, task.truth),
            "summary_names_truth": names(summary, task.truth), "tokens": result.tokens_in + result.tokens_out,
            "seconds": result.duration_s, "observations": observations}


def run_agent_baseline(task: Task, db: Path, backend: Any, tmp: Path) -> dict[str, Any]:
    from skc.runtime.llm.agent import AgentBudget, AgentTimeout, run_agent
    from skc.runtime.llm.prompt import render_value
    from skc.runtime.targets.base import ExecContext

    def runner(tool: str, arguments: dict[str, Any], ctx: Any, allowed: tuple[str, ...]) -> str:
        rows = query_rows(db, str(arguments.get("query", "")))
        return render_value(rows, 3000) if rows else "(no rows)"

    messages = [{"role": "system", "content": SYSTEM},
                {"role": "user", "content": f"Runbook:\n\n{task.runbook.read_text(encoding='utf-8')}\n\n"
                                            f"The incidents SQLite database has these tables:\n{SCHEMA.strip()}\n\n"
                                            f"{task.question} Use the Sql tool, then answer."}]
    budget = AgentBudget(max_turns=4, max_tokens=16000, timeout_s=240.0, turn_tokens=160)
    ctx = ExecContext("bench-portability", tmp)
    try:
        out = asyncio.run(run_agent(backend, messages, ["Sql"], ctx, budget, runner, custom_specs={"Sql": SQL_SPEC}))
    except AgentTimeout as e:
        out = e.outcome
    saw = any(names(str(c.get("output", "")), task.truth) for c in out.tool_calls if c.get("ok"))
    return {"answer": out.answer[:400], "success": names(out.answer, task.truth), "turns": out.turns,
            "tool_calls": len(out.tool_calls), "ok_tool_calls": sum(1 for c in out.tool_calls if c.get("ok")),
            "saw_truth_in_results": saw, "stopped": out.stopped, "tokens": out.tokens_in + out.tokens_out}


def run_given_results(task: Task, observations: list[str], backend: Any) -> dict[str, Any]:
    messages = [{"role": "system", "content": SYSTEM},
                {"role": "user", "content": f"Runbook:\n\n{task.runbook.read_text(encoding='utf-8')}\n\n"
                                            + "\n\n".join(observations) + f"\n\n{task.question} Answer in one sentence."}]
    reply = backend.complete(messages, max_tokens=64)
    return {"answer": reply.text[:400], "success": names(reply.text, task.truth),
            "tokens": reply.tokens_in + reply.tokens_out}


def run_task(task: Task, backend: Any) -> dict[str, Any]:
    tmp = Path(tempfile.mkdtemp(prefix=f"skc-bench-{task.name}-"))
    db = task.make_db(tmp / "incidents.db")
    skc = run_skc(task, db, tmp)
    agent = run_agent_baseline(task, db, backend, tmp)
    given = run_given_results(task, skc.pop("observations"), backend)
    return {"task": task.name, "truth": task.truth, "runbook": task.runbook.name, "skc": skc, "agent": agent,
            "given_results": given}


def run(only: list[str] | None = None) -> dict[str, Any]:
    from skc.runtime.llm import get_backend

    backend = get_backend("local")
    rows = []
    for task in TASKS:
        if only and task.name not in only:
            continue
        rows.append(run_task(task, backend))
        r = rows[-1]
        print(f"  {task.name:18} skc {'ok' if r['skc']['success'] else 'FAIL'}  agent "
              f"{'ok' if r['agent']['success'] else 'FAIL'}  given-results "
              f"{'ok' if r['given_results']['success'] else 'FAIL'}", file=sys.stderr, flush=True)
    totals = {k: sum(1 for r in rows if r[k]["success"]) for k in ("skc", "agent", "given_results")}
    totals["skc_summary"] = sum(1 for r in rows if r["skc"]["summary_names_truth"])
    return {"benchmark": "portability", "model": getattr(backend, "model_id", backend.name), "tasks": len(rows),
            "success": totals, "rows": rows}


def table(res: dict[str, Any]) -> str:
    lines = [f"portability: {res['tasks']} tasks, model {res['model']} (success = the answer names the truth)",
             f"  {'task':18} {'truth':20} {'skc':>5} {'summary':>8} {'agent':>6} {'given':>6}"]
    for r in res["rows"]:
        def mark(ok: bool) -> str:
            return "yes" if ok else "no"
        lines.append(f"  {r['task']:18} {r['truth']:20} {mark(r['skc']['success']):>5} "
                     f"{mark(r['skc']['summary_names_truth']):>8} {mark(r['agent']['success']):>6} "
                     f"{mark(r['given_results']['success']):>6}")
    s = res["success"]
    lines.append(f"  {'total':18} {'':20} {s['skc']:5d} {s['skc_summary']:8d} {s['agent']:6d} {s['given_results']:6d}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.portability", description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", default="", help="comma-separated task names (default: all)")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    res = run([t for t in args.tasks.split(",") if t] or None)
    return publish(res, table(res), args.out)


if __name__ == "__main__":
    sys.exit(main())
