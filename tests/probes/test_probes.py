"""The capability probes: every grader accepts its reference answer and rejects a wrong one,
and the runner turns graded instances into levels (all instances pass -> the level passes;
the first failed level stops the primitive)."""

from __future__ import annotations

import tempfile
from pathlib import Path
from random import Random
from typing import Any

import pytest

from skc.compiler.profile import PRIMITIVES
from skc.runtime.llm.base import Completion, LLMBackend
from skc.runtime.probes import PROBES, measure
from skc.stdlib.probes.base import Instance, answer_number, extract_code, first_json
from skc.stdlib.probes.tools import SandboxTools

MEASURABLE = [p for p in PRIMITIVES if PROBES[p].unavailable() is None]
CASES = [(p, level, seed) for p in MEASURABLE for level in (1, 2, 3) for seed in range(3)]


def grade_answer(inst: Instance, answer: Any) -> tuple[bool, str]:
    """Grades `answer` (text, calls, or an agent reference run in a fresh sandbox)."""
    if inst.grade_calls is not None:
        return inst.grade_calls(answer)
    if inst.grade_agent is not None:
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp)
            for rel, body in inst.sandbox.items():
                (root / rel).parent.mkdir(parents=True, exist_ok=True)
                (root / rel).write_text(body)
            text = answer(root) if callable(answer) else str(answer)
            return inst.grade_agent(text, root)
    assert inst.grade is not None
    return inst.grade(answer)


def test_every_primitive_has_a_probe() -> None:
    assert set(PROBES) == set(PRIMITIVES)
    assert len(PRIMITIVES) == 26
    for name in ("tool.web", "tool.browser"):
        assert PROBES[name].unavailable(), f"{name} must say why it is not measured"


@pytest.mark.parametrize(("primitive", "level", "seed"), CASES, ids=lambda v: str(v))
def test_grader_accepts_the_reference(primitive: str, level: int, seed: int) -> None:
    inst = PROBES[primitive].make(level, Random(f"test/{primitive}/{level}/{seed}"))
    assert inst.reference is not None
    ok, why = grade_answer(inst, inst.reference)
    assert ok, f"reference rejected: {why}\nprompt: {inst.prompt}\nreference: {inst.reference!r}"


@pytest.mark.parametrize(("primitive", "level"), [(p, lv) for p in MEASURABLE for lv in (1, 2, 3)],
                         ids=lambda v: str(v))
def test_grader_rejects_a_wrong_answer(primitive: str, level: int) -> None:
    inst = PROBES[primitive].make(level, Random(f"wrong/{primitive}/{level}"))
    wrong: Any = [] if inst.grade_calls is not None else "I don't know."
    ok, why = grade_answer(inst, wrong)
    assert not ok
    assert why


def test_instances_are_reproducible_and_random() -> None:
    a = PROBES["reason.arithmetic"].make(2, Random("s/1"))
    b = PROBES["reason.arithmetic"].make(2, Random("s/1"))
    c = PROBES["reason.arithmetic"].make(2, Random("s/2"))
    assert a.prompt == b.prompt
    assert a.prompt != c.prompt


def test_answer_parsing() -> None:
    assert answer_number("12 + 5 = 17\nbecause 3") == 17
    assert answer_number("The answer is 1,234.") == 1234
    assert answer_number("none") is None
    assert extract_code("Here:\n```python\nx = 1\n```\nok", ("python",)) == "x = 1"
    assert extract_code("```sql\nSELECT 1", ("sql",)) == "SELECT 1"  # cut off by max_tokens
    assert first_json('Sure! {"a": [1, 2]} done') == {"a": [1, 2]}
    with pytest.raises(ValueError, match="no JSON"):
        first_json("nothing")


def test_wrong_code_fails_by_running_it() -> None:
    inst = PROBES["gen.code.python"].make(1, Random("x"))
    assert inst.grade is not None
    ok, why = inst.grade("```python\ndef f(x):\n    return x\n```")
    assert not ok
    assert "FAIL" in why
    ok, why = inst.grade("```python\nwhile True: pass\n```")
    assert not ok
    assert "timed out" in why


def test_sandbox_tools_stay_inside(tmp_path: Path) -> None:
    tools = SandboxTools(tmp_path)
    (tmp_path / "a.txt").write_text("hi")
    assert tools("read_file", {"path": "a.txt"}, None, ()) == "hi"
    with pytest.raises(PermissionError):
        tools("read_file", {"path": "../../etc/passwd"}, None, ())
    tools("write_file", {"path": "d/b.txt", "content": "x"}, None, ())
    assert (tmp_path / "d" / "b.txt").read_text() == "x"
    assert "exit 0" in tools("run_command", {"command": "ls"}, None, ())


class OracleBackend(LLMBackend):
    """Answers each probe prompt with that instance's reference (or nothing, when `wrong`)."""

    name = "oracle"

    def __init__(self, answers: dict[str, Any], wrong_from_level: int = 99) -> None:
        self.answers = answers
        self.wrong_from_level = wrong_from_level
        self.calls = 0

    def complete(self, messages: list[dict[str, Any]], **kw: Any) -> Completion:
        self.calls += 1
        level, ref = self.answers[messages[-1]["content"]]
        if level >= self.wrong_from_level:
            return Completion("no idea", 1, 1, 0.0)
        if isinstance(ref, list):
            return Completion("", 1, 1, 0.0, tool_calls=ref)
        return Completion(ref, 1, 1, 0.0)

    def count_tokens(self, text: str) -> int:
        return len(text.split())


def _answers(primitives: list[str], instances: int, seed: int) -> dict[str, Any]:
    out = {}
    for p in primitives:
        for level in (1, 2, 3):
            for i in range(instances):
                inst = PROBES[p].make(level, Random(f"{seed}/{p}/L{level}/{i}"))
                out[inst.prompt] = (level, inst.reference)
    return out


def test_runner_levels_follow_the_grades() -> None:
    chosen = ["reason.arithmetic", "gen.code.sql", "tool.call.format", "follow.procedure"]
    perfect = OracleBackend(_answers(chosen, 2, 7))
    profile = measure(perfect, name="oracle", model="oracle", instances=2, seed=7, primitives=chosen)
    assert {p: profile.level(p) for p in chosen} == dict.fromkeys(chosen, 3)
    assert all(len(lv.instances) == 2 for p in chosen for lv in profile.primitives[p].levels)

    weak = OracleBackend(_answers(chosen, 2, 7), wrong_from_level=2)
    profile = measure(weak, name="weak", model="weak", instances=2, seed=7, primitives=chosen)
    for p in chosen:
        result = profile.primitives[p]
        assert result.level == 1
        assert [lv.passed for lv in result.levels] == [True, False]  # stops at the first failed level
        assert len(result.levels[1].instances) == 1  # and at its first failed instance
        assert result.levels[1].instances[0].detail


def test_unmeasurable_primitives_are_reported_not_guessed() -> None:
    profile = measure(OracleBackend({}), name="x", model="x", primitives=["tool.web"])
    result = profile.primitives["tool.web"]
    assert result.measured is False
    assert "network" in result.reason
    assert profile.level("tool.web") is None
