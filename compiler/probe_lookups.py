"""The file-system lookups an environment probe makes, remembered while what they looked at
is unchanged.

Every compile without `--env` probes this machine (`environment.probe_environment`), asking
the same few questions each time: where a program is on PATH (`which`, remembered while no
folder on PATH changes: `path_stamp`), whether a credential file or GPU device node exists
(`Listings`, answered from remembered folder listings), and which sqlite files a skill folder
holds (`sqlite_names`). A folder's answer is remembered once it has been unchanged for a
while (`_SETTLED_NS`), as `sources.py` does for file digests.
"""

from __future__ import annotations

import os
import shutil
import stat
import time
from functools import lru_cache
from pathlib import Path

SQLITE_SUFFIXES = (".db", ".sqlite", ".sqlite3")

_Listing = tuple[tuple[int, int, int], frozenset[str]]  # (mtime_ns, inode, device), the names in the folder
_FOLDERS: dict[str, _Listing] = {}  # folder -> its listing, while it is unchanged (see `Listings`)


class Listings:
    """`os.path.exists` for the few fixed files every probe asks about (credential files, GPU
    device nodes), answered mostly from remembered folder listings.

    A name absent from its folder's listing does not exist; a folder's listing is remembered
    while the folder's modification time, inode and device stay the same (adding, removing or
    renaming an entry changes the time) and once it is settled (`_SETTLED_NS`), as `_WHICH`
    remembers PATH lookups. Only the folders on the way to a file that are there are looked
    at (`~`, then `~/.config` when it exists, ...), and a file that is listed is checked by
    `os.path.exists` itself (a dangling link is listed but does not exist). Fourteen failing
    `exists` calls per compile become two or three `stat`s. One instance serves one probe."""

    def __init__(self) -> None:
        self.seen: dict[str, frozenset[str] | None] = {}

    def exists(self, path: str) -> bool:
        folder, name = _split(path)
        if not folder:
            return os.path.exists(path)
        names = self.names(folder)
        if names is None:  # a folder that cannot be listed: ask about the file itself
            return os.path.exists(path)
        return name in names and os.path.exists(path)

    def names(self, folder: str) -> frozenset[str] | None:
        """The names in `folder`, an empty set when it is not there, None when unlistable."""
        if folder in self.seen:
            return self.seen[folder]
        parent, name = os.path.split(folder)
        listing: frozenset[str] | None = frozenset()
        up = self.names(parent) if name and parent != folder else None
        if up is None or name in up or name in (".", ".."):
            listing = _listing(folder)
        self.seen[folder] = listing
        return listing


@lru_cache(maxsize=256)
def _split(path: str) -> tuple[str, str]:
    """(folder, name) of an absolute path that ends in a name; ("", "") for another path
    (asked for the same few paths, under $HOME and /dev, by every probe)."""
    folder, name = os.path.split(path)
    if not os.path.isabs(path) or name in ("", ".", ".."):
        return "", ""
    return folder, name


def _listing(folder: str) -> frozenset[str] | None:
    """`folder`'s names (remembered while it is unchanged); empty when it is no folder, None
    when it is one that cannot be listed."""
    try:
        st = os.stat(folder)
    except OSError:
        return frozenset()
    if not stat.S_ISDIR(st.st_mode):
        return frozenset()
    sig = (st.st_mtime_ns, st.st_ino, st.st_dev)
    known = _FOLDERS.get(folder)
    if known is not None and known[0] == sig:
        return known[1]
    try:
        names = frozenset(os.listdir(folder))
    except OSError:
        return None
    if time.time_ns() - st.st_mtime_ns > _SETTLED_NS:
        if len(_FOLDERS) >= _LISTINGS_MAX:
            _FOLDERS.clear()
        _FOLDERS[folder] = (sig, names)
    return names


_LISTINGS: dict[str, tuple[int, tuple[str, ...]]] = {}  # folder -> (its mtime, the sqlite-looking names in it)
_LISTINGS_MAX = 4096
_SETTLED_NS = 2_000_000_000  # a folder unchanged this long is remembered (as `sources.py` does for files)


def sqlite_names(folder: str) -> tuple[str, ...]:
    """The names in `folder` that end like a sqlite file (`OSError` when it cannot be listed).

    Every compile looks in its source's folder, often one of a hundred runbooks: the names are
    remembered while the folder's modification time stays the same (adding, removing or
    renaming an entry changes it), as `which` remembers PATH lookups."""
    mtime = os.stat(folder).st_mtime_ns
    known = _LISTINGS.get(folder)
    if known is not None and known[0] == mtime:
        return known[1]
    names = tuple(n for n in os.listdir(folder) if n.endswith(SQLITE_SUFFIXES))
    if time.time_ns() - mtime > _SETTLED_NS:
        if len(_LISTINGS) >= _LISTINGS_MAX:
            _LISTINGS.clear()
        _LISTINGS[folder] = (mtime, names)
    return names


_WHICH: dict[tuple[str, str, tuple[int, ...]], str | None] = {}


def path_stamp(path: str) -> tuple[int, ...]:
    """The modification times of the folders on `path` (-1 for one that is missing), each
    folder once: a program added to or removed from a folder changes that folder's time."""
    stamp = []
    for d in dict.fromkeys(path.split(os.pathsep)):
        try:
            stamp.append(os.stat(d or ".").st_mtime_ns)
        except OSError:
            stamp.append(-1)
    return tuple(stamp)


def which(name: str, path: str, stamp: tuple[int, ...]) -> str | None:
    """`shutil.which(name, path=path)`, remembered while no folder on `path` changes (every
    compile probes the same few programs over every PATH folder)."""
    key = (name, path, stamp)
    if key not in _WHICH:
        if len(_WHICH) >= 4096:
            _WHICH.clear()
        where = shutil.which(name, path=path)
        _WHICH[key] = str(Path(where)) if where is not None and os.path.isabs(where) else where
    return _WHICH[key]
