"""Words for routing: one tokenizer shared by the skill cards, the router and `skc check`.

`terms(text)` lowercases, splits on anything that is not a letter or digit (keeping
`c++`, `c#` and dotted file extensions whole), drops stop words and words that say
nothing about a skill's subject ("use", "when", "skill", ...), and strips common
English suffixes so that "fuzzing", "fuzzer" and "fuzz" meet. It is deterministic
and has no dependencies: the same text always gives the same terms, at compile
time and at routing time.
"""

from __future__ import annotations

import itertools
import re
from functools import lru_cache

_WORD = re.compile(r"c\+\+|c#|f#|\.[a-z][a-z0-9]{0,7}\b|[a-z0-9]+(?:'[a-z]+)?")

# Function words, and words every skill description uses ("use this skill when the user asks").
STOP = frozenset("""
a about above after again against all also am an and any are as at be because been before being
below between both but by can could did do does doing don't down during each etc few for from
further had has have having he her here hers him his how i if in into is it its itself just
let me more most my no nor not now of off on once only or other our ours out over own same she
should so some such than that the their theirs them then there these they this those through to
too under until up very was we were what when where which while who whom why will with would you
your yours e.g i.e eg ie via like want wants need needs needed asks ask asked user users
use used uses using skill skills claude codex agent whenever trigger triggers triggered please
help helps get make makes made something thing things way one two new any every may might must
""".split())

_SUFFIXES = ("ational", "ization", "fulness", "ousness", "iveness", "ations", "ation", "ments", "ment",
             "ings", "ing", "ers", "er", "ies", "ied", "es", "ed", "ly", "s")
_ALIASES = {"c++": "cpp", "c#": "csharp", "f#": "fsharp", "pr": "pull", "prs": "pull",
            "gif": "gif", "repo": "repository", "repos": "repository", "lib": "library",
            "docs": "document", "doc": "document", "spec": "specification", "specs": "specification"}


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """A light suffix-stripping stem ("scanning" -> "scann" -> "scan", "fuzzer" -> "fuzz")."""
    if word.startswith(".") or len(word) <= 3 or word.isdigit():
        return word
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)]
            if suffix in ("ies", "ied"):
                word += "y"
            break
    if len(word) > 3 and word[-1] == word[-2] and word[-1] not in "aeiouls":
        word = word[:-1]  # scann -> scan, committ -> commit
    if word.endswith("e") and len(word) > 4:
        word = word[:-1]  # generate -> generat, so it meets "generating" -> "generat"
    return word


def words(text: str) -> list[str]:
    """The raw words of `text` (lowercased), stop words included, extensions as `.ext`."""
    return _WORD.findall(text.lower())


def terms(text: str) -> list[str]:
    """The routing terms of `text`: words without stop words, aliased and stemmed, in order."""
    out = []
    for w in words(text):
        if w.endswith("'s"):
            w = w[:-2]  # possessive: "anthropic's" -> "anthropic"
        w = _ALIASES.get(w, w)
        if w in STOP or (len(w) < 2 and not w.isdigit()):
            continue
        out.append(stem(w))
    return out


def with_pairs(seq: list[str]) -> list[str]:
    """`seq` plus its adjacent pairs ("attack surface" -> attack, surfac, attack_surfac): phrases are
    rarer than their words, so a shared phrase is stronger evidence than two shared words."""
    return seq + [f"{a}_{b}" for a, b in itertools.pairwise(seq) if a != b]


def extension_of(name: str) -> str | None:
    """The file type of a file name: its last suffix lowercased without the dot (`x.tar.gz` -> `gz`)."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1].lower()
    if "." not in base.strip("."):
        return None
    ext = base.rsplit(".", 1)[1]
    return ext if ext.isalnum() and len(ext) <= 8 else None
