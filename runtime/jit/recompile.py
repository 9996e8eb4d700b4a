"""Adaptive recompilation: promoted `llm.*` ops written back into a bundle as code.

    result = recompile("build/checkout-latency.skb")            # the bundle's own profile
    result = recompile("app.skb", from_run="20260101-120000-ab12cd", output="app2.skb")

For every `llm.*` op whose JIT state is `promoted`, `solidify` inserts right after
it a `ctrl.retry {max_attempts = 1}` whose body computes the promoted candidate
(`candidate_to_ir`) from the same operands, followed, when the JIT's guard has
something to check (a decision's envelope, an outcome set the code could leave, a
JSON Schema), by a `tool.python` guard that raises. Every use of the LLM op's
result now uses the region's. The region carries

    step = <the LLM op's step>        what the trace shows
    fallback = <the LLM op's step>    the LLM op answers when the code or its guard fails
    jit_source_op, jit_op_key, jit_candidate, jit_kind, jit_evidence, jit_guard   provenance

The LLM op stays where it was, unchanged (so its profile key is the same), and
since nothing uses its result any more the scheduler keeps it on standby: it runs
only when the region fails (`ir.analysis.block_graph`). Its executions still go
through the JIT, so failures keep counting towards demotion; a later recompile
removes the region of an op that is no longer promoted, and replaces one whose
candidate changed.

An LLM op is left alone (with the reason in `RecompileResult.skipped`) when it
has no `step` to fall back to, when a later op of its block has the same step
(a fallback finds a step's last op: helpers that compute its inputs, such as the
`data.json_get` of "the `summary` of step 7", come before it and do not count),
or when it is an `llm.agent`.

The profile read is the run store's (`<runs dir>/jit/<store id>/profile.sqlite`, see
`runstore`; running a bundle never writes into it), else the bundle's own copy.
The bundle is written back atomically: the new bundle is staged next to the old
one with a copy of the JIT profile (`jit/`, which is not part of the manifest),
read back and verified, and only then renamed over it; `bundle_version` goes up
by one.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from skc.compiler.bundle import Bundle, read_bundle, write_bundle
from skc.ir.core import Block, Op, Region, replace_all_uses
from skc.ir.dialects.ctrl import RetryOp, YieldOp
from skc.ir.dialects.tool import PythonOp
from skc.ir.location import Diagnostic, DiagnosticError, Location, errors
from skc.ir.module import Module
from skc.ir.traits import CallsModel
from skc.ir.verifier import verify
from skc.runtime.jit.guard import OpState
from skc.runtime.jit.lowering import candidate_to_ir
from skc.runtime.jit.program import Candidate
from skc.runtime.jit.pycode import candidate_to_python
from skc.runtime.jit.store import ProfileStore, op_key

SOLIDIFIABLE = ("llm.generate", "llm.decide", "llm.extract")
PROFILE = Path("jit") / "profile.sqlite"
# A tool.python of a region runs in a fresh interpreter (startup and imports included): past
# this, it counts as failed and the LLM step answers, as a JIT candidate's timeout does.
CODE_TIMEOUT_S = 10.0


@dataclass
class RecompileResult:
    """What a recompile did: the bundle written, its version, and each op's fate."""

    output: Path | None
    bundle_version: int
    profile: Path | None
    solidified: list[dict[str, Any]] = field(default_factory=list)  # newly written or replaced
    kept: list[dict[str, Any]] = field(default_factory=list)  # already solidified, same candidate
    reverted: list[dict[str, Any]] = field(default_factory=list)  # no longer promoted: LLM again
    skipped: list[dict[str, Any]] = field(default_factory=list)  # promoted, but cannot be rewritten

    @property
    def changed(self) -> bool:
        return bool(self.solidified or self.reverted)

    def to_json(self) -> dict[str, Any]:
        return {"output": str(self.output) if self.output else None, "bundle_version": self.bundle_version,
                "profile": str(self.profile) if self.profile else None, "solidified": self.solidified,
                "kept": self.kept, "reverted": self.reverted, "skipped": self.skipped}


