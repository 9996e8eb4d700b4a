"""How a run is configured: `RunConfig`, one typed record of every option `skc run` and `skc.run` take.

    cfg = RunConfig(db={"incidents": "incidents.db"}, model="local", runs_dir="runs")
    result = await skc.arun("checkout.skb", {"service": "checkout"}, cfg, dry_run=True)

`RunOptions` is the same set of names as a `TypedDict`, so the keyword overrides of
`run`/`arun` are typed for editors and mypy (`**overrides: Unpack[RunOptions]`)
instead of a bag of `**options`. Adding an option is a field here and its line in
`RunOptions` (a test keeps the two equal); `with_overrides` and the CLI pick it up
by name. `options` stays for what targets read from their context and no typed
field covers (an `llm_backend` instance, named `models`, output caps).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypedDict

if TYPE_CHECKING:
    from skc.runtime.scheduler import Engine

Progress = Callable[[dict[str, Any]], None]


@dataclass(frozen=True, kw_only=True)
class RunConfig:
    """Every option of a run, with the defaults `skc run` uses."""

    engine: str | Engine = "local"  # local | ray | an Engine instance
    workflow: str | None = None  # which workflow of the module (default: the first)
    runs_dir: str | Path | None = None  # where runs live (else $SKC_RUNS_DIR, else .skc/runs)
    run_id: str | None = None  # name of a new run (default: time + random)
    resume: str | None = None  # continue that run; completed ops are not run again
    dry_run: bool = False  # check permissions and return the plan; run nothing
    allow: Sequence[str] = ()  # extra permission rules, e.g. "Bash(git:*)"
    allow_writes: bool = False  # runbooks: allow ops with write effects
    db: Mapping[str, str] | None = None  # data source name -> SQLite file
    secrets: Sequence[str] = ()  # values to redact from traces, journals and results
    limits: Mapping[str, int] | None = None  # target or resource -> concurrency bound
    model: str | None = None  # LLM backend spec (default: $SKC_MODEL, else the embedded model)
    workdir: str | Path | None = None  # working directory of the commands (default: cwd)
    jit: bool = True  # JIT-solidify llm steps (False: always ask the model)
    jit_promote_after: int = 3  # consecutive matching executions before an llm step runs as code
    jit_demote_after: int = 3  # guard misses before solidified code is dropped
    jit_shadow_rate: float = 0.0  # share of solidified executions also sent to the model
    recompile: bool = False  # after an ok run, write what the JIT solidified back into the bundle
    retry_backoff_s: float = 0.2  # first pause between retries of an op (doubles each time)
    progress: Progress | None = None  # receives every trace event
    options: Mapping[str, Any] = field(default_factory=dict)  # target options no field covers
    approve: Sequence[str] = ()  # steps whose `confirm` ops are pre-approved (approvals.py)
    approve_all: bool = False  # pre-approve every confirm op and every write (the old `allow_writes`)
    approval_timeout: float | None = None  # seconds before a pending approval becomes a rejection
    ask_approval: Callable[[dict[str, Any]], tuple[bool, str]] | None = None  # asks a person inline
    trusted_keys: Sequence[str] | None = None  # run only a bundle signed by one of these key ids (signing.py)
    task: str | None = None  # a skill's task (its `task` input)
    files: Sequence[str | Path] = ()  # files given with the task (a skill's `files` input)
    incident: str | Path | None = None  # a runbook's inputs read from this incident text (runtime/incident.py)

    def with_overrides(self, overrides: Mapping[str, Any]) -> RunConfig:
        """This config with the given fields replaced (a name that is no field is a TypeError)."""
        unknown = sorted(set(overrides) - FIELDS)
        if unknown:
            raise TypeError(f"unknown run option(s): {', '.join(unknown)}; options: {', '.join(sorted(FIELDS))}")
        return replace(self, **overrides) if overrides else self


class RunOptions(TypedDict, total=False):
    """The keyword overrides of `run`/`arun`: the fields of RunConfig, each optional."""

    engine: str | Engine
    workflow: str | None
    runs_dir: str | Path | None
    run_id: str | None
    resume: str | None
    dry_run: bool
    allow: Sequence[str]
    allow_writes: bool
    db: Mapping[str, str] | None
    secrets: Sequence[str]
    limits: Mapping[str, int] | None
    model: str | None
    workdir: str | Path | None
    jit: bool
    jit_promote_after: int
    jit_demote_after: int
    jit_shadow_rate: float
    recompile: bool
    retry_backoff_s: float
    progress: Progress | None
    options: Mapping[str, Any]
    approve: Sequence[str]
    approve_all: bool
    approval_timeout: float | None
    ask_approval: Callable[[dict[str, Any]], tuple[bool, str]] | None
    trusted_keys: Sequence[str] | None
    task: str | None
    files: Sequence[str | Path]
    incident: str | Path | None


FIELDS = frozenset(f.name for f in fields(RunConfig))


def config_of(config: RunConfig | None, overrides: Mapping[str, Any]) -> RunConfig:
    """The config a run uses: `config` (else the defaults) with `overrides` applied."""
    return (config or RunConfig()).with_overrides(overrides)
