"""The compiler driver: one source path in, a checked module and (optionally) a bundle out.

    compile_path("runbooks/VirtHandlerDown.md", output="out.skb")

runs the whole line — front end, pass pipeline, bundle — and returns a
`CompileResult` with the module, every diagnostic (front end and passes, in that
order) and per-stage timings. Nothing is written when there is an error, and an
existing bundle at `output` survives a failed compile. Bad input never raises:
it becomes diagnostics; an exception out of here is a bug in skc.

`skc compile` and `skc.compile` call this function; the CLI only formats what it returns.

CPython's cyclic garbage collector is paused for the length of one compile
(`_collector_paused`): a compile builds a tree of small objects (document blocks, ops,
attributes) that all live until it returns, so the collections its allocations
trigger find nearly nothing and walk an ever larger heap: 13% of the CPU time of a
compile over the corpus's 1,028 sources (`bench.compile`, issue 15). Collection
resumes when the compile returns; its memory is bounded by the front ends' input
limits (a document is at most `markdown.document.MAX_LINES` lines).
"""

from __future__ import annotations

import gc
import hashlib
import json
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from skc.compiler.bundle import Bundle, ProfileRef, make_bundle, source_files, write_bundle
from skc.compiler.environment import Environment, load_environment
from skc.compiler.frontend import kind_of, load
from skc.compiler.passes import DEFAULT_PIPELINE, PassContext, run_pipeline
from skc.ir.location import Diagnostic, DiagnosticError, Location, errors
from skc.ir.module import Module


