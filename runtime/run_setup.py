"""Everything a run does before its first op: check the inputs, load or compile the
source, open (or reopen) the run directory under its lock, and pick the JIT.

`prepare(source, inputs, cfg)` is what `skc.runtime.api.run` calls on a worker thread;
it returns a `Prepared` run for `api._execute`, or a `RunResult` when nothing is left
to run (a dry run; a resumed run that had already ended ok). User errors are
`DiagnosticError`s raised here, before anything runs (codes: see `skc.runtime.api`).
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from skc.ir.location import Diagnostic, DiagnosticError, Location
from skc.ir.module import Module
from skc.ir.printer import print_module
from skc.runtime.agent_tools import AgentTools
from skc.runtime.config import RunConfig
from skc.runtime.journal import JOURNAL_FILE, read_journal
from skc.runtime.permissions import Redactor, policy_for, secret_values
from skc.runtime.plan import UNKNOWN, bindings_of, load_source, plan_ops, preflight
from skc.runtime.runs import RunLock
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
    """The runs folder: `runs_dir`, else `$SKC_RUNS_DIR`, else `.skc/runs`."""
    return Path(runs_dir or os.environ.get("SKC_RUNS_DIR") or DEFAULT_RUNS_DIR)


def new_run_id() -> str:
    """A new run id: the local time and 6 random hex digits (`20261207-161500-a1b2c3`)."""
    return time.strftime("%Y%m%d-%H%M%S") + "-" + secrets.token_hex(3)


def run_error(code: str, message: str, hint: str = "", where: str = "<run>") -> DiagnosticError:
    """A user error of a run, located at `where` (the run itself by default)."""
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


@dataclass
class Prepared:
    """A run ready to start: what `prepare` checked and opened, for `api._execute`."""

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


def prepare(source: Module | str | Path | None, inputs: Mapping[str, Any] | None,
             cfg: RunConfig) -> Prepared | RunResult:
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
            raise run_error("SKC308", f"no run {resume!r} in {root}", "list the runs with `skc runs" +
                         (f" --runs-dir {root}`" if cfg.runs_dir else "`"))
        stored = json.loads((run_dir / "run.json").read_text(encoding="utf-8"))
        settings = {**stored["settings"], **{k: v for k, v in settings.items() if v and k in ("allow", "db")}}
        hidden = sorted(k for k, v in stored.get("inputs", {}).items() if "***" in json.dumps(v) and k not in given)
        if hidden:
            raise run_error("SKC305", f"input {hidden[0]!r} of run {resume} held a secret, which is never stored",
                         f"pass it again: --input {hidden[0]}=VALUE --secret VALUE")
        given = {**stored.get("inputs", {}), **given}
    elif source is None:
        raise run_error("SKC309", "nothing to run", "give a bundle or source, or resume=RUN_ID")
    own_ir = source is None  # a resumed run's own IR is already compiled: parse it, do not recompile
    if own_ir:
        source = root / str(resume) / "ir.mlir"
    assert source is not None
    loaded = load_source(source, compile=not own_ir)
    module, wf = loaded.module, loaded.module.workflow(settings.get("workflow"))
    ir_text = print_module(module)
    ir_sha = hashlib.sha256(ir_text.encode()).hexdigest()
    if stored is not None and stored.get("ir_sha256") != ir_sha:
        raise run_error("SKC304", f"run {resume} ran different IR than {source}",
                     "resume without a source (the run keeps its IR), or start a new run")
    if cfg.recompile and not (isinstance(source, str | Path) and _bundle_path(Path(source))):
        raise run_error("SKC309", "--recompile needs a bundle to write the solidified ops into",
                     "compile one with `skc compile SOURCE -o OUT.skb` and run that", str(source))
    if cfg.recompile and not cfg.jit:
        raise run_error("SKC309", "--recompile needs the JIT", "drop --no-jit (jit=False)", str(source))
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
    prep = Prepared(source, cfg, wf, values, run_id, run_dir, root, given, settings, opts, policy, bindings,
                     redact, ir_sha, stored is not None, None, loaded, lock)
    try:
        return _open_run(prep, ir_text, stored)
    except BaseException:
        lock.release()
        raise


def _open_run(p: Prepared, ir_text: str, stored: dict[str, Any] | None) -> Prepared | RunResult:
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


def _bundle_path(path: Path) -> bool:
    return (path / "manifest.json").is_file() or (path.is_file() and path.suffix in (".skb", ".zip"))


def jit_profile_path(source: Module | str | Path | None, runs: Path, name: str) -> Path:
    """Where the JIT profile of a run lives: in the run store, `<runs>/jit/<store id>/profile.sqlite`
    (see `skc.runtime.jit.runstore`); never inside the bundle that runs."""
    from skc.runtime.jit.runstore import profile_path, source_path

    return profile_path(runs, source_path(source), name)


def jit_for(options: dict[str, Any], source: Module | str | Path | None, runs: Path, name: str) -> Any:
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

