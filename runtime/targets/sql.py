"""The `cpu.sql` target: `tool.sql` queries against SQLite, the embedded default.

The op's `db` names a data source, resolved in this order: the run's `--db name=path`
options, the bundle's environment binding (`data_sources`), a path given directly;
an op without `db` uses the source called `default`, or the only one there is.
Operands are bound as SQL parameters (`{0}` outside quotes becomes `?`), never
spliced into the query text; inside a quoted literal (`'%{0}%'`) the value is
substituted with its quotes escaped. An op whose effects are all reads opens the
database read-only (`mode=ro`), so a read step cannot change the incident data.
The result is the list of row dicts (`!skc.table`); `!skc.num`/`!skc.text` results
take the single cell of a one-cell answer. Queries run in a worker thread; a
timeout interrupts the query (`sqlite3.Connection.interrupt`). A read query that returns
no rows while an input is an ISO timestamp (`2024-05-01T10:00:00Z`) is run again with the
input in the database's form when the database writes `YYYY-MM-DD HH:MM:SS` (SQLite
compares text: `...T10:00` never equals `... 10:00`), with a `timestamp_normalised` trace
event; when it cannot tell, a `timestamp_format` warning event.
"""

from __future__ import annotations

import asyncio
import json
import re
import sqlite3
from pathlib import Path
from typing import Any

from skc.ir.core import Op
from skc.ir.effects import parse_effects
from skc.runtime.targets.base import ExecContext, OpFailed, OpResult, Target

DEFAULT_MAX_ROWS = 200_000
_ISO_T = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d")  # an ISO-8601 timestamp, the form incidents give


def _source_path(source: Any) -> str | None:
    if isinstance(source, str):
        return source[len("sqlite://"):] if source.startswith("sqlite://") else source
    if isinstance(source, dict):
        if source.get("kind") not in (None, "sqlite"):
            return None
        path = source.get("path")
        return str(path) if path else None
    return None


def resolve_db(name: str | None, options: dict[str, Any], bindings: dict[str, Any]) -> str | None:
    """The SQLite file a `db` name refers to, or None when nothing provides it."""
    given: dict[str, Any] = dict(options.get("db") or {})
    bound: dict[str, Any] = dict(bindings.get("data_sources") or {})
    if name is None:
        for table in (given, bound):
            if "default" in table:
                return _source_path(table["default"])
        for table in (given, bound):
            if len(table) == 1:
                return _source_path(next(iter(table.values())))
        return None
    if name in given:
        return _source_path(given[name])
    if name in bound:
        return _source_path(bound[name])
    if Path(name).suffix in (".db", ".sqlite", ".sqlite3") and Path(name).is_file():
        return name
    return None


def bind_query(query: str, args: list[Any]) -> tuple[str, list[Any]]:
    """`{n}` -> `?` + parameter outside quotes; escaped text inside quotes."""
    out: list[str] = []
    params: list[Any] = []
    quote: str | None = None
    i = 0
    while i < len(query):
        c = query[i]
        if c in "'\"":
            if quote is None:
                quote = c
            elif quote == c:
                quote = None
            out.append(c)
            i += 1
            continue
        if c == "{":
            end = query.find("}", i)
            digits = query[i + 1:end] if end > i else ""
            if digits.isdigit() and int(digits) < len(args):
                value = args[int(digits)]
                if quote is None:
                    out.append("?")
                    params.append(_param(value))
                else:
                    text = value if isinstance(value, str) else json.dumps(value)
                    out.append(str(text).replace(quote, quote * 2))
                i = end + 1
                continue
        out.append(c)
        i += 1
    return "".join(out), params


def _param(value: Any) -> Any:
    if value is None or isinstance(value, str | int | float | bytes):
        return value
    if isinstance(value, bool):
        return int(value)
    return json.dumps(value, sort_keys=True)


def read_only(op: Op) -> bool:
    effects, _ = parse_effects(op.effects)
    return not any(e.writes for e in effects)


class _Query:
    """One query on its own connection; `interrupt()` may be called from another thread."""

    def __init__(self, path: str, ro: bool, max_rows: int) -> None:
        self.path, self.ro, self.max_rows = path, ro, max_rows
        self.conn: sqlite3.Connection | None = None
        self.cancelled = False

    def run(self, query: str, params: list[Any]) -> list[dict[str, Any]] | dict[str, Any]:
        if self.ro:
            if not Path(self.path).is_file():
                raise OpFailed(f"database file not found: {self.path}", retryable=False)
            conn = sqlite3.connect(f"{Path(self.path).resolve().as_uri()}?mode=ro", uri=True,
                                   timeout=5.0, check_same_thread=False)
        else:
            conn = sqlite3.connect(self.path, timeout=5.0, check_same_thread=False)
        self.conn = conn
        try:
            if self.cancelled:
                raise OpFailed("cancelled", retryable=True)
            try:
                cur = conn.execute(query, params)
            except sqlite3.ProgrammingError as e:
                if params or "one statement" not in str(e):
                    raise
                conn.executescript(query)
                conn.commit()
                return {"rows_affected": conn.total_changes}
            if cur.description is None:
                conn.commit()
                return {"rows_affected": cur.rowcount}
            columns = [d[0] for d in cur.description]
            rows = cur.fetchmany(self.max_rows + 1)
            if len(rows) > self.max_rows:
                raise OpFailed(f"query returned more than {self.max_rows} rows", retryable=False)
            return [dict(zip(columns, row, strict=True)) for row in rows]
        finally:
            conn.close()

    def interrupt(self) -> None:
        self.cancelled = True
        if self.conn is not None:
            try:
                self.conn.interrupt()
            except sqlite3.ProgrammingError:
                pass


