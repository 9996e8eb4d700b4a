"""Variants of the incident database with other planted causes, for repeated runs of the runbook.

    python examples/runbooks/incident_variants.py build/variants    # one .db per variant

Each variant is `make_incident_db.build(path, seed)` plus a few SQL edits, so the
checkout-latency runbook's evidence lands in a different category:

    deployment      the original: checkout 2.14.0 shipped a 5-connection pool (seed varies the noise)
    dependency      as above, and redis-cache in eu-west-1 degrades from 14:05 (error rate 5%)
    infrastructure  no deployment D-1042 on record, and every eu-west-1 checkout host runs hot
    unknown         no deployment D-1042 on record, and nothing else to blame

The JIT benchmark and the slow JIT test run the runbook over these, so its decision
step sees more than one kind of diagnosis.
"""

from __future__ import annotations

import argparse
import importlib.util
import sqlite3
from pathlib import Path

HERE = Path(__file__).resolve().parent
INCIDENT = "2024-05-14 14:05:00"

EDITS: dict[str, list[str]] = {
    "deployment": [],
    "dependency": [f"UPDATE dependency_health SET error_rate = 0.05, p99_ms = p99_ms * 4, status = 'degraded' "
                   f"WHERE dependency = 'redis-cache' AND region = 'eu-west-1' AND ts >= '{INCIDENT}'"],
    "infrastructure": ["DELETE FROM deployments WHERE id = 'D-1042'",
                       f"UPDATE host_metrics SET cpu_pct = 95.5 WHERE region = 'eu-west-1' AND ts >= '{INCIDENT}'"],
    "unknown": ["DELETE FROM deployments WHERE id = 'D-1042'"],
}


def _base_builder() -> object:
    spec = importlib.util.spec_from_file_location("make_incident_db", HERE / "make_incident_db.py")
    assert spec is not None
    assert spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def build_variant(path: Path, cause: str, seed: int = 1405) -> Path:
    """The database with `cause` planted (a key of EDITS), written at `path`."""
    _base_builder().build(path, seed)  # type: ignore[attr-defined]
    conn = sqlite3.connect(path)
    with conn:
        for sql in EDITS[cause]:
            conn.execute(sql)
    conn.close()
    return path


def build_all(folder: Path, seeds: tuple[int, ...] = (1405,)) -> list[tuple[str, int, Path]]:
    """Every variant for every seed: (cause, seed, path)."""
    folder.mkdir(parents=True, exist_ok=True)
    return [(cause, seed, build_variant(folder / f"{cause}-{seed}.db", cause, seed))
            for seed in seeds for cause in EDITS]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", nargs="?", default="build/variants")
    parser.add_argument("--seed", type=int, action="append")
    args = parser.parse_args()
    for cause, seed, path in build_all(Path(args.folder), tuple(args.seed or [1405])):
        print(f"{cause:15} {seed:6} {path}")


if __name__ == "__main__":
    main()
