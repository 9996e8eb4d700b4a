"""Before a run: load what to run, check it statically, and describe what it would do.

`load_source` turns a Module, a bundle (`.skb` directory or zip) or a source
document (compiled on the fly by `skc.compiler.driver.compile_path`) into the
module plus its environment binding. `preflight` checks, before any op starts,
everything that can be known statically: every op has a target (SKC306), every
SQL data source is provided (SKC307), and every command whose deciding words are
known (literal, or substituted from the workflow's inputs and constants) is
allowed by the permission policy (SKC301/SKC302). `plan_ops` is what
`--dry-run` prints: each op's command after substitution and its verdict.
"""

from __future__ import annotations

import re
import shlex
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from skc.ir.core import Block, Op
from skc.ir.dialects.data import ConstOp, TemplateOp
from skc.ir.dialects.skc import WorkflowOp
from skc.ir.dialects.tool import FileReadOp, FileWriteOp, HttpOp, PythonOp, ScriptOp, ShellOp, SqlOp
from skc.ir.location import Diagnostic, DiagnosticError, Location, errors
from skc.ir.module import Module
from skc.ir.parser import parse_module
from skc.ir.traits import Branch, CallsModel, HasRegions, Loop, Retrying, RunsTool, Terminator
from skc.runtime.llm.registry import check_spec, default_spec
from skc.runtime.permission_requests import requests_for
from skc.runtime.permissions import Denial, Policy
from skc.runtime.targets.base import target_registry
from skc.runtime.targets.sql import resolve_db
from skc.runtime.values import coerce, substitute
from skc.stdlib.shell.query import render

UNKNOWN = object()  # a workflow input not given (dry runs): its placeholders stay in the commands


@dataclass
class Loaded:
    """A module ready to run, where its relative paths start, and its environment binding."""

    module: Module
    source_dir: Path | None = None
    binding: dict[str, dict[str, Any]] = field(default_factory=dict)
    warnings: list[Diagnostic] = field(default_factory=list)
    strict: bool = False  # the binding was made for this machine (env-bind{strict=true})
    bundle_dir: Path | None = None  # a bundle directory (its JIT profile lives there)
    hashes: dict[str, str] | None = None  # a bundle's manifest hashes: its scripts are checked again before they run
    signer: str | None = None  # a bundle's valid signature's key id (`skc.compiler.signing`)


def _is_bundle(p: Path) -> bool:
    return (p.is_dir() and (p / "manifest.json").is_file()) or (p.is_file() and p.suffix in (".skb", ".zip"))


def load_source(source: Module | str | Path, *, compile: bool = True) -> Loaded:
    """The module to run from a Module, a bundle, or a source document (compiled unless `compile=False`)."""
    if isinstance(source, Module):
        return Loaded(source)
    path = Path(source)
    if not path.exists():
        raise DiagnosticError([Diagnostic("SKC309", Location(str(path), 1, 1), "no such file or bundle")])
    if _is_bundle(path):
        from skc.compiler.bundle import read_bundle

        bundle = read_bundle(path)
        env = bundle.manifest.environment
        root = bundle.root if bundle.root is not None and bundle.root.is_dir() else None
        if root is None and any(k.startswith("code/") for k in bundle.files):
            root = bundle.extract(tempfile.mkdtemp(prefix="skc-bundle-"))
        return Loaded(bundle.module, root / "code" if root is not None else None,
                      dict(env.bindings) if env is not None else {}, strict=bool(env and env.strict),
                      bundle_dir=bundle.root if bundle.root is not None and bundle.root.is_dir() else None,
                      hashes=dict(bundle.manifest.files), signer=bundle.signer)
    if not compile:
        return Loaded(parse_module(path.read_text(encoding="utf-8"), str(path)), path.parent)
    from skc.compiler.driver import compile_path, source_root

    result = compile_path(path)
    if not result.ok or result.module is None:
        raise DiagnosticError(errors(result.diagnostics) or [
            Diagnostic("SKC309", Location(str(path), 1, 1), "the source did not compile")])
    env = result.bundle.manifest.environment if result.bundle is not None else None
    return Loaded(result.module, source_root(path), dict(env.bindings) if env is not None else {},
                  [d for d in result.diagnostics if d.severity != "error"], bool(env and env.strict))


