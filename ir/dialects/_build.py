"""Shared plumbing for the dialects' snake_case builders."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from skc.ir.builder import insert
from skc.ir.core import Op, Value
from skc.ir.location import UNKNOWN, Location
from skc.ir.types import Type


def build(cls: type[Op], operands: tuple[Value, ...] | list[Value], result: Type | None,
          attributes: Mapping[str, Any], loc: Location = UNKNOWN, name: str | None = None) -> Op:
    """Creates an op of `cls` at the insertion point; `None` attributes are left out."""
    attrs = {k: v for k, v in attributes.items() if v is not None}
    types = [result] if result is not None else []
    return insert(cls(list(operands), types, attrs, loc=loc, result_names=[name] if result else None))
