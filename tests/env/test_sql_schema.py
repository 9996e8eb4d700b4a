"""SQL against a bound SQLite schema: a query naming a missing table or column is a located compile error."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from skc.compiler.environment import DataSource, Environment
from skc.compiler.frontend.markdown.queries import check_schema, sql_dialect
from skc.compiler.passes import PassContext, run_pipeline
from skc.ir import parse_module


def _module(query: str) -> str:
    return ('"skc.workflow"() ({\n  %0 = "tool.sql"() {db = "inc", effects = ["read:db:inc"], query = "' + query +
            '"} : () -> !skc.table loc("tsg.md":12:1)\n  "ctrl.return"(%0) : (!skc.table) -> ()\n'
            '}) {sym_name = "w"} : () -> ()\n')


def _env(tmp_path: Path) -> Environment:
    db = tmp_path / "inc.db"
    conn = sqlite3.connect(db)
    conn.executescript("CREATE TABLE deploys (id INTEGER, region TEXT, svc TEXT, deployed_at TEXT);")
    conn.close()
    return Environment(data_sources={"inc": DataSource(kind="sqlite", path=str(db))})


def test_a_query_against_the_bound_schema_compiles(tmp_path: Path) -> None:
    ctx = run_pipeline(parse_module(_module("SELECT svc, deployed_at FROM deploys WHERE region = {0}")), "env-bind",
                       PassContext(options={"environment": _env(tmp_path)}))
    assert [d.code for d in ctx.diagnostics] == []


def test_a_missing_table_or_column_is_a_located_error(tmp_path: Path) -> None:
    ctx = run_pipeline(parse_module(_module("SELECT d.version FROM deploys d JOIN incidents i ON i.id = d.id")),
                       "env-bind", PassContext(options={"environment": _env(tmp_path)}))
    [diag] = [d for d in ctx.diagnostics if d.code == "SKC229"]
    assert diag.severity == "error"
    assert (diag.loc.file, diag.loc.line) == ("tsg.md", 12)
    assert "table incidents" in diag.message
    assert "column d.version" in diag.message


def test_sql_is_what_sqlglot_parses() -> None:
    assert sql_dialect("SELECT count(*) FROM errors WHERE region = '{region}'") is not None
    assert sql_dialect("SELECT TOP 10 a FROM t") is not None
    assert sql_dialect("Show me the pods that restarted") is None
    assert sql_dialect("Select the pod that fails") is None
    assert sql_dialect("Create a summary of the failing deployments") is None
    assert check_schema("WITH x AS (SELECT id FROM deploys) SELECT id FROM x", {"deploys": {"id"}}) == []
