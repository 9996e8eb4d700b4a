"""The step tree's data: `Step`, the labels steps get, and small tree edits.

A `Step` is one unit of a procedure: its own text (the prompt of its llm op), the
code it runs (`snippets`), nested steps, folded details, and control hints
(condition, otherwise-steps, jump target, exit status, parallel hint). `Counter`
hands out labels `<parent>.<n>` in which numbered list items keep their number.
Tree edits: `prune` (conditions that lead nowhere), `pair_conditions` ("If X" next to
"If not X" becomes one decision), `rename_prefix`, `relabel`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from skc.compiler.frontend.markdown import flow, prose
from skc.compiler.frontend.markdown.document import Block
from skc.compiler.frontend.markdown.snippets import Snippet
from skc.ir.location import Location


@dataclass
class Step:
    """One step: own text (the prompt of its llm op), code, children and control hints."""

    label: str
    text: str
    loc: Location
    number: int | None = None
    snippets: list[Snippet] = field(default_factory=list)
    children: list[Step] = field(default_factory=list)
    details: list[str] = field(default_factory=list)
    options: list[str] = field(default_factory=list)
    title: bool = False
    section: bool = False  # a heading: what came before it is not this step's input
    ordered: bool = False
    condition: prose.Condition | None = None
    otherwise: list[Step] = field(default_factory=list)
    goto: int | None = None
    next: int | None = None  # "proceed to step N": a forward edge, not a jump
    after: list[int] = field(default_factory=list)  # "after step N": steps it waits for
    exit: str | None = None
    parallel: flow.ParallelHint | None = None

    @property
    def prompt(self) -> str:
        text = prose.clean(self.text if self.condition is None else self.condition.action or self.text)
        extra = "\n".join(f"- {prose.clean(d)}" for d in self.details if d.strip())
        return f"{text}\n{extra}".strip() if extra else text

    def walk(self) -> list[Step]:
        """This step and every step under it, depth first (children before otherwise-steps)."""
        out: list[Step] = []
        stack = [self]
        while stack:
            s = stack.pop()
            out.append(s)
            if s.children or s.otherwise:
                stack += reversed(s.otherwise)
                stack += reversed(s.children)
        return out


class Counter:
    """Labels `<prefix>.<n>` for the steps of one parent: numbered items keep their number,
    other steps take the next number no numbered item of the parent claims."""

    def __init__(self, prefix: str) -> None:
        self.prefix, self.n = prefix, 0
        self.used: set[int] = set()
        self.reserved: set[int] = set()
        self.last = 0

    def reserve(self, blocks: list[Block]) -> None:
        """Numbers of the numbered lists among `blocks` that stay at this level (not under an intro)."""
        for i, b in enumerate(blocks):
            intro = i > 0 and blocks[i - 1].kind == "para" and blocks[i - 1].text.rstrip().endswith(":")
            if b.kind == "list" and b.ordered and not intro:
                self.reserved |= {it.number for it in b.children if it.number is not None}

    def next(self, number: int | None = None) -> str:
        if number is not None and number not in self.used:
            k = number
        else:
            k = self.n + 1
            while k in self.used or (number is None and k in self.reserved):
                k += 1
        self.used.add(k)
        self.n, self.last = max(self.n, k), k
        return f"{self.prefix}.{k}" if self.prefix else str(k)

    def release(self) -> None:
        """Gives the last number back (the item turned out to be a detail, not a step)."""
        self.used.discard(self.last)
        self.n = max(self.used, default=0)


def flatten(steps: list[Step]) -> list[Step]:
    """Steps in run order; a condition keeps its nested steps (they run in its then-region)."""
    out: list[Step] = []
    for s in steps:
        out.append(s)
        if s.condition is None:
            out.extend(flatten(s.children))
    return out


_HEDGE = re.compile(r"\b(?:perhaps|possibly|probably|likely|maybe|might|indicates?|means|suggests?)\b", re.I)


def prune(steps: list[Step], dropped: list[Step] | None = None) -> list[Step]:
    """Drops conditions that lead nowhere ("If it must stop, the following steps apply:" + nothing).
    A condition whose action introduces a list of facts or likely causes it asks to check or
    weigh ("If X, check whether one of the following also occurred:", "if the distribution is
    uneven, then perhaps:") is a judgement and stays; one that only describes what follows
    ("If X, this failure can affect readiness, as follows:") leads nowhere. Each dropped step
    goes to `dropped`, so that the caller can say so where it was written (never silently)."""
    out = []
    for s in steps:
        s.children = prune(s.children, dropped)
        s.otherwise = prune(s.otherwise, dropped)
        c = s.condition
        empty = c is not None and not (s.snippets or s.children or s.otherwise or s.goto is not None or s.exit)
        if empty and c is not None and s.options and c.keyword == "if" and c.action.rstrip().endswith(":") and \
                (prose.asks_to_act(c.action) or prose.modal(c.action) or _HEDGE.search(c.action)):
            empty = False  # "If X, check whether one of these occurred:" / "If X, then perhaps:" + a list: a judgement
        if empty and c is not None and (not c.action.strip() or c.action.rstrip().endswith(":")):
            if dropped is not None:
                dropped.append(s)
            continue
        out.append(s)
    return out


def pair_conditions(steps: list[Step]) -> list[Step]:
    """Joins "If X, A" followed by "If not X, B" into one condition whose otherwise-step is B.

    Both outcomes of one decision then come from one `llm.decide` (or one predicate), and
    exactly one branch runs. B keeps its label, location and code; its action becomes its
    text. Only adjacent siblings pair, and neither may jump ("go to step N").
    """
    out: list[Step] = []
    for s in steps:
        s.children = pair_conditions(s.children)
        s.otherwise = pair_conditions(s.otherwise)
        prev = out[-1] if out else None
        if prev is not None and _opposite(prev, s):
            c = s.condition
            assert c is not None
            s.condition, s.text = None, c.action
            prev.otherwise.append(s)
            continue
        out.append(s)
    return out


def _opposite(a: Step, b: Step) -> bool:
    ca, cb = a.condition, b.condition
    return ca is not None and cb is not None and not a.otherwise and a.goto is None and b.goto is None \
        and ca.keyword in ("if", "when") and cb.keyword in ("if", "when") and not ca.negated and not cb.negated \
        and prose.negates(ca.cond, cb.cond)


def rename_prefix(steps: list[Step], old: str, new: str) -> None:
    """Renames labels under a section whose label had to be made unique."""
    if old == new:
        return
    for top in steps:
        for s in top.walk():
            if s.label == old or s.label.startswith(old + "."):
                s.label = new + s.label[len(old):]


def plain(step: Step) -> bool:
    """A step that is only an instruction (no code, condition, jump or sub-steps)."""
    return not (step.snippets or step.condition or step.children or step.otherwise or step.goto is not None
                or step.exit or step.parallel or step.title or step.next is not None)


def relabel(step: Step) -> None:
    for i, o in enumerate(step.otherwise, 1):
        o.label = f"{step.label}.else" if len(step.otherwise) == 1 else f"{step.label}.else{i}"


_PARENTHESES = re.compile(r"\s*\(.*?\)\s*")


def short_label(title: str) -> str:
    text = prose.clean(title).replace("`", "")
    text = _PARENTHESES.sub(" ", text).strip()
    if len(text) > 40:
        text = text[:41].rsplit(" ", 1)[0]
    return text.rstrip(" :-") or "section"


_NUMBER_PREFIX = re.compile(r"^\s*(?:step\s+)?\d{1,3}\s*[).:\-–—]?\s*", re.I)


def unnumbered(title: str) -> str:
    """A heading without its "Step 3 -" / "3)" number."""
    return _NUMBER_PREFIX.sub("", title)