def space_timestamps(path: str) -> bool | None:
    """Whether the database writes timestamps as `YYYY-MM-DD HH:MM:SS` (True), as ISO with `T`
    (False), or shows neither in a sample of its text columns (None)."""
    conn = sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro", uri=True, timeout=5.0)
    try:
        space = iso = 0
        for (table,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()[:50]:
            cols = [r[1] for r in conn.execute(f'PRAGMA table_info("{table}")')]
            for row in conn.execute(f'SELECT * FROM "{table}" LIMIT 20'):
                for v in row[:len(cols)]:
                    if isinstance(v, str) and re.match(r"\d{4}-\d\d-\d\d[ T]\d\d:\d\d", v):
                        iso += v[10] == "T"
                        space += v[10] == " "
        return None if space == iso == 0 else space > 0 and iso == 0
    finally:
        conn.close()


def _space_form(value: Any) -> Any:
    """`2024-05-01T10:00:00Z` -> `2024-05-01 10:00:00` (UTC offsets applied); other values as they are."""
    if not (isinstance(value, str) and _ISO_T.match(value)):
        return value
    from datetime import UTC, datetime

    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return value
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment.strftime("%Y-%m-%d %H:%M:%S")


class SqlTarget(Target):
    """Runs SQL on SQLite data sources (read-only for read effects), in a worker thread."""

    name = "cpu.sql"
    ops = ("tool.sql",)
    default_timeout_s = 60.0

    async def execute(self, op: Op, args: list[Any], ctx: ExecContext) -> OpResult:
        lang = op.attributes.get("lang") or "sql"
        if lang != "sql":
            raise OpFailed(f"no backend for {lang} queries: the sql target runs SQL on SQLite",
                           retryable=False)
        db = op.attributes.get("db")
        path = resolve_db(db if isinstance(db, str) else None, ctx.options, ctx.bindings)
        if path is None:
            raise OpFailed(f"no data source {db or 'default'!r}: pass --db {db or 'default'}=PATH",
                           retryable=False)
        query, params = bind_query(str(op.attributes["query"]), args)
        job = _Query(path, read_only(op), int(ctx.options.get("max_rows") or DEFAULT_MAX_ROWS))
        task = asyncio.ensure_future(asyncio.to_thread(job.run, query, params))
        try:
            rows = await asyncio.shield(task)
        except asyncio.CancelledError:
            job.interrupt()
            raise
        except sqlite3.OperationalError as e:
            transient = "locked" in str(e) or "busy" in str(e)
            raise OpFailed(f"sqlite: {e}", retryable=transient) from None
        except sqlite3.Error as e:
            raise OpFailed(f"sqlite: {e}", retryable=False) from None
        if rows == [] and read_only(op) and any(isinstance(a, str) and _ISO_T.match(a) for a in args):
            rows = await self._normalised(op, query, args, path, job.max_rows, ctx)
        return OpResult([rows], meta={"db": db or "default",
                                      "rows": len(rows) if isinstance(rows, list) else 0})

    async def _normalised(self, op: Op, query: str, args: list[Any], path: str, max_rows: int,
                          ctx: ExecContext) -> Any:
        """No rows, and an input is an ISO timestamp: when the database writes `YYYY-MM-DD HH:MM:SS`
        (SQLite compares text), the query runs again with the input in that form (a
        `timestamp_normalised` trace event); otherwise a `timestamp_format` warning."""
        given = [a for a in args if isinstance(a, str) and _ISO_T.match(a)][:4]
        if await asyncio.to_thread(space_timestamps, path):
            again, params = bind_query(str(op.attributes["query"]), [_space_form(a) for a in args])
            rows = await asyncio.to_thread(_Query(path, True, max_rows).run, again, params)
            ctx.emit("timestamp_normalised", values=given, to=[_space_form(a) for a in given])
            return rows
        ctx.emit("timestamp_format", note="no rows; an input is an ISO timestamp and SQLite compares text",
                 values=given)
        return []
