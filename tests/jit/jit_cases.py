"""Realistic recorded pairs for the JIT tests: what runbook LLM steps see and answer."""

from __future__ import annotations

import random
from typing import Any

from skc.ir import JSON, TABLE, TEXT, InsertionPoint, Op, ctrl, llm, workflow

OUTCOMES = ["healthy", "degraded", "down"]
HEALTH_PROMPT = "Classify the service: down if any error rate is above 50%, degraded above 5%, else healthy."


def services(rng: random.Random, n: int | None = None) -> list[dict[str, Any]]:
    """A table of services with error rates drawn so that every verdict occurs."""
    scale = rng.choice([0.04, 0.3, 1.0])
    return [{"service": f"svc-{i}", "error_rate": round(rng.random() * scale, 3),
             "p99_ms": rng.randint(40, 900)} for i in range(n or rng.randint(3, 9))]


def health(rows: list[dict[str, Any]]) -> str:
    worst = max(r["error_rate"] for r in rows)
    return "down" if worst > 0.5 else "degraded" if worst > 0.05 else "healthy"


def as_kubectl_text(rows: list[dict[str, Any]]) -> str:
    """The same table as aligned text, as a CLI prints it."""
    lines = [f"{'SERVICE':<10}{'ERROR_RATE':<12}P99_MS"]
    lines += [f"{r['service']:<10}{r['error_rate']!s:<12}{r['p99_ms']}" for r in rows]
    return "\n".join(lines)


def health_pairs(rng: random.Random, k: int, text: bool = False) -> list[tuple[list[Any], str]]:
    """k pairs covering all three verdicts (one of each first, then random)."""
    out = []
    while len(out) < k:
        rows = services(rng)
        want = OUTCOMES[len(out)] if len(out) < 3 else None
        if want is not None and health(rows) != want:
            continue
        out.append(([as_kubectl_text(rows) if text else rows], health(rows)))
    return out


def summary_pairs() -> list[tuple[list[Any], str]]:
    """llm.generate: a one-line summary that is a template over the inputs."""
    cases = [("prod", "api-7f9c", 3), ("staging", "web-1a2b", 5), ("dev", "db-0", 1), ("prod", "cache-9", 12)]
    return [([ns, [{"name": pod, "restarts": n, "phase": "CrashLoopBackOff"}]],
             f"Pod {pod} in namespace {ns} restarted {n} times and is in CrashLoopBackOff.")
            for ns, pod, n in cases]


def version_pairs() -> list[tuple[list[Any], str]]:
    """llm.extract-like step over text: the server version in a banner."""
    versions = ["1.24.3", "2.0.11", "0.9.0-rc1", "1.25.0"]
    return [([f"HTTP/1.1 200 OK\nServer: nginx\nX-App-Version: {v}\nContent-Type: text/html"], v)
            for v in versions]


def restart_pairs(rng: random.Random, k: int) -> list[tuple[list[Any], dict[str, Any]]]:
    """llm.extract: which pod restarted most, and how often (a table lookup by max)."""
    out = []
    for _ in range(k):
        pods = [{"name": f"pod-{rng.randint(100, 999)}", "restarts": rng.randint(0, 50)} for _ in range(5)]
        top = max(pods, key=lambda p: p["restarts"])
        if sum(p["restarts"] == top["restarts"] for p in pods) > 1:
            continue
        out.append(([pods], {"pod": top["name"], "restarts": top["restarts"]}))
    return out


def decide_op(prompt: str = HEALTH_PROMPT, operand: str = "table") -> Op:
    wf = workflow("w", inputs={"t": TABLE if operand == "table" else TEXT})
    with InsertionPoint(wf.body):
        v = llm.decide(prompt, OUTCOMES, wf.arg("t"))
        ctrl.return_(v)
    op = v.defining_op
    assert op is not None
    return op


def generate_op(prompt: str = "Summarise the pod's state.", *types: Any) -> Op:
    wf = workflow("w", inputs={f"a{i}": t for i, t in enumerate(types or (TEXT,))})
    with InsertionPoint(wf.body):
        v = llm.generate(prompt, *wf.inputs)
        ctrl.return_(v)
    op = v.defining_op
    assert op is not None
    return op


def extract_op(schema: str) -> Op:
    wf = workflow("w", inputs={"pods": JSON})
    with InsertionPoint(wf.body):
        v = llm.extract("Which pod restarted most?", schema, wf.arg("pods"))
        ctrl.return_(v)
    op = v.defining_op
    assert op is not None
    return op
