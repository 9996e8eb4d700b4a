"""Data flows one way (STYLE.md): each room imports only the rooms below it.

    ir/        imports no compiler/, runtime/ (nor the CLI package)
    compiler/  imports no runtime/ (nor the CLI package; its version comes from ir/version.py)
    stdlib/    imports no runtime/ (nor the CLI package)

Every `import` in a module counts, also those inside functions and under TYPE_CHECKING.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FORBIDDEN = {
    "ir": ("skc.compiler", "skc.runtime", "skc.cli"),
    "compiler": ("skc.runtime", "skc.cli"),
    "stdlib": ("skc.runtime", "skc.cli"),
}


def imports(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    out: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out.extend((node.lineno, a.name) for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            out.append((node.lineno, node.module))
            if node.module == "skc":  # `from skc import x` is the CLI package's x
                out.extend((node.lineno, f"skc.{a.name}") for a in node.names)
    return out


def offending(name: str, banned: tuple[str, ...]) -> bool:
    return name == "skc" or any(name == b or name.startswith(b + ".") for b in banned) \
        or (name.startswith("skc.") and name.split(".")[1] not in
            {"ir", "compiler", "runtime", "grammar", "stdlib", "cli"} and name != "skc.ir")


@pytest.mark.parametrize("room", sorted(FORBIDDEN))
def test_a_room_imports_only_the_rooms_below_it(room: str) -> None:
    files = sorted((ROOT / room).rglob("*.py"))
    assert files
    bad = [f"{f.relative_to(ROOT)}:{line} imports {name}" for f in files for line, name in imports(f)
           if offending(name, FORBIDDEN[room])]
    assert bad == []
