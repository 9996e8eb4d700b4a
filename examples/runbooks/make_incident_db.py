"""Generates the incident database the checkout-latency runbook diagnoses.

    python examples/runbooks/make_incident_db.py build/incidents.db [--seed 1405]

Deterministic: the same seed gives a byte-identical file. Three hours of a shop's
telemetry (2024-05-14 12:00-15:00 UTC) in SQLite:

    requests           per-request logs: ts, service, version, region, host, endpoint,
                       latency_ms, status
    deployments        who shipped which version of what, where and when
    config_changes     runtime configuration changes, linked to a deployment when
                       they shipped with one
    dependency_health  per-minute p99 latency and error rate of each downstream
                       dependency, per region
    host_metrics       per-host CPU and memory, every 5 minutes
    alerts             what paged

The planted root cause: at 14:02 `checkout` 2.14.0 was deployed to eu-west-1 only,
and it shipped `db.pool.max_connections` 50 -> 5 (CHK-4821). From 14:05 checkout
requests served by 2.14.0 in eu-west-1 queue for database connections: p95 goes
from ~200 ms to ~2.5 s and some time out (504). Red herrings: a payments-gateway
brown-out in us-east-1 at 12:40-12:55 (before the incident, resolved), a `search`
deployment to eu-west-1 at 13:58, a harmless checkout feature-flag change in
us-east-1 at 13:30, a CPU spike on a us-east-1 host at 14:20, and a slightly
slower redis in eu-west-1 that stays healthy, and a cart-rounding config change in
ap-south-1 at 13:45 that touches no latency.
"""

from __future__ import annotations

import argparse
import os
import random
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

START = datetime(2024, 5, 14, 12, 0, tzinfo=UTC)
MINUTES = 180
INCIDENT = START + timedelta(hours=2, minutes=5)  # 14:05
REGIONS = {"us-east-1": 3, "eu-west-1": 3, "ap-south-1": 2}  # region -> checkout hosts
ENDPOINTS = [("/cart", 0.45), ("/checkout", 0.35), ("/checkout/confirm", 0.20)]
DEPENDENCIES = ["payments-gateway", "inventory-db", "redis-cache", "fraud-api"]

SCHEMA = """
CREATE TABLE requests (id INTEGER PRIMARY KEY, ts TEXT NOT NULL, service TEXT NOT NULL, version TEXT NOT NULL,
                       region TEXT NOT NULL, host TEXT NOT NULL, endpoint TEXT NOT NULL,
                       latency_ms REAL NOT NULL, status INTEGER NOT NULL);
CREATE INDEX requests_by_service_ts ON requests(service, ts);
CREATE TABLE deployments (id TEXT PRIMARY KEY, service TEXT NOT NULL, version TEXT NOT NULL, region TEXT NOT NULL,
                          started_at TEXT NOT NULL, finished_at TEXT NOT NULL, author TEXT NOT NULL,
                          status TEXT NOT NULL, summary TEXT NOT NULL);
CREATE TABLE config_changes (id TEXT PRIMARY KEY, ts TEXT NOT NULL, service TEXT NOT NULL, region TEXT NOT NULL,
                             key TEXT NOT NULL, old_value TEXT NOT NULL, new_value TEXT NOT NULL,
                             author TEXT NOT NULL, ticket TEXT NOT NULL, deployment_id TEXT);
CREATE TABLE dependency_health (ts TEXT NOT NULL, dependency TEXT NOT NULL, region TEXT NOT NULL,
                                p99_ms REAL NOT NULL, error_rate REAL NOT NULL, status TEXT NOT NULL);
CREATE TABLE host_metrics (ts TEXT NOT NULL, host TEXT NOT NULL, region TEXT NOT NULL,
                           cpu_pct REAL NOT NULL, mem_pct REAL NOT NULL);
CREATE TABLE alerts (id TEXT PRIMARY KEY, ts TEXT NOT NULL, name TEXT NOT NULL, severity TEXT NOT NULL,
                     service TEXT NOT NULL, region TEXT NOT NULL, summary TEXT NOT NULL);
"""


