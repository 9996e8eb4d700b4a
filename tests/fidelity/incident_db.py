"""A generated incident database with one planted cause, for the end-to-end runs of the API-errors TSG.

`make_db(path)` writes a SQLite file whose rows tell one story: in region eu-west,
between 10:00 and 11:00, the checkout service was deployed at 10:05 (version 2.3.1)
and its endpoint's 5xx errors jump right after; the database, the dependencies and
the certificates are healthy. Timestamps are stored as SQLite writes them
(`YYYY-MM-DD HH:MM:SS`); the incident gives them in ISO form (`...T10:00:00Z`), which the
SQL target normalises to the database's form.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

INPUTS = {"region": "eu-west", "start_time": "2024-05-01T10:00:00Z", "end_time": "2024-05-01T11:00:00Z"}
PLANTED = "bad_deployment"


def make_db(path: Path) -> Path:
    conn = sqlite3.connect(path)
    conn.executescript("""
        CREATE TABLE requests (region TEXT, endpoint TEXT, status INTEGER, ts TEXT);
        CREATE TABLE deployments (region TEXT, service TEXT, version TEXT, deployed_at TEXT);
        CREATE TABLE db_metrics (region TEXT, host TEXT, cpu REAL, connections INTEGER, ts TEXT);
        CREATE TABLE dependency_calls (region TEXT, dependency TEXT, ok INTEGER, ts TEXT);
        CREATE TABLE certificates (region TEXT, name TEXT, expires_at TEXT);
    """)
    rows = []
    for minute in range(60):
        ts = f"2024-05-01 10:{minute:02d}:00"
        for endpoint in ("/checkout", "/cart", "/search"):
            failing = endpoint == "/checkout" and minute >= 5
            rows += [("eu-west", endpoint, 500 if failing and i % 3 else 200, ts) for i in range(6)]
            rows += [("us-east", endpoint, 200, ts) for _ in range(2)]
    conn.executemany("INSERT INTO requests VALUES (?, ?, ?, ?)", rows)
    conn.executemany("INSERT INTO deployments VALUES (?, ?, ?, ?)", [
        ("eu-west", "checkout", "2.3.1", "2024-05-01 10:05:00"),
        ("eu-west", "search", "1.9.0", "2024-04-28 16:00:00"),
        ("us-east", "checkout", "2.3.1", "2024-05-02 09:00:00")])
    conn.executemany("INSERT INTO db_metrics VALUES (?, ?, ?, ?, ?)",
                     [("eu-west", f"db-{h}", 31.0 + h, 120, f"2024-05-01 10:{m:02d}:00") for h in range(2) for m in
                      range(0, 60, 10)])
    conn.executemany("INSERT INTO dependency_calls VALUES (?, ?, ?, ?)",
                     [("eu-west", dep, 1, f"2024-05-01 10:{m:02d}:00") for dep in ("payments", "inventory") for m in
                      range(60)])
    conn.executemany("INSERT INTO certificates VALUES (?, ?, ?)", [("eu-west", "api.example.com", "2025-03-01 00:00:00")])
    conn.commit()
    conn.close()
    return path
