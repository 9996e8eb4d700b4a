"""skc, the skill compiler: agent skills and runbooks compiled to a typed dataflow IR."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Unpack

if TYPE_CHECKING:
    from skc.compiler.driver import CompileResult
    from skc.runtime.api import RunResult
    from skc.runtime.config import RunConfig, RunOptions

from skc.ir.version import __version__


def compile(path: str | Path, **options: Any) -> CompileResult:
    """Compiles a SKILL.md folder, runbook .md, .skflow or .mlir file; see `compile_path`.

        result = skc.compile("runbooks/VirtHandlerDown.md", output="virt.skb")
        result.ok, result.diagnostics, result.bundle
    """
    from skc.compiler.driver import compile_path

    return compile_path(path, **options)


def run(source: Any = None, inputs: dict[str, Any] | None = None, config: RunConfig | None = None,
        **overrides: Unpack[RunOptions]) -> RunResult:
    """Runs a bundle, a Module or a source (compiled on the fly); see `skc.runtime.api.run`.
    Works inside a running event loop too (the run gets a private loop on a worker thread).

        result = skc.run("virt.skb", {"ns": "prod"}, engine="local")
        result.status, result.outputs, result.run_id
    """
    from skc.runtime.api import run as run_workflow

    return run_workflow(source, inputs, config, **overrides)


def approve(run_id: str, *steps: str, **options: Any) -> list[dict[str, Any]]:
    """Approves the waiting approvals of `steps` of a run (`every=True`: all of them); then
    `skc.run(None, resume=run_id)` continues it. See `skc.runtime.approvals`.

        result = skc.run("rollback.md")          # result.status == "waiting", result.approvals
        skc.approve(result.run_id, "Step 3", by="alice")
        skc.run(None, resume=result.run_id)
    """
    from skc.runtime.approvals import approve as approve_steps

    return approve_steps(run_id, steps, **options)


def reject(run_id: str, *steps: str, reason: str, **options: Any) -> list[dict[str, Any]]:
    """Rejects the waiting approvals of `steps` with `reason`; on resume each takes the
    document's 'otherwise' step, or fails its step. See `skc.runtime.approvals`."""
    from skc.runtime.approvals import reject as reject_steps

    return reject_steps(run_id, steps, reason, **options)


async def arun(source: Any = None, inputs: dict[str, Any] | None = None, config: RunConfig | None = None,
               **overrides: Unpack[RunOptions]) -> RunResult:
    """Runs a workflow on the caller's event loop; see `skc.runtime.api.arun`.

        result = await skc.arun("virt.skb", {"ns": "prod"}, RunConfig(db={"incidents": "i.db"}), dry_run=True)
    """
    from skc.runtime.api import arun as arun_workflow

    return await arun_workflow(source, inputs, config, **overrides)


def __getattr__(name: str) -> Any:
    if name == "RunConfig":  # imported on first use: `import skc` stays light (the compiler imports it)
        from skc.runtime.config import RunConfig

        return RunConfig
    raise AttributeError(f"module 'skc' has no attribute {name!r}")


__all__ = ["RunConfig", "__version__", "approve", "arun", "compile", "reject", "run"]