def iso(t: datetime) -> str:
    return t.strftime("%Y-%m-%d %H:%M:%S")


def checkout_version(region: str, t: datetime) -> str:
    return "2.14.0" if region == "eu-west-1" and t >= INCIDENT else "2.13.2"


def requests(rng: random.Random) -> list[tuple]:
    rows = []
    for minute in range(MINUTES):
        t0 = START + timedelta(minutes=minute)
        for region, hosts in REGIONS.items():
            per_minute = {"us-east-1": 60, "eu-west-1": 45, "ap-south-1": 25}[region]
            for _ in range(per_minute + rng.randint(-5, 5)):
                t = t0 + timedelta(seconds=rng.uniform(0, 59.9))
                host = f"checkout-{region}-{rng.randrange(hosts) + 1}"
                endpoint = rng.choices([e for e, _ in ENDPOINTS], [w for _, w in ENDPOINTS])[0]
                version = checkout_version(region, t)
                base = {"/cart": 70.0, "/checkout": 140.0, "/checkout/confirm": 190.0}[endpoint]
                latency = rng.lognormvariate(0, 0.35) * base
                status = 500 if rng.random() < 0.002 else 200
                if region == "us-east-1" and 40 <= minute < 55 and endpoint == "/checkout/confirm":
                    latency += rng.uniform(150, 500)  # payments brown-out: confirm calls payments
                if region == "eu-west-1":
                    latency *= 1.04  # redis there is a little slower, all afternoon
                if version == "2.14.0":
                    latency += rng.uniform(1400, 3200)  # waiting for one of 5 pooled connections
                    if rng.random() < 0.03:
                        latency, status = 5000.0, 504
                if region == "us-east-1" and 140 <= minute < 146 and host.endswith("-2"):
                    latency *= 1.25  # CPU spike on one host
                rows.append((iso(t), "checkout", version, region, host, endpoint, round(latency, 1), status))
        # a little traffic of other services, so `service = 'checkout'` is a real filter
        for region in REGIONS:
            for _ in range(6):
                t = t0 + timedelta(seconds=rng.uniform(0, 59.9))
                version = "5.1.0" if region == "eu-west-1" and t >= START + timedelta(minutes=118) else "5.0.4"
                rows.append((iso(t), "search", version, region, f"search-{region}-1", "/search",
                             round(rng.lognormvariate(0, 0.3) * 60, 1), 200))
    rows.sort(key=lambda r: r[0])
    return rows


DEPLOYMENTS = [
    ("D-1031", "checkout", "2.13.2", "us-east-1", "2024-05-13 16:10:00", "2024-05-13 16:14:00", "amir", "succeeded",
     "Retry budget for payment confirmation"),
    ("D-1032", "checkout", "2.13.2", "eu-west-1", "2024-05-13 16:20:00", "2024-05-13 16:24:00", "amir", "succeeded",
     "Retry budget for payment confirmation"),
    ("D-1033", "checkout", "2.13.2", "ap-south-1", "2024-05-13 16:30:00", "2024-05-13 16:33:00", "amir", "succeeded",
     "Retry budget for payment confirmation"),
    ("D-1039", "inventory", "8.2.1", "us-east-1", "2024-05-14 11:20:00", "2024-05-14 11:26:00", "li", "succeeded",
     "Stock reservation TTL metrics"),
    ("D-1041", "search", "5.1.0", "eu-west-1", "2024-05-14 13:55:00", "2024-05-14 13:58:00", "sofia", "succeeded",
     "Synonym dictionary refresh"),
    ("D-1042", "checkout", "2.14.0", "eu-west-1", "2024-05-14 14:02:00", "2024-05-14 14:05:00", "jonas", "succeeded",
     "Connection pool settings moved to runtime config"),
]

