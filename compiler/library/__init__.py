"""Skill libraries: a folder of skills compiled to one bundle, and a compiled router over it.

`find_skills` finds every skill below a folder; `read_card` reads one skill's
routing card; `Router` ranks skills for a task; `compile_library` writes a
library bundle (per-skill sub-bundles + the router index, incremental by content
hash); `load_library` reads a library bundle or a folder of skills;
`check_library` reports skills that can never win and near-duplicates.
"""

from skc.compiler.library.card import SkillCard, read_card
from skc.compiler.library.discover import find_skills, is_skill
from skc.compiler.library.router import Candidate, Ranking, Router

__all__ = ["Candidate", "Ranking", "Router", "SkillCard", "find_skills", "is_skill", "read_card"]
