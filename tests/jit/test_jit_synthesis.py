"""Synthesis: each kind of candidate from realistic pairs, and refusal when none fits."""

from __future__ import annotations

import random

import pytest
from jit_cases import (
    HEALTH_PROMPT,
    OUTCOMES,
    as_kubectl_text,
    health,
    health_pairs,
    restart_pairs,
    services,
    summary_pairs,
    version_pairs,
)

from skc.runtime.jit.decision import learn_tree, roundest
from skc.runtime.jit.program import Candidate, evaluate
from skc.runtime.jit.sandbox import Sandbox
from skc.runtime.jit.synthesis import CodeRequest, backend_code_writer, prompt_numbers, synthesize


def thresholds(expr: dict) -> list[float]:
    if expr["op"] != "if":
        return []
    return [expr["cond"]["rhs"]["value"], *thresholds(expr["then"]), *thresholds(expr["else"])]


def test_decision_from_a_table_generalises_to_new_inputs() -> None:
    rng = random.Random(7)
    cand = synthesize(health_pairs(rng, 12), outcomes=OUTCOMES, prompt=HEALTH_PROMPT)
    assert cand is not None
    assert cand.kind == "decision"
    assert sorted(thresholds(cand.expr)) == [0.05, 0.5]  # the prompt's 5% and 50%
    for _ in range(300):
        rows = services(rng)
        assert evaluate(cand.expr, [rows]) == health(rows)


def test_decision_learns_round_thresholds_without_prompt_hints() -> None:
    rng = random.Random(11)
    pairs = health_pairs(rng, 30)
    cand = synthesize(pairs, outcomes=OUTCOMES, prompt="Is it healthy?")
    assert cand is not None
    low, high = sorted(thresholds(cand.expr))
    assert high == 0.5
    assert low in (0.05, 0.1)
    worst = {o: [max(r["error_rate"] for r in a[0]) for a, out in pairs if out == o] for o in OUTCOMES}
    assert max(worst["healthy"]) <= low < min(worst["degraded"])


def test_decision_over_numbers_parsed_from_a_text_table() -> None:
    rng = random.Random(3)
    cand = synthesize(health_pairs(rng, 15, text=True), outcomes=OUTCOMES, prompt=HEALTH_PROMPT)
    assert cand is not None
    assert cand.kind == "decision"
    assert "table" in str(cand.expr)  # parsed as rows, not read at fixed text offsets
    for _ in range(200):
        rows = services(rng)
        assert evaluate(cand.expr, [as_kubectl_text(rows)]) == health(rows)


def test_decision_by_emptiness_and_membership() -> None:
    pairs = [(["error: CrashLoopBackOff in pod a"], "restart"), (["all pods Running"], "ok"),
             (["pod b Running, pod c CrashLoopBackOff"], "restart"), (["Running fine"], "ok"),
             ([""], "ok")]
    cand = synthesize(pairs, outcomes=["restart", "ok"])
    assert cand is not None
    assert cand.expr["cond"] == {"op": "contains", "src": {"op": "ref", "path": [0]}, "literal": "CrashLoopBackOff"}
    assert evaluate(cand.expr, ["pod x: CrashLoopBackOff"]) == "restart"
    assert evaluate(cand.expr, ["nothing to see"]) == "ok"


def test_decision_by_row_count_threshold() -> None:
    rng = random.Random(5)
    pairs = []
    for _ in range(16):
        slow_share = rng.random()
        rows = [{"latency_ms": rng.randint(501, 1500) if rng.random() < slow_share else rng.randint(10, 500),
                 "status": rng.choice([200, 200, 503])} for _ in range(20)]
        slow = sum(r["latency_ms"] > 500 for r in rows)
        pairs.append(([rows], "page" if slow > 8 else "wait"))
    cand = synthesize(pairs, outcomes=["page", "wait"], prompt="Page if more than 8 requests are slower than 500 ms")
    assert cand is not None
    assert "count_where" in str(cand.expr)
    rows = [{"latency_ms": 900, "status": 200}] * 9 + [{"latency_ms": 100, "status": 200}] * 11
    assert evaluate(cand.expr, [rows]) == "page"


def test_template_summary() -> None:
    pairs = summary_pairs()
    cand = synthesize(pairs[:3])
    assert cand is not None
    assert cand.kind == "template"
    args, out = pairs[3]
    assert evaluate(cand.expr, args) == out  # a pair it never saw


def test_extraction_of_a_version_string_by_regex() -> None:
    pairs = version_pairs()
    cand = synthesize(pairs[:3])
    assert cand is not None
    assert cand.kind == "extract"
    assert cand.expr["op"] == "regex"
    args, out = pairs[3]
    assert evaluate(cand.expr, args) == out


