"""Queries by evidence: SQL is what sqlglot parses, KQL and PromQL what their shapes say.

`sql_dialect(text)` is the sqlglot dialect a text parses in as one or more SQL
statements (None when it is not SQL): placeholders (`{x}`, `{{x}}`, `<x>`, `${X}`)
are replaced by literals first, a statement sqlglot only keeps as an opaque
`Command` does not count, and prose that happens to start with "Select"/"Show"
(an example prompt) is refused: the keyword must be upper case or the statement
must have a clause (FROM, WHERE, SET, INTO, VALUES, TABLE). `kql(text)` and
`promql(text)` recognise the two other query languages by their shapes (a KQL
table followed by `| where`/`| summarize`...; a PromQL selector or function call).
`maintenance_sql(text)` recognises the PostgreSQL maintenance statements sqlglot keeps
only as opaque commands (`analyze (verbose, skip_locked) {table_name}`, `VACUUM FREEZE t`).
`check_schema(text, tables)` names the tables and columns a SQL query uses that a
bound SQLite schema lacks.
"""

from __future__ import annotations

import logging
import re
from functools import lru_cache

import sqlglot
from sqlglot import exp
from sqlglot.errors import SqlglotError

logging.getLogger("sqlglot").setLevel(logging.ERROR)  # "falling back to a Command" is our answer, not a warning

_PLACEHOLDER = re.compile(r"\{\{\s*[A-Za-z_][\w\-]*\s*\}\}|\{[A-Za-z_][\w\-]*\}|\$\{[A-Za-z_]\w*\}|"
                          r"<[A-Za-z][\w\-]{0,48}>")
_STATEMENT = re.compile(r"\s*(?:--[^\n]*\n\s*)*(select|with|show|explain|update|delete|insert|alter|create|drop|"
                        r"vacuum|analyze|pragma|describe|desc)\b", re.I)
_CLAUSE = re.compile(r"\b(?:from|where|set|into|values|table|index|join|group\s+by|order\s+by)\b", re.I)
_DIALECTS = (None, "postgres", "mysql", "tsql", "sqlite")
_KQL = re.compile(r"^\s*(?:let\s+\w+\s*=.*;\s*)*[A-Za-z_][\w.()\"']*\s*\n?\s*\|\s*(?:where|summarize|project|extend|"
                  r"take|top|count|order|sort|join|render|distinct|limit|parse|mv-expand|make-series)\b", re.I | re.S)
_PROMQL = re.compile(r"^\s*(?:(?:sum|avg|max|min|count|rate|irate|increase|histogram_quantile|topk|bottomk|absent|"
                     r"delta|deriv|predict_linear|label_replace|avg_over_time|max_over_time|min_over_time|"
                     r"sum_over_time|count_over_time|quantile_over_time|time|vector|sort_desc|sort|clamp_min|"
                     r"clamp_max|abs|ceil|floor|round)\s*(?:by|without)?\s*\(|[a-zA-Z_:][a-zA-Z0-9_:]*\s*\{[^}]*\})")


def literal_placeholders(text: str) -> str:
    """`text` with each placeholder a literal, so that a parser sees a value."""
    return _PLACEHOLDER.sub("0", text)


@lru_cache(maxsize=2048)
def sql_dialect(text: str) -> str | None:
    """The dialect `text` parses in as SQL ("" for sqlglot's generic one), else None."""
    m = _STATEMENT.match(text)
    if m is None:
        return None
    if not m.group(1).isupper() and _CLAUSE.search(text) is None:
        return None
    body = literal_placeholders(text)
    for dialect in _DIALECTS:
        try:
            trees = [t for t in sqlglot.parse(body, read=dialect) if t is not None]
        except (SqlglotError, ValueError, KeyError, IndexError, RecursionError):
            continue
        if trees and not any(isinstance(t, exp.Command) for t in trees):
            return dialect or ""
    return None


_MAINTENANCE = re.compile(r"\s*(vacuum|analy[sz]e|reindex\s+(?:table|index|schema|database)|cluster)\b"
                          r"(\s*\((?:\s*\w+(?:\s+\w+)?\s*,?)+\))?((?:\s+(?:full|freeze|verbose|analy[sz]e|concurrently))*)"
                          r"\s+([\w.\"]+|\{\{?\s*\w+\s*\}\}?|<\w[\w-]*>)(?:\s*\([\w\s,]+\))?\s*;?\s*\Z", re.I)


def maintenance_sql(text: str) -> bool:
    """Whether `text` is one PostgreSQL maintenance statement on a named table: an option list
    (`analyze (verbose, skip_locked) {t}`), an upper-case keyword (`VACUUM t`) or a table name that
    is qualified or a placeholder tells it from a sentence ("analyze the logs")."""
    m = _MAINTENANCE.match(text)
    if m is None:
        return False
    table = m.group(4)
    return bool(m.group(2)) or m.group(1).split()[0].isupper() or bool(m.group(3).strip()) or \
        "." in table or table.startswith(("{", "<")) or "_" in table


def kql(text: str) -> bool:
    """Whether `text` reads as a Kusto query (a table piped into KQL operators)."""
    return _KQL.match(text) is not None


def promql(text: str) -> bool:
    """Whether `text` reads as a PromQL expression (one expression, no shell words)."""
    t = text.strip()
    return bool(t) and "\n\n" not in t and not t.startswith(("$", "#!")) and _PROMQL.match(t) is not None


