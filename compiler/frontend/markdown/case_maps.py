"""Checks that map what the reader sees to what to do: a lookup table written as a list.

    First check the labels `long` and `short`.

    * `long: 1h` and `short: 5m`: less than **~2 days** -- You should fix the problem as soon as possible!
    * `long: 6h` and `short: 30m`: less than **~5 days** -- Track this down now but no immediate fix required.

The lead-in asks to check something; each item names a case (up to its first colon or
dash outside code spans) and says what it means, and at least one says what to do. The
reader judges which case holds: one decision whose outcomes are the cases, not free text.
`case_map(intro, items)` gives the cases, or [] for any other list: items without a case
("- restart the pod"), a list of fields ("- **Direction**: `Outbound`": no item acts), or
a lead-in that asks for nothing to be checked.
"""

from __future__ import annotations

import re

from skc.compiler.frontend.markdown import prose

_CHECK = re.compile(r"^(?:(?:first|then|now|also|next)[,]?\s+)?(?:check|look\s+at|see|inspect|compare|find|read|"
                    r"examine|review)\b", re.I)
_SPLIT = re.compile(r":\s|\s+-{1,2}\s+|\s+[–—→⇒]\s+|\s+=>\s+")  # after the case: "X: Y", "X -- Y", "X → Y"


def _case(item: str) -> tuple[str, str] | None:
    """(case, what it means) of one item, splitting outside code spans; None without a case."""
    masked = re.sub(r"`[^`]*`", lambda m: "`" + "x" * (len(m.group(0)) - 2) + "`", item)
    m = _SPLIT.search(masked)
    if m is None or m.start() < 2 or len(item[:m.start()].split()) > 10:
        return None
    return item[:m.start()].strip(" *_"), item[m.end():].strip()


def _acts(meaning: str) -> bool:
    parts = [p for part in re.split(r"\s+-{1,2}\s+|\s+[–—]\s+", meaning) for _, p in prose.sentences(part)]
    return any(prose.is_instruction(p) or prose.modal(p) for p in parts)


def case_map(intro: str, items: list[str]) -> list[str]:
    """The cases of a check-then-table list (see the module docstring), or []."""
    if len(items) < 2 or _CHECK.match(prose.clean(intro)) is None:
        return []
    cases = [_case(prose.clean(it)) for it in items]
    if any(c is None for c in cases) or not any(_acts(c[1]) for c in cases if c is not None):
        return []
    return [c[0] for c in cases if c is not None]
