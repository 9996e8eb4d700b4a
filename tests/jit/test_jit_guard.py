"""The JIT state machine: promotion, guards, deoptimisation, demotion, counter resets, timeouts."""

from __future__ import annotations

import asyncio
import random
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from jit_cases import OUTCOMES, decide_op, generate_op, health, services

from skc.ir import JSON, TEXT
from skc.runtime.jit import JitConfig, JitManager, ProfileStore, check_output, op_key
from skc.runtime.jit.synthesis import CodeRequest


class FakeLLM:
    """A deterministic 'model': answers with `rule(inputs)` and counts its calls."""

    def __init__(self, rule: Any) -> None:
        self.rule = rule
        self.calls = 0

    def __call__(self, inputs: list[Any]) -> Any:
        def call() -> Any:
            self.calls += 1
            return self.rule(inputs)
        return call


def summary(args: list[Any]) -> str:
    return f"Pod {args[1][0]['name']} in namespace {args[0]} restarted {args[1][0]['restarts']} times."


def pods_args(i: int) -> list[Any]:
    return [f"ns-{i}", [{"name": f"api-{i:03d}", "restarts": 3 + i % 7}]]


@pytest.fixture
def store() -> Iterator[ProfileStore]:
    s = ProfileStore(":memory:")
    yield s
    s.close()


def run(jit: JitManager, op: Any, llm: FakeLLM, args: list[Any]) -> tuple[Any, list[str], bool]:
    out, events, solid = jit.execute(op, op_key(op), args, llm(args))
    return out, [e.kind for e in events], solid


def promote(jit: JitManager, op: Any, llm: FakeLLM, start: int = 0) -> int:
    """Runs pairs until the op is promoted; returns how many executions that took."""
    for i in range(start, start + 20):
        _, kinds, _ = run(jit, op, llm, pods_args(i))
        if "jit_promote" in kinds:
            return i - start + 1
    raise AssertionError("never promoted")


@pytest.mark.parametrize("n", [3, 5])
def test_promotion_after_n_consecutive_matches(store: ProfileStore, n: int) -> None:
    op, llm = generate_op("Summarise.", TEXT, JSON), FakeLLM(summary)
    jit = JitManager(store, JitConfig(promote_after=n))
    # execution 1 records the first pair and synthesises; executions 2..n+1 are the n matches
    assert promote(jit, op, llm) == n + 1
    assert llm.calls == n + 1
    st = jit.state(op_key(op))
    assert st.phase == "promoted"
    assert st.streak == 0
    assert st.misses == 0
    assert st.candidate.kind == "template"
    out, kinds, solid = run(jit, op, llm, pods_args(99))
    assert (out, kinds, solid) == (summary(pods_args(99)), ["jit_hit"], True)
    assert llm.calls == n + 1  # the LLM was not called
    jit.close()


def test_a_mismatch_resets_the_streak(store: ProfileStore) -> None:
    op = generate_op("Summarise.", TEXT, JSON)
    odd = FakeLLM(lambda a: "no summary today" if a[0] == "ns-2" else summary(a))
    jit = JitManager(store)
    for i in range(3):
        run(jit, op, odd, pods_args(i))
    key = op_key(op)
    # 0: synthesised; 1: match (streak 1); 2: mismatch -> streak 0 and no template fits all pairs
    assert jit.state(key).streak == 0
    assert jit.state(key).candidate is None
    assert jit.state(key).phase == "observe"
    jit.close()


def test_failed_synthesis_backs_off(store: ProfileStore, monkeypatch: pytest.MonkeyPatch) -> None:
    rng = random.Random(0)
    op, llm = generate_op("Say something."), FakeLLM(lambda a: rng.choice(["a b c", "x y", "p q r s"]) + str(rng.random()))
    jit = JitManager(store)
    attempts: list[int] = []
    real = jit._synthesize
    monkeypatch.setattr(jit, "_synthesize", lambda o, k: attempts.append(1) or real(o, k))
    for i in range(60):
        run(jit, op, llm, [f"in{i}"])
    st = jit.state(op_key(op))
    assert st.candidate is None
    # execution 1: a constant from one pair; 2: fails; then waits of 2, 4, 8, 16 executions
    # (attempts at 4, 8, 16, 32); the next would be at 64
    assert len(attempts) == 6
    assert st.synth_failures == 5
    jit.close()


