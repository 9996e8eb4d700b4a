"""The compiled router: rank a library's skills for a task, deterministically, with reasons.

    router = Router(cards)
    ranking = router.route("triage the findings in this scan", files=["out.sarif"])

Scoring is BM25F over the card fields (see `card.FIELDS`, weighted by
`FIELD_WEIGHTS`): each skill's per-term weight is computed once when the router is
built, so routing is a walk over the posting lists of the task's terms — a few
thousand additions at 1,000 skills. Files given with the task add file-type
evidence (`FILE_WEIGHT` x the rarity of the type x how strongly the skill is
about it) and their names' words. The ranking says which words and which file
types made each score (`Candidate.reasons`).

Selection: the top skill, plus any other skill within `ALSO_RATIO` of it that
explains task words or files the top one does not (a task may need two skills).
When the runner-up is within `CLOSE_RATIO` of the top, the ranking is `close`:
a configured model may then choose among the top few (see
`skc.runtime.library`); without one the deterministic order stands.
"""

from __future__ import annotations

import heapq
import math
from array import array
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from skc.compiler.library.card import TYPE_WORDS, SkillCard
from skc.compiler.library.text import extension_of, terms, with_pairs, words

FIELD_WEIGHTS = {"name": 3.0, "description": 2.0, "when": 1.5, "tools": 1.2, "titles": 1.0, "body": 0.3}
K1 = 1.6
B = 0.75
FILE_WEIGHT = 2.5
FILE_NAME_WEIGHT = 0.5
CLOSE_RATIO = 0.85
ALSO_RATIO = 0.6
TOP_K = 5


@dataclass
class Candidate:
    """One ranked skill: its score and what made it."""

    id: str
    name: str
    score: float
    words: list[tuple[str, float]] = field(default_factory=list)  # (task word, its share of the score)
    files: list[tuple[str, float]] = field(default_factory=list)  # (file type, its share)

    def reasons(self) -> str:
        parts = [f"{w} {s:.2f}" for w, s in self.words[:6]]
        parts += [f"file .{e} {s:.2f}" for e, s in self.files]
        return ", ".join(parts) or "no evidence"

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "score": round(self.score, 4),
                "words": [[w, round(s, 4)] for w, s in self.words],
                "files": [[e, round(s, 4)] for e, s in self.files]}


@dataclass
class Ranking:
    """The router's answer for one task: the top candidates, the selection, and whether it was close."""

    task: str
    files: list[str]
    candidates: list[Candidate]
    selected: list[str]
    close: bool
    decided_by: str = "router"

    @property
    def top(self) -> Candidate | None:
        return self.candidates[0] if self.candidates else None

    def to_json(self) -> dict[str, Any]:
        return {"task": self.task, "files": self.files, "selected": self.selected, "close": self.close,
                "decided_by": self.decided_by, "candidates": [c.to_json() for c in self.candidates]}


