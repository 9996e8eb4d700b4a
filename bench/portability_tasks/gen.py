"""Seeded incident databases for the portability tasks: shared background, one planted cause.

Every database holds the same tables, filled with two hours of ordinary telemetry
(2024-06-01 09:00-11:00 UTC) and red herrings (routine deployments and config
changes, background errors, a slightly slow but healthy cache, certificates that
expire months later); `plant(kind)` then adds one incident starting at 10:00:

    bad_deploy         deployment D-3107 of api 4.2.0 at 09:57; api errors from 10:00
    config_change      api upstream.timeout_ms 30000 -> 300 at 09:58 (no deployment)
    dependency_outage  ledger-db down from 10:00
    disk_full          disk of db-2 fills up to 100% at 10:00; "No space left on device"
    cert_expiry        the certificate of payments.internal expired at 09:59
    noisy_neighbour    tenant batch-etl takes the CPU of api-2 from 10:00
    dns                resolver 10.0.0.53 answers SERVFAIL from 10:00
    rate_limit         client mobile-app throttled (HTTP 429) on /v1/orders from 10:00

Tables: deployments, config_changes, error_log, host_metrics, dependency_health,
certificates, dns_queries, rate_limits, tenant_usage.
"""

from __future__ import annotations

import random
import sqlite3
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

START = datetime(2024, 6, 1, 9, 0)
INCIDENT = datetime(2024, 6, 1, 10, 0)
MINUTES = 120
SINCE = "2024-06-01 10:00:00"
HOSTS = ["api-1", "api-2", "api-3", "db-1", "db-2", "worker-1"]
SERVICES = {"api": ["api-1", "api-2", "api-3"], "db": ["db-1", "db-2"], "worker": ["worker-1"]}
DEPENDENCIES = ["ledger-db", "cache-redis", "search-api", "mail-relay"]
RESOLVERS = ["10.0.0.2", "10.0.0.53"]
CLIENTS = ["web", "mobile-app", "partner-feed"]
TENANTS = ["core", "batch-etl", "reports"]

SCHEMA = """
CREATE TABLE deployments (id TEXT PRIMARY KEY, service TEXT, version TEXT, finished_at TEXT, author TEXT, summary TEXT);
CREATE TABLE config_changes (id TEXT PRIMARY KEY, ts TEXT, service TEXT, key TEXT, old_value TEXT, new_value TEXT,
                             author TEXT, deployment_id TEXT);
CREATE TABLE error_log (ts TEXT, service TEXT, host TEXT, message TEXT);
CREATE TABLE host_metrics (ts TEXT, host TEXT, cpu_pct REAL, steal_pct REAL, disk_used_pct REAL);
CREATE TABLE dependency_health (ts TEXT, dependency TEXT, error_rate REAL, p99_ms REAL, status TEXT);
CREATE TABLE certificates (common_name TEXT, host TEXT, not_after TEXT, issuer TEXT);
CREATE TABLE dns_queries (ts TEXT, resolver TEXT, name TEXT, queries INTEGER, servfail INTEGER);
CREATE TABLE rate_limits (ts TEXT, client TEXT, endpoint TEXT, requests INTEGER, throttled INTEGER);
CREATE TABLE tenant_usage (ts TEXT, host TEXT, tenant TEXT, cpu_pct REAL);
"""

KINDS = ("bad_deploy", "config_change", "dependency_outage", "disk_full", "cert_expiry", "noisy_neighbour",
         "dns", "rate_limit")


def iso(t: datetime) -> str:
    return t.strftime("%Y-%m-%d %H:%M:%S")


def minutes(step: int = 1) -> list[tuple[int, datetime]]:
    return [(m, START + timedelta(minutes=m)) for m in range(0, MINUTES, step)]


