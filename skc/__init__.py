"""skc, the skill compiler: agent skills and runbooks compiled to a typed dataflow IR."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from skc.compiler.driver import CompileResult

__version__ = "0.1.0"


def compile(path: str | Path, **options: Any) -> CompileResult:
    """Compiles a SKILL.md folder, runbook .md, .skflow or .mlir file; see `compile_path`.

        result = skc.compile("runbooks/VirtHandlerDown.md", output="virt.skb")
        result.ok, result.diagnostics, result.bundle
    """
    from skc.compiler.driver import compile_path

    return compile_path(path, **options)