class Router:
    """BM25F postings over skill cards; `route()` ranks them for one task."""

    def __init__(self, cards: Iterable[SkillCard]) -> None:
        self.cards = list(cards)
        n = len(self.cards)
        df: dict[str, int] = {}
        weighted: list[dict[str, float]] = []
        lengths: list[float] = []
        for card in self.cards:
            tf: dict[str, float] = {}
            length = 0.0
            for name, counts in card.fields.items():
                w = FIELD_WEIGHTS.get(name, 0.0)
                for term, count in counts.items():
                    # the body is long and weak: its counts saturate fast and do not lengthen the card
                    tf[term] = tf.get(term, 0.0) + w * (math.log1p(count) if name == "body" else count)
                    if name != "body":
                        length += w * count
            weighted.append(tf)
            lengths.append(length)
            for term in tf:
                df[term] = df.get(term, 0) + 1
        avg = (sum(lengths) / n) if n else 1.0
        self.idf = {t: math.log(1 + (n - d + 0.5) / (d + 0.5)) for t, d in df.items()}
        lists: dict[str, list[tuple[int, float]]] = {}
        for i, tf in enumerate(weighted):
            norm = K1 * (1 - B + B * lengths[i] / (avg or 1.0))
            for term, x in tf.items():
                lists.setdefault(term, []).append((i, self.idf[term] * x * (K1 + 1) / (x + norm)))
        # Flat arrays, not lists of tuples: a 1,000-skill index is then a few thousand objects
        # instead of a million, and the garbage collector has nothing to walk while routing.
        self.postings: dict[str, tuple[array[int], array[float]]] = {
            t: (array("i", [i for i, _ in p]), array("d", [w for _, w in p])) for t, p in lists.items()}
        type_df: dict[str, int] = {}
        for card in self.cards:
            for ext in card.file_types:
                type_df[ext] = type_df.get(ext, 0) + 1
        self.type_idf = {e: math.log(1 + (n - d + 0.5) / (d + 0.5)) for e, d in type_df.items()}
        self.by_type: dict[str, list[tuple[int, float]]] = {}
        for i, card in enumerate(self.cards):
            for ext, strength in card.file_types.items():
                self.by_type.setdefault(ext, []).append((i, strength / 3.0))

    def __len__(self) -> int:
        return len(self.cards)

    def query(self, task: str, files: Iterable[str] = ()) -> tuple[dict[str, float], dict[str, str], list[str]]:
        """(term -> query weight, term -> the task word it came from, file types) of a task."""
        q: dict[str, float] = {}
        shown: dict[str, str] = {}
        seq: list[str] = []
        for w in words(task):
            for t in terms(w):
                seq.append(t)
                shown.setdefault(t, w)
        for t in with_pairs(seq):
            q[t] = 1.0
            if "_" in t:
                a, b = t.split("_", 1)
                shown.setdefault(t, f"{shown[a]} {shown[b]}")
        types: list[str] = []
        for f in files:
            ext = extension_of(f)
            if ext and ext not in types:
                types.append(ext)
            base = f.replace("\\", "/").rsplit("/", 1)[-1]
            for t in terms(base.replace("_", " ").replace("-", " ").replace(".", " ")):
                q.setdefault(t, FILE_NAME_WEIGHT)
                shown.setdefault(t, base)
        for w in words(task):  # "this PDF", "my .bib file": file types named in the task
            ext = w[1:] if w.startswith(".") else TYPE_WORDS.get(w)
            if ext and w.startswith(".") and ext not in types:
                types.append(ext)
        return q, shown, types

    def scores(self, task: str, files: Iterable[str] = ()) -> dict[int, float]:
        """Card index -> score, for every card with any evidence."""
        q, _, types = self.query(task, files)
        acc: dict[int, float] = {}
        for term, qw in q.items():
            posting = self.postings.get(term)
            if posting is not None:
                for i, w in zip(*posting, strict=True):
                    acc[i] = acc.get(i, 0.0) + qw * w
        for ext in types:
            idf = self.type_idf.get(ext, 0.0)
            for i, strength in self.by_type.get(ext, ()):
                acc[i] = acc.get(i, 0.0) + FILE_WEIGHT * idf * strength
        return acc

    def explain(self, i: int, task: str, files: Iterable[str] = ()) -> Candidate:
        """The candidate for card `i` with the share of its score each word and file type gave."""
        q, shown, types = self.query(task, files)
        card = self.cards[i]
        by_word: dict[str, float] = {}
        for term, qw in q.items():
            ids, weights = self.postings.get(term, (array("i"), array("d")))
            if i in ids:
                w = weights[ids.index(i)]
                by_word[shown[term]] = by_word.get(shown[term], 0.0) + qw * w
        by_type = [(e, FILE_WEIGHT * self.type_idf.get(e, 0.0) * card.file_types[e] / 3.0)
                   for e in types if e in card.file_types]
        score = sum(by_word.values()) + sum(s for _, s in by_type)
        return Candidate(card.id, card.name, score, sorted(by_word.items(), key=lambda kv: -kv[1]), by_type)

    def route(self, task: str, files: Iterable[str] = (), k: int = TOP_K) -> Ranking:
        """The top `k` skills for `task` (with `files`), the selection and whether it is close."""
        files = list(files)
        acc = self.scores(task, files)
        top = heapq.nlargest(k, acc.items(), key=lambda kv: (kv[1], -kv[0]))
        candidates = [self.explain(i, task, files) for i, _ in top]
        selected: list[str] = []
        close = False
        if candidates:
            first = candidates[0]
            selected.append(first.id)
            close = len(candidates) > 1 and candidates[1].score >= CLOSE_RATIO * first.score
            covered = {w for w, s in first.words if s > 0} | {e for e, _ in first.files}
            for c in candidates[1:]:
                if c.score < ALSO_RATIO * first.score:
                    break
                extra = [w for w, s in c.words if w not in covered and s >= 0.25 * c.score]
                extra += [e for e, _ in c.files if e not in covered]
                if extra:
                    selected.append(c.id)
                    covered |= set(extra)
        return Ranking(task, files, candidates, selected, close)