def background(db: sqlite3.Connection, rng: random.Random) -> None:
    db.executemany("INSERT INTO deployments VALUES (?, ?, ?, ?, ?, ?)", [
        ("D-3101", "worker", "7.1.0", "2024-06-01 08:20:00", "li", "Batch size metrics"),
        ("D-3104", "web", "12.3.1", "2024-06-01 09:12:00", "maya", "Footer copy"),
        ("D-3105", "search-api", "3.0.2", "2024-06-01 09:31:00", "sofia", "Synonym refresh"),
        ("D-3106", "worker", "7.1.1", "2024-06-01 10:30:00", "li", "Retry jitter"),
    ])
    db.executemany("INSERT INTO config_changes VALUES (?, ?, ?, ?, ?, ?, ?, ?)", [
        ("C-870", "2024-06-01 09:05:00", "web", "feature.banner", "false", "true", "maya", None),
        ("C-874", "2024-06-01 09:40:00", "worker", "queue.prefetch", "10", "20", "li", None),
        ("C-879", "2024-06-01 10:20:00", "db", "log.level", "info", "debug", "amir", None),
    ])
    errors = ["connection reset by peer", "request cancelled by client", "slow query (1.2 s)"]
    rows = []
    for _, t in minutes():
        for service, hosts in SERVICES.items():
            if rng.random() < 0.15:
                rows.append((iso(t + timedelta(seconds=rng.randint(0, 59))), service, rng.choice(hosts),
                             rng.choice(errors)))
    db.executemany("INSERT INTO error_log VALUES (?, ?, ?, ?)", rows)
    db.executemany("INSERT INTO host_metrics VALUES (?, ?, ?, ?, ?)", [
        (iso(t), h, round(rng.uniform(20, 45), 1), round(rng.uniform(0, 2), 1),
         round(rng.uniform(40, 60) + (8 if h.startswith("db") else 0), 1))
        for _, t in minutes(5) for h in HOSTS])
    base = {"ledger-db": 30.0, "cache-redis": 3.0, "search-api": 120.0, "mail-relay": 200.0}
    db.executemany("INSERT INTO dependency_health VALUES (?, ?, ?, ?, ?)", [
        (iso(t), d, round(rng.uniform(0, 0.004), 4), round(base[d] * rng.uniform(0.9, 1.2) * (1.4 if d == "cache-redis" else 1), 1),
         "healthy") for _, t in minutes(5) for d in DEPENDENCIES])
    db.executemany("INSERT INTO certificates VALUES (?, ?, ?, ?)", [
        ("api.example.com", "api-1", "2024-09-14 00:00:00", "Let's Encrypt"),
        ("payments.internal", "api-2", "2024-11-30 00:00:00", "internal-ca"),
        ("ledger.internal", "db-1", "2025-01-10 00:00:00", "internal-ca"),
        ("search.internal", "worker-1", "2024-08-02 00:00:00", "internal-ca"),
    ])
    db.executemany("INSERT INTO dns_queries VALUES (?, ?, ?, ?, ?)", [
        (iso(t), r, n, q, int(q * rng.uniform(0, 0.005)))
        for _, t in minutes(5) for r in RESOLVERS for n in ("ledger.internal", "payments.internal")
        for q in [rng.randint(200, 400)]])
    db.executemany("INSERT INTO rate_limits VALUES (?, ?, ?, ?, ?)", [
        (iso(t), c, e, q, int(q * rng.uniform(0, 0.01)))
        for _, t in minutes(5) for c in CLIENTS for e in ("/v1/orders", "/v1/search")
        for q in [rng.randint(300, 900)]])
    db.executemany("INSERT INTO tenant_usage VALUES (?, ?, ?, ?)", [
        (iso(t), h, tenant, round(rng.uniform(5, 15), 1))
        for _, t in minutes(5) for h in SERVICES["api"] for tenant in TENANTS])


def _errors(db: sqlite3.Connection, rng: random.Random, service: str, hosts: list[str], message: str,
            per_minute: int = 6) -> None:
    rows = [(iso(t + timedelta(seconds=rng.randint(0, 59))), service, rng.choice(hosts), message)
            for m, t in minutes() if t >= INCIDENT for _ in range(per_minute)]
    db.executemany("INSERT INTO error_log VALUES (?, ?, ?, ?)", rows)


