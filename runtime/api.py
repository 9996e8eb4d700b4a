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
    SKC312  `skc test`: the skill has no test tasks
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import secrets
import time
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from skc.ir.location import Diagnostic, DiagnosticError, Location
from skc.ir.module import Module
from skc.ir.printer import print_module
from skc.runtime.agent_tools import AgentTools
from skc.runtime.journal import JOURNAL_FILE, JournalWriter, read_journal
from skc.runtime.permissions import Redactor, policy_for, secret_values
from skc.runtime.plan import UNKNOWN, bindings_of, load_source, plan_ops, preflight
from skc.runtime.scheduler import Engine, Scheduler
from skc.runtime.trace import TRACE_FILE, TraceWriter
from skc.runtime.values import coerce, jsonable, parse_input

DEFAULT_RUNS_DIR = ".skc/runs"


@dataclass
class RunResult:
    """How a run ended: status (ok, failed, interrupted, dry-run), outputs by name, and where it lives."""

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
    plan: list[dict[str, Any]] = field(default_factory=list)
    recompiled: dict[str, Any] | None = None  # what `recompile=True` wrote back (RecompileResult.to_json)

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
                **({"recompiled": self.recompiled} if self.recompiled is not None else {})}


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
    out = []
    for i in range(n):
        v = term.operands[i] if term is not None and i < len(term.operands) else None
        name = v.name if v is not None and v.name and not v.name.isdigit() else f"out{i}"
        out.append(name if name not in out else f"{name}_{i}")
    return out


def run(source: Module | str | Path, inputs: Mapping[str, Any] | None = None, *, engine: str | Engine = "local",
        workflow: str | None = None, runs_dir: str | Path | None = None, run_id: str | None = None,
        resume: str | None = None, dry_run: bool = False, allow: Iterable[str] = (), allow_writes: bool = False,
        db: Mapping[str, str] | None = None, secrets: Iterable[str] = (), options: Mapping[str, Any] | None = None,
        limits: Mapping[str, int] | None = None, progress: Callable[[dict[str, Any]], None] | None = None,
        workdir: str | Path | None = None, retry_backoff_s: float = 0.2, recompile: bool = False,
        task: str | None = None, files: Iterable[str | Path] = ()) -> RunResult:
    """Runs a workflow (a Module, a bundle, or a source compiled on the fly); see the module docstring.

    `resume=RUN_ID` continues that run (source may be None: the run's own IR is used);
    `dry_run` checks permissions and returns the plan of every command without running;
    `allow`/`allow_writes` extend the permission policy; `db` maps data source names to
    SQLite files; `secrets` are values to redact; `limits` maps a target name or a
    resource to its concurrency bound; `progress` receives every trace event; `recompile`
    writes the ops this run promoted or answered by code back into the bundle (a bundle
    only; see `skc.runtime.jit.recompile`) when the run ends ok. `task`/`files` are a
    skill's inputs (`{"task": ..., "files": "path\\npath"}`; `files` defaults to none).
    """
    root = runs_root(runs_dir)
    given = dict(inputs or {})
    settings: dict[str, Any] = {"engine": engine if isinstance(engine, str) else engine.name,
                                "workflow": workflow, "allow": list(allow), "allow_writes": allow_writes,
                                "db": dict(db or {}), "limits": dict(limits or {}),
                                "workdir": str(Path(workdir or Path.cwd()).resolve())}
    stored: dict[str, Any] | None = None
    if resume is not None:
        run_id = resume
        run_dir = root / resume
        if not (run_dir / "run.json").is_file():
            raise _error("SKC308", f"no run {resume!r} in {root}", "list runs with `ls " + str(root) + "`")
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
    loaded = load_source(source, compile=not own_ir)  # type: ignore[arg-type]
    module, wf = loaded.module, loaded.module.workflow(settings.get("workflow"))
    ir_text = print_module(module)
    ir_sha = hashlib.sha256(ir_text.encode()).hexdigest()
    if stored is not None and stored.get("ir_sha256") != ir_sha:
        raise _error("SKC304", f"run {resume} ran different IR than {source}",
                     "resume without a source (the run keeps its IR), or start a new run")
    if recompile and not (isinstance(source, str | Path) and _bundle_path(Path(source))):
        raise _error("SKC309", "--recompile needs a bundle to write the solidified ops into",
                     "compile one with `skc compile SOURCE -o OUT.skb` and run that", str(source))
    if task is not None or files:
        given = {**given, "task": task or given.get("task", ""), "files": "\n".join(str(f) for f in files)}
    if "task" in given and "files" in wf.input_names and "files" not in given:
        given["files"] = ""  # a skill's files are optional
    values = _inputs(wf, given, partial=dry_run)
    bindings = bindings_of(loaded)
    source_dir = str(loaded.source_dir) if loaded.source_dir else None
    if own_ir and stored is not None:  # where the original source's scripts and data were
        bindings, source_dir = stored.get("bindings", bindings), stored.get("source_dir", source_dir)
    opts: dict[str, Any] = {**(options or {}), "db": settings["db"], "source_dir": source_dir}
    policy = policy_for(wf.attributes.get("permissions"), allow=settings["allow"],  # type: ignore[arg-type]
                        allow_writes=bool(settings["allow_writes"]), bindings=bindings)
    opts.setdefault("agent_tools", AgentTools(policy))
    plan, diags = preflight(wf, values, policy, opts, bindings)
    if dry_run:
        return RunResult("dry-run", "dry-run", wf.sym_name, plan=plan_ops(wf, values, policy, plan))
    if diags:
        raise DiagnosticError(diags)
    redact = Redactor(secret_values(os.environ, secrets))
    run_id = run_id or new_run_id()
    run_dir = root / run_id
    run_dir.mkdir(parents=True, exist_ok=True)
    state = read_journal(run_dir / JOURNAL_FILE)
    if state.end is not None and state.end.get("status") == "ok":
        previous = json.loads((run_dir / "result.json").read_text(encoding="utf-8"))
        return RunResult(run_id, "ok", wf.sym_name, previous.get("outputs", {}), previous.get("exit_status"),
                         run_dir=run_dir, restored=len(state.done))
    if stored is None:
        (run_dir / "ir.mlir").write_text(ir_text, encoding="utf-8")
        record = {"source": str(source) if not isinstance(source, Module) else "<module>", "ir_sha256": ir_sha,
                  "inputs": redact(jsonable(given)), "settings": settings, "run_id": run_id,
                  "bindings": jsonable(bindings), "source_dir": source_dir,
                  "jit_profile": _profile_of(opts.get("jit"), loaded.bundle_dir, root, wf.sym_name)}
        (run_dir / "run.json").write_text(json.dumps(record, indent=2, sort_keys=True), encoding="utf-8")
    journal = JournalWriter(run_dir / JOURNAL_FILE, redact)
    trace = TraceWriter(run_dir / TRACE_FILE, run_id, redact)
    if progress is not None:
        trace.listeners.append(progress)
    if stored is None and not state.header:
        journal.write({"type": "run", "run_id": run_id, "workflow": wf.sym_name, "ir_sha256": ir_sha,
                       "inputs": jsonable(given)})
    else:
        journal.write({"type": "resume", "in_flight": state.in_flight})
    eng = make_engine(settings["engine"] if isinstance(engine, str) else engine, opts)
    own_jit = opts.get("jit") is None  # made here: its profile store is closed here too
    jit = _jit_for(opts, loaded.bundle_dir, root, wf.sym_name)
    sched = Scheduler(wf, run_id=run_id, engine=eng, trace=trace, journal=journal, policy=policy,
                      workdir=Path(settings["workdir"]), restored=state.done, bindings=bindings, options=opts,
                      limits=settings["limits"], retry_backoff_s=retry_backoff_s, jit=jit)
    started = time.perf_counter()
    trace.emit("run_start", run_id=run_id, workflow=wf.sym_name, engine=eng.name, resumed=stored is not None,
               inputs=jsonable(given), ops=sum(1 for op in wf.walk() if op is not wf and not op.terminator))
    result = RunResult(run_id, "interrupted", wf.sym_name, run_dir=run_dir)
    try:
        outcome = asyncio.run(_drive(sched, eng, values))
        result.status, result.exit_status = outcome.status, outcome.exit_status
        names = _output_names(wf, len(outcome.outputs), outcome.early_exit)
        result.outputs = dict(zip(names, outcome.outputs, strict=True))
        result.error = outcome.error.diagnostic() if outcome.error is not None else None
        result.tokens_in, result.tokens_out = outcome.tokens_in, outcome.tokens_out
        result.executed, result.restored = outcome.executed, outcome.restored
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
        if jit is not None:
            jit.close()
            if own_jit:
                jit.store.close()
        (run_dir / "result.json").write_text(json.dumps(redact(result.to_json()), indent=2, sort_keys=True),
                                             encoding="utf-8")
    if recompile and result.status == "ok" and jit is not None:
        from skc.runtime.jit.recompile import recompile as recompile_bundle

        result.recompiled = recompile_bundle(str(source), from_run=run_id, runs_dir=root).to_json()
    result.outputs = redact(result.outputs)
    return result


