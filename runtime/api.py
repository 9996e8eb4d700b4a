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
import hashlib
import json
import os
import secrets
import time
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Unpack

from skc.ir.location import Diagnostic, DiagnosticError, Location
from skc.ir.module import Module
from skc.ir.printer import print_module
from skc.runtime.agent_tools import AgentTools
from skc.runtime.approvals import run_gate
from skc.runtime.config import RunConfig, RunOptions, config_of
from skc.runtime.journal import JOURNAL_FILE, JournalWriter, read_journal
from skc.runtime.permissions import Redactor, policy_for, secret_values
from skc.runtime.plan import UNKNOWN, bindings_of, load_source, plan_ops, preflight
from skc.runtime.redact import redacted_result
from skc.runtime.runs import RunLock
from skc.runtime.scheduler import Engine, Scheduler
from skc.runtime.trace import TRACE_FILE, TRACE_FORMAT, TraceWriter
from skc.runtime.values import coerce, jsonable, parse_input

DEFAULT_RUNS_DIR = ".skc/runs"


@dataclass
class RunResult:
    """How a run ended: status (ok, failed, waiting, interrupted, dry-run), outputs by name, and where it lives."""

    run_id: str
    status: str
    workflow: str = ""
    outputs: dict[str, Any] = field(default_factory=dict)
    exit_status: str | None = None
    error: Diagnostic | None = None
    run_dir: Path | None = None
    duration_s: float = 0.0
    tokens_in: int = 0
    tokens_out: int = 0
    executed: int = 0
    restored: int = 0
    cancelled: int = 0  # ops stopped or never started because the run failed (journaled as cancelled)
    plan: list[dict[str, Any]] = field(default_factory=list)
    recompiled: dict[str, Any] | None = None  # what `recompile=True` wrote back (RecompileResult.to_json)
    approvals: list[dict[str, Any]] = field(default_factory=list)  # status `waiting`: what waits for a person

    @property
    def ok(self) -> bool:
        return self.status in ("ok", "dry-run")

    def to_json(self) -> dict[str, Any]:
        return {"run_id": self.run_id, "status": self.status, "workflow": self.workflow,
                "outputs": jsonable(self.outputs), "exit_status": self.exit_status,
                "error": self.error.to_json() if self.error else None,
                "run_dir": str(self.run_dir) if self.run_dir else None, "duration_s": round(self.duration_s, 4),
                "tokens_in": self.tokens_in, "tokens_out": self.tokens_out, "executed": self.executed,
                "restored": self.restored, **({"plan": self.plan} if self.plan else {}),
                **({"recompiled": self.recompiled} if self.recompiled is not None else {}),
                **({"approvals": self.approvals} if self.approvals else {}),
                **({"cancelled": self.cancelled} if self.cancelled else {})}


def runs_root(runs_dir: str | Path | None = None) -> Path:
    return Path(runs_dir or os.environ.get("SKC_RUNS_DIR") or DEFAULT_RUNS_DIR)


def new_run_id() -> str:
    return time.strftime("%Y%m%d-%H%M%S") + "-" + secrets.token_hex(3)


def _error(code: str, message: str, hint: str = "", where: str = "<run>") -> DiagnosticError:
    return DiagnosticError([Diagnostic(code, Location(where, 1, 1), message, hint)])


def _inputs(wf: Any, given: Mapping[str, Any], *, partial: bool = False) -> list[Any]:
    """The workflow's input values, parsed by type; with `partial`, a missing one is UNKNOWN."""
    names = wf.input_names
    unknown = sorted(set(given) - set(names))
    diags = [Diagnostic("SKC305", wf.where, f"workflow {wf.sym_name!r} has no input {k!r}",
                        f"inputs: {', '.join(names) or 'none'}") for k in unknown]
    values = []
    for name, arg in zip(names, wf.inputs, strict=True):
        if name not in given:
            if partial:
                values.append(UNKNOWN)
                continue
            diags.append(Diagnostic("SKC305", wf.where, f"missing input {name!r} ({arg.type})",
                                    f"pass --input {name}=VALUE"))
            continue
        raw = given[name]
        try:
            values.append(parse_input(raw, arg.type) if isinstance(raw, str) else coerce(raw, arg.type))
        except ValueError as e:
            diags.append(Diagnostic("SKC305", wf.where, f"input {name!r}: {e}"))
    if diags:
        raise DiagnosticError(diags)
    return values


def make_engine(engine: str | Engine, options: Mapping[str, Any]) -> Engine:
    if isinstance(engine, Engine):
        return engine
    if engine == "local":
        from skc.runtime.engines.local import LocalEngine

        return LocalEngine()
    if engine == "ray":
        from skc.runtime.engines.ray_engine import RayEngine

        return RayEngine(num_cpus=int(options.get("ray_num_cpus") or 2), address=options.get("ray_address"))
    raise _error("SKC305", f"unknown engine {engine!r}", "engines: local, ray")


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


