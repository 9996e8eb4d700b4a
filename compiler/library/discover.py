"""Finding the skills under a folder: every directory holding a SKILL.md, at any depth.

Covers the layouts people keep skills in: `~/.claude/skills/*/SKILL.md`,
`.codex/skills`, `.agents/skills`, repositories with nested plugins
(`plugins/*/skills/*/SKILL.md`) and symlinked skill folders. Symlinks are followed,
but each real directory is visited once, so a link loop ends the walk of that
branch instead of hanging it. Version-control and dependency folders and compiled
bundles (`*.skb`) are not entered. A lowercase `skill.md` counts too.
"""

from __future__ import annotations

import os
from pathlib import Path

SKIP_DIRS = frozenset({".git", ".hg", ".svn", "node_modules", ".venv", "venv", "__pycache__", ".tox",
                       ".mypy_cache", ".ruff_cache", ".pytest_cache", ".skc", "site-packages"})
SKILL_FILES = ("SKILL.md", "skill.md")


def is_skill(folder: Path) -> bool:
    """Whether `folder` holds a SKILL.md (or skill.md) file."""
    return any((folder / name).is_file() for name in SKILL_FILES)


def find_skills(root: str | Path, limit: int = 100_000) -> list[Path]:
    """Every skill folder below `root` (`root` itself if it is one), sorted by path, each real folder once."""
    root = Path(root)
    seen: set[str] = set()
    found: list[Path] = []
    stack = [root]
    while stack and len(found) < limit:
        folder = stack.pop()
        try:
            real = os.path.realpath(folder)
        except OSError:
            continue
        if real in seen:
            continue
        seen.add(real)
        if is_skill(folder):
            found.append(folder)
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name, reverse=True)
        except OSError:
            continue
        for entry in entries:
            if entry.name in SKIP_DIRS or entry.name.endswith(".skb"):
                continue
            try:
                if entry.is_dir(follow_symlinks=True):
                    stack.append(Path(entry.path))
            except OSError:
                continue
    return sorted(found, key=lambda p: p.as_posix())