@dataclass
class CompileResult:
    """What compiling one source produced."""

    path: Path
    kind: str
    module: Module | None = None
    diagnostics: list[Diagnostic] = field(default_factory=list)
    context: PassContext | None = None
    bundle: Bundle | None = None
    output: Path | None = None
    timings: list[tuple[str, float]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """A module came out and no diagnostic is an error."""
        return self.module is not None and not errors(self.diagnostics)

    @property
    def reports(self) -> dict[str, Any]:
        return self.context.reports if self.context is not None else {}

    def to_json(self) -> dict[str, Any]:
        """What `skc compile --json` prints: the outcome, the diagnostics and the bundle written."""
        b = self.bundle
        return {"path": str(self.path), "kind": self.kind, "ok": self.ok,
                "output": str(self.output) if self.output is not None else None,
                "workflows": [wf.sym_name for wf in self.module.workflows] if self.module is not None else [],
                "bundle_version": b.manifest.bundle_version if b is not None else None,
                "files": len(b.files) if b is not None else 0,
                "diagnostics": [d.to_json() for d in self.diagnostics]}

    def __repr__(self) -> str:  # a summary: the module, context and bundle bytes are far too long to print
        j = self.to_json()
        return (f"CompileResult(path={j['path']!r}, kind={self.kind!r}, ok={self.ok}, workflows={j['workflows']}, "
                f"diagnostics={len(self.diagnostics)}, output={j['output']!r}, "
                f"bundle={'None' if self.bundle is None else repr(self.bundle)})")


def source_root(path: Path) -> Path:
    """The folder a source's relative paths (scripts/...) start from."""
    if path.is_dir():
        return path
    return path.parent


def discover_sources(root: str | Path) -> list[Path]:
    """Every source under a folder: SKILL.md folders, then other markdown (runbooks),
    .skflow and .mlir files outside them; hidden folders skipped; sorted."""
    root = Path(root)
    visible = [p for p in sorted(root.rglob("*")) if not any(part.startswith(".")
                                                            for part in p.relative_to(root).parts)]
    skills = [p.parent for p in visible if p.name == "SKILL.md" and p.is_file()]
    inside = set(skills)
    files = [p for p in visible if p.is_file() and kind_of(p) in ("tsg", "skflow", "mlir")
             and not inside.intersection(p.parents)]
    return skills + files


def _profile(profile: Any, pipeline: str) -> tuple[Any, ProfileRef | None]:
    """The capability profile cap-bind gets (resolved when one was chosen; None keeps
    cap-bind's default) and its manifest reference (name, sha256 of its canonical JSON).

    A profile that cannot be read is SKC249. Without cap-bind in the pipeline no profile is used.
    """
    if "cap-bind" not in pipeline:
        return profile, None
    from skc.compiler.profile import resolve_profile

    try:
        resolved = resolve_profile(profile)
    except (OSError, ValueError, TypeError) as e:  # pydantic's ValidationError is a ValueError
        where = Location(str(profile) if isinstance(profile, str | Path) and Path(profile).is_file()
                         else "<profile>", 1, 1)
        raise DiagnosticError([Diagnostic("SKC249", where, f"cannot read the capability profile: {e}",
                                          "give a profile JSON file (skc profile) or a shipped profile name")]) from None
    shipped = profile is None or (isinstance(profile, str) and not Path(profile).is_file())
    return (None if profile is None else resolved), _profile_ref(resolved, remember=shipped)


_REFS: dict[int, tuple[Any, ProfileRef]] = {}  # id(profile) -> (profile, its reference); holds the profile alive


def _profile_ref(resolved: Any, *, remember: bool) -> ProfileRef:
    """The manifest's reference to a profile: its name and the sha256 of its canonical JSON
    (remembered for shipped profiles, which are shared, unchanging instances)."""
    known = _REFS.get(id(resolved)) if remember else None
    if known is not None and known[0] is resolved:
        return known[1]
    text = json.dumps(resolved.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
    ref = ProfileRef(name=resolved.name, sha256=hashlib.sha256(text.encode()).hexdigest())
    if remember:
        if len(_REFS) >= 16:
            _REFS.clear()
        _REFS[id(resolved)] = (resolved, ref)
    return ref


def _environment(environment: Environment | str | Path | None) -> Environment | None:
    if environment is None or isinstance(environment, Environment):
        return environment
    return load_environment(environment)


def compile_path(path: str | Path, *, profile: Any = None, pipeline: str = DEFAULT_PIPELINE,
                 environment: Environment | str | Path | None = None, output: str | Path | None = None,
                 zipped: bool | None = None, debug: bool = False,
                 print_ir_after_all: Callable[[str, str], None] | None = None,
                 options: dict[str, Any] | None = None) -> CompileResult:
    """Compiles `path` (a SKILL.md folder, runbook .md, .skflow or .mlir file).

    `profile` is the capability profile for cap-bind (a JSON path, a shipped name, a
    CapabilityProfile or a dict; None: cap-bind's default, the embedded model's);
    `environment` an `Environment` or a JSON/YAML file declaring one (None: probe this
    machine); `output` where to write the bundle (a zip when `zipped` or `.zip`);
    `debug` verifies the IR after every pass; `print_ir_after_all(pass_name, ir_text)`
    is called after each pass; `options` adds to the pass context's options.
    """
    with _collector_paused():
        return _compile(Path(path), profile, pipeline, environment, output, zipped, debug, print_ir_after_all, options)


@contextmanager
def _collector_paused() -> Iterator[None]:
    """The cyclic garbage collector off for the block, back as it was after (also on error)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _compile(path: Path, profile: Any, pipeline: str, environment: Environment | str | Path | None,
             output: str | Path | None, zipped: bool | None, debug: bool,
             print_ir_after_all: Callable[[str, str], None] | None, options: dict[str, Any] | None) -> CompileResult:
    result = CompileResult(path, kind_of(path))
    start = time.perf_counter()
    front = load(path)
    result.timings.append((f"frontend ({result.kind})", time.perf_counter() - start))
    result.diagnostics += front.diagnostics
    if front.module is None or errors(front.diagnostics):
        return result
    result.module = module = front.module
    try:
        env = _environment(environment)
        chosen, ref = _profile(profile, pipeline)
    except DiagnosticError as e:
        result.diagnostics += e.diagnostics
        return result
    ctx = PassContext(options={"environment": env, "profile": chosen, "source_root": str(source_root(path)),
                               **(options or {})},
                      debug=debug, print_ir_after_all=print_ir_after_all)
    result.context = ctx
    try:
        run_pipeline(module, pipeline, ctx)
    except DiagnosticError as e:  # a malformed pipeline string
        ctx.diagnostics += e.diagnostics
    result.diagnostics += ctx.diagnostics
    result.timings += ctx.timings
    if errors(result.diagnostics):
        return result
    start = time.perf_counter()
    result.bundle = make_bundle(
        module, kind=result.kind, source=str(path),
        sources=source_files(path, (ctx.options.get("assets") or {}).values()), profile=ref, pipeline=pipeline.strip(), reports=ctx.reports,
        assets=ctx.options.get("assets"), diagnostics=result.diagnostics)
    if output is not None:
        try:
            result.output = write_bundle(result.bundle, output, zipped=zipped)
        except DiagnosticError as e:
            result.diagnostics += e.diagnostics
    result.timings.append(("bundle", time.perf_counter() - start))
    return result
