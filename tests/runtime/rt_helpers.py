"""Shared helpers of the runtime tests: IR from text, runs in a temp dir, a scripted LLM target."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from skc.ir.core import Op
from skc.ir.module import Module
from skc.ir.parser import parse_module
from skc.runtime.api import RunResult, run
from skc.runtime.targets.base import (
    ExecContext,
    OpResult,
    Target,
    register_target,
    unregister_target,
)
from skc.runtime.values import to_text

REPO = Path(__file__).resolve().parents[2]


def module(text: str) -> Module:
    return parse_module(text, "test.mlir")


def wf(body: str, args: str = "", names: list[str] | None = None, attrs: str = "") -> Module:
    """A one-workflow module: `args` is the entry block's argument list text."""
    arg_names = f'arg_names = {json.dumps(names)}, ' if names else ""
    extra = f"{attrs}, " if attrs else ""
    return module(f'"skc.workflow"() ({{\n^bb0({args}):\n{body}\n}}) {{{arg_names}{extra}sym_name = "t"}} : () -> ()\n')


def run_module(mod: Module, tmp_path: Path, inputs: dict[str, Any] | None = None, **kw: Any) -> RunResult:
    kw.setdefault("runs_dir", tmp_path / "runs")
    kw.setdefault("workdir", tmp_path)
    kw.setdefault("retry_backoff_s", 0.01)
    return run(mod, inputs or {}, **kw)


class ScriptedLLM(Target):
    """A deterministic stand-in for a model: decide picks the first outcome named in the input
    (else the first outcome); generate/extract echo a digest of the prompt and inputs."""

    name = "llm"
    ops = ("llm.generate", "llm.decide", "llm.extract", "llm.agent")
    calls: list[str] = []

    async def execute(self, op: Op, args: list[Any], ctx: ExecContext) -> OpResult:
        text = " ".join(to_text(a) for a in args)
        ScriptedLLM.calls.append(op.op_name)
        ctx.emit("tool_call", tool="none", note="scripted")
        if op.op_name == "llm.decide":
            outcomes = [str(o) for o in op.attributes["outcomes"]]  # type: ignore[union-attr]
            hit = next((o for o in outcomes if o.split()[-1].lower() in text.lower()), outcomes[0])
            return OpResult([hit], tokens_in=len(text.split()), tokens_out=1)
        if op.op_name == "llm.extract":
            return OpResult([{"text": text[:50]}], tokens_in=len(text.split()), tokens_out=5)
        return OpResult([f"[{op.attributes['prompt']}] {text[:200]}"], tokens_in=len(text.split()), tokens_out=7)


@pytest.fixture
def scripted_llm() -> Iterator[type[ScriptedLLM]]:
    ScriptedLLM.calls = []
    register_target(ScriptedLLM)
    try:
        yield ScriptedLLM
    finally:
        unregister_target(ScriptedLLM)


def journal_records(run_dir: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in (run_dir / "journal.jsonl").read_text().splitlines() if line.strip()]


def trace_events(run_dir: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in (run_dir / "trace.jsonl").read_text().splitlines() if line.strip()]


def make_incident_db(path: Path, seed: int = 1405) -> Path:
    """Builds the example incident database with examples/runbooks/make_incident_db.py."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_incident_db",
                                                  REPO / "examples" / "runbooks" / "make_incident_db.py")
    assert spec is not None
    assert spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod.build(path, seed)  # type: ignore[no-any-return]
