"""How a step reads its sentences: the marks they put on it (jumps, exits, waits, parallel
hints), which conditions are steps of their own, where a condition's action starts, and
the order checks of numbered steps (SKC124). Used by `steps._Extractor` and
`paragraph_steps.ParagraphReader`."""

from __future__ import annotations

from itertools import pairwise

from skc.compiler.frontend.common.commands import looks_like_command
from skc.compiler.frontend.markdown import flow, prose, remarks
from skc.compiler.frontend.markdown.document import Block
from skc.compiler.frontend.markdown.snippets import MAX_TABLE_ROWS, Snippet
from skc.compiler.frontend.markdown.step_model import Counter, Step, unnumbered
from skc.ir.location import Diagnostic, Location


def keep(step: Step) -> bool:
    """Whether a condition is a step: it acts (code, instruction, jump, exit, an intro) or checks output."""
    c = step.condition
    assert c is not None
    action = prose.clean(c.action)
    if remarks.remark(action) and not (step.snippets or step.goto is not None or step.exit or step.otherwise):
        return False  # "If X, you see the following output:", "If X, it tries the next server": a remark
    if remarks.wants_to_see(c.cond) and not (step.goto is not None or step.exit or step.otherwise):
        return False  # "If you are only interested in the expiration date, you can use:": a variant to run
    acts = bool(step.snippets or step.goto is not None or step.exit or step.otherwise or not action
                or action.endswith(":") or prose.is_instruction(action) or prose.modal(action)
                or any(prose.modal(t) for _, t in prose.sentences(action)[1:2]))  # "If X, this is Y. You must Z."
    if c.keyword in ("when", "whenever"):
        return acts
    return acts or prose.observes(c.cond)


def marked(sentence: str) -> bool:
    """Whether a sentence jumps, exits, waits for a step or hints at parallel steps."""
    stepped = "step" in sentence.lower()  # jumps and waits name a step (their own first test, asked once here)
    return (stepped and flow.goto_target(sentence, anchored=True) is not None) \
        or flow.exit_status(sentence, anchored=True) is not None or flow.parallel_hint(sentence) is not None \
        or (stepped and bool(flow.after_steps(sentence)))


def mark(step: Step, text: str) -> None:
    """Jumps and exits: anywhere in a condition's action, at the start of a plain step.
    "Proceed to step N" in a plain step is where it goes on (`next`), not a jump; each
    mark only adds what its sentence says (a step's sentences mark it in turn)."""
    anchored = step.condition is None
    forward = flow.forward_target(text) if anchored else None
    goto = None if forward is not None else flow.goto_target(text, anchored=anchored)
    exit_ = flow.exit_status(text, anchored=anchored) if goto is None else None
    step.next = forward if forward is not None else step.next
    step.goto = goto if goto is not None else step.goto
    step.exit = exit_ if exit_ is not None else step.exit
    step.parallel = flow.parallel_hint(text) or step.parallel
    step.after = list(dict.fromkeys([*step.after, *flow.after_steps(text)]))


def heading_condition(title: str) -> prose.Condition | None:
    """ "3) If user chooses comments" heads the steps that run when the condition holds."""
    cond = prose.parse_condition(unnumbered(title))
    return cond if cond is not None and cond.keyword == "if" else None


def action_offset(sentence: str, cond: prose.Condition) -> int:
    """Where a condition's action starts in its sentence (code in the condition is not run)."""
    if not cond.action:
        return len(sentence)
    pos = sentence.rfind(cond.action[:30])
    return pos if pos >= 0 else 0


def offset_of(text: str, sentence: str) -> int:
    return max(text.find(sentence[:30]), 0)


def check_numbers(lst: Block, path: str, diags: list[Diagnostic]) -> None:
    """SKC124 when a numbered list repeats or goes back (1. 1. 1. is the usual auto-numbering)."""
    numbers = [it.number for it in lst.children if it.number is not None]
    if len(set(numbers)) <= 1:
        return
    for prev, it in pairwise(lst.children):
        if prev.number is not None and it.number is not None and it.number <= prev.number:
            diags.append(Diagnostic(
                "SKC124", Location(path, it.line, max(it.col, 1)), f"step {it.number} follows step {prev.number}: the order is ambiguous",
                "number the steps in the order they run", "warning"))


def check_order(steps: list[Step], diags: list[Diagnostic]) -> None:
    """SKC124 when numbered headings go back or repeat."""
    numbered = [s for s in steps if s.title and s.number is not None]
    for prev, s in pairwise(numbered):
        if s.number is not None and prev.number is not None and s.number <= prev.number:
            diags.append(Diagnostic(
                "SKC124", s.loc, f"step {s.number} comes after step {prev.number}: the order is ambiguous",
                "number the steps in the order they run", "warning"))


def table_steps(b: Block, counter: Counter, path: str, diags: list[Diagnostic]) -> list[Step]:
    """A step per table row that holds a command in a code span (SKC129 for a table too long)."""
    if len(b.rows) > MAX_TABLE_ROWS:
        diags.append(Diagnostic("SKC129", Location(path, b.line, 1), f"table of {len(b.rows)} rows not analysed",
                                     f"only tables up to {MAX_TABLE_ROWS} rows become steps", "warning"))
        return []
    out: list[Step] = []
    for row, spans in zip(b.rows[1:], b.row_spans[1:] if len(b.row_spans) > 1 else [], strict=False):
        text = " | ".join(row)
        snippets = [Snippet("shell", s.text.strip(), Location(path, s.line, s.col)) for s in spans
                    if looks_like_command(s.text)]
        if snippets:
            out.append(Step(counter.next(), text, snippets[0].loc, snippets=snippets))
    return out
