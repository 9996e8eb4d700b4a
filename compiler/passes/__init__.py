"""Passes: IR -> IR transformations and analyses, registered in one table.

A pass is a small frozen dataclass with `name: ClassVar[str]` (kebab-case, matching
its snake_case file) whose fields are its options, and an `apply(ctx, module)`
method. Pipelines are strings: `verify,env-bind,cse{aggressive=true},concurrency`.
`PassContext` carries what passes share: the environment, the capability profile,
diagnostics, and reports that end up in the bundle's `reports/`.

Verification: a compile verifies the IR once, where it can first be wrong — right
after the front end (`skc.compiler.frontend.load` returns a verified module, or the
verifier's diagnostics). The default pipeline then starts from a valid module, and its
passes are tested to keep it valid (golden files, `tests/passes/`), so it does not
verify again; `debug=True` (`skc compile --debug`) verifies after every pass, which
is where a pass that breaks the IR is caught. `verify` stays a pass for pipelines
that start from unverified IR. Bundles record the pipeline they were compiled with;
those made before this rule say `verify,...,verify` and load as before.
"""

from __future__ import annotations

import dataclasses
import functools
import importlib
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar

from skc.ir.location import Diagnostic, DiagnosticError, Location
from skc.ir.module import Module
from skc.ir.printer import print_module
from skc.ir.verifier import verify


class Pass:
    """Base of every pass. Subclasses are frozen dataclasses; fields are options.

    `preserves_analyses` is True for a pass that changes no op, operand, region, block
    or effect (it may add annotations such as `level` or `target`): the analyses cached in
    `ctx.analyses` stay valid after it, as MLIR's preserved analyses. After any other
    pass the cache is emptied.
    """

    name: ClassVar[str] = ""
    preserves_analyses: ClassVar[bool] = False

    def apply(self, ctx: PassContext, module: Module) -> None:
        raise NotImplementedError


@dataclass
class PassContext:
    """Shared state of one pipeline run.

    `reports` maps a report name (`schedule`, `capability`, `environment`) to
    JSON-serialisable data; the bundle writer stores each as `reports/<name>.json`.
    `options` carries compile-wide settings (environment, profile, latency budget).
    `analyses` caches analyses of the IR while they stay valid (see `Pass.preserves_analyses`),
    e.g. `"block_graph"`: id of a block -> its `DepGraph`; only `run_pipeline` keeps it.
    """

    options: dict[str, Any] = field(default_factory=dict)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    reports: dict[str, Any] = field(default_factory=dict)
    timings: list[tuple[str, float]] = field(default_factory=list)
    analyses: dict[str, Any] = field(default_factory=dict)
    debug: bool = False
    print_ir_after_all: Callable[[str, str], None] | None = None


# Registry: pass name -> "module:Class" (loaded lazily, so a pipeline imports only what it runs).
REGISTRY: dict[str, str] = {
    "verify": "skc.compiler.passes.verify_pass:VerifyPass",
    "env-bind": "skc.compiler.passes.env_bind:EnvBindPass",
    "cap-bind": "skc.compiler.passes.cap_bind:CapBindPass",
    "cse": "skc.compiler.passes.cse:CsePass",
    "dce": "skc.compiler.passes.dce:DcePass",
    "concurrency": "skc.compiler.passes.concurrency:ConcurrencyPass",
    "placement": "skc.compiler.passes.placement:PlacementPass",
    "solidify-static": "skc.compiler.passes.solidify_static:SolidifyStaticPass",
}

DEFAULT_PIPELINE = "env-bind,cap-bind,cse,dce,concurrency,placement,solidify-static"

_STEP = re.compile(r"\s*([a-z][a-z0-9-]*)\s*(?:\{([^}]*)\})?\s*(?:,|$)")


def pass_class(name: str) -> type[Pass]:
    target = REGISTRY.get(name)
    if target is None:
        raise DiagnosticError([Diagnostic("SKC250", Location("<pipeline>", 1, 1), f"unknown pass {name!r}",
                                          f"known passes: {', '.join(sorted(REGISTRY))}")])
    module, _, cls = target.partition(":")
    return getattr(importlib.import_module(module), cls)  # type: ignore[no-any-return]


def _coerce(value: str, default: Any) -> Any:
    if isinstance(default, bool):
        return value.lower() in ("1", "true", "yes", "on")
    if isinstance(default, int):
        return int(value)
    if isinstance(default, float):
        return float(value)
    return value


def parse_pipeline(text: str) -> list[Pass]:
    """`cse{aggressive=true},dce` -> [CsePass(aggressive=True), DcePass()]."""
    return list(_parsed(text))


@functools.lru_cache(maxsize=64)
def _parsed(text: str) -> tuple[Pass, ...]:  # passes are frozen: one pipeline string's passes can be shared
    passes: list[Pass] = []
    pos = 0
    text = text.strip()
    while pos < len(text):
        m = _STEP.match(text, pos)
        if m is None or m.end() == pos:
            raise DiagnosticError([Diagnostic("SKC250", Location("<pipeline>", 1, pos + 1),
                                              f"cannot read pipeline at {text[pos:]!r}",
                                              "write pass names separated by commas, options in {k=v}")])
        cls = pass_class(m.group(1))
        options: dict[str, Any] = {}
        fields: dict[str, dataclasses.Field[Any]] = {f.name: f for f in dataclasses.fields(cls)} if dataclasses.is_dataclass(cls) else {}
        for item in filter(None, (s.strip() for s in (m.group(2) or "").split(" "))):
            key, _, value = item.partition("=")
            key = key.replace("-", "_")
            if key not in fields:
                raise DiagnosticError([Diagnostic("SKC250", Location("<pipeline>", 1, m.start(2) + 1),
                                                  f"pass {m.group(1)!r} has no option {key!r}",
                                                  f"options: {', '.join(fields) or 'none'}")])
            f = fields[key]
            default = f.default if f.default is not dataclasses.MISSING else ""
            options[key] = _coerce(value, default)
        passes.append(cls(**options))
        pos = m.end()
    return tuple(passes)


def run_pipeline(module: Module, pipeline: str | list[Pass], ctx: PassContext | None = None) -> PassContext:
    """Runs the passes in order; verifies between passes in debug mode.

    Errors found by a pass are collected in `ctx.diagnostics`; the pipeline stops after
    the first pass that reports an error (later passes assume a valid module).
    """
    ctx = ctx or PassContext()
    passes = parse_pipeline(pipeline) if isinstance(pipeline, str) else pipeline
    ctx.analyses.clear()  # nothing cached about another module, or this one before its caller changed it
    for p in passes:
        start = time.perf_counter()
        p.apply(ctx, module)
        if not p.preserves_analyses:
            ctx.analyses.clear()
        ctx.timings.append((p.name, time.perf_counter() - start))
        if ctx.print_ir_after_all is not None:
            ctx.print_ir_after_all(p.name, print_module(module))
        if ctx.debug and p.name != "verify":
            for d in verify(module):
                ctx.diagnostics.append(Diagnostic(d.code, d.loc, f"after {p.name}: {d.message}", d.hint))
        if any(d.severity == "error" for d in ctx.diagnostics):
            break
    ctx.analyses.clear()
    return ctx
