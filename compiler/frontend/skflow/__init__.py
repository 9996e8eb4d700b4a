"""The .skflow front end: a lark grammar (`grammar/skflow.lark`), its transformer to an AST
(`transform`, `nodes`), lowering to IR (`lower`, `steps`, `ops`, `plan`) and the IR -> .skflow
printer (`printer`). `compile_skflow(path)` is the entry point.
"""

from skc.compiler.frontend.skflow.parse import compile_skflow

__all__ = ["compile_skflow"]
