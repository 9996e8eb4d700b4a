"""Effects of an op, lifted over its regions, and whether it may end the workflow early.

One rule for every caller: the effects of an op are those declared by it and by
every op nested in its regions; an op with the `HasEffects` trait that declares
none (IR the verifier would reject with SKC206) counts as `write:*`, so it is
ordered against everything rather than against nothing. `pure` contributes
nothing, malformed entries are the verifier's to report and are skipped here.
"""

from __future__ import annotations

from skc.ir.core import Op
from skc.ir.effects import Effect, parse_effects
from skc.ir.traits import HasEffects, HasRegions, ReturnLike

WRITE_ALL = Effect("write", "*")

# Parsed `effects` attributes by their entries: a block's ops declare a handful of distinct
# lists (`["pure"]`, `["read:k8s"]`, ...), each parsed once. The lists handed out are shared:
# callers read them, never change them.
_PARSED: dict[tuple[object, ...], list[Effect]] = {}
_PARSED_MAX = 4096  # distinct lists kept; past that the table starts afresh


def own_effects(op: Op) -> list[Effect]:
    """The effects `op` itself declares (`write:*` when it has effects but declares none)."""
    declared = op.attributes.get("effects")
    if not isinstance(declared, list):
        return [WRITE_ALL] if op.has(HasEffects) else []
    try:
        key = tuple(declared)
        return _PARSED[key]
    except KeyError:
        if len(_PARSED) >= _PARSED_MAX:
            _PARSED.clear()
        parsed = _PARSED[key] = parse_effects([str(e) for e in declared])[0]
        return parsed
    except TypeError:  # an unhashable entry (malformed: the verifier reports it)
        return parse_effects([str(e) for e in declared])[0]


def op_effects(op: Op) -> list[Effect]:
    """The effects of `op` and of every op nested in its regions."""
    if not op.regions:
        return own_effects(op)
    return [e for inner in op.walk() for e in own_effects(inner)]


def writes(op: Op) -> bool:
    """Whether `op` (or an op nested in it) writes a resource."""
    return any(e.writes for e in op_effects(op))


def may_exit(op: Op) -> bool:
    """Whether a region of `op` may end the workflow (holds a `ReturnLike` terminator)."""
    return op.has(HasRegions) and any(inner.has(ReturnLike) for inner in op.walk())


def conflict(a: list[Effect], b: list[Effect]) -> list[str]:
    """The first conflicting pair of effects, as text (`["write:k8s", "read:k8s"]`), or [].

    Lifted effects repeat (an op with regions lists every nested op's): a repeat of an effect
    conflicts with nothing its first occurrence did not, so each distinct one is tried once, in
    order, and a reading effect only against the writing ones."""
    if not a or not b:
        return []
    ys = list(dict.fromkeys(b))
    writers = [y for y in ys if y.writes]
    for x in dict.fromkeys(a):
        for y in ys if x.writes else writers:
            if x.conflicts(y):
                return [str(x), str(y)]
    return []
