"""The files a source consists of, for the bundle manifest: a skill folder's files (not
hidden ones, not `__pycache__` or `node_modules`), or the one runbook file, plus the
bundled scripts it uses; each with its path relative to the source folder, sha256 and size."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable
from pathlib import Path

from skc.compiler.manifest import SourceFile


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _source_file(f: Path, root: Path) -> SourceFile:
    data = f.read_bytes()
    rel = f.relative_to(root).as_posix() if f.is_relative_to(root) else str(f)
    return SourceFile(path=rel, sha256=sha256(data), size=len(data))


_SKIPPED_DIRS = ("__pycache__", "node_modules")


def _walk_files(root: Path, limit: int) -> list[Path]:
    """The first `limit` files under `root` in sorted path order, never descending into hidden
    folders, `__pycache__` or `node_modules` (a `.git` or `node_modules` is not even listed) nor
    into symbolic links to folders (they may point anywhere, or at themselves)."""
    found: list[Path] = []
    for top, dirs, names in os.walk(root):
        dirs[:] = [d for d in dirs if not d.startswith(".") and d not in _SKIPPED_DIRS]
        found.extend(Path(top) / n for n in names if not n.startswith("."))
    found = sorted(f for f in found if f.is_file())
    return found[:limit]


def source_files(path: str | Path, extra: Iterable[str | Path] = (), limit: int = 5000) -> list[SourceFile]:
    """The files a source consists of: a skill folder's files (not hidden ones), or the one file;
    plus `extra` files it uses (bundled scripts), named relative to the source's folder."""
    path = Path(path)
    files: list[Path] = []
    if path.is_file() and path.name != "SKILL.md":
        root, files = path.parent, [path]
    else:
        root = path.parent if path.is_file() else path
        files = _walk_files(root, limit)
    root = root.resolve()
    found = [_source_file(f.resolve(), root) for f in files]
    known = {s.path for s in found}
    for f in sorted({Path(e).resolve() for e in extra}):
        if (sf := _source_file(f, root)).path not in known:
            found.append(sf)
    return sorted(found, key=lambda s: s.path)
