"""Runs the capability probes (`skc.stdlib.probes`) on one backend and builds a `CapabilityProfile`.

For each primitive, levels are tried from 1 upwards; each level draws `instances`
randomised instances (seeded by `seed`, the primitive, the level and the instance
number, so a run is reproducible) and passes only if all of them pass. A primitive
stops at its first failed level; its level is the last one passed. A primitive whose
probe cannot run here is recorded as not measured, with the reason.
"""

from __future__ import annotations

import asyncio
import platform
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from random import Random

from skc.compiler.profile import (
    MAX_LEVEL,
    PRIMITIVES,
    CapabilityProfile,
    InstanceResult,
    LevelResult,
    PrimitiveResult,
)
from skc.ir.version import __version__
from skc.runtime.llm.agent import AgentBudget, AgentTimeout, run_agent
from skc.runtime.llm.base import LLMBackend
from skc.runtime.targets.base import ExecContext
from skc.stdlib.probes import code, follow, reason, text, tools
from skc.stdlib.probes.base import Instance, Probe, short
from skc.stdlib.probes.tools import SandboxTools

PROBES: dict[str, Probe] = {p.primitive: p for m in (code, text, reason, tools, follow) for p in m.PROBES}
assert set(PROBES) == set(PRIMITIVES), "every primitive has exactly one probe"

Progress = Callable[[str], None]


def run_instance(backend: LLMBackend, inst: Instance, seed: str) -> InstanceResult:
    """Asks the model (one turn, one tool-call turn, or an agent loop) and grades the answer."""
    messages = [{"role": "user", "content": inst.prompt}]
    start = time.perf_counter()
    tokens_in = tokens_out = 0
    turns = 1
    try:
        if inst.grade_agent is not None:
            with tempfile.TemporaryDirectory(prefix="skc-probe-") as tmp:
                root = Path(tmp)
                for rel, body in inst.sandbox.items():
                    (root / rel).parent.mkdir(parents=True, exist_ok=True)
                    (root / rel).write_text(body, encoding="utf-8")
                budget = AgentBudget(max_turns=inst.max_turns, max_tokens=1200 * inst.max_turns, timeout_s=120,
                                     turn_tokens=inst.max_tokens)
                ctx = ExecContext(run_id="profile", workdir=root)
                try:
                    out = asyncio.run(run_agent(backend, messages, inst.agent_tools, ctx, budget,
                                                runner=SandboxTools(root)))
                except AgentTimeout as e:
                    out = e.outcome
                tokens_in, tokens_out, turns = out.tokens_in, out.tokens_out, out.turns
                passed, detail = inst.grade_agent(out.answer, root)
                if not passed:
                    calls = ", ".join(f"{c['tool']}({short(str(c['arguments']), 40)})" for c in out.tool_calls)
                    detail = f"{detail}; calls: {calls or 'none'}"
        else:
            reply = backend.complete(messages, max_tokens=inst.max_tokens, tools=inst.tools)
            tokens_in, tokens_out = reply.tokens_in, reply.tokens_out
            if inst.grade_calls is not None:
                passed, detail = inst.grade_calls(reply.tool_calls)
                if not reply.tool_calls:
                    detail = f"no tool call; answered {short(reply.text, 100)!r}"
            else:
                assert inst.grade is not None
                passed, detail = inst.grade(reply.text)
    except Exception as e:  # a backend or grader failure fails the instance, not the run
        passed, detail = False, f"error: {type(e).__name__}: {short(str(e), 200)}"
    return InstanceResult(seed=seed, passed=passed, detail=detail, latency_s=round(time.perf_counter() - start, 3),
                          tokens_in=tokens_in, tokens_out=tokens_out, turns=turns)


def measure_primitive(backend: LLMBackend, probe: Probe, *, instances: int, seed: int,
                      max_level: int = MAX_LEVEL, progress: Progress | None = None) -> PrimitiveResult:
    reason = probe.unavailable()
    if reason:
        if progress:
            progress(f"{probe.primitive:22} not measured: {reason}")
        return PrimitiveResult(level=0, measured=False, reason=reason)
    result = PrimitiveResult(level=0)
    for level in range(1, max_level + 1):
        runs = []
        for i in range(instances):
            key = f"{seed}/{probe.primitive}/L{level}/{i}"
            runs.append(run_instance(backend, probe.make(level, Random(key)), key))
            if not runs[-1].passed:
                break  # the level has failed; more instances would not change that
        passed = all(r.passed for r in runs)
        result.levels.append(LevelResult(level=level, passed=passed, instances=runs))
        if progress:
            why = "" if passed else f"  ({short(next(r.detail for r in runs if not r.passed), 120)})"
            progress(f"{probe.primitive:22} L{level} {'pass' if passed else 'FAIL'}{why}")
        if not passed:
            break
        result.level = level
    return result


def measure(backend: LLMBackend, *, name: str, model: str, instances: int = 3, seed: int = 0,
            primitives: list[str] | None = None, max_level: int = MAX_LEVEL, command: str = "",
            progress: Progress | None = None) -> CapabilityProfile:
    """Measures `primitives` (default: all 26) and returns the profile."""
    start = time.perf_counter()
    chosen = primitives or list(PRIMITIVES)
    unknown = sorted(set(chosen) - set(PROBES))
    if unknown:
        raise ValueError(f"unknown primitives: {', '.join(unknown)}")
    results = {p: measure_primitive(backend, PROBES[p], instances=instances, seed=seed, max_level=max_level,
                                    progress=progress) for p in chosen}
    return CapabilityProfile(
        name=name, model=model, backend=backend.name,
        harness=f"skc {__version__}: plain instruction prompts, no output constraints (except the tool-call "
                f"format the backend uses), agent loop of skc.runtime.llm.agent",
        created=datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"), command=command,
        settings={"instances": instances, "seed": seed, "max_level": max_level,
                  "python": platform.python_version(), "machine": platform.machine()},
        duration_s=round(time.perf_counter() - start, 1), primitives=results)