# ---------------------------------------------------------------- the rewrite


def _guard_code(op: Op, cand: Candidate) -> str | None:
    """The guard's `tool.python` code (operands: the LLM op's, then the code's value), or None
    when the candidate can only produce what the JIT's guard would accept."""
    outcomes = op.attributes.get("outcomes")
    schema = op.attributes.get("schema")
    if not isinstance(schema, str) and op.results and op.results[0].type.schema:
        schema = op.results[0].type.schema
    check_outcomes = isinstance(outcomes, list) and cand.kind not in ("const", "decision")
    if not cand.envelope and not check_outcomes and not isinstance(schema, str):
        return None
    return (f"# guard of the solidified {op.op_name}: when it raises, the LLM step answers\n"
            "import json\n"
            "from skc.runtime.jit.guard import check_solidified\n"
            f"ENVELOPE = json.loads({json.dumps(cand.envelope)!r})\n"
            f"OUTCOMES = json.loads({json.dumps(outcomes if check_outcomes else None)!r})\n"
            f"SCHEMA = {schema if isinstance(schema, str) else None!r}\n"
            "result = check_solidified(args[-1], args[:-1], ENVELOPE, OUTCOMES, SCHEMA)\n")


def _guard_text(op: Op, cand: Candidate) -> str:
    parts = [f"output {op.results[0].type}" if op.results else "output"]
    if isinstance(op.attributes.get("outcomes"), list):
        parts.append("one of the outcomes")
    if op.attributes.get("schema") or (op.results and op.results[0].type.schema):
        parts.append("JSON Schema")
    if cand.envelope:
        parts.append(f"envelope of {len(cand.envelope)} feature{'s' * (len(cand.envelope) != 1)}")
    return "; ".join(parts) + f"; else fallback to {op.op_name}"


def _uses_regex(expr: Any) -> bool:
    if isinstance(expr, dict):
        return expr.get("op") == "regex" or any(_uses_regex(v) for v in expr.values())
    return isinstance(expr, list) and any(_uses_regex(v) for v in expr)


def solidified_region(op: Op, cand: Candidate, key: str, evidence: int) -> RetryOp:
    """The `ctrl.retry {max_attempts = 1}` computing `cand` from `op`'s operands, guarded, with
    `op`'s step as its fallback and the provenance attributes (see the module docstring)."""
    step = str(op.attributes["step"])
    result = op.results[0]
    body = Block()  # regions see the enclosing values: the body reads the LLM op's operands
    if _uses_regex(cand.expr):
        # data.regex_extract gives "" where the JIT's regex raises (and so falls back): keep the
        # JIT's semantics with the candidate as one tool.python op.
        body.append(PythonOp(list(op.operands), [result.type],
                             {"code": candidate_to_python(cand), "effects": ["pure"]}, loc=op.loc))
    else:
        for new in candidate_to_ir(cand, list(op.operands), op.loc, result.type):
            body.append(new)
    value = body.ops[-1].results[0]
    guard = _guard_code(op, cand)
    if guard is not None:
        check = PythonOp([*op.operands, value], [result.type], {"code": guard, "effects": ["pure"]}, loc=op.loc)
        body.append(check)
        value = check.results[0]
    for inner in (o for top in body.ops for o in top.walk()):
        if isinstance(inner, PythonOp):
            inner.attributes.setdefault("timeout_s", CODE_TIMEOUT_S)
    body.append(YieldOp([value], [], {}, loc=op.loc))
    attrs: dict[str, Any] = {
        "max_attempts": 1, "step": step, "fallback": step, "jit_source_op": op.op_name, "jit_op_key": key,
        "jit_candidate": cand.fingerprint, "jit_kind": cand.kind, "jit_evidence": evidence,
        "jit_guard": _guard_text(op, cand)}
    return RetryOp([], [result.type], attrs, [Region([body])], loc=op.loc,
                   result_names=[result.name])