def test_guard_miss_deoptimises_and_returns_the_llm_answer(store: ProfileStore) -> None:
    op, llm = generate_op("Summarise.", TEXT, JSON), FakeLLM(summary)
    jit = JitManager(store)
    promote(jit, op, llm)
    calls = llm.calls
    odd_args = ["ns-x", []]  # no pods: the template's field does not exist
    fallback = FakeLLM(lambda a: "No pods in ns-x.")
    out, events, solid = jit.execute(op, op_key(op), odd_args, fallback(odd_args))
    assert out == "No pods in ns-x."
    assert solid is False
    assert [e.kind for e in events] == ["jit_guard_miss"]
    assert "no field" in events[0].detail["reason"]
    reserved = {"event", "op", "name", "step", "target", "ts"}  # what the scheduler's emit sets itself
    assert not reserved & set(events[0].fields())
    assert events[0].to_trace()["event"] == "jit_guard_miss"
    assert fallback.calls == 1
    assert llm.calls == calls
    assert store.pairs(op_key(op))[-1].output == "No pods in ns-x."  # the miss is recorded
    assert jit.state(op_key(op)).misses == 1
    assert jit.state(op_key(op)).phase == "promoted"
    jit.close()


def test_demotion_after_m_misses_resets_counters(store: ProfileStore) -> None:
    op, llm = generate_op("Summarise.", TEXT, JSON), FakeLLM(summary)
    jit = JitManager(store, JitConfig(demote_after=2))
    promote(jit, op, llm)
    key = op_key(op)
    bad = FakeLLM(lambda a: "nothing")
    assert run(jit, op, bad, ["a", []])[1] == ["jit_guard_miss"]
    assert run(jit, op, bad, ["b", []])[1] == ["jit_guard_miss", "jit_demote"]
    st = jit.state(key)
    assert (st.phase, st.candidate, st.streak, st.misses, st.clean_hits) == ("observe", None, 0, 0, 0)
    assert st.totals["demotions"] == 1
    assert st.totals["promotions"] == 1
    assert [k for _, k, _ in store.events(key)] == ["jit_promote", "jit_guard_miss", "jit_guard_miss", "jit_demote"]
    jit.close()


def test_misses_far_apart_are_forgiven_unlike_skvm(store: ProfileStore) -> None:
    op, llm = generate_op("Summarise.", TEXT, JSON), FakeLLM(summary)
    bad = FakeLLM(lambda a: "nothing")
    for forgive, demoted in ((4, False), (None, True)):
        s = ProfileStore(":memory:")
        jit = JitManager(s, JitConfig(demote_after=3, forgive_after=forgive))
        promote(jit, op, llm)
        kinds: list[str] = []
        for round_ in range(4):  # a miss, then five hits, four times over
            kinds += run(jit, op, bad, [f"x{round_}", []])[1]
            for i in range(5):
                kinds += run(jit, op, llm, pods_args(100 + i))[1]
        assert ("jit_demote" in kinds) is demoted
        if not demoted:
            assert jit.state(op_key(op)).misses == 0
            assert jit.state(op_key(op)).clean_hits == 5
        jit.close()
        s.close()


def test_a_hanging_candidate_is_stopped_by_its_timeout_and_falls_back(store: ProfileStore) -> None:
    code = ("def solve(args):\n    if args[0] == 'hang':\n        while True:\n            pass\n"
            "    return args[0].upper()\n")
    requests: list[CodeRequest] = []

    def writer(req: CodeRequest) -> str:
        requests.append(req)
        return code

    op, llm = generate_op("Shout it."), FakeLLM(lambda a: a[0].upper())
    jit = JitManager(store, JitConfig(timeout_s=2.0), code_writer=writer)  # room for a worker start under load
    for word in ["alpha", "beta", "gamma", "delta", "epsilon"]:  # alpha alone: a constant
        run(jit, op, llm, [word])
    assert jit.state(op_key(op)).phase == "promoted"
    assert jit.state(op_key(op)).candidate.kind == "python"
    out, events, solid = jit.execute(op, op_key(op), ["hang"], llm(["hang"]))
    assert out == "HANG"
    assert solid is False
    assert events[0].kind == "jit_guard_miss"
    assert "timed out after 2.0s" in events[0].detail["reason"]  # the configured limit stopped it
    assert jit.sandbox.killed == 1
    assert run(jit, op, llm, ["omega"]) == ("OMEGA", ["jit_hit"], True)  # a fresh worker serves on
    jit.close()