def bindings_of(loaded: Loaded) -> dict[str, Any]:
    """The runtime's view of an environment binding: binaries, data sources, scripts root.

    Binaries restrict what may run only when the binding is strict (compiled for this
    machine); otherwise they only say where each program was found."""
    b = loaded.binding
    out: dict[str, Any] = {"strict": loaded.strict}
    if b.get("binary"):
        out["binaries"] = dict(b["binary"])
    if b.get("data_source"):
        out["data_sources"] = {k: v for k, v in b["data_source"].items() if v}
    if loaded.source_dir is not None:
        out["scripts_root"] = str(loaded.source_dir)
    if loaded.hashes is not None:
        out["bundle_signer"] = loaded.signer
        out["script_hashes"] = {k.removeprefix("code/"): v for k, v in loaded.hashes.items() if k.startswith("code/")}
    return out


def numbered(block: Block, prefix: str = "") -> Iterator[tuple[str, Op]]:
    """(op id, op) for every op under `block`, ids as the journal writes them (`*` for any item)."""
    for i, op in enumerate(block.ops):
        oid = f"{prefix}{i}"
        yield oid, op
        if op.has(Branch):
            for r, region in enumerate(op.regions):
                yield from numbered(region.block, f"{oid}.{r}.")
        elif op.has(Loop):
            yield from numbered(op.regions[0].block, f"{oid}[*].")
        elif op.has(Retrying):
            yield from numbered(op.regions[0].block, f"{oid}@*.")


def known_values(wf: WorkflowOp, inputs: list[Any], *, show_unknown: bool = False) -> dict[int, Any]:
    """Values known before running: the inputs, constants and templates over known values.

    With `show_unknown`, an input not given reads `<name>` (for display, never for checks)."""
    known: dict[int, Any] = {}
    for v, name, x in zip(wf.inputs, wf.input_names, inputs, strict=False):
        if x is not UNKNOWN or show_unknown:
            known[id(v)] = f"<{name}>" if x is UNKNOWN else x
    for op in wf.walk():
        if isinstance(op, ConstOp) and op.results:
            try:
                known[id(op.results[0])] = coerce(op.attributes.get("value"), op.results[0].type)
            except ValueError:
                continue
        elif isinstance(op, TemplateOp) and op.results and all(id(v) in known for v in op.operands):
            known[id(op.results[0])] = substitute(str(op.attributes["template"]), [known[id(v)] for v in op.operands])
    return known


def static_args(op: Op, known: dict[int, Any]) -> list[Any]:
    """Operand values where known; an unknown operand `i` stays the placeholder text `{i}`."""
    return [known[id(v)] if id(v) in known else f"{{{i}}}" for i, v in enumerate(op.operands)]


def preflight(wf: WorkflowOp, inputs: list[Any], policy: Policy, options: dict[str, Any],
              bindings: dict[str, Any]) -> tuple[dict[str, str], list[Diagnostic]]:
    """Static checks; returns each op id's verdict (allowed / denied: ... / at run time) and the errors."""
    registry = target_registry()
    known = known_values(wf, inputs)
    verdicts: dict[str, str] = {}
    diags: list[Diagnostic] = []
    if (trusted := options.get("require_signature")) is not None:  # a list of trusted key ids (may be empty)
        from skc.compiler.signing import require_signature

        where = str(bindings.get("scripts_root") or "<module>").removesuffix("/code")
        diags += require_signature(where, bindings.get("bundle_signer"), list(trusted))
    for oid, op in numbered(wf.body):
        if op.has(HasRegions) or op.has(Terminator):  # control flow: its body's ops are checked one by one
            continue
        step = op.attributes.get("step")
        label = f"step {step!r}" if step else f"op {oid}"
        if op.op_name not in registry:
            diags.append(Diagnostic("SKC306", op.where, f"{label}: no target runs {op.op_name}",
                                    "install the target's extra (e.g. skc[llm]) or register a Target"))
        if op.has(CallsModel) and not op.attributes.get("model") and "llm_backend" not in options:
            problem = check_spec(str(options.get("model") or default_spec()))
            if problem is not None:
                diags.append(Diagnostic("SKC306", op.where, f"{label}: no model runs {op.op_name}: {problem}",
                                        "choose the model with --model / options['model'] (see `skc run --help`)"))
        if isinstance(op, SqlOp) and (op.attributes.get("lang") or "sql") == "sql":
            db = op.attributes.get("db")
            if resolve_db(db if isinstance(db, str) else None, options, bindings) is None:
                diags.append(Diagnostic("SKC307", op.where, f"{label}: no data source {db or 'default'!r}",
                                        f"pass --db {db or 'default'}=PATH/TO/file.db"))
        verdict = "allowed"
        for req in requests_for(op, static_args(op, known)):
            v = policy.check(replace(req, writes=False) if op.attributes.get("confirm") is True else req)
            if isinstance(v, Denial):
                verdict = f"denied: {v.message}"
                diags.append(Diagnostic(v.code, op.where, f"{label} ({op.op_name}): permission denied: {v.message}",
                                        v.hint))
                break
            if v is False:
                verdict = "checked at run time"
        verdicts[oid] = verdict
    return verdicts, diags


