"""The JIT's entry point for the scheduler: `JitManager.execute` wraps one `llm.*` execution.

    jit = JitManager(ProfileStore.for_bundle(bundle_dir))
    output, events, solidified = jit.execute(op, op_key(op), args, lambda: target.run(op, args))
    for e in events:
        emit(e.kind, **e.fields())

`call_llm` returns the op's output, or an object with `values` (the first is the
output), `tokens_in`, `tokens_out` and optionally `meta["tool_calls"]` (an
`OpResult`). The manager calls it only when the op is not solidified, or when
the solidified program fails its guard (or is shadow-sampled). It records every
LLM execution in the store, keeps the per-op state machine (`guard.OpState`)
persistent there, and returns the events to put in the trace. Concurrent
executions of one op are safe: state changes take a per-op lock and reread the
op's state in one store transaction (so concurrent runs in other processes sharing
the store lose no counter updates); LLM calls and candidates run outside it. `execute_async` is the same for `async` callers.
A decide with `seeds` (a skill's example tasks) is answered from them first (`seeds.py`).
"""

from __future__ import annotations

import asyncio
import random
import threading
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from skc.ir.core import Op
from skc.ir.traits import CallsModel
from skc.runtime.jit.guard import JitConfig, JitEvent, OpState, guarded, outside_envelope, widened
from skc.runtime.jit.program import Candidate, canonical
from skc.runtime.jit.sandbox import Outcome, Sandbox
from skc.runtime.jit.seeds import seed_answer, seed_pairs
from skc.runtime.jit.store import ProfileStore
from skc.runtime.jit.synthesis import CodeWriter, Synthesizer
from skc.runtime.jit.toolseq import ToolSequence, synthesize_tool_sequence

Result = tuple[Any, list[JitEvent], bool]


@dataclass
class _Answer:
    output: Any
    latency_s: float
    tokens_in: int = 0
    tokens_out: int = 0
    tool_calls: list[dict[str, Any]] | None = None


@dataclass
class _Control:
    state: OpState
    lock: threading.RLock = field(default_factory=threading.RLock)


def _answer(raw: Any, latency_s: float) -> _Answer:
    if hasattr(raw, "values") and isinstance(raw.values, list):
        meta = getattr(raw, "meta", None) or {}
        return _Answer(raw.values[0] if raw.values else None, latency_s, int(getattr(raw, "tokens_in", 0)),
                       int(getattr(raw, "tokens_out", 0)), meta.get("tool_calls"))
    return _Answer(raw, latency_s)