def test_extraction_of_an_object_by_table_lookup() -> None:
    pairs = restart_pairs(random.Random(2), 6)
    cand = synthesize(pairs[:4])
    assert cand is not None
    assert cand.kind == "extract"
    assert cand.expr["fields"]["pod"]["op"] == "pick"
    for args, out in pairs[4:]:
        assert evaluate(cand.expr, args) == out


def test_constant_output() -> None:
    cand = synthesize([(["a"], "ok"), (["b"], "ok")])
    assert cand == Candidate("const", {"op": "const", "value": "ok"})


@pytest.mark.parametrize("pairs", [
    [(["pod a is failing"], "Restart it and watch the logs."), (["pod b is failing"], "Check the node first.")],
    [([1], "yes"), ([1], "no"), ([2], "yes"), ([2], "no")],  # same input, different answers
    [(["x"], "the quick brown fox"), (["y"], "jumps over the lazy dog")],
])
def test_refuses_when_no_candidate_reproduces_every_pair(pairs: list) -> None:
    assert synthesize(pairs) is None


def test_a_candidate_must_fit_every_pair_not_most() -> None:
    rng = random.Random(1)
    pairs = health_pairs(rng, 12)
    args, out = pairs[5]
    pairs[5] = (args, next(o for o in OUTCOMES if o != out))  # one inconsistent answer
    cand = synthesize(pairs, outcomes=OUTCOMES)
    assert cand is None or all(evaluate(cand.expr, a) == o for a, o in pairs)


def test_code_writer_hook_accepts_code_that_reproduces_the_pairs() -> None:
    pairs = [([[3, 4]], "7"), ([[10, 5]], "15"), ([[1, 1]], "2")]  # sums, beyond the template language
    requests: list[CodeRequest] = []

    def writer(req: CodeRequest) -> str:
        requests.append(req)
        return "def solve(args):\n    return str(sum(args[0]))\n"

    sandbox = Sandbox(timeout_s=5)
    try:
        assert synthesize(pairs) is None  # no code writer (the default model): path (d) is off
        cand = synthesize(pairs, code_writer=writer, run_python=sandbox.run_python, prompt="Add them.")
    finally:
        sandbox.close()
    assert cand is not None
    assert cand.kind == "python"
    assert "Add them." in requests[0].to_prompt()
    assert "solve(" in requests[0].to_prompt()


def test_code_writer_hook_rejects_wrong_and_hanging_code() -> None:
    pairs = [([[3, 4]], "7"), ([[10, 5]], "15")]
    answers = iter(["def solve(args):\n    return str(args[0][0])\n",
                    "def solve(args):\n    while True:\n        pass\n"])
    feedback: list[str] = []

    def writer(req: CodeRequest) -> str:
        feedback.append(req.feedback)
        return next(answers)

    sandbox = Sandbox(timeout_s=2.0)  # room for a loaded machine: only the hanging answer may hit it
    try:
        cand = synthesize(pairs, code_writer=writer, run_python=sandbox.run_python)
        assert sandbox.killed == 1
    finally:
        sandbox.close()
    assert cand is None
    assert feedback[0] == ""
    assert "returned" in feedback[1]


def test_prompt_numbers_and_round_thresholds() -> None:
    assert prompt_numbers("above 5% or more than 500 ms") == [0.05, 5.0, 500.0]
    assert roundest(0.031, 0.08) == 0.05
    assert roundest(412, 530) == 500
    assert roundest(-3.5, -1.2) == -3


def test_learn_tree_prefers_depth_one() -> None:
    inputs = [[{"cpu": c, "mem": m}] for c, m in [(10, 90), (95, 20), (50, 50), (99, 99)]]
    outputs = ["ok", "hot", "ok", "hot"]
    tree = learn_tree(inputs, outputs)
    assert tree is not None
    assert tree["then"]["op"] == "const"
    assert tree["else"]["op"] == "const"


def test_backend_code_writer_reads_the_fenced_code() -> None:
    from skc.runtime.llm.base import Completion, LLMBackend

    class Scripted(LLMBackend):
        name = "scripted"

        def complete(self, messages: list, **kw: object) -> Completion:
            assert "solve(" in messages[0]["content"]
            return Completion("Here:\n```python\ndef solve(args):\n    return str(sum(args[0]))\n```\n", 10, 10, 0.0)

        def count_tokens(self, text: str) -> int:
            return len(text.split())

    sandbox = Sandbox(timeout_s=5)
    try:
        cand = synthesize([([[3, 4]], "7"), ([[10, 5]], "15")], code_writer=backend_code_writer(Scripted()),
                          run_python=sandbox.run_python)
    finally:
        sandbox.close()
    assert cand is not None
    assert cand.expr["code"].startswith("def solve(args):")
