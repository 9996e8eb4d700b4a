"""Promotion, guards and deoptimisation: the per-op state machine of the JIT.

    observe ──(N consecutive matches)──▶ promoted ──(M guard misses)──▶ observe
       ▲  the candidate synthesised from earlier        │ each execution: candidate under a
       │  pairs predicted the LLM's next output         │ guard; a miss runs the LLM instead
       └─────────────────────────────────────────────────┘

A **match** (observe phase): the current candidate, evaluated on the new inputs,
gave exactly the LLM's output. A **guard miss** (promoted phase): the candidate
raised, ran past its timeout, produced a value of the wrong type/schema (or not
one of a `llm.decide`'s outcomes), or, on a shadow-sampled execution, disagreed
with the LLM. The LLM's answer is then used and recorded.

The **envelope** check does better than a type check for decisions: a tree
learned from three pairs knows nothing about inputs unlike them. Each numeric
feature a decision thresholds carries the range of values seen while it was
learned; an input outside that range is answered by the LLM too (like a shadow
sample). If both agree, it is a hit and the range widens; if not, a miss.

Counters, and exactly when they reset (`OpState`):

    streak      consecutive matches while observing. +1 on a match; reset to 0 on a
                mismatch (and the candidate is re-synthesised from all pairs), when the
                candidate changes, on promotion and on demotion.
    misses      guard misses since promotion. +1 on a miss; reset to 0 on promotion, on
                demotion, and after `forgive_after` consecutive hits (so rare misses far
                apart never add up to a demotion: SkVM's counter never resets).
    clean_hits  consecutive hits since the last miss; reset to 0 on a miss, on promotion
                and on demotion.
    totals      lifetime executions/hits/misses/promotions/demotions: never reset (stats).

Synthesis runs after a mismatch or while there is no candidate; after k failed
attempts in a row the next one waits 2**k observed executions (at most 32), so an
op no program explains does not pay for a search on every execution.

Demotion drops the candidate; the next execution re-synthesises one from every
recorded pair (including the misses), which must again earn N matches.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from typing import Any

from skc.ir.core import Op
from skc.runtime.jit.program import Candidate, ProgramError, canonical, evaluate
from skc.runtime.jit.rowpred import as_number
from skc.runtime.jit.sandbox import Outcome

PROMOTE, GUARD_MISS, DEMOTE, HIT = "jit_promote", "jit_guard_miss", "jit_demote", "jit_hit"


@dataclass
class JitConfig:
    """Knobs of the JIT; defaults are what `skc run` uses."""

    promote_after: int = 3  # N: consecutive matching executions before promotion
    demote_after: int = 3  # M: guard misses (since promotion, see forgive_after) before demotion
    forgive_after: int | None = 100  # consecutive hits that clear earlier misses (None: never)
    timeout_s: float = 2.0  # a candidate's time limit per execution
    shadow_rate: float = 0.0  # fraction of solidified executions also run on the LLM and compared
    window: int = 200  # synthesis must reproduce the most recent `window` pairs
    seed: int | None = None  # shadow sampling's random seed (tests)


@dataclass
class JitEvent:
    """A transition for the trace: `jit_promote`, `jit_guard_miss`, `jit_demote` or `jit_hit`."""

    kind: str
    op_key: str
    op_name: str
    candidate: str
    detail: dict[str, Any] = field(default_factory=dict)

    def fields(self) -> dict[str, Any]:
        """The event's trace fields: none of them collides with the scheduler's own
        (`event`, `op`, `name`, `step`, `target`, `ts`), so `emit(e.kind, **e.fields())` works."""
        return {"op_key": self.op_key, "candidate": self.candidate, **self.detail}

    def to_trace(self) -> dict[str, Any]:
        return {"event": self.kind, **self.fields()}


@dataclass
class OpState:
    """One op's state: phase, current candidate and the counters described in the module doc."""

    phase: str = "observe"
    candidate: Candidate | None = None
    streak: int = 0
    misses: int = 0
    clean_hits: int = 0
    synth_failures: int = 0  # synthesis attempts in a row that found nothing
    since_synth: int = 0  # observed executions since the last attempt
    totals: dict[str, int] = field(default_factory=lambda: dict.fromkeys(
        ("executions", "hits", "misses", "promotions", "demotions"), 0))

    @property
    def fingerprint(self) -> str:
        return self.candidate.fingerprint if self.candidate else ""

    def to_json(self) -> dict[str, Any]:
        return {"phase": self.phase, "candidate": self.candidate.to_json() if self.candidate else None,
                "streak": self.streak, "misses": self.misses, "clean_hits": self.clean_hits,
                "synth_failures": self.synth_failures, "since_synth": self.since_synth,
                "totals": dict(self.totals)}

    @staticmethod
    def from_json(data: dict[str, Any]) -> OpState:
        cand = data.get("candidate")
        st = OpState(data.get("phase", "observe"), Candidate.from_json(cand) if cand else None,
                     int(data.get("streak", 0)), int(data.get("misses", 0)), int(data.get("clean_hits", 0)))
        st.synth_failures, st.since_synth = int(data.get("synth_failures", 0)), int(data.get("since_synth", 0))
        st.totals.update(data.get("totals", {}))
        return st

    # ---- transitions: each returns the events it causes

    def observed(self, config: JitConfig, matched: bool) -> None:
        """An LLM execution while observing: count the match or reset the streak."""
        self.totals["executions"] += 1
        self.streak = self.streak + 1 if matched else 0

    def synthesis_due(self) -> bool:
        """After k failed syntheses in a row, the next waits 2**k executions (at most 32)."""
        return self.since_synth >= 2 ** min(self.synth_failures, 5)

    def replace_candidate(self, candidate: Candidate | None) -> None:
        """The result of a synthesis attempt (None: nothing reproduces every pair)."""
        if (candidate.fingerprint if candidate else "") != self.fingerprint:
            self.streak = 0
        self.candidate = candidate
        self.synth_failures = 0 if candidate else self.synth_failures + 1
        self.since_synth = 0

    def maybe_promote(self, config: JitConfig, key: str, op_name: str) -> list[JitEvent]:
        if self.phase != "observe" or self.candidate is None or self.streak < config.promote_after:
            return []
        event = JitEvent(PROMOTE, key, op_name, self.fingerprint,
                         {"kind": self.candidate.kind, "after": self.streak})
        self.phase, self.streak, self.misses, self.clean_hits = "promoted", 0, 0, 0
        self.totals["promotions"] += 1
        return [event]

    def hit(self, config: JitConfig, key: str, op_name: str, **detail: Any) -> list[JitEvent]:
        self.totals["executions"] += 1
        self.totals["hits"] += 1
        self.clean_hits += 1
        if config.forgive_after is not None and self.clean_hits >= config.forgive_after:
            self.misses = 0
        return [JitEvent(HIT, key, op_name, self.fingerprint, detail)]

    def miss(self, config: JitConfig, key: str, op_name: str, reason: str) -> list[JitEvent]:
        self.totals["executions"] += 1
        self.totals["misses"] += 1
        self.misses += 1
        self.clean_hits = 0
        events = [JitEvent(GUARD_MISS, key, op_name, self.fingerprint,
                           {"reason": reason, "misses": self.misses, "demote_after": config.demote_after})]
        if self.misses >= config.demote_after:
            events.append(JitEvent(DEMOTE, key, op_name, self.fingerprint, {"misses": self.misses}))
            self.phase, self.candidate = "observe", None
            self.streak, self.misses, self.clean_hits = 0, 0, 0
            self.totals["demotions"] += 1
        return events