@dataclass
class _Prepared:
    """A run ready to start: what `_prepare` checked and opened, for `_execute`."""

    source: Module | str | Path | None
    cfg: RunConfig
    wf: Any
    values: list[Any]
    run_id: str
    run_dir: Path
    root: Path
    given: dict[str, Any]
    settings: dict[str, Any]
    opts: dict[str, Any]
    policy: Any
    bindings: dict[str, Any]
    redact: Redactor
    ir_sha: str
    resumed: bool
    state: Any
    loaded: Any
    lock: RunLock


async def _arun(source: Module | str | Path | None, inputs: Mapping[str, Any] | None, cfg: RunConfig, *,
                own_loop: bool) -> RunResult:
    return await redacted_result(cfg.secrets, lambda: _arun_unredacted(source, inputs, cfg, own_loop=own_loop))


async def _arun_unredacted(source: Module | str | Path | None, inputs: Mapping[str, Any] | None, cfg: RunConfig,
                           *, own_loop: bool) -> RunResult:
    if own_loop:  # many ops wait in threads (sqlite, HTTP, the model's lock): room enough that they never starve
        asyncio.get_running_loop().set_default_executor(ThreadPoolExecutor(max_workers=32))
    if cfg.incident is not None and cfg.resume is None and source is not None:
        inputs = await _incident_inputs(source, inputs, cfg)
        prep = _prepare(source, inputs, cfg)
    else:
        prep = await asyncio.to_thread(_prepare, source, inputs, cfg)
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


def _target_options(cfg: RunConfig) -> dict[str, Any]:
    """What targets read from their context: `cfg.options` plus the typed fields they use."""
    opts: dict[str, Any] = dict(cfg.options)
    if cfg.model:
        opts["model"] = cfg.model
    if cfg.trusted_keys is not None:
        opts["require_signature"] = list(cfg.trusted_keys)
    if not cfg.jit:
        opts["jit"] = False
    elif "jit_config" not in opts:
        opts["jit_config"] = {"promote_after": cfg.jit_promote_after, "demote_after": cfg.jit_demote_after,
                              "shadow_rate": cfg.jit_shadow_rate}
    return opts


def _prepare(source: Module | str | Path | None, inputs: Mapping[str, Any] | None,
             cfg: RunConfig) -> _Prepared | RunResult:
    """Everything before the first op: load, check, open the run directory and journal
    (a dry run, or a resumed run that had already ended ok, is a RunResult here)."""
    root = runs_root(cfg.runs_dir)
    resume, engine = cfg.resume, cfg.engine
    given = dict(inputs or {})
    settings: dict[str, Any] = {"engine": engine if isinstance(engine, str) else engine.name,
                                "workflow": cfg.workflow, "allow": list(cfg.allow), "allow_writes": cfg.allow_writes,
                                "db": dict(cfg.db or {}), "limits": dict(cfg.limits or {}),
                                "workdir": str(Path(cfg.workdir or Path.cwd()).resolve())}
    stored: dict[str, Any] | None = None
    if resume is not None:
        run_dir = root / resume
        if not (run_dir / "run.json").is_file():
            raise _error("SKC308", f"no run {resume!r} in {root}", "list the runs with `skc runs" +
                         (f" --runs-dir {root}`" if cfg.runs_dir else "`"))
        stored = json.loads((run_dir / "run.json").read_text(encoding="utf-8"))
        settings = {**stored["settings"], **{k: v for k, v in settings.items() if v and k in ("allow", "db")}}
        hidden = sorted(k for k, v in stored.get("inputs", {}).items() if "***" in json.dumps(v) and k not in given)
        if hidden:
            raise _error("SKC305", f"input {hidden[0]!r} of run {resume} held a secret, which is never stored",
                         f"pass it again: --input {hidden[0]}=VALUE --secret VALUE")
        given = {**stored.get("inputs", {}), **given}
    elif source is None:
        raise _error("SKC309", "nothing to run", "give a bundle or source, or resume=RUN_ID")
    own_ir = source is None  # a resumed run's own IR is already compiled: parse it, do not recompile
    if own_ir:
        source = root / str(resume) / "ir.mlir"
    assert source is not None
    loaded = load_source(source, compile=not own_ir)
    module, wf = loaded.module, loaded.module.workflow(settings.get("workflow"))
    ir_text = print_module(module)
    ir_sha = hashlib.sha256(ir_text.encode()).hexdigest()
    if stored is not None and stored.get("ir_sha256") != ir_sha:
        raise _error("SKC304", f"run {resume} ran different IR than {source}",
                     "resume without a source (the run keeps its IR), or start a new run")
    if cfg.recompile and not (isinstance(source, str | Path) and _bundle_path(Path(source))):
        raise _error("SKC309", "--recompile needs a bundle to write the solidified ops into",
                     "compile one with `skc compile SOURCE -o OUT.skb` and run that", str(source))
    if cfg.recompile and not cfg.jit:
        raise _error("SKC309", "--recompile needs the JIT", "drop --no-jit (jit=False)", str(source))
    task, files = cfg.task, list(cfg.files)
    if task is not None or files:
        given = {**given, "task": task or given.get("task", ""), "files": "\n".join(str(f) for f in files)}
    if "task" in given and "files" in wf.input_names and "files" not in given:
        given["files"] = ""  # a skill's files are optional
    values = _inputs(wf, given, partial=cfg.dry_run)
    bindings = bindings_of(loaded)
    source_dir = str(loaded.source_dir) if loaded.source_dir else None
    if own_ir and stored is not None:  # where the original source's scripts and data were
        bindings, source_dir = stored.get("bindings", bindings), stored.get("source_dir", source_dir)
    opts: dict[str, Any] = {**_target_options(cfg), "db": settings["db"], "source_dir": source_dir}
    policy = policy_for(wf.attributes.get("permissions"), allow=settings["allow"],  # type: ignore[arg-type]
                        allow_writes=bool(settings["allow_writes"]) or cfg.approve_all, bindings=bindings)
    opts.setdefault("agent_tools", AgentTools(policy))
    plan, diags = preflight(wf, values, policy, opts, bindings)
    if cfg.dry_run:
        return RunResult("dry-run", "dry-run", wf.sym_name, plan=plan_ops(wf, values, policy, plan))
    if diags:
        raise DiagnosticError(diags)
    redact = Redactor(secret_values(os.environ, cfg.secrets))
    run_id = resume or cfg.run_id or new_run_id()
    run_dir = root / run_id
    run_dir.mkdir(parents=True, exist_ok=True)
    lock = RunLock(run_dir)  # held until the run ends: `skc runs` sees it running, a second resume is refused
    lock.acquire()
    prep = _Prepared(source, cfg, wf, values, run_id, run_dir, root, given, settings, opts, policy, bindings,
                     redact, ir_sha, stored is not None, None, loaded, lock)
    try:
        return _open_run(prep, ir_text, stored)
    except BaseException:
        lock.release()
        raise


