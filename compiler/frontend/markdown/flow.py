"""Prose that moves the procedure: jumps, forward edges, waits, early exits, parallel and
serial hints, and references to other steps.

"go to step 5" / "see step 3 instead" is a jump (`goto_target`); "proceed to step 4" is
where the procedure goes on (`forward_target`); "after step 2 completes" is a wait
(`after_steps`); "escalate to ...", "stop here", "the issue is resolved" end the
procedure early (`exit_status`); "run steps 2 through 10 in parallel" / "one at a time"
are hints (`parallel_hint`, `serial_hint`); "the output of steps 1-3" and "step 2's
`summary`" are references (`step_refs`, `field_refs`). Each idiom family is a
`rules.Rules` table of (pattern, builder) rows, tried in order.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from skc.compiler.caseless import Lowered
from skc.compiler.frontend.markdown.prose import clean, drop_lead
from skc.compiler.frontend.markdown.rules import Rule, Rules


@dataclass(frozen=True)
class ParallelHint:
    """Steps the document says may run at once: numbers, or "the following" block."""

    numbers: tuple[int, ...] = ()
    following: bool = False
    serial: bool = False  # the opposite hint: these steps run one after another


_NO_HINT = ParallelHint()  # a row matched but names no usable steps (a range over 200): no later row applies


def _first_number(m: re.Match[str]) -> int:
    return int(next(g for g in m.groups() if g))


def _range(serial: bool) -> Rule[ParallelHint]:
    """The builder for "steps A-B ..." / "... steps A through B" (groups 1-2 or 3-4)."""
    def build(m: re.Match[str]) -> ParallelHint:
        a, b = (int(g) for g in (m.group(1) or m.group(3), m.group(2) or m.group(4)))
        return ParallelHint(tuple(range(min(a, b), max(a, b) + 1)), serial=serial) if abs(a - b) < 200 else _NO_HINT
    return Rule(_SERIAL_RANGE if serial else _PAR_RANGE, build)


_STEP_N = r"(?:the\s+)?step\s+#?(\d{1,3})\b"
_GOTO = re.compile(r"\b(?:go|skip|jump|proceed|continue|move|return|head|advance)(?:\s+\w+)?\s+(?:on\s+)?(?:to|with|at)\s+"
                   + _STEP_N, re.I)
_FORWARD = re.compile(r"\b(?:proceed|continue|move\s+on|carry\s+on|go\s+on)(?:\s+\w+)?\s+(?:on\s+)?(?:to|with|at)\s+"
                      + _STEP_N, re.I)
_AFTER = re.compile(r"\b(?:after|once|when)\s+step\s+#?(\d{1,3})\s+(?:completes|is\s+(?:done|complete|finished)|"
                    r"finishes|has\s+(?:finished|completed))|\b(?:after|following)\s+step\s+#?(\d{1,3})\b", re.I)
_RANGE = r"\bsteps?\s+#?(\d{1,3})\s*(?:-|–|—|to|through|thru|until)\s*#?(\d{1,3})\b[^.]*?"
_RANGE_AFTER = r"[^.]*?\bsteps?\s+#?(\d{1,3})\s*(?:-|–|—|to|through|thru)\s*#?(\d{1,3})\b"
_SERIAL_WORDS = r"(?:in\s+serial|serially|sequentially|one\s+after\s+(?:the\s+)?(?:other|another)|one\s+at\s+a\s+time|in\s+sequence)"
_PARALLEL_WORDS = r"(?:in\s+parallel|concurrently|simultaneously|at\s+the\s+same\s+time)"
_SERIAL_RANGE = re.compile(_RANGE + _SERIAL_WORDS + "|" + _SERIAL_WORDS + _RANGE_AFTER, re.I)
_PAR_RANGE = re.compile(_RANGE + _PARALLEL_WORDS + "|" + _PARALLEL_WORDS + _RANGE_AFTER, re.I)

# Jumps: the first row that matches names the step (anchored callers want it at the start).
JUMPS: Rules[int] = Rules(
    Rule(_GOTO, _first_number),  # "go to step 5", "skip to step 3"
    Rule(re.compile(r"\bsee\s+step\s+#?(\d{1,3})\b|\bstep\s+#?(\d{1,3})\s+(?:instead|next)\b", re.I),
         _first_number),  # "see step 3", "step 4 instead"
)

# Serial hints, then parallel ones: "run steps 2-5 one at a time", "steps 1, 3 and 4 in parallel".
SERIAL_HINTS: Rules[ParallelHint] = Rules(
    _range(serial=True),  # "steps 2-5 in serial" -> (2, 3, 4, 5) serial
    Rule(re.compile(r"\b(?:run|execute|perform|do|follow)\s+(?:the\s+|these\s+|all\s+(?:the\s+)?)?(?:following\s+)?"
                    r"(?:steps|checks|queries)\b[^.]*?" + _SERIAL_WORDS, re.I),
         lambda m: ParallelHint(following=True, serial=True)),  # "run the following steps one at a time"
)
PARALLEL_HINTS: Rules[ParallelHint] = SERIAL_HINTS + Rules(
    _range(serial=False),  # "steps 2 through 10 in parallel" -> (2, ..., 10)
    Rule(re.compile(r"\bsteps?\s+((?:#?\d{1,3}\s*(?:,|and|&)\s*)+#?\d{1,3})\b[^.]*?" + _PARALLEL_WORDS, re.I),
         lambda m: ParallelHint(tuple(int(n) for n in re.findall(r"\d+", m.group(1))))),  # "steps 1, 3 and 4 ..."
    Rule(re.compile(r"\b(?:the\s+)?(?:following|these|next)\s+(?:\w+\s+)?(?:steps|checks|commands|queries)\b[^.]*?"
                    + _PARALLEL_WORDS + "|" + _PARALLEL_WORDS + r"[^.]*\b(?:the\s+)?following\b", re.I),
         lambda m: ParallelHint(following=True)),  # "run the following checks in parallel"
)
_HINT_WORDS = Lowered(re.compile(r"parallel|concurrent|simultaneous|same\s+time|serial|sequen|one\s+(?:after|at\s+a\s+time)",
                                 re.I))
_HINT_STEMS = ("parallel", "concurrent", "simultaneous", "same", "serial", "sequen", "one")  # one in each alternative

# Early exits: the status each row means.
EXITS: Rules[str] = Rules(
    Rule(re.compile(r"\bescalat(?:e|ion)\b|\bpage\s+(?:the\s+)?(?:on-?call|eoc|sre|team|im|incident)", re.I),
         lambda m: "escalate"),  # "escalate to the DBA team", "page the on-call"
    Rule(re.compile(r"\bstop(?:\s+here|\s+now|\s+the\s+(?:runbook|procedure|process))\b|\bdo not (?:continue|proceed)\b|"
                    r"\byou(?:'re| are) done\b|\bnothing (?:else |more )?to do\b|\bno (?:further |more )?action\b"
                    r"|\bend of (?:the )?(?:runbook|procedure)\b|\babort\b", re.I),
         lambda m: "stop"),  # "stop here", "no further action is needed"
    Rule(re.compile(r"\b(?:the )?(?:alert|incident|issue|problem) (?:is|has been) (?:resolved|fixed|mitigated)\b|"
                    r"\b(?:definitive|potential|possible|final|confirmed)\s+(?:resolution|root\s+cause)(?:\s+path)?\b",
                    re.I),
         lambda m: "resolved"),  # "the issue is resolved", "definitive resolution"
    Rule(re.compile(r"\bskip\s+(?:all\s+)?(?:the\s+)?(?:remaining|rest\s+of\s+the|other)\s+steps\b", re.I),
         lambda m: "stop"),  # "skip the remaining steps"
)
_EXIT_WORDS = ("escalat", "page", "stop", "not continue", "not proceed", "done", "nothing", "action", "end of",
               "abort", "resolv", "fixed", "mitigat", "resolution", "root cause", "skip")
_ANY_HINT_STEM = re.compile("|".join(map(re.escape, _HINT_STEMS)))  # one search: is any stem in the text
_ANY_EXIT_WORD = re.compile("|".join(map(re.escape, _EXIT_WORDS)))
_CONDITIONAL = Lowered(re.compile(r"\b(?:if|when|unless|in case)\b", re.I))
_EXIT_LEAD = re.compile(r"(?:you should|please|immediately)\s", re.I)
_EXIT_SUBJECT = re.compile(r"(?:this|that|it)\s+(?:is|was)\s+(?:a\s+|the\s+)?", re.I)


@lru_cache(maxsize=4096)
def goto_target(text: str, *, anchored: bool = False) -> int | None:
    """N for "go to step N" (at the start of `text` when anchored, anywhere otherwise)."""
    if "step" not in text.lower():  # every jump names a step
        return None
    found = next(JUMPS.matches(drop_lead(clean(text))), None)
    if found is None or (anchored and found[0].start() > 0):
        return None
    m, rule = found
    return rule.build(m)


@lru_cache(maxsize=4096)
def forward_target(text: str) -> int | None:
    """N for "proceed to step N" / "continue with step N": where the procedure goes on
    after this step, a forward edge (a join when several steps say it), never a jump."""
    if "step" not in text.lower():
        return None
    m = _FORWARD.search(clean(text))
    return int(m.group(1)) if m else None


def after_steps(text: str) -> list[int]:
    """N for each "after step N" / "once step N completes": steps this one waits for."""
    if "step" not in text.lower():
        return []
    return [int(m.group(1) or m.group(2)) for m in _AFTER.finditer(clean(text))]


def serial_hint(text: str) -> ParallelHint | None:
    """Steps the document says run one after another ("run steps 2-5 in serial"); the
    `following`/all form when it names no numbers ("run the following steps one at a time")."""
    hint = SERIAL_HINTS.first(text)
    return None if hint is _NO_HINT else hint


@lru_cache(maxsize=4096)
def parallel_hint(text: str) -> ParallelHint | None:
    """The steps a sentence says run at once (see `ParallelHint`), or its serial twin."""
    low = text.lower()
    if _ANY_HINT_STEM.search(low) is None or _HINT_WORDS.search(text, low) is None:
        return None
    hint = PARALLEL_HINTS.first(text)
    return None if hint is _NO_HINT else hint


@lru_cache(maxsize=4096)
def exit_status(text: str, *, anchored: bool = False) -> str | None:
    """"escalate", "stop" or "resolved" when the text ends the procedure early.

    Anchored (a plain step, not a condition's action): the step must start with the
    exit and not carry its own condition ("Escalate to X if needed" does not stop).
    """
    low = text.lower()
    if _ANY_EXIT_WORD.search(low) is None:
        return None
    t = drop_lead(clean(text))
    if anchored and (_CONDITIONAL.search(t) or len(t.split()) > 30):
        return None
    return EXITS.first(t, accept=lambda m: not anchored or m.start() == 0 or _EXIT_LEAD.match(t) is not None
                       or _EXIT_SUBJECT.fullmatch(t[:m.start()]) is not None)


def resolution_note(text: str) -> bool:
    """ "This is a definitive resolution (path)." after a branch: the branch ends the procedure."""
    return re.fullmatch(r"(?:this|that|it)\s+(?:is|was)\s+(?:a|the)\s+(?:definitive|potential|possible|final|confirmed)\s+"
                        r"(?:resolution|root\s+cause)(?:\s+path)?\.?", clean(text).strip(), re.I) is not None


_STEP_REF = re.compile(r"\bsteps?\s+#?(\d{1,3})((?:\s*(?:,\s*and|,|and|&|-|–|—|to|through|thru)\s*#?\d{1,3}\b)*)",
                       re.I)
_DESTINATION = re.compile(r"\b(?:go|goes|skip|jump|proceed|continue|move|return|head|advance|back|repeat|redo|restart|"
                          r"resume|loop)\b[^.,;:]*\Z", re.I)
_REF_PART = re.compile(r"\s*(,\s*and|,|and|&|-|–|—|to|through|thru)\s*#?(\d{1,3})", re.I)


def step_refs(text: str) -> list[tuple[int, int]]:
    """(offset, number) for each step `text` names, in order: "step 3", "steps 1-6",
    "steps 2 through 4" (also "to", "thru", dashes), "steps 1 and 3", "steps 1, 2 and 5".
    A range counts every number in it (at most 100). A step named as where to go
    ("go to step 3", "return to Review (Step 1)", "repeat steps 2-4") is not a reference."""
    out: list[tuple[int, int]] = []
    for m in _STEP_REF.finditer(text):
        if _DESTINATION.search(text[max(0, m.start() - 30):m.start()]):
            continue
        numbers = [int(m.group(1))]
        for part in _REF_PART.finditer(m.group(2)):
            n = int(part.group(2))
            if part.group(1).lower() in ("-", "–", "—", "to", "through", "thru") and 0 < n - numbers[-1] <= 100:
                numbers.extend(range(numbers[-1] + 1, n + 1))
            else:
                numbers.append(n)
        out.extend((m.start(), n) for n in numbers)
    return out


_FIELD = r"(`?)([A-Za-z_][A-Za-z0-9_]*)\{}"  # \{} is the backtick group's number
_NOT_A_RANGE = r"(?!\s*(?:,|and\b|&|-|–|—|to\b|through\b|thru\b)\s*#?\d)"
_FIELD_OF = re.compile(r"\bthe\s+" + _FIELD.format(1) + r"\s+(?:field\s+)?(?:of|from|in)\s+(step\s+#?(\d{1,3}))\b"
                       + _NOT_A_RANGE, re.I)
_STEPS_FIELD = re.compile(r"\b(step\s+#?(\d{1,3}))(?:'s|’s)\s+" + _FIELD.format(3) + r"(?![\w`])", re.I)


def field_refs(text: str) -> list[tuple[int, int, str, bool]]:
    """(offset, number, field, quoted) for each "the <field> of step N" ("from", "in" too)
    and "step N's <field>" in `text`: one step, one identifier-like word, in backticks
    (`quoted`) or not. The offset is that of the "step N" it names, as in `step_refs`;
    a range ("the `summary` of steps 1-3", "step 1 and 2") is not a field reference."""
    out = [(m.start(3), int(m.group(4)), m.group(2), bool(m.group(1))) for m in _FIELD_OF.finditer(text)]
    out += [(m.start(1), int(m.group(2)), m.group(4), bool(m.group(3))) for m in _STEPS_FIELD.finditer(text)]
    return sorted(out)
