"""What a resumed run replays of a python session: the earlier blocks' imports and definitions.

The python blocks of one skill procedure share one interpreter session, so block 3
may call a function block 1 defined. When a run is resumed after block 1 finished
(its result comes from the journal), block 3 starts a fresh session where that
function does not exist. The lowering therefore gives each block a `replay`
attribute: the imports, `def`s, `class`es and literal constants (`LIMIT = 10`) of the
procedure's earlier blocks, in order. The runtime runs it in a session only when the
block is the first thing that session runs in this run
(`runtime/targets/python_session.py`), so a normal run never replays anything.

Only statements without effects are replayed: a computed variable (`data = load()`)
would repeat the earlier block's work (and its writes), so it is not, and a block that
reads one after a resume fails with the usual NameError.
"""

from __future__ import annotations

import ast


def replayable(code: str) -> list[str]:
    """The top-level imports, defs, classes and literal assignments of `code`, as source text."""
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return []
    out: list[str] = []
    for node in tree.body:
        keep = isinstance(node, ast.Import | ast.ImportFrom | ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
        if isinstance(node, ast.Assign | ast.AnnAssign) and node.value is not None:
            try:
                ast.literal_eval(node.value)
                keep = True
            except (ValueError, TypeError, SyntaxError, RecursionError):
                keep = False
        segment = ast.get_source_segment(code, node, padded=False) if keep else None
        if segment:
            start = getattr(node, "decorator_list", None)
            if start:  # decorators are outside the node's own segment
                first = min(d.lineno for d in start)
                segment = "\n".join(code.split("\n")[first - 1:node.end_lineno or node.lineno])
            out.append(segment)
    return out
