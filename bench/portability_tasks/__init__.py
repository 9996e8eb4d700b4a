"""The portability suite's tasks: a runbook, a generated incident database, a ground truth.

Each task is a `.skflow` runbook in this folder (compiled by skc like any source),
the kind of incident its database plants (`gen.py`), the question an on-call
engineer would ask, and the ground truth: the string a correct diagnosis must name
(a deployment id, a config key, a host, a tenant, a resolver...). Every runbook
takes `since` (the start of the incident window) and returns `root_cause` (decided
by code over the query results) and `summary` (a sentence written by the model).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from bench.portability_tasks.gen import SINCE, build

HERE = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Task:
    """One portability task (see the package docstring)."""

    name: str
    question: str
    truth: str

    @property
    def runbook(self) -> Path:
        return HERE / f"{self.name}.skflow"

    @property
    def inputs(self) -> dict[str, str]:
        return {"since": SINCE}

    def make_db(self, path: Path) -> Path:
        return build(path, self.name)


TASKS = [
    Task("bad_deploy", "Errors rose at 10:00. Which deployment caused them? Name its id.", "D-3107"),
    Task("config_change", "Errors rose at 10:00 without a deployment. Which configuration key was changed?",
         "upstream.timeout_ms"),
    Task("dependency_outage", "Errors rose at 10:00. Which dependency is down?", "ledger-db"),
    Task("disk_full", "Writes fail since 10:00. Which host has a full disk?", "db-2"),
    Task("cert_expiry", "TLS handshakes fail since 10:00. Which certificate expired?", "payments.internal"),
    Task("noisy_neighbour", "One host is slow since 10:00. Which tenant takes its CPU?", "batch-etl"),
    Task("dns", "Name lookups fail since 10:00. Which resolver is broken?", "10.0.0.53"),
    Task("rate_limit", "Clients get HTTP 429 since 10:00. Which client is throttled?", "mobile-app"),
]

__all__ = ["TASKS", "Task"]
