"""Effects: which named resources an op reads or writes.

An effect is written `pure`, `read:<resource>`, `write:<resource>` or
`net:<resource>` (network access, which orders like a read). Resources are
names such as `k8s`, `db:incidents`, `http` or `fs:/tmp/out`; `*` is every
resource (what a command skc cannot classify gets). Two effects conflict when
they touch overlapping resources and at least one writes; the concurrency pass
never puts conflicting ops at the same level.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MODES = ("read", "write", "net")
# A resource is any non-empty name without surrounding whitespace (`fs:/tmp/my report.md` is one).
_EFFECT = re.compile(r"(read|write|net):(\S(?:.*\S)?)\Z", re.DOTALL)


@dataclass(frozen=True, slots=True)
class Effect:
    """One access to one resource."""

    mode: str
    resource: str

    def __str__(self) -> str:
        return f"{self.mode}:{self.resource}"

    @property
    def writes(self) -> bool:
        return self.mode == "write"

    def conflicts(self, other: Effect) -> bool:
        """write/write or read/write on overlapping resources."""
        return (self.writes or other.writes) and overlaps(self.resource, other.resource)


def overlaps(a: str, b: str) -> bool:
    """Resources overlap when equal, when either is `*`, or when one fs path contains the other."""
    if a == b or a == "*" or b == "*":
        return True
    if a.startswith("fs:") and b.startswith("fs:"):
        pa, pb = a[3:].rstrip("/") + "/", b[3:].rstrip("/") + "/"
        return pa.startswith(pb) or pb.startswith(pa)
    return False


def parse_effect(text: str) -> Effect | None:
    """`read:k8s` -> Effect; None when malformed (`pure` is not an Effect: see parse_effects)."""
    m = _EFFECT.match(text)
    return Effect(m.group(1), m.group(2)) if m else None


def parse_effects(texts: list[str]) -> tuple[list[Effect], list[str]]:
    """Parses an `effects` attribute: (effects, malformed entries). `pure` contributes nothing."""
    effects: list[Effect] = []
    bad: list[str] = []
    for t in texts:
        if t == "pure":
            continue
        e = parse_effect(t)
        if e is None:
            bad.append(t)
        else:
            effects.append(e)
    return effects, bad
