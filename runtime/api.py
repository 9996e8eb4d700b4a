"""Running workflows from Python: `run(bundle_or_source_or_module, inputs, ...) -> RunResult`.

    result = run("examples/runbooks/checkout-latency.mlir", {"service": "checkout"},
                 db={"incidents": "incidents.db"})
    result.status, result.outputs, result.run_dir

A run lives in `<runs dir>/<RUN_ID>/` (runs dir: `runs_dir=`, else `$SKC_RUNS_DIR`,
else `.skc/runs`): `journal.jsonl` (see journal.py), `trace.jsonl` (trace.py),
`result.json` (the RunResult), `run.json` (how it was started: source, inputs,
options, so `resume=RUN_ID` needs nothing else) and `ir.mlir` (the IR it runs).

User errors are `DiagnosticError`s raised before anything runs; a failure while
running is a RunResult with `status == "failed"` and `error` set. Codes:

    SKC301  permission denied (a rule of the policy; see permissions.py)
    SKC302  not in the bundle's environment binding (binary, host)
    SKC303  an op timed out (after its retries)
    SKC304  resume refused: the run's IR differs from the given source
    SKC305  a workflow input is missing, unknown or of the wrong type
    SKC306  no target runs an op
    SKC307  a data source is not provided (`--db name=path`)
    SKC308  no such run (resume / trace)
    SKC309  the source does not compile (the compiler's diagnostics follow)
    SKC310  an op failed (its error says why)
    SKC311  a target crashed (a bug, reported as a failure of the op)
    SKC312  the run stopped to wait for an approval (status `waiting`; see approvals.py)
    SKC313  an op was not approved (rejected, or `approval_timeout` passed)
    SKC314  `approve`/`reject` named nothing that waits
    SKC315  the run is running in another process (see runs.py)
    SKC316  `skc test`: the skill has no test tasks
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Unpack

from skc.ir.module import Module
from skc.runtime.approvals import run_gate
from skc.runtime.config import RunConfig, RunOptions, config_of
from skc.runtime.journal import JOURNAL_FILE, JournalWriter, read_journal
from skc.runtime.plan import load_source
from skc.runtime.redact import redacted_result
from skc.runtime.run_setup import (  # noqa: F401  (RunResult, runs_root, ...: the public names stay here)
    DEFAULT_RUNS_DIR,
    Prepared,
    RunResult,
    jit_for,
    jit_profile_path,
    new_run_id,
    prepare,
    run_error,
    runs_root,
)
from skc.runtime.scheduler import Engine, Scheduler
from skc.runtime.trace import TRACE_FILE, TRACE_FORMAT, TraceWriter
from skc.runtime.values import jsonable


def make_engine(engine: str | Engine, options: Mapping[str, Any]) -> Engine:
    if isinstance(engine, Engine):
        return engine
    if engine == "local":
        from skc.runtime.engines.local import LocalEngine

        return LocalEngine()
    if engine == "ray":
        from skc.runtime.engines.ray_engine import RayEngine

        return RayEngine(num_cpus=int(options.get("ray_num_cpus") or 2), address=options.get("ray_address"))
    raise run_error("SKC305", f"unknown engine {engine!r}", "engines: local, ray")


def _output_names(wf: Any, n: int, early_exit: bool = False) -> list[str]:
    """Names for the outputs: the workflow's `output_names` for its final ctrl.return;
    an early exit's values (whatever was found on the way, then the exit message) are
    named `exit0`, `exit1`, ... since output_names do not describe them."""
    if early_exit:
        return [f"exit{i}" for i in range(n)]
    names = wf.attributes.get("output_names")
    if isinstance(names, list) and len(names) == n:
        return [str(x) for x in names]
    term = wf.body.terminator
    out: list[str] = []
    taken: set[str] = set()
    for i in range(n):
        v = term.operands[i] if term is not None and i < len(term.operands) else None
        name = v.name if v is not None and v.name and not v.name.isdigit() else f"out{i}"
        out.append(name if name not in taken else f"{name}_{i}")
        taken.add(out[-1])
    return out


def run(source: Module | str | Path | None = None, inputs: Mapping[str, Any] | None = None,
        config: RunConfig | None = None, **overrides: Unpack[RunOptions]) -> RunResult:
    """Runs a workflow (a Module, a bundle, or a source compiled on the fly); see the module docstring.

    `config` holds the options (`RunConfig`); keyword overrides replace its fields.
    `resume=RUN_ID` continues that run (source may be None: the run's own IR is used);
    `dry_run` checks permissions and returns the plan of every command without running;
    `allow`/`allow_writes` extend the permission policy; `db` maps data source names to
    SQLite files; `secrets` are values to redact; `limits` maps a target name or a
    resource to its concurrency bound; `progress` receives every trace event; `recompile`
    writes the ops this run promoted or answered by code back into the bundle (a bundle
    only; see `skc.runtime.jit.recompile`) when the run ends ok. Approvals (approvals.py):
    `approve` pre-approves the `confirm` ops of those steps, `approve_all` every one (and
    every write: `allow_writes` is its old name); `approval_timeout` rejects what is still
    undecided after that many seconds; `ask_approval(info) -> (approved, reason)` asks a
    person inline; without it a run whose only remaining ops wait ends `waiting`.

    Called inside a running event loop (Jupyter, FastAPI), the run gets a private loop
    on a worker thread and this call blocks until it ends; `await arun(...)` does not block.
    `task`/`files` are a skill's inputs (`{"task": ..., "files": "path\\npath"}`; `files`
    defaults to none).
    """
    coro = _arun(source, inputs, config_of(config, overrides), own_loop=True)
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro)
    with ThreadPoolExecutor(1, thread_name_prefix="skc-run") as pool:
        return pool.submit(asyncio.run, coro).result()


async def arun(source: Module | str | Path | None = None, inputs: Mapping[str, Any] | None = None,
               config: RunConfig | None = None, **overrides: Unpack[RunOptions]) -> RunResult:
    """`run` for asyncio callers: the run's ops are tasks of the caller's loop; loading,
    compiling and the checks before the run happen on a worker thread."""
    return await _arun(source, inputs, config_of(config, overrides), own_loop=False)


async def _arun(source: Module | str | Path | None, inputs: Mapping[str, Any] | None, cfg: RunConfig, *,
                own_loop: bool) -> RunResult:
    return await redacted_result(cfg.secrets, lambda: _arun_unredacted(source, inputs, cfg, own_loop=own_loop))


async def _arun_unredacted(source: Module | str | Path | None, inputs: Mapping[str, Any] | None, cfg: RunConfig,
                           *, own_loop: bool) -> RunResult:
    if own_loop:  # many ops wait in threads (sqlite, HTTP, the model's lock): room enough that they never starve
        asyncio.get_running_loop().set_default_executor(ThreadPoolExecutor(max_workers=32))
    if cfg.incident is not None and cfg.resume is None and source is not None:
        inputs = await _incident_inputs(source, inputs, cfg)
        prep = prepare(source, inputs, cfg)
    else:
        prep = await asyncio.to_thread(prepare, source, inputs, cfg)
    if isinstance(prep, RunResult):
        return prep
    try:
        result = await _execute(prep)
    finally:
        prep.lock.release()
    if cfg.recompile and result.status == "ok":
        from skc.runtime.jit.recompile import recompile as recompile_bundle

        recompiled = await asyncio.to_thread(recompile_bundle, str(prep.source), from_run=prep.run_id,
                                             runs_dir=prep.root)
        result.recompiled = recompiled.to_json()
    result.outputs = prep.redact(result.outputs)
    return result


async def _incident_inputs(source: Module | str | Path, inputs: Mapping[str, Any] | None,
                           cfg: RunConfig) -> dict[str, Any]:
    """`inputs` completed from the incident text (`--incident FILE`, see `skc.runtime.incident`)."""
    from skc.runtime.incident import inputs_from_incident, read_incident

    assert cfg.incident is not None
    text = read_incident(cfg.incident)
    wf = (await asyncio.to_thread(load_source, source)).module.workflow(cfg.workflow)
    return await inputs_from_incident(wf, dict(inputs or {}), text, cfg.options.get("llm_backend") or cfg.model)


async def _execute(p: Prepared) -> RunResult:
    """Runs the prepared workflow to its end, journaled and traced; writes result.json."""
    wf, opts, redact, run_id, run_dir = p.wf, p.opts, p.redact, p.run_id, p.run_dir
    journal = JournalWriter(run_dir / JOURNAL_FILE, redact)
    trace = TraceWriter(run_dir / TRACE_FILE, run_id, redact)
    if p.cfg.progress is not None:
        trace.listeners.append(p.cfg.progress)
    if not p.resumed and not p.state.header:
        journal.write({"type": "run", "run_id": run_id, "workflow": wf.sym_name, "ir_sha256": p.ir_sha,
                       "inputs": jsonable(p.given)})
    else:
        journal.write({"type": "resume", "in_flight": p.state.in_flight})
    engine = p.cfg.engine
    eng = make_engine(p.settings["engine"] if isinstance(engine, str) else engine, opts)
    own_jit = opts.get("jit") is None  # made here: its profile store is closed here too
    jit = jit_for(opts, p.source, p.root, wf.sym_name)
    cfg = p.cfg
    ops = [op for op in wf.walk() if op is not wf and not op.terminator]  # one walk: the gate, the trace
    gate = run_gate(run_dir, journal, approve=cfg.approve, approve_all=cfg.approve_all or bool(p.settings["allow_writes"]),
                    timeout_s=cfg.approval_timeout, ask=cfg.ask_approval) \
        if any(op.attributes.get("confirm") is True for op in ops) else None
    if gate is not None:
        trace.listeners.append(gate.listen)  # how the gate sees that nothing else runs
    sched = Scheduler(wf, run_id=run_id, engine=eng, trace=trace, journal=journal, policy=p.policy,
                      workdir=Path(p.settings["workdir"]), restored=p.state.done, bindings=p.bindings, options=opts,
                      limits=p.settings["limits"], retry_backoff_s=p.cfg.retry_backoff_s, jit=jit, approvals=gate)
    started = time.perf_counter()
    trace.emit("run_start", run_id=run_id, workflow=wf.sym_name, engine=eng.name, resumed=p.resumed,
               inputs=jsonable(p.given), ops=len(ops), format=TRACE_FORMAT)
    result = RunResult(run_id, "interrupted", wf.sym_name, run_dir=run_dir)
    try:
        outcome = await _drive(sched, eng, p.values)
        result.status, result.exit_status = outcome.status, outcome.exit_status
        names = _output_names(wf, len(outcome.outputs), outcome.early_exit)
        result.outputs = dict(zip(names, outcome.outputs, strict=True))
        result.error = outcome.error.diagnostic() if outcome.error is not None and outcome.status != "waiting" \
            else None
        result.tokens_in, result.tokens_out = outcome.tokens_in, outcome.tokens_out
        result.executed, result.restored = outcome.executed, outcome.restored
        result.cancelled = outcome.cancelled
        result.approvals = redact(list(gate.pending.values())) if gate and result.status == "waiting" else []
    finally:
        result.duration_s = time.perf_counter() - started
        error_text = str(result.error) if result.error else None
        trace.emit("run_end", status=result.status, exit_status=result.exit_status,
                   duration_s=round(result.duration_s, 4), error=error_text,
                   tokens_in=result.tokens_in, tokens_out=result.tokens_out)
        if result.status != "interrupted":
            journal.write({"type": "end", "status": result.status, "outputs": jsonable(result.outputs),
                           "error": error_text})
        journal.close()
        trace.close()
        if result.status == "failed":  # a failed run keeps what it found: its outputs that finished, by
            named = {k: v for k, v in result.outputs.items() if v is not None}  # name, then every step's value
            result.outputs = {**named, **_finished(run_dir / JOURNAL_FILE)}
        if jit is not None:
            jit.close()
            if own_jit:
                jit.store.close()
        (run_dir / "result.json").write_text(json.dumps(redact(result.to_json()), indent=2, sort_keys=True),
                                             encoding="utf-8")
    return result


def _finished(journal_path: Path) -> dict[str, Any]:
    """Every value a failed run finished, by step (`<step> #<op id>`), read back from its journal."""
    out: dict[str, Any] = {}
    for op_id, rec in read_journal(journal_path).done.items():
        values = [v for v in rec.get("values") or [] if v is not None]
        if values and not str(rec.get("name", "")).startswith(("ctrl.", "calc.", "data.const")):
            out[f"{rec.get('step') or rec.get('name')} #{op_id}"] = values[0]
    return out


async def _drive(sched: Scheduler, engine: Engine, values: list[Any]) -> Any:
    await engine.start()
    try:
        return await sched.run(values)
    finally:
        await engine.stop()
