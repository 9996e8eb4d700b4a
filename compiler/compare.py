"""English comparisons: the one table from a phrase ("greater than", "at most", ">=") to a `calc.cmp` predicate.

Front ends (`frontend/markdown/predicates.py`, conditions in runbook prose) and
passes (`passes/cap_bind.py`, decisions turned into thresholds) look phrases up
here, so "exceeds 5" means `gt` wherever it is read. Keys are lower-case, with
single spaces; the predicates are `calc.cmp`'s (`gt`, `ge`, `lt`, `le`, `eq`).
A leaf module: it imports nothing from skc.
"""

from __future__ import annotations

COMPARISONS: dict[str, str] = {
    # more
    "above": "gt", "over": "gt", "greater than": "gt", "more than": "gt", "higher than": "gt",
    "larger than": "gt", "bigger than": "gt", "exceed": "gt", "exceeds": "gt", ">": "gt",
    # less
    "below": "lt", "under": "lt", "less than": "lt", "fewer than": "lt", "lower than": "lt",
    "smaller than": "lt", "<": "lt",
    # bounds
    "at least": "ge", ">=": "ge", "at most": "le", "<=": "le",
    # equal
    "equal to": "eq", "equals": "eq", "==": "eq", "=": "eq",
}


def comparison(phrase: str) -> str | None:
    """The predicate an English comparison phrase names (`"Greater  than"` -> `gt`), or None."""
    return COMPARISONS.get(" ".join(phrase.lower().split()))