def _guard_of(region: Op) -> str | None:
    """The guard code of a solidified region (None when it has no guard)."""
    for inner in region.regions[0].block.ops:
        code = inner.attributes.get("code")
        if isinstance(inner, PythonOp) and isinstance(code, str) and "check_solidified" in code:
            return code
    return None


def _why_not(op: Op, block: Block) -> str | None:
    if op.op_name not in SOLIDIFIABLE:
        return f"{op.op_name} is not rewritten (its tool calls stay with the agent)"
    step = op.attributes.get("step")
    if not isinstance(step, str) or not step:
        return "the op has no step for the code to fall back to"
    last = [o for o in block.ops if o.attributes.get("step") == step and "fallback" not in o.attributes][-1]
    if last is not op:
        return f"a later op of its block is also {step!r}: a fallback would find that one"
    if len(op.results) != 1:
        return "the op has no single result"
    return None


def _region_of(op: Op) -> RetryOp | None:
    """The solidified region inserted after `op` by an earlier recompile, if any."""
    block = op.parent
    if block is None:
        return None
    i = block.ops.index(op)
    nxt = block.ops[i + 1] if i + 1 < len(block.ops) else None
    if isinstance(nxt, RetryOp) and nxt.attributes.get("jit_op_key") == op_key(op):
        return nxt
    return None


def solidify(module: Module, promoted: dict[str, Candidate], evidence: dict[str, int],
             only: set[str] | None = None) -> RecompileResult:
    """Rewrites `module` in place: promoted llm ops get a solidified region, regions of ops no
    longer promoted are removed. `only` restricts new rewrites to these op keys."""
    result = RecompileResult(None, 0, None)
    for wf in module.workflows:
        for op in [o for o in wf.walk() if o.has(CallsModel)]:
            block, key = op.parent, op_key(op)
            assert block is not None
            info = {"step": op.attributes.get("step"), "op": op.op_name, "op_key": key}
            old = _region_of(op)
            cand = promoted.get(key)
            if old is not None:
                same = cand is not None and old.attributes.get("jit_candidate") == cand.fingerprint \
                    and _guard_of(old) == _guard_code(op, cand)
                if cand is not None and (same or (only is not None and key not in only)):
                    result.kept.append({**info, "candidate": old.attributes.get("jit_candidate")})
                    continue
                replace_all_uses(wf, old.results[0], op.results[0])
                block.remove(old)
                if cand is None:
                    result.reverted.append({**info, "candidate": old.attributes.get("jit_candidate")})
                    continue
            if cand is None or (only is not None and key not in only):
                continue
            why = _why_not(op, block)
            if why is not None:
                result.skipped.append({**info, "reason": why})
                continue
            region = solidified_region(op, cand, key, evidence.get(key, 0))
            replace_all_uses(wf, op.results[0], region.results[0])
            block.insert(block.ops.index(op) + 1, region)
            if op.results[0].name:
                op.results[0].name = f"{op.results[0].name}_llm"
            result.solidified.append({**info, "candidate": cand.fingerprint, "kind": cand.kind,
                                      "evidence": evidence.get(key, 0), "guard": region.attributes["jit_guard"]})
    return result


# ---------------------------------------------------------------- the bundle


def _fail(code: str, where: str | Path, message: str, hint: str = "") -> DiagnosticError:
    return DiagnosticError([Diagnostic(code, Location(str(where), 1, 1), message, hint)])