def _open_run(p: _Prepared, ir_text: str, stored: dict[str, Any] | None) -> _Prepared | RunResult:
    """In the locked run directory: a finished run's result, or the journal's state (and, for
    a new run, its run.json and ir.mlir)."""
    p.state = state = read_journal(p.run_dir / JOURNAL_FILE)
    if state.end is not None and state.end.get("status") == "ok":
        p.lock.release()
        previous = json.loads((p.run_dir / "result.json").read_text(encoding="utf-8"))
        return RunResult(p.run_id, "ok", p.wf.sym_name, previous.get("outputs", {}), previous.get("exit_status"),
                         run_dir=p.run_dir, restored=len(state.done))
    if stored is None:
        source = p.source
        (p.run_dir / "ir.mlir").write_text(ir_text, encoding="utf-8")
        record = {"source": str(source) if not isinstance(source, Module) else "<module>", "ir_sha256": p.ir_sha,
                  "inputs": p.redact(jsonable(p.given)), "settings": p.settings, "run_id": p.run_id,
                  "bindings": jsonable(p.bindings), "source_dir": p.opts.get("source_dir"),
                  "jit_profile": _profile_of(p.opts.get("jit"), source, p.root, p.wf.sym_name)}
        (p.run_dir / "run.json").write_text(json.dumps(record, indent=2, sort_keys=True), encoding="utf-8")
    return p


async def _execute(p: _Prepared) -> RunResult:
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
    jit = _jit_for(opts, p.source, p.root, wf.sym_name)
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


def _bundle_path(path: Path) -> bool:
    return (path / "manifest.json").is_file() or (path.is_file() and path.suffix in (".skb", ".zip"))


def jit_profile_path(source: Module | str | Path | None, runs: Path, name: str) -> Path:
    """Where the JIT profile of a run lives: in the run store, `<runs>/jit/<store id>/profile.sqlite`
    (see `skc.runtime.jit.runstore`); never inside the bundle that runs."""
    from skc.runtime.jit.runstore import profile_path, source_path

    return profile_path(runs, source_path(source), name)


def _jit_for(options: dict[str, Any], source: Module | str | Path | None, runs: Path, name: str) -> Any:
    """The JIT for llm ops: `options["jit"]` (a JitManager, or False for none), else one whose
    profile is at `jit_profile_path` (seeded from the bundle's own profile the first time)."""
    given = options.pop("jit", None)
    settings = options.pop("jit_config", None) or {}
    if given is False:
        return None
    if given is not None:
        return given
    from skc.runtime.jit import JitConfig, JitManager, ProfileStore
    from skc.runtime.jit.runstore import prepare_profile, source_path

    return JitManager(ProfileStore(prepare_profile(runs, source_path(source), name)), JitConfig(**settings))


def _profile_of(jit: Any, source: Module | str | Path | None, runs: Path, name: str) -> str | None:
    """The profile the run's JIT records into (run.json keeps it for `skc recompile --from-run`)."""
    if jit is False:
        return None
    path = getattr(getattr(jit, "store", None), "path", None) if jit is not None else \
        jit_profile_path(source, runs, name)
    return str(Path(path).resolve()) if path is not None and str(path) != ":memory:" else None


async def _drive(sched: Scheduler, engine: Engine, values: list[Any]) -> Any:
    await engine.start()
    try:
        return await sched.run(values)
    finally:
        await engine.stop()