# ---------------------------------------------------------------- guard checks

def _schema(op: Op) -> dict[str, Any] | None:
    text = op.attributes.get("schema")
    if not isinstance(text, str) and op.results and op.results[0].type.schema:
        text = op.results[0].type.schema
    try:
        return json.loads(text) if isinstance(text, str) else None
    except ValueError:
        return None


_PY_TYPES: dict[str, Any] = {"object": dict, "array": list, "string": str, "boolean": bool,
                             "number": (int, float), "integer": int, "null": type(None)}


def check_output(op: Op, value: Any) -> str | None:
    """Why `value` cannot be `op`'s output (type, outcome set, JSON Schema), or None."""
    kind = op.results[0].type.kind if op.results else "text"
    outcomes = op.attributes.get("outcomes")
    if isinstance(outcomes, list) and value not in outcomes:
        return f"{canonical(value)[:80]} is not one of the outcomes"
    if kind == "text" and not isinstance(value, str):
        return f"expected text, got {type(value).__name__}"
    if kind == "json":
        try:
            json.dumps(value)
        except (TypeError, ValueError):
            return "not JSON data"
    schema = _schema(op)
    return None if schema is None else _schema_miss(schema, value)


def _schema_miss(schema: dict[str, Any], value: Any) -> str | None:
    try:
        import jsonschema
    except ImportError:  # without jsonschema: the top-level type only
        want = _PY_TYPES.get(str(schema.get("type")))
        return None if want is None or isinstance(value, want) else f"not of schema type {schema['type']}"
    error = jsonschema.exceptions.best_match(jsonschema.Draft202012Validator(schema).iter_errors(value))
    return None if error is None else f"schema: {error.message[:120]}"