class JitManager:
    """Records, synthesises, promotes, guards and demotes, per op key. See `guard` for the rules.

    `code_writer` enables LLM-written candidates (synthesis path d): pass one only
    when a capable model is configured; with the default 270M model it stays None.
    """

    def __init__(self, store: ProfileStore, config: JitConfig | None = None,
                 code_writer: CodeWriter | None = None, sandbox: Sandbox | None = None) -> None:
        self.store = store
        self.config = config or JitConfig()
        self.code_writer = code_writer
        self.sandbox = sandbox or Sandbox(self.config.timeout_s)
        self._controls: dict[str, _Control] = {}
        self._lock = threading.Lock()
        self._rng = random.Random(self.config.seed)

    @staticmethod
    def eligible(op: Op) -> bool:
        """Ops the JIT handles: those that run on a model (the `CallsModel` trait: the `llm` dialect's steps)."""
        return op.has(CallsModel)

    # ------------------------------------------------------------------ entry points

    def execute(self, op: Op, op_key: str, inputs: list[Any], call_llm: Callable[[], Any]) -> Result:
        """Runs one execution of `op`: (output, events for the trace, whether code answered)."""
        ctl = self._control(op_key, op)
        seeded = seed_answer(op, inputs)
        if seeded is not None:
            return self._seeded(ctl, op, op_key, seeded)
        cand = self._promoted(ctl)
        if cand is not None:
            trial = self._trial(op, cand, inputs)
            novel = outside_envelope(cand, inputs) if trial.ok else None
            if trial.ok and novel is None and not self._shadow():
                return self._hit(ctl, op, op_key, trial)
            return self._judge(ctl, op, op_key, inputs, cand, trial, self._call(call_llm), novel)
        return self._observe(ctl, op, op_key, inputs, self._call(call_llm))

    async def execute_async(self, op: Op, op_key: str, inputs: list[Any],
                            call_llm: Callable[[], Awaitable[Any]]) -> Result:
        """`execute` for asyncio callers: candidates and synthesis run on worker threads."""
        ctl = await asyncio.to_thread(self._control, op_key, op)
        seeded = seed_answer(op, inputs)
        if seeded is not None:
            return await asyncio.to_thread(self._seeded, ctl, op, op_key, seeded)
        cand = self._promoted(ctl)
        if cand is not None:
            trial = await asyncio.to_thread(self._trial, op, cand, inputs)
            novel = outside_envelope(cand, inputs) if trial.ok else None
            if trial.ok and novel is None and not self._shadow():
                return self._hit(ctl, op, op_key, trial)
            start = time.perf_counter()
            answer = _answer(await call_llm(), time.perf_counter() - start)
            return await asyncio.to_thread(self._judge, ctl, op, op_key, inputs, cand, trial, answer, novel)
        start = time.perf_counter()
        answer = _answer(await call_llm(), time.perf_counter() - start)
        return await asyncio.to_thread(self._observe, ctl, op, op_key, inputs, answer)

    # ------------------------------------------------------------------ what recompile reads

    def state(self, op_key: str) -> OpState:
        return self._control(op_key).state

    def promoted(self) -> dict[str, Candidate]:
        """Every promoted op's candidate, by op key (from the store: all runs, not just this one)."""
        out = {}
        for key, data in self.store.states().items():
            st = OpState.from_json(data)
            if st.phase == "promoted" and st.candidate is not None:
                out[key] = st.candidate
        return out

    def tool_sequence(self, op_key: str) -> ToolSequence | None:
        """The solidified tool-call sequence of an `llm.agent` op, if its recorded runs share one."""
        pairs = [p for p in self.store.pairs(op_key, self.config.window) if p.tool_calls is not None]
        return synthesize_tool_sequence(pairs) if len(pairs) > self.config.promote_after else None

    def close(self) -> None:
        self.sandbox.close()

    # ------------------------------------------------------------------ internals

    def _control(self, op_key: str, op: Op | None = None) -> _Control:
        with self._lock:
            ctl = self._controls.get(op_key)
            if ctl is None:
                data = self.store.load_state(op_key)
                ctl = self._controls[op_key] = _Control(OpState.from_json(data) if data else OpState())
                if op is not None and data is None and not self.store.pairs(op_key, 1):
                    for inputs, output in seed_pairs(op):  # a skill's examples: the profile's first pairs
                        self.store.record(op_key, inputs, output, op_name=op.op_name, source="seed")
            return ctl

    def _seeded(self, ctl: _Control, op: Op, op_key: str, output: str) -> Result:
        """A seeded decision (the task is one of the skill's examples): a hit, no model call."""
        with self._latest(ctl, op_key) as st:
            events = st.hit(self.config, op_key, op.op_name, seed=True)
            self._save(ctl, op, op_key, events)
        return output, events, True

    def _promoted(self, ctl: _Control) -> Candidate | None:
        with ctl.lock:
            return ctl.state.candidate if ctl.state.phase == "promoted" else None

    def _shadow(self) -> bool:
        with self._lock:
            return self.config.shadow_rate > 0 and self._rng.random() < self.config.shadow_rate

    def _trial(self, op: Op, cand: Candidate, inputs: list[Any]) -> Outcome:
        return guarded(op, self.sandbox.run(cand, inputs, self.config.timeout_s))

    @staticmethod
    def _call(call_llm: Callable[[], Any]) -> _Answer:
        start = time.perf_counter()
        raw = call_llm()
        return _answer(raw, time.perf_counter() - start)

    def _record(self, op: Op, op_key: str, inputs: list[Any], answer: _Answer, source: str) -> None:
        self.store.record(op_key, inputs, answer.output, answer.latency_s, answer.tokens_in,
                          answer.tokens_out, op_name=op.op_name, source=source, tool_calls=answer.tool_calls)

    def _save(self, ctl: _Control, op: Op, op_key: str, events: list[JitEvent]) -> None:
        self.store.save_state(op_key, ctl.state.to_json(), op.op_name)
        for e in events:
            if e.kind != "jit_hit":
                self.store.log_event(op_key, e.kind, e.to_trace())

    @contextmanager
    def _latest(self, ctl: _Control, op_key: str) -> Iterator[OpState]:
        """The op's state as the store has it now (another run of the bundle may have moved
        it on), locked in this process and in the store until the block ends."""
        with ctl.lock, self.store.transaction():
            data = self.store.load_state(op_key)
            if data is not None:
                ctl.state = OpState.from_json(data)
            yield ctl.state

    def _hit(self, ctl: _Control, op: Op, op_key: str, trial: Outcome, **detail: Any) -> Result:
        with self._latest(ctl, op_key) as st:
            events = st.hit(self.config, op_key, op.op_name, elapsed_s=round(trial.elapsed_s, 6), **detail)
            self._save(ctl, op, op_key, events)
        return trial.value, events, True

    def _judge(self, ctl: _Control, op: Op, op_key: str, inputs: list[Any], cand: Candidate,
               trial: Outcome, answer: _Answer, novel: str | None = None) -> Result:
        """A solidified execution that also ran the LLM: a guard failure, an input outside the
        envelope, or a shadow sample."""
        self._record(op, op_key, inputs, answer, "shadow" if trial.ok else "llm")
        if trial.ok and canonical(trial.value) == canonical(answer.output):
            if novel is not None:
                with self._latest(ctl, op_key) as st:
                    if st.fingerprint == cand.fingerprint:
                        st.candidate = widened(st.candidate or cand, inputs)
                        self._save(ctl, op, op_key, [])
                    return self._hit(ctl, op, op_key, trial, checked="envelope")
            return self._hit(ctl, op, op_key, trial, checked="shadow")
        if not trial.ok:
            reason = trial.error
        elif novel is not None:
            reason = f"{novel}; the LLM disagreed"
        else:
            reason = "shadow sample disagreed with the LLM"
        with self._latest(ctl, op_key) as st:
            if st.phase != "promoted" or st.fingerprint != cand.fingerprint:
                st.totals["executions"] += 1  # demoted meanwhile by a concurrent execution
                self._save(ctl, op, op_key, [])
                return answer.output, [], False
            events = st.miss(self.config, op_key, op.op_name, reason)
            self._save(ctl, op, op_key, events)
        return answer.output, events, False

    def _observe(self, ctl: _Control, op: Op, op_key: str, inputs: list[Any], answer: _Answer) -> Result:
        """An LLM execution while observing: does the current candidate predict it?"""
        with ctl.lock:
            cand = ctl.state.candidate
        matched = False
        if cand is not None:
            trial = self._trial(op, cand, inputs)
            matched = trial.ok and canonical(trial.value) == canonical(answer.output)
        self._record(op, op_key, inputs, answer, "llm")
        with self._latest(ctl, op_key) as st:
            same = st.fingerprint == (cand.fingerprint if cand else "")
            if st.phase != "observe" or not same:  # moved on meanwhile: counted, judged by nobody
                st.totals["executions"] += 1
                if st.phase != "observe":
                    self._save(ctl, op, op_key, [])
                    return answer.output, [], False
            else:
                st.observed(self.config, matched)
            st.since_synth += 1
            stale = (st.candidate is None or (same and not matched)) and st.synthesis_due()
            before = st.fingerprint
            self._save(ctl, op, op_key, [])
        if stale:
            fresh = self._synthesize(op, op_key)
            with self._latest(ctl, op_key) as st:
                if st.fingerprint == before:  # else another execution replaced it meanwhile
                    st.replace_candidate(fresh)
                self._save(ctl, op, op_key, [])
        with self._latest(ctl, op_key) as st:
            events = st.maybe_promote(self.config, op_key, op.op_name)
            self._save(ctl, op, op_key, events)
        return answer.output, events, False

    def _synthesize(self, op: Op, op_key: str) -> Candidate | None:
        outcomes = op.attributes.get("outcomes")
        synth = Synthesizer(op.op_name, str(op.attributes.get("prompt", "")),
                            list(outcomes) if isinstance(outcomes, list) else None,
                            self.code_writer, self.sandbox.run_python)
        return synth(self.store.pairs(op_key, self.config.window))