CONFIG_CHANGES = [
    ("C-7710", "2024-05-14 13:30:00", "checkout", "us-east-1", "feature.recommendations", "true", "false", "maya",
     "CHK-4790", None),
    ("C-7712", "2024-05-14 13:57:00", "search", "eu-west-1", "synonyms.version", "41", "42", "sofia", "SRCH-311",
     "D-1041"),
    ("C-7715", "2024-05-14 14:03:00", "checkout", "eu-west-1", "db.pool.max_connections", "50", "5", "jonas",
     "CHK-4821", "D-1042"),
    ("C-7716", "2024-05-14 13:45:00", "checkout", "ap-south-1", "cart.rounding", "half_even", "half_up", "jonas",
     "CHK-4822", None),
]


def dependency_health(rng: random.Random) -> list[tuple]:
    rows = []
    base = {"payments-gateway": 180.0, "inventory-db": 25.0, "redis-cache": 3.0, "fraud-api": 95.0}
    for minute in range(MINUTES):
        t = START + timedelta(minutes=minute)
        for region in REGIONS:
            for dep in DEPENDENCIES:
                p99 = base[dep] * rng.uniform(0.85, 1.2)
                err = rng.uniform(0, 0.002)
                if dep == "payments-gateway" and region == "us-east-1" and 40 <= minute < 55:
                    p99, err = p99 * 4.5, rng.uniform(0.03, 0.08)
                if dep == "redis-cache" and region == "eu-west-1":
                    p99 *= 1.3
                status = "degraded" if err > 0.02 or p99 > 3 * base[dep] else "healthy"
                rows.append((iso(t), dep, region, round(p99, 1), round(err, 4), status))
    return rows


def host_metrics(rng: random.Random) -> list[tuple]:
    rows = []
    for minute in range(0, MINUTES, 5):
        t = START + timedelta(minutes=minute)
        for region, hosts in REGIONS.items():
            for h in range(1, hosts + 1):
                host = f"checkout-{region}-{h}"
                cpu = rng.uniform(25, 45)
                if region == "us-east-1" and h == 2 and 140 <= minute < 146:
                    cpu = rng.uniform(91, 97)
                if region == "eu-west-1" and minute >= 125:
                    cpu = rng.uniform(18, 30)  # threads blocked on the pool: the CPU idles
                rows.append((iso(t), host, region, round(cpu, 1), round(rng.uniform(55, 70), 1)))
    return rows


ALERTS = [
    ("A-501", "2024-05-14 12:43:00", "PaymentsGatewayLatency", "warning", "payments-gateway", "us-east-1",
     "payments-gateway p99 above 600 ms for 3 minutes (resolved 12:56)"),
    ("A-502", "2024-05-14 14:20:00", "HostCPUHigh", "info", "checkout", "us-east-1",
     "checkout-us-east-1-2 CPU above 90% (resolved 14:26)"),
    ("A-503", "2024-05-14 14:12:00", "CheckoutLatencyHigh", "critical", "checkout", "eu-west-1",
     "checkout p95 latency above 1000 ms for 5 minutes"),
]


def build(path: Path, seed: int = 1405) -> Path:
    """Writes the database at `path` (replacing it) and returns the path."""
    rng = random.Random(seed)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.unlink(missing_ok=True)
    conn = sqlite3.connect(tmp)
    conn.executescript(SCHEMA)
    conn.executemany("INSERT INTO requests (ts, service, version, region, host, endpoint, latency_ms, status) "
                     "VALUES (?, ?, ?, ?, ?, ?, ?, ?)", requests(rng))
    conn.executemany("INSERT INTO deployments VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", DEPLOYMENTS)
    conn.executemany("INSERT INTO config_changes VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", CONFIG_CHANGES)
    conn.executemany("INSERT INTO dependency_health VALUES (?, ?, ?, ?, ?, ?)", dependency_health(rng))
    conn.executemany("INSERT INTO host_metrics VALUES (?, ?, ?, ?, ?)", host_metrics(rng))
    conn.executemany("INSERT INTO alerts VALUES (?, ?, ?, ?, ?, ?, ?)", ALERTS)
    conn.commit()
    conn.execute("VACUUM")
    conn.close()
    os.replace(tmp, path)
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", nargs="?", default="build/incidents.db")
    parser.add_argument("--seed", type=int, default=1405)
    args = parser.parse_args()
    print(build(Path(args.path), args.seed))


if __name__ == "__main__":
    main()
