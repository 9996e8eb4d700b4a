"""Under-indented sub-lists: a numbered list whose bullets are indented too little to nest.

    1. Imbalance on pgbouncer connections
      * Check the dashboard ...        <- 2 spaces: CommonMark needs 3 to nest under "1. "
    1. Too many Sidekiq connections
      * Find the PostgreSQL master ...

Markdown reads this as four lists (ordered, bullet, ordered, bullet), so each bullet
became a step of its own and the two numbered steps fell apart. The author meant the
bullets as the body of the numbered item above them: they are indented past its
marker. `fold_underindented(blocks, lines)` moves each such bullet list into the last
item of the numbered list before it, and joins a numbered list that follows into the
first (the item numbers stay as written; `step_rules.check_numbers` still warns on them).
A bullet list at the marker's own indentation or left of it is a list of its own.

A code fence written on the line right after a list item, with no blank line and no
indentation ("- Check kubelet Service ..." then "```shell" in column 1), is that item's
command too: markdown ends the list there, so the command became a step of its own.
`fold_underindented` moves such a block into the last item of the list before it; a fence
after a blank line is a block of its own.
"""

from __future__ import annotations

from skc.compiler.frontend.markdown.document import Block


def _indent(lines: list[str], line: int) -> int:
    text = lines[line - 1] if 0 < line <= len(lines) else ""
    return len(text) - len(text.lstrip(" "))


def _right_after(lines: list[str], line: int) -> bool:
    """Whether the code block whose first line is `line` opens its fence right after a line of
    text (no blank line between)."""
    fence = line - 1 if 1 < line <= len(lines) + 1 and lines[line - 2].lstrip().startswith(("```", "~~~")) else line
    before = lines[fence - 2] if 1 < fence <= len(lines) + 1 else ""
    return bool(before.strip()) and not before.lstrip().startswith(("```", "~~~"))


def fold_underindented(blocks: list[Block], lines: list[str]) -> list[Block]:
    """`blocks` with under-indented bullet lists folded into the numbered item above them."""
    out: list[Block] = []
    host: Block | None = None  # the numbered list whose last item may take the next bullets
    for b in blocks:
        if b.kind == "code" and out and out[-1].kind == "list" and out[-1].children and _right_after(lines, b.line):
            out[-1].children[-1].children.append(b)  # "- Check X" + "```shell" on the next line: the item's code
            continue
        if host is not None and b.kind == "list" and b.children:
            marker = _indent(lines, host.children[0].line)
            if not b.ordered and _indent(lines, b.children[0].line) > marker:
                host.children[-1].children.append(b)  # "  * ..." under "1. ...": the item's body
                continue
            if b.ordered and _indent(lines, b.children[0].line) == marker and \
                    any(it.children and it.children[-1].kind == "list" for it in host.children[-1:]):
                host.children.extend(b.children)  # "1. Next step" after the folded bullets: the same list
                continue
        host = b if b.kind == "list" and b.ordered and b.children else None
        out.append(b)
    return out
