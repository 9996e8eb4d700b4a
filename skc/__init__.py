"""skc, the skill compiler: agent skills and runbooks compiled to a typed dataflow IR."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from skc.compiler.driver import CompileResult
    from skc.runtime.api import RunResult

from skc.ir.version import __version__


def compile(path: str | Path, **options: Any) -> CompileResult:
    """Compiles a SKILL.md folder, runbook .md, .skflow or .mlir file; see `compile_path`.

        result = skc.compile("runbooks/VirtHandlerDown.md", output="virt.skb")
        result.ok, result.diagnostics, result.bundle
    """
    from skc.compiler.driver import compile_path

    return compile_path(path, **options)


def run(source: Any, inputs: dict[str, Any] | None = None, **options: Any) -> RunResult:
    """Runs a bundle, a Module or a source (compiled on the fly); see `skc.runtime.api.run`.

        result = skc.run("virt.skb", {"ns": "prod"}, engine="local")
        result.status, result.outputs, result.run_id
    """
    from skc.runtime.api import run as run_workflow

    return run_workflow(source, inputs, **options)


__all__ = ["__version__", "compile", "run"]