def _profile(bundle: Bundle, path: Path, from_run: str | None, runs_dir: str | Path | None) -> tuple[Path, set[str] | None]:
    """The JIT profile to read, and (with a run) the op keys that run promoted or answered by code."""
    from skc.runtime.api import jit_profile_path, runs_root

    root = runs_root(runs_dir)
    name = bundle.module.workflows[0].sym_name if bundle.module.workflows else ""
    if from_run is None:
        store = jit_profile_path(path, root, name)
        own = path / PROFILE if path.is_dir() else None
        return (own if not store.is_file() and own is not None and own.is_file() else store), None
    run_dir = root / from_run
    if not (run_dir / "run.json").is_file():
        raise _fail("SKC308", root, f"no run {from_run!r} in {root}", "give a RUN_ID printed by `skc run`")
    record = json.loads((run_dir / "run.json").read_text(encoding="utf-8"))
    profile = Path(record["jit_profile"]) if record.get("jit_profile") else jit_profile_path(path, root, name)
    keys: set[str] = set()
    trace = run_dir / "trace.jsonl"
    for line in trace.read_text(encoding="utf-8").splitlines() if trace.is_file() else []:
        try:
            event = json.loads(line)
        except ValueError:
            continue
        if event.get("event") in ("jit_promote", "jit_hit") and isinstance(event.get("op_key"), str):
            keys.add(event["op_key"])
    return profile, keys


def _copy_profile(src: Path, dest: Path) -> None:
    """A consistent copy of a live SQLite profile (the backup API, not a file copy of WAL files)."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(str(src)) as a, sqlite3.connect(str(dest)) as b:
        a.backup(b)
    a.close()
    b.close()


def _write(bundle: Bundle, out: Path, profile: Path | None) -> Path:
    """Writes `bundle` at `out` with the JIT profile beside it, atomically, after reading it back."""
    zipped = out.suffix == ".zip" or (out.exists() and out.is_file())
    if out.exists() and not (zipfile.is_zipfile(out) if out.is_file() else
                             (out / "manifest.json").is_file() or not any(out.iterdir())):
        raise _fail("SKC237", out, "refusing to overwrite: it is not an skc bundle",
                    "choose another -o path, or remove it first")
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        staged = write_bundle(bundle, tmp / "bundle", zipped=zipped)
        if profile is not None and profile.is_file() and not zipped:
            _copy_profile(profile, staged / PROFILE)
        read_bundle(staged)  # hashes and IR verification, before it replaces anything
        if zipped:
            staged.replace(out)
        else:
            if out.exists():
                out.rename(tmp / "old")  # kept until the new bundle is in place
            staged.rename(out)
    except OSError as e:
        if (tmp / "old").exists() and not out.exists():
            (tmp / "old").rename(out)
        raise _fail("SKC238", out, f"cannot write the bundle: {e.strerror or e}") from None
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return out


def recompile(bundle_path: str | Path, *, from_run: str | None = None, runs_dir: str | Path | None = None,
              output: str | Path | None = None, force: bool = False) -> RecompileResult:
    """Solidifies the bundle's promoted llm ops (see the module docstring) and writes it to
    `output` (default: in place). With `from_run`, the profile that run used, and only the ops
    it promoted or answered by code. Nothing is written when nothing changed, unless `force`."""
    path = Path(bundle_path)
    bundle = read_bundle(path)
    profile, only = _profile(bundle, path, from_run, runs_dir)
    promoted: dict[str, Candidate] = {}
    evidence: dict[str, int] = {}
    if profile.is_file():
        store = ProfileStore(profile)
        try:
            for key, data in store.states().items():
                st = OpState.from_json(data)
                if st.phase == "promoted" and st.candidate is not None:
                    promoted[key] = st.candidate
                    evidence[key] = int(store.stats(key)["executions"])
        finally:
            store.close()
    module = bundle.module
    result = solidify(module, promoted, evidence, only)
    if bad := errors(verify(module)):
        raise DiagnosticError([Diagnostic("SKC235", Location(str(path), 1, 1),
                                          "the recompiled IR does not verify (a bug in skc)"), *bad])
    out = Path(output) if output is not None else path
    result.profile = profile if profile.is_file() else None
    if not result.changed and not force and out == path:
        result.bundle_version = bundle.manifest.bundle_version
        return result
    report = {"profile": str(profile), "from_run": from_run, **{k: v for k, v in result.to_json().items()
                                                                 if k in ("solidified", "kept", "reverted",
                                                                          "skipped")}}
    new = bundle.updated(module, reports={"jit-recompile": report})
    result.output = _write(new, out, profile if profile.is_file() else None)
    result.bundle_version = new.manifest.bundle_version
    return result
