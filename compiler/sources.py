"""The files a source consists of, for the bundle manifest: a skill folder's files (not
hidden ones, not `__pycache__` or `node_modules`), or the one runbook file, plus the
bundled scripts it uses; each with its path relative to the source folder, sha256 and size.

A file is hashed once while it stays the same: its digest is remembered under its
resolved path and `stat` signature (size, modification and change times, inode), so
compiling a large skill folder again (a library build, `skc compile` of many sources,
a benchmark round) reads only the files that changed. As in git's index, a file changed
in the last two seconds is not remembered: a later write within the file system's
timestamp granularity could keep the same signature.
"""

from __future__ import annotations

import hashlib
import os
import stat
import time
from collections.abc import Iterable
from pathlib import Path

from skc.compiler.manifest import SourceFile


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


_Signature = tuple[int, int, int, int]  # size, mtime_ns, ctime_ns, inode
_DIGESTS: dict[str, tuple[_Signature, str]] = {}
_DIGESTS_MAX = 65536
_SETTLED_NS = 2_000_000_000  # a file unchanged this long is remembered


def _digest(path: str, st: os.stat_result) -> str:
    """The sha256 of the file at `path` whose `stat` is `st` (read again only when it changed)."""
    sig = (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)
    known = _DIGESTS.get(path)
    if known is not None and known[0] == sig:
        return known[1]
    with open(path, "rb") as f:
        digest = sha256(f.read())
    if time.time_ns() - max(st.st_mtime_ns, st.st_ctime_ns) > _SETTLED_NS:
        if len(_DIGESTS) >= _DIGESTS_MAX:
            _DIGESTS.clear()
        _DIGESTS[path] = (sig, digest)
    return digest


def _source_file(f: Path, root: Path) -> SourceFile:
    st = os.stat(f)
    rel = f.relative_to(root).as_posix() if f.is_relative_to(root) else str(f)
    return SourceFile.model_construct(path=rel, sha256=_digest(str(f), st), size=st.st_size)


_SKIPPED_DIRS = ("__pycache__", "node_modules")


def _walk_files(root: str, limit: int) -> list[tuple[str, os.DirEntry[str]]]:
    """The first `limit` files under `root` in sorted path order, as (path relative to `root`,
    its directory entry), never descending into hidden folders, `__pycache__` or
    `node_modules` (a `.git` or `node_modules` is not even listed) nor into symbolic links
    to folders (they may point anywhere, or at themselves): `os.walk`'s rules, with the
    entries `os.scandir` gives (a file's type comes with its name, its `stat` is one call)."""
    found: list[tuple[list[str], str, os.DirEntry[str]]] = []
    folders = [("", root)]
    while folders:
        rel, top = folders.pop()
        try:
            with os.scandir(top) as it:
                entries = list(it)
        except OSError:
            continue
        for entry in entries:
            name = entry.name
            try:
                is_dir = entry.is_dir()
            except OSError:
                is_dir = False
            path = f"{rel}/{name}" if rel else name
            if is_dir:
                if not name.startswith(".") and name not in _SKIPPED_DIRS and not entry.is_symlink():
                    folders.append((path, entry.path))
            elif not name.startswith(".") and _is_file(entry):
                found.append((path.split("/"), path, entry))
    found.sort(key=lambda f: f[0])
    return [(path, entry) for _, path, entry in found[:limit]]


def _is_file(entry: os.DirEntry[str]) -> bool:
    """`Path.is_file` of the entry's path (a link counts as what it points at)."""
    try:
        return entry.is_file()
    except OSError:
        return False


def _folder_file(rel: str, entry: os.DirEntry[str], real_root: Path) -> SourceFile:
    """A file found under a folder whose own resolution is `real_root`: the walk descends into
    no linked folder, so only a linked file itself needs resolving."""
    try:
        linked = entry.is_symlink()
    except OSError:
        linked = True
    if linked:
        return _source_file(Path(entry.path).resolve(), real_root)
    st = entry.stat()
    return SourceFile.model_construct(path=rel, sha256=_digest(os.path.join(real_root, rel), st), size=st.st_size)


def source_files(path: str | Path, extra: Iterable[str | Path] = (), limit: int = 5000) -> list[SourceFile]:
    """The files a source consists of: a skill folder's files (not hidden ones), or the one file;
    plus `extra` files it uses (bundled scripts), named relative to the source's folder."""
    path = Path(path)
    extra = list(extra)
    if path.is_file() and path.name != "SKILL.md":
        root = path.parent
        try:
            st = os.lstat(path)
        except OSError:
            st = None
        if not extra and st is not None and not stat.S_ISLNK(st.st_mode):
            # one runbook that is no link: named by itself, whatever links the folders above take
            return [SourceFile.model_construct(path=path.name, sha256=_digest(str(path), st), size=st.st_size)]
        real_root = root.resolve()
        found = [_source_file(path.resolve(), real_root)]
    else:
        root = path.parent if path.is_file() else path
        real_root = root.resolve()
        found = [_folder_file(rel, entry, real_root) for rel, entry in _walk_files(str(root), limit)]
    known = {s.path for s in found}
    for f in sorted({Path(e).resolve() for e in extra}):
        if (sf := _source_file(f, real_root)).path not in known:
            found.append(sf)
    return sorted(found, key=lambda s: s.path)
