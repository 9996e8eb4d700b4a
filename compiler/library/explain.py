"""Text for people: a ranking (`skc route`) and a library's router (`skc ir explain LIB`)."""

from __future__ import annotations

from typing import Any

from skc.compiler.library.load import Library
from skc.compiler.library.router import (
    ALSO_RATIO,
    CLOSE_RATIO,
    FIELD_WEIGHTS,
    FILE_WEIGHT,
    K1,
    B,
    Ranking,
)

TERMS_SHOWN = 8


def ranking_text(ranking: Ranking) -> str:
    """The ranking as a table: rank, skill, score and the words and file types that made it."""
    files = f"  files: {', '.join(ranking.files)}\n" if ranking.files else ""
    lines = [f"task: {ranking.task}\n{files}"]
    for n, c in enumerate(ranking.candidates, 1):
        mark = "*" if c.id in ranking.selected else " "
        lines.append(f"{mark}{n:>2}. {c.score:7.2f}  {c.id}\n       {c.reasons()}")
    if ranking.selected:
        how = "the model chose among close candidates" if ranking.decided_by == "model" else (
            "close: a model may choose (--model)" if ranking.close else "clear")
        lines.append(f"selected: {', '.join(ranking.selected)}  ({how})")
    else:
        lines.append("selected: none (no skill has any evidence for this task)")
    return "\n".join(lines) + "\n"


def distinctive_terms(library: Library, index: int, n: int = TERMS_SHOWN) -> list[tuple[str, float]]:
    """The card's `n` strongest terms in the router (the words that route tasks to it)."""
    weights = [(t, ws[ids.index(index)]) for t, (ids, ws) in library.router.postings.items() if index in ids]
    return sorted(weights, key=lambda tw: -tw[1])[:n]


def router_json(library: Library) -> dict[str, Any]:
    """The router of a library: its parameters and, per skill, its status, file types and strongest terms."""
    skills = []
    for i, card in enumerate(library.cards):
        entry = library.entry(card.id)
        skills.append({"id": card.id, "name": card.name,
                       "compiled": None if entry is None else entry.bundle is not None,
                       "inputs": [] if entry is None else entry.inputs,
                       "file_types": card.file_types,
                       "terms": [[t, round(w, 3)] for t, w in distinctive_terms(library, i)]})
    return {"library": str(library.path), "skills": skills,
            "router": {"scoring": "bm25f", "field_weights": FIELD_WEIGHTS, "k1": K1, "b": B,
                       "file_weight": FILE_WEIGHT, "close_ratio": CLOSE_RATIO, "also_ratio": ALSO_RATIO,
                       "terms": len(library.router.postings)}}


def router_text(library: Library) -> str:
    """`skc ir explain` on a library: how tasks are routed, then one line per skill."""
    data = router_json(library)
    r = data["router"]
    weights = ", ".join(f"{k} {v}" for k, v in r["field_weights"].items())
    lines = [f"library {data['library']}: {len(data['skills'])} skills, {r['terms']} routing terms",
             f"router: BM25F (k1={r['k1']}, b={r['b']}) over fields [{weights}]",
             f"        + file types x{r['file_weight']}; a model is asked only when the runner-up scores "
             f">= {r['close_ratio']} of the top; skills >= {r['also_ratio']} of the top that explain other "
             "task words are selected too",
             ""]
    for s in data["skills"]:
        status = "" if s["compiled"] is None else ("  [compiled]" if s["compiled"] else "  [not compiled: errors]")
        types = " ".join(f".{e}" for e in sorted(s["file_types"]))
        lines.append(f"{s['id']}{status}")
        lines.append(f"    terms: {', '.join(t for t, _ in s['terms'])}" + (f"   files: {types}" if types else ""))
    return "\n".join(lines) + "\n"
