"""Bundle confinement: every path a bundle names stays inside it, and every file it runs is hashed.

`check_names(...)` and `check_scripts(...)` return the problems (as diagnostics, never
exceptions) of one bundle:

    SKC239  a path that leaves the bundle: absolute, with `..`, a backslash, or a symbolic
            link (a bundle directory holds regular files only)
    SKC240  a `tool.script` op whose path is not a hashed file of the bundle (`code/<path>`),
            or is computed at run time (`{0}`)
    SKC241  a file under `code/` or `prompts/` that the manifest does not list (unhashed)

`read_bundle` runs it before handing a bundle out (so `skc bundle verify` and every
`skc run` of a bundle do); the shell target checks a script again, on disk (links
resolved, inside the bundle, hash as listed), right before it runs.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping
from pathlib import Path, PurePosixPath

from skc.ir.dialects.tool import ScriptOp
from skc.ir.location import Diagnostic, Location
from skc.ir.module import Module

_PLACEHOLDER = re.compile(r"\{\d+\}")
_EXECUTABLE_DIRS = ("code/", "prompts/")


def bad_name(name: str) -> str:
    """Why a bundle path leaves the bundle, or ''."""
    rel = PurePosixPath(name)
    if not name or rel.is_absolute() or name.startswith("/"):
        return "is absolute"
    if ".." in rel.parts:
        return "climbs out with '..'"
    if "\\" in name or "\0" in name:
        return "holds a backslash or NUL"
    return ""


def symlinks(root: Path) -> list[str]:
    """Bundle paths under directory `root` that are symbolic links (files or folders)."""
    found = []
    for folder, dirs, files in os.walk(root, followlinks=False):
        for name in dirs + files:
            path = Path(folder) / name
            if path.is_symlink():
                found.append(path.relative_to(root).as_posix())
    return sorted(found)


def script_paths(module: Module) -> Iterable[tuple[str, Location]]:
    """The path of every `tool.script` op, with where the op is."""
    for wf in module.workflows:
        for op in wf.walk():
            if isinstance(op, ScriptOp):
                yield str(op.attributes.get("path", "")), op.loc


def check_names(where: str, root: Path | None, names: Iterable[str], manifest_files: Mapping[str, str]) -> list[Diagnostic]:
    """Links, paths that leave the bundle and unhashed code: checked before any hash or IR."""
    out: list[Diagnostic] = []
    at = Location(where, 1, 1)
    for link in symlinks(root) if root is not None and root.is_dir() else []:
        out.append(Diagnostic("SKC239", Location(f"{where}/{link}", 1, 1), f"{link} is a symbolic link",
                              "a bundle holds regular files only; recompile it"))
    for name in sorted(set(names) | set(manifest_files)):
        if why := bad_name(name):
            out.append(Diagnostic("SKC239", at, f"bundle path {name!r} {why}", "recompile the bundle"))
        elif name.startswith(_EXECUTABLE_DIRS) and name not in manifest_files:
            out.append(Diagnostic("SKC241", Location(f"{where}/{name}", 1, 1),
                                  f"{name} is not listed (hashed) in the manifest",
                                  "remove it, or recompile the bundle"))
    return out


def check_scripts(where: str, manifest_files: Mapping[str, str], module: Module) -> list[Diagnostic]:
    """`tool.script` paths that are not hashed files of the bundle."""
    out: list[Diagnostic] = []
    at = Location(where, 1, 1)
    for path, loc in script_paths(module):
        rel = path.removeprefix("./")
        if _PLACEHOLDER.search(path):
            why = "is computed at run time"
        elif bad_name(rel):
            why = bad_name(rel)
        elif f"code/{rel}" not in manifest_files:
            why = f"is not a hashed file of the bundle (code/{rel})"
        else:
            continue
        out.append(Diagnostic("SKC240", loc if loc.file else at, f"script path {path!r} {why}",
                              "a bundle runs only the scripts it holds; recompile it"))
    return out
