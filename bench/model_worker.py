"""The embedded model out of process: per-call overhead, and concurrent runs sharing a worker.

    python -m bench.model_worker [--repeats 5] [--runs 1,2,4,8] [--out bench/results/model_worker.json]

Part 1, per-call overhead (same process, same prompts, same model, measured in this run):
`in-process` is `LlamaCppBackend` (llama.cpp in the calling process, what skc did before),
`worker` is `WorkerBackend` (the `local` spec: the model in a supervised worker on loopback,
reached through the OpenAI-compatible client). Each row is the median of `--repeats` calls
after a warm-up; `tokenize` is a near-empty call, so its difference is the transport alone.
Both answer identically (checked here too). Worker start-up is paid once per run.

Part 2, N concurrent `skc run` of one workflow (three llm ops, `--no-jit`, one runs
directory), with a worker per run (`SKC_MODEL_WORKER=run`, the default) and with one shared
worker (`SKC_MODEL_WORKER=shared`, started by the first run and reused; it is started fresh
for each N). `wall` is the time until the last run ends; `memory` the peak of the summed
RSS of every skc and worker process (sampled every 50 ms; the model file's pages, mapped
by each worker, count once per worker as RSS does); `identical` whether every run's
outputs equal those of a run alone.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from bench import median_seconds, publish

RESULTS = Path(__file__).resolve().parent / "results" / "model_worker.json"
ROOT = Path(__file__).resolve().parent.parent

MESSAGES = [{"role": "system", "content": "You are a careful assistant inside an automated workflow."},
            {"role": "user", "content": "Pods: 2 of 3 running; api-2 is in CrashLoopBackOff since 12:04. "
                                        "Summarise the state of the service."}]
SCHEMA = {"type": "object", "properties": {"running": {"type": "integer"}, "total": {"type": "integer"}},
          "required": ["running", "total"]}
CALLS: dict[str, dict[str, Any]] = {
    "tokenize": {},
    "generate 16 tokens": {"max_tokens": 16},
    "decide (grammar)": {"choices": ["healthy", "degraded", "down"]},
    "extract (JSON Schema)": {"json_schema": SCHEMA, "max_tokens": 32},
}

WORKFLOW = """"skc.workflow"() ({
^bb0(%x: !skc.text):
  %0 = "llm.generate"(%x) {max_tokens = 16 : i64, prompt = "Summarise the state of the service."} : (!skc.text) -> !skc.text
  %1 = "llm.decide"(%x) {outcomes = ["healthy", "degraded", "down"], prompt = "Is the service healthy, degraded or down?"} : (!skc.text) -> !skc.text
  %2 = "llm.extract"(%x) {max_tokens = 32 : i64, prompt = "Extract the running and total pod counts.", schema = "{\\"type\\": \\"object\\", \\"properties\\": {\\"running\\": {\\"type\\": \\"integer\\"}, \\"total\\": {\\"type\\": \\"integer\\"}}, \\"required\\": [\\"running\\", \\"total\\"]}"} : (!skc.text) -> !skc.json
  "ctrl.return"(%0, %1, %2) : (!skc.text, !skc.text, !skc.json) -> ()
}) {arg_names = ["x"], sym_name = "status"} : () -> ()
"""
INPUT = "Pods: 2 of 3 running; api-2 is in CrashLoopBackOff since 12:04."


def per_call(repeats: int) -> dict[str, Any]:
    from skc.runtime.llm.local import LlamaCppBackend
    from skc.runtime.llm.supervisor import WorkerBackend

    inproc = LlamaCppBackend()
    start = time.perf_counter()
    worker = WorkerBackend()
    worker.count_tokens("")
    startup = time.perf_counter() - start
    rows = []
    try:
        for name, kw in CALLS.items():
            if name == "tokenize":
                a, b = (lambda: inproc.count_tokens("x")), (lambda: worker.count_tokens("x"))
                same = inproc.count_tokens(INPUT) == worker.count_tokens(INPUT)
            else:
                a, b = (lambda kw=kw: inproc.complete(MESSAGES, **kw)), (lambda kw=kw: worker.complete(MESSAGES, **kw))
                one, two = inproc.complete(MESSAGES, **kw), worker.complete(MESSAGES, **kw)
                same = (one.text, one.tokens_in, one.tokens_out) == (two.text, two.tokens_in, two.tokens_out)
            t_in, t_out = median_seconds(a, repeats), median_seconds(b, repeats)
            rows.append({"call": name, "in_process_ms": round(t_in * 1000, 2), "worker_ms": round(t_out * 1000, 2),
                         "overhead_ms": round((t_out - t_in) * 1000, 2), "ratio": round(t_out / t_in, 3),
                         "identical": same})
    finally:
        worker.close()
    return {"worker_startup_s": round(startup, 2), "calls": rows}


def _tree_rss_kib(pids: set[int]) -> int:
    """Summed RSS of the skc processes given and every process running the model worker."""
    total = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmd = (entry / "cmdline").read_bytes()
            if int(entry.name) in pids or b"skc.runtime.llm.worker" in cmd:
                total += next(int(line.split()[1]) for line in (entry / "status").read_text().splitlines()
                              if line.startswith("VmRSS:"))
        except (OSError, StopIteration, ValueError):
            continue
    return total


def _kill_shared(log_dir: Path) -> None:
    for record in log_dir.glob("shared-*.json"):
        try:
            os.kill(int(json.loads(record.read_text())["pid"]), signal.SIGTERM)
        except (OSError, ValueError, KeyError):
            pass
        record.unlink(missing_ok=True)


def concurrent(n: int, mode: str, work: Path) -> dict[str, Any]:
    source = work / "status.mlir"
    logs = work / f"logs-{mode}-{n}"
    env = {**os.environ, "SKC_MODEL_WORKER": mode, "SKC_WORKER_LOG_DIR": str(logs), "SKC_WORKER_IDLE_S": "30"}
    argv = [sys.executable, "-m", "skc", "run", str(source), "--no-jit", "--json", "--runs-dir", str(work / "runs"),
            "--input", f"x={INPUT}"]
    peak, done = 0, threading.Event()
    start = time.perf_counter()
    procs = [subprocess.Popen(argv, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _ in range(n)]
    pids = {p.pid for p in procs}

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, _tree_rss_kib(pids))
            time.sleep(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    outs = [p.communicate(timeout=1800) for p in procs]
    wall = time.perf_counter() - start
    done.set()
    sampler.join()
    _kill_shared(logs)
    results = []
    for p, (out, err) in zip(procs, outs, strict=True):
        if p.returncode != 0:
            raise RuntimeError(f"a run failed ({p.returncode}): {err[-2000:]}")
        results.append(json.loads(out)["outputs"])
    return {"runs": n, "mode": mode, "wall_s": round(wall, 2), "peak_rss_mib": round(peak / 1024, 1),
            "outputs": results}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--runs", default="1,2,4,8")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    calls = per_call(args.repeats)
    table = [f"worker start-up (once per run): {calls['worker_startup_s']} s", "",
             f"{'call':24} {'in-process ms':>14} {'worker ms':>10} {'overhead ms':>12} {'ratio':>6}  identical"]
    table += [f"{r['call']:24} {r['in_process_ms']:>14} {r['worker_ms']:>10} {r['overhead_ms']:>12} "
              f"{r['ratio']:>6}  {r['identical']}" for r in calls["calls"]]
    rows = []
    with tempfile.TemporaryDirectory(prefix="skc-bench-worker-") as tmp:
        work = Path(tmp)
        (work / "status.mlir").write_text(WORKFLOW)
        alone = concurrent(1, "run", work)["outputs"][0]
        for n in (int(x) for x in args.runs.split(",")):
            for mode in ("run", "shared"):
                row = concurrent(n, mode, work)
                row["identical"] = all(o == alone for o in row.pop("outputs"))
                rows.append(row)
    table += ["", f"{'runs':>4} {'worker':>8} {'wall s':>8} {'memory MiB':>11}  identical"]
    table += [f"{r['runs']:>4} {r['mode']:>8} {r['wall_s']:>8} {r['peak_rss_mib']:>11}  {r['identical']}"
              for r in rows]
    return publish({"per_call": calls, "concurrent": rows, "alone": alone, "repeats": args.repeats,
                    "cpus": os.cpu_count()}, "\n".join(table), args.out)


if __name__ == "__main__":
    sys.exit(main())
