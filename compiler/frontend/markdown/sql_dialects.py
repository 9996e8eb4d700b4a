"""SQL in the dialect it was written in, run by SQLite: translated where sqlglot can, warned where not.

The SQL target runs queries on a bound SQLite file. A runbook's query is often
PostgreSQL (`::int`, `ILIKE`, `now()`, a `psql` prompt), T-SQL (`TOP 5`, `GETDATE()`) or
MySQL (backticks, `LIMIT 5, 10`). `sqlite_form(query, snippet, diagnostics)` detects the
dialect (`queries.detect_dialect`, or the snippet's own, e.g. a psql block's) and, for one
that is not plain SQL, returns the query as SQLite runs it (`queries.to_sqlite`, with the
`{0}` parameters kept), a `dialect` attribute naming what it was written in and, when
the translation changed it, the query as `written`. A query
sqlglot cannot translate (a function or construct SQLite lacks: `pg_last_xact_replay_timestamp()`,
`INTERVAL '5 minutes'`) stays as written, with a located SKC150 warning at compile time
rather than a failure at run time.
"""

from __future__ import annotations

from typing import Any

from skc.compiler.frontend.markdown.blocks import Snippet
from skc.compiler.frontend.markdown.queries import detect_dialect, to_sqlite
from skc.ir.location import Diagnostic

_NAMES = {"postgres": "PostgreSQL", "mysql": "MySQL", "tsql": "T-SQL (SQL Server)", "bigquery": "BigQuery",
          "snowflake": "Snowflake", "oracle": "Oracle"}


def sqlite_form(query: str, sn: Snippet, diagnostics: list[Diagnostic]) -> tuple[str, dict[str, Any]]:
    """The query to run on SQLite and the attributes to record (see the module docstring)."""
    dialect = sn.dialect if sn.dialect in _NAMES else detect_dialect(sn.text)
    if dialect in ("", "sqlite"):
        return query, {}
    translated, why = to_sqlite(query, dialect)
    if translated is None:
        diagnostics.append(Diagnostic(
            "SKC150", sn.loc, f"'{' '.join(sn.text.split())[:60]}' is {_NAMES.get(dialect, dialect)} that SQLite "
            f"cannot run: {why}", "rewrite it for SQLite, or run it with its database's own client", "warning"))
        return query, {"dialect": dialect}
    return translated, {"dialect": dialect, **({"written": query} if translated != query else {})}
