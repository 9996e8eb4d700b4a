"""The cost model: estimated latency, tokens and money of one op on one target.

The concurrency pass uses it to weigh the critical path, placement to choose
targets, and `skc ir explain` to print estimates. Estimates, not measurements:
they only need to rank targets and paths sensibly.

Targets (names recorded by placement in each op's `target` attribute):

    cpu                     tool / data / calc / ctrl ops
    llm.local               the embedded model on the CPU (default for llm ops)
    llm.local.gpu           the embedded model with GPU layers (options["gpu"])
    llm.openai:<name>       a configured OpenAI-compatible model (options["models"])

Latency of a leaf op, first rule that applies:

1. the op's `est_latency_s` attribute;
2. `options["latency_overrides"]`: op name (`tool.shell`), then dialect
   (`tool.*` or `tool`) -> seconds;
3. tool ops: a fixed estimate per op (`TOOL_LATENCY_S`: shell 0.5 s, sql 0.05 s, ...);
   data / calc / ctrl ops: ~0;
4. llm ops: overhead + input tokens / prefill speed + output tokens / decode speed
   of the target. Expected output tokens: decide, the longest outcome + 2;
   extract 128; generate 256; each capped by `max_tokens`. Input tokens: the prompt
   (and system prompt, examples) at 4 characters a token, plus 200 per operand.
   `llm.agent` expects half its turns and half its token budget, re-reading its
   context each turn and running one tool (0.5 s) per turn.

Ops with regions (`ctrl.if`, `ctrl.map`, `ctrl.retry`) cost what their bodies'
critical paths cost; the concurrency pass computes that, this model prices leaves.
Money: tokens times the configured per-million-token prices; local targets are free.

`options["models"]` configures remote models: alias -> backend spec (the runtime's
form, `openai:URL#model`; default speeds, free), alias -> settings, or a list of
settings with a `name`. Recognised settings: `tokens_per_s`, `prefill_tokens_per_s`,
`overhead_s`, `usd_per_mtok_in`, `usd_per_mtok_out` (others, such as `spec` or
`url`, are ignored here); an alias whose spec starts with `local` is not remote. `options["targets"]` overrides the settings
of the built-in targets the same way.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from skc.ir.core import Op
from skc.ir.dialects.llm import AgentOp, DecideOp, ExtractOp
from skc.ir.dialects.tool import FileReadOp, FileWriteOp, HttpOp, PythonOp, ScriptOp, ShellOp, SqlOp
from skc.ir.traits import CallsModel

CPU, LOCAL, LOCAL_GPU, REMOTE_PREFIX = "cpu", "llm.local", "llm.local.gpu", "llm.openai:"

TOOL_LATENCY_S: dict[type[Op], float] = {
    ShellOp: 0.5,
    ScriptOp: 1.0,
    SqlOp: 0.05,
    HttpOp: 0.2,
    PythonOp: 0.05,
    FileReadOp: 0.01,
    FileWriteOp: 0.01,
}
PURE_LATENCY_S = 0.0  # data / calc / ctrl leaves: microseconds, below what matters here
CHARS_PER_TOKEN = 4
TOKENS_PER_OPERAND = 200
AGENT_TOOL_S = 0.5
_NUMBER = (int, float)


@dataclass(frozen=True)
class TargetSpec:
    """Speed and price of one target; zero speeds mean the target runs no llm ops."""

    name: str
    tokens_per_s: float = 0.0
    prefill_tokens_per_s: float = 0.0
    overhead_s: float = 0.0
    usd_per_mtok_in: float = 0.0
    usd_per_mtok_out: float = 0.0
    slots: int = 0  # requests it serves at once (0: unbounded); a local model serves one

    @property
    def runs_llm(self) -> bool:
        return self.tokens_per_s > 0

    @property
    def remote(self) -> bool:
        return self.name.startswith(REMOTE_PREFIX)


BUILTIN_TARGETS: dict[str, TargetSpec] = {
    CPU: TargetSpec(CPU),
    LOCAL: TargetSpec(LOCAL, tokens_per_s=25.0, prefill_tokens_per_s=250.0, overhead_s=0.05, slots=1),
    LOCAL_GPU: TargetSpec(LOCAL_GPU, tokens_per_s=150.0, prefill_tokens_per_s=4000.0, overhead_s=0.02, slots=1),
}
REMOTE_DEFAULTS = TargetSpec("", tokens_per_s=80.0, prefill_tokens_per_s=2000.0, overhead_s=0.4)
_SETTINGS = ("tokens_per_s", "prefill_tokens_per_s", "overhead_s", "usd_per_mtok_in", "usd_per_mtok_out")


def _with_settings(spec: TargetSpec, settings: Mapping[str, Any]) -> TargetSpec:
    changes: dict[str, Any] = {k: float(settings[k]) for k in _SETTINGS if k in settings}
    if "slots" in settings:
        changes["slots"] = max(0, int(settings["slots"]))
    return replace(spec, **changes)


def remote_models(options: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    """Remote models in `options["models"]`: alias -> settings.

    Accepts the runtime's form (alias -> backend spec string, e.g. `openai:URL#model`),
    alias -> settings mapping (optionally with its `spec`), or a list of settings with
    `name`s. Aliases whose spec is a local model (`local`, `local:PATH`) are not remote.
    """
    models = options.get("models") or {}
    if isinstance(models, Mapping):
        items = [(str(k), v) for k, v in models.items()]
    else:
        items = [(str(m["name"]), m) for m in models if isinstance(m, Mapping) and "name" in m]
    out: dict[str, Mapping[str, Any]] = {}
    for name, value in items:
        settings = value if isinstance(value, Mapping) else {"spec": value}
        if not str(settings.get("spec") or "").startswith("local"):
            out[name] = settings
    return out


@dataclass(frozen=True)
class CostModel:
    """Prices ops on targets; build it from compile options with `from_options`."""

    targets: dict[str, TargetSpec] = field(default_factory=lambda: dict(BUILTIN_TARGETS))
    overrides: dict[str, float] = field(default_factory=dict)
    gpu: bool = False

    @classmethod
    def from_options(cls, options: Mapping[str, Any]) -> CostModel:
        targets = dict(BUILTIN_TARGETS)
        for name, settings in (options.get("targets") or {}).items():
            if name in targets and isinstance(settings, Mapping):
                targets[name] = _with_settings(targets[name], settings)
        for name, settings in remote_models(options).items():
            target = REMOTE_PREFIX + name
            targets[target] = _with_settings(replace(REMOTE_DEFAULTS, name=target), settings)
        overrides = {str(k): float(v) for k, v in (options.get("latency_overrides") or {}).items()}
        return cls(targets, overrides, bool(options.get("gpu")))

    # ------------------------------------------------------------ targets

    def llm_targets(self) -> list[str]:
        """Targets that can run llm ops here: local (GPU when present) and remote ones."""
        local = [LOCAL_GPU] if self.gpu else [LOCAL]
        return local + sorted(n for n, t in self.targets.items() if t.remote and t.runs_llm)

    def default_target(self, op: Op) -> str:
        if is_llm(op):
            return LOCAL_GPU if self.gpu else LOCAL
        return CPU

    def target_of(self, op: Op) -> str:
        """The op's `target` attribute when it names a known target, else the default."""
        llm = CallsModel in op.traits
        target = op.attributes.get("target")
        if isinstance(target, str) and target in self.targets and (target == CPU) != llm:
            return target
        if llm:
            return LOCAL_GPU if self.gpu else LOCAL
        return CPU

    # ------------------------------------------------------------ estimates

    def tokens(self, op: Op) -> tuple[int, int]:
        """Expected (input, output) tokens of an llm op; (0, 0) for other ops."""
        if CallsModel not in op.traits:
            return 0, 0
        a = op.attributes
        chars = len(str(a.get("prompt", ""))) + len(str(a.get("system", "")))
        if a.get("examples"):
            chars += len(json.dumps(a["examples"]))
        tokens_in = chars // CHARS_PER_TOKEN + TOKENS_PER_OPERAND * len(op.operands)
        cap = a.get("max_tokens")
        cap = cap if isinstance(cap, int) and not isinstance(cap, bool) and cap > 0 else None
        if isinstance(op, AgentOp):
            turns = max(1, _int(a.get("max_turns"), 8) // 2)
            return tokens_in * turns, _int(cap, 4096) // 2
        if isinstance(op, DecideOp):
            outcomes = a.get("outcomes")
            outcomes = outcomes if isinstance(outcomes, list) else []
            out = max((len(str(o)) for o in outcomes), default=4) // CHARS_PER_TOKEN + 2
        elif isinstance(op, ExtractOp):
            out = 128
        else:
            out = 256
        return tokens_in, min(out, cap) if cap else out

    def latency(self, op: Op, target: str | None = None) -> float:
        """Estimated seconds of one leaf op on `target` (default: the op's own target)."""
        est = op.attributes.get("est_latency_s")
        if est is not None and isinstance(est, _NUMBER) and not isinstance(est, bool):
            return float(est)
        if self.overrides:
            name = op.op_name
            dialect = name.partition(".")[0]
            for key in (name, dialect + ".*", dialect):
                if key in self.overrides:
                    return self.overrides[key]
        cls = type(op)
        fixed = _FIXED_LATENCY[cls] if cls in _FIXED_LATENCY else _fixed_latency(cls)
        if fixed is not None:
            return fixed
        spec = self.targets.get(target or self.target_of(op)) or self.targets[LOCAL]
        if not spec.runs_llm:
            spec = self.targets[LOCAL]
        tokens_in, tokens_out = self.tokens(op)
        seconds = spec.overhead_s + tokens_in / spec.prefill_tokens_per_s + tokens_out / spec.tokens_per_s
        if isinstance(op, AgentOp):
            turns = max(1, _int(op.attributes.get("max_turns"), 8) // 2)
            seconds += (turns - 1) * spec.overhead_s + turns * AGENT_TOOL_S
        return seconds

    def usd(self, op: Op, target: str | None = None, tokens: tuple[int, int] | None = None) -> float:
        """Estimated money of one leaf op on `target` (local targets and non-llm ops are free);
        `tokens` is the op's `tokens(op)` when the caller has it already."""
        if CallsModel not in op.traits:
            return 0.0
        spec = self.targets.get(target or self.target_of(op))
        if spec is None:
            return 0.0
        tokens_in, tokens_out = tokens if tokens is not None else self.tokens(op)
        return (tokens_in * spec.usd_per_mtok_in + tokens_out * spec.usd_per_mtok_out) / 1e6


# Op class -> its latency when that does not depend on the op (rule 3), None for llm ops.
_FIXED_LATENCY: dict[type[Op], float | None] = {}


def _fixed_latency(cls: type[Op]) -> float | None:
    fixed = TOOL_LATENCY_S.get(cls)
    if fixed is None and CallsModel not in cls.traits:
        fixed = PURE_LATENCY_S
    _FIXED_LATENCY[cls] = fixed
    return fixed


def is_llm(op: Op) -> bool:
    """Whether `op` runs on a language model (the `CallsModel` trait)."""
    return op.has(CallsModel)


def _int(value: object, default: int) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else default
