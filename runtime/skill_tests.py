"""`skc test BUNDLE`: run a compiled skill on its own test tasks.

A skill's examples (sample requests such as `User: "..."` or the quoted requests of
its "When to Use" / "Examples" sections) become the workflow's `test_tasks` when
it is compiled. `run_skill_tests(source)` runs the skill once per test task, each in its
own working directory (a fresh temporary folder unless `workdir` is given), and
reports for each: passed (the run ended ok with a non-empty result), the status,
the seconds, tokens and the error. A sample request names files the user would
have (`sales.csv`), so a task whose script cannot find its input fails: the report
says which step failed and why, which is what an author wants to see.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from skc.ir.location import Diagnostic, DiagnosticError, Location
from skc.runtime.plan import load_source


@dataclass
class SkillTestOutcome:
    """How one test task went."""

    task: str
    passed: bool
    status: str
    seconds: float
    tokens: int = 0
    error: str = ""
    result: str = ""

    def line(self) -> str:
        mark = "PASS" if self.passed else "FAIL"
        why = f"  ({self.error})" if self.error else ""
        return f"{mark}  {self.seconds:6.1f}s  {self.tokens:5d} tok  {self.task}{why}"


def skill_test_tasks(source: str | Path) -> list[str]:
    """The test tasks of a compiled skill (or a skill compiled on the fly)."""
    loaded = load_source(source, compile=True)
    return loaded.module.workflow().attr_strs("test_tasks") or []


def run_skill_tests(source: str | Path, *, options: Mapping[str, Any] | None = None, workdir: str | Path | None = None,
               allow: tuple[str, ...] = (), allow_writes: bool = False) -> list[SkillTestOutcome]:
    """Runs the skill at `source` on each of its test tasks; one outcome per task."""
    from skc.runtime.api import run

    tasks = skill_test_tasks(source)
    if not tasks:
        raise DiagnosticError([Diagnostic("SKC316", Location(str(source), 1, 1), "the skill has no test tasks",
                                          "add sample requests, e.g. a 'When to Use' list of quoted requests "
                                          "or `User: \"...\"` lines in an Examples section")])
    out: list[SkillTestOutcome] = []
    for task in tasks:
        with tempfile.TemporaryDirectory(prefix="skc-test-") as tmp:
            start = time.perf_counter()
            try:
                r = run(source, task=task, options=dict(options or {}), workdir=workdir or tmp,
                        runs_dir=Path(tmp) / "runs", allow=allow, allow_writes=allow_writes)
            except DiagnosticError as e:
                out.append(SkillTestOutcome(task, False, "refused", time.perf_counter() - start,
                                       error=str(e.diagnostics[0].message)[:200]))
                continue
            result = "\n".join(str(v) for v in r.outputs.values()).strip()
            passed = r.status == "ok" and bool(result)
            error = r.error.message[:200] if r.error else ("" if result else "empty result")
            out.append(SkillTestOutcome(task, passed, r.status, round(time.perf_counter() - start, 2),
                                   r.tokens_in + r.tokens_out, error, result[:400]))
    return out
