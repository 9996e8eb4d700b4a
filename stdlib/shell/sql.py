"""SQL text: whether a statement may write (`classify_sql_text`), for SQL clients on a
command line (`programs`) and SQL blocks (the front ends' `code_effects`)."""

from __future__ import annotations

import re

_SQL_READ = re.compile(r"\s*(?:--[^\n]*\n\s*)*(select|with|show|explain|table|values|\\[a-z]+|describe|desc)\b",
                       re.IGNORECASE)
_SQL_WRITE = re.compile(r"\b(insert|update|delete|drop|alter|create|truncate|grant|revoke|vacuum|analyze|"
                        r"reindex|cluster|copy|lock|set|refresh|comment|call|do|begin|commit)\b", re.IGNORECASE)
_SQL_WRITING_FUNCTIONS = re.compile(
    r"\b(?:pg_cancel_backend|pg_terminate_backend|pg_reload_conf|pg_switch_wal|pg_promote|setval|nextval|"
    r"set_config|pg_advisory_lock|pg_create_\w+|pg_drop_\w+|lo_\w+|dblink_exec|pg_rotate_logfile|"
    r"pg_stat_reset\w*)\s*\(", re.IGNORECASE)


def classify_sql_text(query: str) -> bool:
    """True when a SQL text may write (a statement that is not SELECT/SHOW/EXPLAIN, or that calls
    a function with side effects such as pg_terminate_backend)."""
    if _SQL_WRITING_FUNCTIONS.search(query):
        return True
    for stmt in (s for s in query.split(";") if s.strip()):
        if not _SQL_READ.match(stmt) or (re.match(r"\s*explain\s+analy[sz]e", stmt, re.IGNORECASE) and
                                         _SQL_WRITE.search(stmt[15:])):
            return True
        if re.match(r"\s*with\b", stmt, re.IGNORECASE) and re.search(r"\b(insert|update|delete)\b", stmt, re.I):
            return True
    return False
