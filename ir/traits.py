"""Op traits: what an op is, asked by passes and analyses instead of its name.

An op class declares its traits in `traits` (xDSL style); `Op.__init_subclass__`
adds the ones its older flags imply, so both spellings agree:

    Pure          reads only its operands (`pure = True`): cse may merge it, dce drop it
    HasEffects    touches named resources and says which in its `effects` attribute
                  (`pure = False`; one without the attribute counts as `write:*`)
    Terminator    ends a region (`terminator = True`): `ctrl.yield`, `ctrl.return`
    ReturnLike    a terminator that ends the whole workflow (`ctrl.return`): an op
                  holding one in a region may exit early
    HasRegions    holds nested blocks (`num_regions > 0`): `ctrl.if/map/retry`, workflows
    Branch        runs one of its regions (`ctrl.if`)
    Loop          runs its region once per item (`ctrl.map`)
    Retrying      re-runs its region until it succeeds (`ctrl.retry`)
    CallsModel    runs on a language model (`llm.*`): the JIT watches it
    RunsTool      runs a command, query, request, script or file access (`tool.*`)

`op.has(Trait)` answers for an instance, `OpClass.has(Trait)` for a class.
"""

from __future__ import annotations


class Trait:
    """A property of an op class; subclasses are markers, never instantiated."""


class Pure(Trait):
    """Reads only its operands; no named resource is read or written."""


class HasEffects(Trait):
    """Reads or writes named resources, declared in the op's `effects` attribute."""


class Terminator(Trait):
    """Ends a region; it is the last op of its block."""


class ReturnLike(Trait):
    """Ends the workflow (a terminator whose values are the workflow's outputs)."""


class HasRegions(Trait):
    """Holds nested regions (bodies)."""


class Branch(Trait):
    """Runs one of its regions, chosen by its first operand."""


class Loop(Trait):
    """Runs its body once per item of its first operand."""


class Retrying(Trait):
    """Runs its body until it succeeds or its attempts are spent."""


class CallsModel(Trait):
    """Runs on a language model."""


class RunsTool(Trait):
    """Runs a tool on the CPU: a command, query, request, script or file access."""


ALL: tuple[type[Trait], ...] = (Pure, HasEffects, Terminator, ReturnLike, HasRegions, Branch, Loop,
                                Retrying, CallsModel, RunsTool)
