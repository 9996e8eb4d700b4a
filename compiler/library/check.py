"""`skc check` on a library: skills that can never win, and near-duplicate skills.

    SKC191  warning  a skill's own description, without its name, does not route to it, or
                     wins by less than VAGUE_RATIO over the next skill: a user's paraphrase
                     of it would lose to the skills listed (make the description say what
                     the skill does and when, in the words users use)
    SKC192  warning  two skills' routing text (name, description, when-to-use, titles) is
                     nearly the same (cosine >= DUPLICATE_COSINE): one of them will shadow
                     the other

Both are warnings located at the skill's SKILL.md line 1 (the front matter).
"""

from __future__ import annotations

import math
from pathlib import Path

from skc.compiler.check import CheckReport
from skc.compiler.library.card import SkillCard
from skc.compiler.library.discover import find_skills
from skc.compiler.library.load import Library, is_library_bundle, load_library
from skc.compiler.library.text import terms
from skc.ir.location import Diagnostic, Location

DUPLICATE_COSINE = 0.55
VAGUE_RATIO = 0.8
_ROUTING_FIELDS = ("name", "description", "when", "titles")


def _where(library: Library, card: SkillCard) -> Location:
    folder = library.source(card.id)
    name = "SKILL.md" if (folder / "SKILL.md").is_file() or not (folder / "skill.md").is_file() else "skill.md"
    return Location(str(Path(folder) / name), 1, 1)


def vague_skills(library: Library) -> list[Diagnostic]:
    """SKC191 for each skill whose description (minus its name's words) routes elsewhere."""
    out = []
    for card in library.cards:
        own = set(terms(card.name.replace("-", " ")))
        query = " ".join(w for w in card.description.split() if not set(terms(w)) & own)
        ranking = library.router.route(query)
        top = ranking.candidates
        if not top:
            continue
        if top[0].id == card.id:
            if len(top) < 2 or top[1].score < VAGUE_RATIO * top[0].score:
                continue
            why = (f"its own description wins only by {top[0].score / top[1].score:.2f}x over "
                   f"'{top[1].id}'")
        else:
            above = [c.id for c in top[:next((i for i, c in enumerate(top) if c.id == card.id), len(top))]]
            why = f"its own description routes to {', '.join(repr(a) for a in above[:3])} first"
        out.append(Diagnostic("SKC191", _where(library, card),
                              f"skill '{card.name}' is too vague to win reliably: {why}",
                              "say what the skill does, on which files, and when to use it, in the words "
                              "users use; add a 'When to use' section", "warning"))
    return out


def _vectors(cards: list[SkillCard]) -> list[dict[str, float]]:
    df: dict[str, int] = {}
    raw = []
    for card in cards:
        tf: dict[str, float] = {}
        for name in _ROUTING_FIELDS:
            for t, n in card.fields.get(name, {}).items():
                tf[t] = tf.get(t, 0.0) + n
        raw.append(tf)
        for t in tf:
            df[t] = df.get(t, 0) + 1
    n = len(cards)
    vectors = []
    for tf in raw:
        v = {t: (1 + math.log(x)) * math.log(1 + n / df[t]) for t, x in tf.items()}
        norm = math.sqrt(sum(x * x for x in v.values())) or 1.0
        vectors.append({t: x / norm for t, x in v.items()})
    return vectors


def near_duplicates(library: Library, threshold: float = DUPLICATE_COSINE) -> list[Diagnostic]:
    """SKC192 for each pair of skills whose routing text is nearly the same."""
    cards = library.cards
    vectors = _vectors(cards)
    postings: dict[str, list[tuple[int, float]]] = {}
    for i, v in enumerate(vectors):
        for t, x in v.items():
            postings.setdefault(t, []).append((i, x))
    out = []
    for i, v in enumerate(vectors):
        dots: dict[int, float] = {}
        for t, x in v.items():
            for j, y in postings[t]:
                if j > i:
                    dots[j] = dots.get(j, 0.0) + x * y
        for j, cos in sorted(dots.items()):
            if cos >= threshold:
                a, b = cards[i], cards[j]
                out.append(Diagnostic("SKC192", _where(library, a),
                                      f"skills '{a.id}' and '{b.id}' are near-duplicates (similarity {cos:.2f}): "
                                      "one will shadow the other",
                                      "merge them, or make each description say how it differs", "warning"))
    return out


def check_library(library: Library) -> list[Diagnostic]:
    """Every library-level finding: vague skills, then near-duplicates."""
    return vague_skills(library) + near_duplicates(library)


def library_reports(paths: list[str] | list[Path]) -> list[CheckReport]:
    """One `CheckReport` (kind "library") per path that is a library bundle or holds two skills or more."""
    out = []
    for p in map(Path, paths):
        if is_library_bundle(p) or (p.is_dir() and len(find_skills(p, limit=2)) > 1):
            library = load_library(p)
            out.append(CheckReport(str(p), "library", check_library(library)))
    return out