def check_schema(text: str, schema: dict[str, set[str]], dialect: str = "") -> list[str]:
    """Tables and columns `text` uses that `schema` (table -> columns) lacks."""
    try:
        trees = [t for t in sqlglot.parse(literal_placeholders(text), read=dialect or None) if t is not None]
    except (SqlglotError, ValueError):
        return []
    lowered = {t.lower(): {c.lower() for c in cols} for t, cols in schema.items()}
    problems: list[str] = []
    for tree in trees:
        ctes = {c.alias_or_name.lower() for c in tree.find_all(exp.CTE)}
        aliases: dict[str, str] = {}
        used: list[str] = []
        for table in tree.find_all(exp.Table):
            name = table.name.lower()
            if name in ctes:
                continue
            aliases[(table.alias or table.name).lower()] = name
            used.append(name)
            if name not in lowered:
                problems.append(f"table {table.name}")
        known = [lowered[t] for t in used if t in lowered]
        outputs = {a.alias.lower() for a in tree.find_all(exp.Alias)}
        for col in tree.find_all(exp.Column):
            cname, qual = col.name.lower(), col.table.lower()
            if not cname or cname == "*" or cname in outputs:
                continue
            if qual and aliases.get(qual) in lowered:
                if cname not in lowered[aliases[qual]]:
                    problems.append(f"column {col.table}.{col.name}")
            elif not qual and known and not any(cname in cols for cols in known) and len(known) == len(used):
                problems.append(f"column {col.name}")
    return list(dict.fromkeys(problems))


# ---------------------------------------------------------------- dialects

_DIALECT_MARKERS: list[tuple[str, re.Pattern[str]]] = [
    ("postgres", re.compile(r"::\s*[a-z]|\bilike\b|\bpg_\w+\s*\(|\binterval\s+'|\bnow\s*\(\s*\)|\bdate_trunc\s*\(|"
                            r"\bcurrent_setting\s*\(|\bto_char\s*\(|->>|#>>|\bgenerate_series\s*\(|\bage\s*\(", re.I)),
    ("tsql", re.compile(r"\bselect\s+top\s+\d|\bgetdate\s*\(|\bwith\s*\(\s*nolock\s*\)|\bdatediff\s*\(\s*\w+\s*,|"
                        r"\bisnull\s*\(", re.I)),
    ("mysql", re.compile(r"`\w+`|\blimit\s+\d+\s*,\s*\d+|\bdate_sub\s*\(|\bcurdate\s*\(|\bunix_timestamp\s*\(", re.I)),
]
_SQLITE_FUNCS = frozenset("""abs changes char coalesce concat concat_ws format glob hex ifnull iif instr last_insert_rowid
length like likelihood likely load_extension lower ltrim max min nullif octet_length printf quote random randomblob
replace round rtrim sign soundex sqlite_version substr substring total_changes trim typeof unhex unicode unlikely upper
zeroblob date time datetime julianday unixepoch strftime timediff avg count group_concat string_agg sum total
row_number rank dense_rank percent_rank cume_dist ntile lag lead first_value last_value nth_value acos acosh asin asinh
atan atan2 atanh ceil ceiling cos cosh degrees exp floor ln log log2 log10 mod pi pow power radians sin sinh sqrt tan
tanh trunc json json_array json_array_length json_extract json_insert json_object json_patch json_remove json_replace
json_set json_type json_valid json_quote json_group_array json_group_object json_each json_tree cast in exists values
over filter""".split())
_CALL = re.compile(r"\b([A-Za-z_]\w*)\s*\(")
_PARAM = re.compile(r"\{(\d+)\}")


def detect_dialect(text: str) -> str:
    """The SQL dialect `text` is written in: a dialect's own marks (`::int`, `ILIKE`, `pg_*()`,
    `now()` for PostgreSQL; `TOP n`, `GETDATE()` for T-SQL; backticks, `LIMIT a, b` for MySQL),
    else the one sqlglot parses it in (see `sql_dialect`); "" for plain SQL."""
    body = re.sub(r"'[^']*'", "''", text)
    for name, marks in _DIALECT_MARKERS:
        if marks.search(body if name != "postgres" else text):
            return name
    return sql_dialect(text) or ""


def to_sqlite(query: str, dialect: str) -> tuple[str | None, str]:
    """`query` (in `dialect`, `{0}`-style parameters kept) as SQLite runs it, and "" ; or None and
    why sqlglot cannot translate it (a construct or function SQLite lacks)."""
    protected = _PARAM.sub(lambda m: f"'__skc_p{m.group(1)}__'", query)
    try:
        out = sqlglot.transpile(protected, read=dialect or None, write="sqlite",
                                unsupported_level=sqlglot.ErrorLevel.RAISE)
    except (SqlglotError, ValueError, KeyError, IndexError, RecursionError) as e:
        return None, " ".join(str(e).split())[:160]
    text = ";\n".join(out)
    missing = sorted({f.lower() for f in _CALL.findall(re.sub(r"'[^']*'", "''", text))} - _SQLITE_FUNCS)
    if re.search(r"\bINTERVAL\b", text):
        missing.append("INTERVAL")
    if missing:
        return None, f"SQLite has no {', '.join(missing)}"
    return re.sub(r"'__skc_p(\d+)__'", r"{\1}", text), ""