def test_shadow_sampling_catches_a_wrong_but_well_typed_answer(store: ProfileStore) -> None:
    op, llm = generate_op("Summarise.", TEXT, JSON), FakeLLM(summary)
    jit = JitManager(store, JitConfig(shadow_rate=1.0, seed=1))
    promote(jit, op, llm)
    assert run(jit, op, llm, pods_args(50))[1:] == (["jit_hit"], True)  # shadow agreed
    changed = FakeLLM(lambda a: summary(a).replace("times", "times (flapping)"))
    out, kinds, solid = run(jit, op, changed, pods_args(51))
    assert out.endswith("(flapping).")
    assert kinds == ["jit_guard_miss"]
    assert not solid
    jit.close()


def test_envelope_asks_the_llm_about_unseen_inputs(store: ProfileStore) -> None:
    rng = random.Random(4)
    op, llm = decide_op(), FakeLLM(lambda a: health(a[0]))
    jit = JitManager(store)
    seen = 0
    while jit.state(op_key(op)).phase != "promoted":  # learn from degraded/down tables only
        rows = services(rng)
        if health(rows) != "healthy":
            run(jit, op, llm, [rows])
            seen += 1
        assert seen < 40
    calm = [{"service": "a", "error_rate": 0.001, "p99_ms": 50}]
    out, kinds, solid = run(jit, op, llm, [calm])
    assert out == "healthy"
    assert kinds == ["jit_guard_miss"]
    assert not solid
    assert "outside the observed range" in jit.store.events(op_key(op))[-1][2]["reason"]
    jit.close()


def test_state_survives_a_new_manager_on_the_same_file(tmp_path: Path) -> None:
    op, llm = generate_op("Summarise.", TEXT, JSON), FakeLLM(summary)
    store = ProfileStore.for_bundle(tmp_path / "b.skb")
    jit = JitManager(store)
    promote(jit, op, llm)
    jit.close()
    store.close()
    again = ProfileStore.for_bundle(tmp_path / "b.skb")
    jit2 = JitManager(again)
    assert run(jit2, op, llm, pods_args(70))[1:] == (["jit_hit"], True)
    assert op_key(op) in jit2.promoted()
    jit2.close()
    again.close()


def test_execute_async(store: ProfileStore) -> None:
    op, llm = generate_op("Summarise.", TEXT, JSON), FakeLLM(summary)
    jit = JitManager(store)

    async def main() -> list[bool]:
        solid = []
        for i in range(6):
            args = pods_args(i)

            async def call(a: list[Any] = args) -> str:
                await asyncio.sleep(0)
                return llm(a)()
            out, _, s = await jit.execute_async(op, op_key(op), args, call)
            assert out == summary(args)
            solid.append(s)
        return solid

    assert asyncio.run(main()) == [False, False, False, False, True, True]
    jit.close()


def test_concurrent_executions_of_one_op(store: ProfileStore) -> None:
    op = generate_op("Summarise.", TEXT, JSON)
    jit = JitManager(store)
    errors: list[BaseException] = []

    def worker(base: int) -> None:
        try:
            for i in range(15):
                args = pods_args(base + i)
                assert jit.execute(op, op_key(op), args, lambda a=args: summary(a))[0] == summary(args)
        except BaseException as e:
            errors.append(e)

    threads = [threading.Thread(target=worker, args=(100 * t,)) for t in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert jit.state(op_key(op)).phase == "promoted"
    jit.close()


def test_llm_result_objects_carry_tokens(store: ProfileStore) -> None:
    from skc.runtime.targets.base import OpResult

    op = decide_op()
    rows = services(random.Random(1))
    jit = JitManager(store)
    out, _, _ = jit.execute(op, op_key(op), [rows], lambda: OpResult([health(rows)], tokens_in=120, tokens_out=2))
    assert out == health(rows)
    assert store.stats(op_key(op))["tokens_in"] == 120
    jit.close()


def test_output_checks() -> None:
    assert check_output(decide_op(), "down") is None
    assert "not one of the outcomes" in (check_output(decide_op(), "maybe") or "")
    assert check_output(generate_op(), 3) == "expected text, got int"
    from jit_cases import extract_op

    op = extract_op('{"type": "object", "required": ["pod"], "properties": {"pod": {"type": "string"}}}')
    assert check_output(op, {"pod": "a"}) is None
    assert "schema" in (check_output(op, {"pod": 3}) or "")
    assert OUTCOMES[0] == "healthy"
