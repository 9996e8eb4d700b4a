"""Opening a library: a compiled library bundle, or a plain folder of skills routed on the fly.

`load_library(path)` returns a `Library` (cards, router, manifest when compiled).
A library bundle is a directory holding `library.json` (see `build`); any other
folder is searched for skills (see `discover`) and their cards are read without
compiling them, so `skc route ~/.claude/skills --task ...` works before any
`skc compile`. A path with no skill below it is SKC193.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from skc.compiler.library.build import LIBRARY_FILE, ROUTER_FILE, LibraryManifest, SkillEntry
from skc.compiler.library.card import SkillCard, read_card
from skc.compiler.library.discover import find_skills
from skc.compiler.library.router import Router
from skc.ir.location import Diagnostic, DiagnosticError, Location


@dataclass
class Library:
    """A set of routable skills: their cards, the router over them, and (compiled) their entries."""

    path: Path
    cards: list[SkillCard]
    router: Router
    manifest: LibraryManifest | None = None

    def entry(self, skill_id: str) -> SkillEntry | None:
        """The compiled entry of a skill (None for a folder routed on the fly)."""
        if self.manifest is None:
            return None
        return next((e for e in self.manifest.skills if e.id == skill_id), None)

    def source(self, skill_id: str) -> Path:
        """The skill's folder (compiled libraries remember where each skill came from)."""
        entry = self.entry(skill_id)
        if entry is not None:
            return Path(entry.source)
        card = next(c for c in self.cards if c.id == skill_id)
        return (self.path / card.path) if card.path != "." else self.path

    def card(self, skill_id: str) -> SkillCard:
        return next(c for c in self.cards if c.id == skill_id)


def is_library_bundle(path: str | Path) -> bool:
    """Whether `path` is a compiled library bundle (a directory with library.json)."""
    return (Path(path) / LIBRARY_FILE).is_file()


def is_library(path: str | Path) -> bool:
    """Whether `path` stands for a library: a library bundle, or a folder with skills below it that is
    not itself a skill."""
    p = Path(path)
    if is_library_bundle(p):
        return True
    if not p.is_dir() or (p / "SKILL.md").is_file() or (p / "manifest.json").is_file():  # a skill or a bundle
        return False
    return bool(find_skills(p, limit=1))


def load_library(path: str | Path) -> Library:
    """The library at `path` (bundle or folder); raises DiagnosticError (SKC193) when there is none."""
    p = Path(path)
    where = Location(str(p), 1, 1)
    if is_library_bundle(p):
        try:
            manifest = LibraryManifest.model_validate_json((p / LIBRARY_FILE).read_bytes())
            cards = [SkillCard.from_json(c) for c in json.loads((p / ROUTER_FILE).read_text(encoding="utf-8"))]
        except (OSError, ValueError, KeyError, TypeError) as e:
            raise DiagnosticError([Diagnostic("SKC193", where, f"cannot read the library bundle: {e}",
                                              "recompile it with `skc compile SKILLS_DIR -o LIB.skb`")]) from None
        return Library(p, cards, Router(cards), manifest)
    folders = find_skills(p) if p.is_dir() else []
    if not folders:
        raise DiagnosticError([Diagnostic("SKC193", where, "no skill (SKILL.md) below this path",
                                          "give a folder of skills or a library bundle")])
    diags: list[Diagnostic] = []
    cards = [read_card(f, p, diags) for f in folders]
    seen: set[str] = set()
    for i, c in enumerate(cards):
        if c.id in seen:
            cards[i] = SkillCard(**{**c.__dict__, "id": c.id + "~"})
        seen.add(cards[i].id)
    return Library(p, cards, Router(cards))
