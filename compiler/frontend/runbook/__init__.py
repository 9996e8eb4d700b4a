"""The runbook / TSG front end: a markdown troubleshooting guide becomes a workflow."""

from skc.compiler.frontend.runbook.tsg_md import compile_tsg

__all__ = ["compile_tsg"]