def outside_envelope(candidate: Candidate, inputs: list[Any]) -> str | None:
    """Why `inputs` lie outside the ranges the candidate was learned on, or None."""
    return envelope_miss(candidate.envelope, inputs)


def envelope_miss(envelope: list[dict[str, Any]], inputs: list[Any]) -> str | None:
    """Why `inputs` lie outside `envelope` (a candidate's learned feature ranges), or None."""
    for item in envelope:
        try:
            x = as_number(evaluate(item["expr"], inputs))
        except ProgramError:
            return "a thresholded feature has no value"
        if not math.isnan(x) and not item["min"] <= x <= item["max"]:
            return f"feature value {x:g} outside the observed range [{item['min']:g}, {item['max']:g}]"
    return None


def check_solidified(value: Any, inputs: list[Any], envelope: list[dict[str, Any]],
                     outcomes: list[Any] | None = None, schema: str | None = None) -> Any:
    """The guard of a recompiled op (see `recompile`): `value` if the code's answer may stand,
    else ValueError, which fails the op so that its fallback, the original LLM step, answers.
    Checks what the JIT's guard checks: the envelope, the outcome set and the JSON Schema."""
    why = envelope_miss(envelope, inputs)
    if why is None and outcomes is not None and value not in outcomes:
        why = f"{canonical(value)[:80]} is not one of the outcomes"
    if why is None and schema is not None:
        why = _schema_miss(json.loads(schema), value)
    if why is not None:
        raise ValueError(f"jit guard: {why}")
    return value


def widened(candidate: Candidate, inputs: list[Any]) -> Candidate:
    """The candidate with its envelope stretched to include `inputs` (same fingerprint)."""
    env = []
    for item in candidate.envelope:
        try:
            x = as_number(evaluate(item["expr"], inputs))
        except ProgramError:
            x = math.nan
        lo, hi = item["min"], item["max"]
        env.append({**item, "min": lo if math.isnan(x) else min(lo, x), "max": hi if math.isnan(x) else max(hi, x)})
    return Candidate(candidate.kind, candidate.expr, env)


def guarded(op: Op, outcome: Outcome) -> Outcome:
    """A candidate's outcome with the output check applied (a failed check is a failure)."""
    if not outcome.ok:
        return outcome
    why = check_output(op, outcome.value)
    return outcome if why is None else Outcome(False, outcome.value, why, False, outcome.elapsed_s)
