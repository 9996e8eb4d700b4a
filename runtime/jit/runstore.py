"""Where a JIT profile lives: in the run store, never in the bundle that runs.

    <runs dir>/jit/<store id>/profile.sqlite

A compiled bundle does not change when it is run: what the JIT learns goes to the
run store beside the runs, one profile per bundle (or source) per runs directory.
The store id is the workflow's name plus a hash of the bundle's (or source's)
absolute path, so runs of one bundle share a profile, and a bundle recompiled in
place keeps learning where it left off. `skc recompile` (or `run --recompile`) is
the only writer of a bundle: it copies the profile into `<bundle>/jit/` with the
solidified ops, and a bundle that carries a profile seeds its store on first use
(under a file lock, written then renamed, so concurrent first runs copy it once).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path

BUNDLE_PROFILE = Path("jit") / "profile.sqlite"  # a bundle's own copy, written only by recompile
PROFILE_NAME = "profile.sqlite"
JIT_DIR = "jit"  # under the runs directory; not a run (it has no run.json)


def store_id(source: str | Path | None, name: str) -> str:
    """`<workflow>-<hash of the source's absolute path>`, or the workflow's name for a Module."""
    safe = re.sub(r"[^A-Za-z0-9_.-]+", "_", name or "workflow")[:60] or "workflow"
    if source is None:
        return safe
    digest = hashlib.sha256(str(Path(source).resolve()).encode()).hexdigest()[:12]
    return f"{safe}-{digest}"


def profile_path(runs: str | Path, source: str | Path | None, name: str) -> Path:
    """The JIT profile of `source`'s workflow `name` in the run store `runs`."""
    return Path(runs).resolve() / JIT_DIR / store_id(source, name) / PROFILE_NAME


def bundle_profile(source: str | Path | None) -> Path | None:
    """The profile a bundle directory carries (from `skc recompile`), if any."""
    if source is None:
        return None
    path = Path(source) / BUNDLE_PROFILE
    return path if path.is_file() else None


@contextlib.contextmanager
def file_lock(path: Path) -> Iterator[None]:
    """An exclusive lock between processes on `path` (created if needed); a no-op without fcntl."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+b") as f:
        try:
            import fcntl
        except ImportError:  # not POSIX: sqlite's own locking still keeps the profile consistent
            yield
            return
        fcntl.flock(f.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f.fileno(), fcntl.LOCK_UN)


def copy_profile(src: Path, dest: Path) -> None:
    """A consistent copy of a live SQLite profile (the backup API, not a copy of its WAL files),
    written beside `dest` and renamed into place."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(f".{dest.name}.{os.getpid()}.tmp")
    a, b = sqlite3.connect(str(src)), sqlite3.connect(str(tmp))
    try:
        a.backup(b)
    finally:
        a.close()
        b.close()
    os.replace(tmp, dest)


def prepare_profile(runs: str | Path, source: str | Path | None, name: str) -> Path:
    """The run store's profile for `source`, seeded from the bundle's own copy the first time."""
    path = profile_path(runs, source, name)
    seed = bundle_profile(source)
    if seed is not None and not path.exists():
        with file_lock(path.with_name(".lock")):
            if not path.exists():
                copy_profile(seed, path)
    return path


def source_path(source: object) -> Path | None:
    """The path a run's source names (None for a Module given from Python)."""
    return Path(source) if isinstance(source, str | Path) else None