def _describe_command(op: Op, args: list[Any]) -> str:
    from skc.runtime.targets.shell import command_of

    def q(v: str) -> str:  # an unknown operand stays a bare `{n}` / `<input>`
        return v if re.fullmatch(r"\{\d+\}|\S*<\w+>\S*", v) and "'" not in v else shlex.quote(v)

    if isinstance(op, ShellOp) and not isinstance(op.attributes.get("argv"), list):
        return substitute(str(op.attributes.get("cmd", "")), args, quote=q)
    return " ".join(q(w) for w in command_of(op, args))


def _describe_sql(op: Op, args: list[Any]) -> str:
    return f"[{op.attributes.get('db') or 'default'}] " + substitute(
        str(op.attributes["query"]), [repr(x) if isinstance(x, str) and not x.startswith("{") else x for x in args])


def _describe_python(op: Op, args: list[Any]) -> str:
    code = str(op.attributes.get("code", "")).strip().splitlines()
    return "python: " + (code[0] if code else "") + (" ..." if len(code) > 1 else "")


def _describe_write(op: Op, args: list[Any]) -> str:
    return f"{'append' if op.attributes.get('append') else 'write'} {substitute(str(op.attributes['path']), args)}"


_DESCRIBE: dict[type[Op], Callable[[Op, list[Any]], str]] = {
    ShellOp: _describe_command,
    ScriptOp: _describe_command,
    SqlOp: _describe_sql,
    HttpOp: lambda op, args: f"{op.attributes.get('method') or 'GET'} {substitute(str(op.attributes['url']), args)}",
    FileReadOp: lambda op, args: f"read {substitute(str(op.attributes['path']), args)}",
    FileWriteOp: _describe_write,
    PythonOp: _describe_python,
}


def describe(op: Op, args: list[Any]) -> str:
    """The command (or query, request, prompt) an op would run, for `--dry-run`."""
    if (how := _DESCRIBE.get(type(op))) is not None:
        return how(op, args)
    if op.has(CallsModel):
        return f"{op.op_name}: {' '.join(str(op.attributes.get('prompt', '')).split())[:100]}"
    return op.op_name


def plan_ops(wf: WorkflowOp, inputs: list[Any], policy: Policy, verdicts: dict[str, str]) -> list[dict[str, Any]]:
    """Every tool and llm op with its rendered command and verdict, in program order."""
    known = known_values(wf, inputs, show_unknown=True)
    registry = target_registry()
    plan = []
    for oid, op in numbered(wf.body):
        if not (op.has(RunsTool) or op.has(CallsModel)):
            continue
        target = registry.get(op.op_name)
        plan.append({"op": oid, "name": op.op_name, "step": op.attributes.get("step") or "",
                     "target": target.name if target is not None else None,
                     "command": describe(op, static_args(op, known)),
                     "effects": op.effects, "verdict": verdicts.get(oid, "allowed"),
                     "approval": op.attributes.get("confirm") is True})  # waits for a person (approvals.py)
        if isinstance(op, ShellOp) and not isinstance(op.attributes.get("argv"), list):
            plan[-1]["runs"] = render(str(op.attributes.get("cmd", "")))  # every command, nested ones indented
    return plan