def plant_bad_deploy(db: sqlite3.Connection, rng: random.Random) -> None:
    db.execute("INSERT INTO deployments VALUES ('D-3107', 'api', '4.2.0', '2024-06-01 09:57:00', 'jonas', "
               "'Checkout handler refactor')")
    _errors(db, rng, "api", SERVICES["api"], "NullPointerException in CheckoutHandler.submit (api 4.2.0)")


def plant_config_change(db: sqlite3.Connection, rng: random.Random) -> None:
    db.execute("INSERT INTO config_changes VALUES ('C-882', '2024-06-01 09:58:00', 'api', 'upstream.timeout_ms', "
               "'30000', '300', 'jonas', NULL)")
    _errors(db, rng, "api", SERVICES["api"], "upstream request timed out after 300 ms")


def plant_dependency_outage(db: sqlite3.Connection, rng: random.Random) -> None:
    db.execute("UPDATE dependency_health SET status = 'down', error_rate = 0.92, p99_ms = 30000 "
               "WHERE dependency = 'ledger-db' AND ts >= ?", (SINCE,))
    _errors(db, rng, "api", SERVICES["api"], "ledger call failed: connection refused")


def plant_disk_full(db: sqlite3.Connection, rng: random.Random) -> None:
    for m, t in minutes(5):
        if m >= 30:
            db.execute("UPDATE host_metrics SET disk_used_pct = ? WHERE host = 'db-2' AND ts = ?",
                       (min(100.0, 70 + (m - 30)), iso(t)))
    _errors(db, rng, "db", ["db-2"], "could not write to WAL: No space left on device")


def plant_cert_expiry(db: sqlite3.Connection, rng: random.Random) -> None:
    db.execute("UPDATE certificates SET not_after = '2024-06-01 09:59:00' WHERE common_name = 'payments.internal'")
    _errors(db, rng, "api", SERVICES["api"], "TLS handshake failed: x509: certificate has expired or is not yet valid")


def plant_noisy_neighbour(db: sqlite3.Connection, rng: random.Random) -> None:
    db.execute("UPDATE tenant_usage SET cpu_pct = 80 + (rowid % 7) WHERE tenant = 'batch-etl' AND host = 'api-2' "
               "AND ts >= ?", (SINCE,))
    db.execute("UPDATE host_metrics SET cpu_pct = 97, steal_pct = 35 WHERE host = 'api-2' AND ts >= ?", (SINCE,))
    _errors(db, rng, "api", ["api-2"], "request deadline exceeded (queued 2.1 s)", per_minute=3)


def plant_dns(db: sqlite3.Connection, rng: random.Random) -> None:
    db.execute("UPDATE dns_queries SET servfail = queries * 3 / 5 WHERE resolver = '10.0.0.53' AND ts >= ?", (SINCE,))
    _errors(db, rng, "api", SERVICES["api"], "lookup ledger.internal: server misbehaving")


def plant_rate_limit(db: sqlite3.Connection, rng: random.Random) -> None:
    db.execute("UPDATE rate_limits SET throttled = requests * 2 / 5 WHERE client = 'mobile-app' "
               "AND endpoint = '/v1/orders' AND ts >= ?", (SINCE,))
    _errors(db, rng, "api", SERVICES["api"], "429 Too Many Requests returned to client", per_minute=2)


PLANTS: dict[str, Callable[[sqlite3.Connection, random.Random], None]] = {
    "bad_deploy": plant_bad_deploy, "config_change": plant_config_change,
    "dependency_outage": plant_dependency_outage, "disk_full": plant_disk_full,
    "cert_expiry": plant_cert_expiry, "noisy_neighbour": plant_noisy_neighbour, "dns": plant_dns,
    "rate_limit": plant_rate_limit,
}


def build(path: Path, kind: str, seed: int = 7) -> Path:
    """Writes the database of incident `kind` at `path` (replacing it); deterministic per seed."""
    if kind not in PLANTS:
        raise ValueError(f"unknown incident kind {kind!r}: {', '.join(KINDS)}")
    rng = random.Random(f"{seed}:{kind}")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)
    db = sqlite3.connect(path)
    db.executescript(SCHEMA)
    background(db, rng)
    PLANTS[kind](db, rng)
    db.commit()
    db.close()
    return path
