"""Function calls written inline in prose: "consider interrupting the offending session using
`pg_terminate_backend({PID})`".

A call with a placeholder argument (`name({X})`, `name(<x>)`) in a sentence is something
the reader is meant to run, but it is no command and no statement: nothing says where it
runs (which database, which client), and a call like `pg_terminate_backend` ends sessions,
so guessing a `SELECT` around it would run a destructive call unapproved. It is not run;
`inline_call_warnings` gives a located SKC151 warning for each such span that did not
become a snippet, so the call is never dropped silently.
"""

from __future__ import annotations

import re

from skc.compiler.frontend.markdown.document import Block
from skc.compiler.frontend.markdown.snippets import Snippet, spans_in
from skc.ir.location import Diagnostic, Location

_CALL = re.compile(r"[A-Za-z_][A-Za-z0-9_.]*\(\s*(?:\{[A-Za-z_][\w-]*\}|<[A-Za-z][\w-]*>)[^()]*\)\s*;?")


def inline_call_warnings(b: Block, start: int, end: int, snippets: list[Snippet], path: str) -> list[Diagnostic]:
    """SKC151 for each inline `name({X})` call in `b.text[start:end]` that no snippet runs."""
    if not b.spans or "(" not in b.text[start:end]:
        return []  # no code span with a call in it: most sentences
    out: list[Diagnostic] = []
    run = {(sn.loc.line, sn.loc.col) for sn in snippets}
    for span in spans_in(b, start, end):
        if _CALL.fullmatch(span.text.strip()) is None or (span.line, span.col) in run:
            continue
        out.append(Diagnostic(
            "SKC151", Location(path, span.line, max(span.col, 1)),
            f"'{span.text.strip()[:60]}' is a call written inline in prose: not run (nothing says where it runs)",
            "write it in a code block (e.g. ```sql SELECT ...```) and ask for confirmation if it changes anything",
            "warning"))
    return out
