"""The cost model's estimates: tokens, latency per target, overrides and money."""

from __future__ import annotations

import pytest

from skc.compiler.cost import CostModel
from skc.compiler.passes.placement import choose
from skc.ir import TEXT, InsertionPoint, Op, ctrl, data, llm, tool, workflow


def ops() -> dict[str, Op]:
    wf = workflow("w", inputs={"x": TEXT})
    with InsertionPoint(wf.body):
        x = wf.arg("x")
        gen = llm.generate("p" * 400, x, x)
        capped = llm.generate("p", max_tokens=10)
        dec = llm.decide("Which?", ["degraded", "ok"], x)
        ext = llm.extract("Facts.", '{"type":"object"}')
        agent = llm.agent("Fix it.", ["Bash"], x, effects=["write:*"], max_turns=6, max_tokens=1000)
        sh = tool.shell(["ls"], effects=["read:host"])
        sql = tool.sql("SELECT 1", db="d")
        const = data.const("c")
        ctrl.return_(gen, capped, dec, ext, agent, sh, sql, const)
    names = ["gen", "capped", "dec", "ext", "agent", "sh", "sql", "const"]
    return dict(zip(names, wf.body.ops, strict=False))


def test_expected_tokens() -> None:
    o, cost = ops(), CostModel()
    assert cost.tokens(o["gen"]) == (100 + 2 * 200, 256)
    assert cost.tokens(o["capped"]) == (0, 10)
    assert cost.tokens(o["dec"]) == (1 + 200, 8 // 4 + 2)
    assert cost.tokens(o["ext"]) == (1, 128)
    assert cost.tokens(o["agent"]) == ((1 + 200) * 3, 500)
    assert cost.tokens(o["sh"]) == (0, 0)


def test_latency_by_target_and_overrides() -> None:
    o = ops()
    cost = CostModel.from_options({"gpu": True, "models": {"m": {"tokens_per_s": 100, "overhead_s": 1.0,
                                                                  "prefill_tokens_per_s": 1000}}})
    assert cost.latency(o["sh"]) == 0.5
    assert cost.latency(o["sql"]) == 0.05
    assert cost.latency(o["const"]) == 0.0
    assert cost.latency(o["capped"], "llm.openai:m") == pytest.approx(1.0 + 0 / 1000 + 10 / 100)
    assert cost.latency(o["gen"], "llm.local.gpu") < cost.latency(o["gen"], "llm.local")
    assert cost.default_target(o["gen"]) == "llm.local.gpu"
    assert cost.llm_targets() == ["llm.local.gpu", "llm.openai:m"]
    agent = cost.latency(o["agent"], "llm.openai:m")
    assert agent == pytest.approx(1.0 + 603 / 1000 + 500 / 100 + 2 * 1.0 + 3 * 0.5)
    over = CostModel.from_options({"latency_overrides": {"tool.sql": 2.0, "tool.*": 1.0, "llm": 3.0}})
    assert (over.latency(o["sql"]), over.latency(o["sh"]), over.latency(o["dec"])) == (2.0, 1.0, 3.0)
    o["sql"].attributes["est_latency_s"] = 7
    assert over.latency(o["sql"]) == 7.0


def test_targets_option_retunes_the_local_model_and_targets_are_checked() -> None:
    o = ops()
    slow = CostModel.from_options({"targets": {"llm.local": {"tokens_per_s": 5}}})
    assert slow.latency(o["capped"]) == pytest.approx(0.05 + 0 / 250 + 10 / 5)
    o["gen"].attributes["target"] = "cpu"  # nonsense for an llm op: ignored
    assert slow.target_of(o["gen"]) == "llm.local"
    o["gen"].attributes["target"] = "llm.openai:unknown"
    assert slow.target_of(o["gen"]) == "llm.local"


def test_money_and_the_free_fast_model_rule() -> None:
    o = ops()
    priced = CostModel.from_options({"models": [{"name": "m", "usd_per_mtok_in": 1.0, "usd_per_mtok_out": 2.0}]})
    assert priced.usd(o["gen"], "llm.openai:m") == pytest.approx((500 * 1.0 + 256 * 2.0) / 1e6)
    assert priced.usd(o["gen"], "llm.local") == 0.0
    assert priced.usd(o["sh"]) == 0.0
    assert choose(o["gen"], priced, 0.0, {"m"}) == "llm.local"  # free beats paid when time is free
    assert choose(o["gen"], priced, 3600.0, {"m"}) == "llm.openai:m"  # $1/s: speed is worth it
    free = CostModel.from_options({"models": {"m": {}}})  # a free endpoint (own vLLM server): faster wins
    assert choose(o["gen"], free, 0.0, {"m"}) == "llm.openai:m"
    assert choose(o["sh"], free, 0.0, {"m"}) == "cpu"


def test_models_in_the_runtime_form_alias_to_spec() -> None:
    cost = CostModel.from_options({"models": {"big": "openai:http://10.0.0.5:8000/v1#qwen", "small": "local",
                                              "file": "local:/models/x.gguf"}})
    assert cost.llm_targets() == ["llm.local", "llm.openai:big"]