def _bundle_path(path: Path) -> bool:
    return (path / "manifest.json").is_file() or (path.is_file() and path.suffix in (".skb", ".zip"))


def jit_profile_path(bundle_dir: Path | None, runs: Path, name: str) -> Path:
    """Where the JIT profile of a run lives: in the bundle directory, or for sources and zip
    bundles beside the runs (`.skc/jit/<workflow>.sqlite`)."""
    if bundle_dir is not None:
        return Path(bundle_dir) / "jit" / "profile.sqlite"
    return runs.resolve().parent / "jit" / f"{name}.sqlite"


def _jit_for(options: dict[str, Any], bundle_dir: Path | None, runs: Path, name: str) -> Any:
    """The JIT for llm ops: `options["jit"]` (a JitManager, or False for none), else one whose
    profile is at `jit_profile_path`."""
    given = options.pop("jit", None)
    settings = options.pop("jit_config", None) or {}
    if given is False:
        return None
    if given is not None:
        return given
    from skc.runtime.jit import JitConfig, JitManager, ProfileStore

    return JitManager(ProfileStore(jit_profile_path(bundle_dir, runs, name)), JitConfig(**settings))


def _profile_of(jit: Any, bundle_dir: Path | None, runs: Path, name: str) -> str | None:
    """The profile the run's JIT records into (run.json keeps it for `skc recompile --from-run`)."""
    if jit is False:
        return None
    path = getattr(getattr(jit, "store", None), "path", None) if jit is not None else \
        jit_profile_path(bundle_dir, runs, name)
    return str(Path(path).resolve()) if path is not None and str(path) != ":memory:" else None


async def _drive(sched: Scheduler, engine: Engine, values: list[Any]) -> Any:
    # Many ops wait in threads (sqlite, HTTP, the model's lock): room enough that they never starve.
    asyncio.get_running_loop().set_default_executor(ThreadPoolExecutor(max_workers=32))
    await engine.start()
    try:
        return await sched.run(values)
    finally:
        await engine.stop()
