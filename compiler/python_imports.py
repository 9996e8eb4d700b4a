"""The Python packages code imports, and which of them this interpreter lacks.

`imports_of(source)` lists the top-level modules a program imports (with `ast`;
imports guarded by `try: ... except ImportError` are optional and left out;
relative imports are the program's own). `missing_modules(names, beside)` keeps
the ones that are neither in the standard library, nor files or packages next to
the script (`from quick_validate import ...` in scripts/), nor importable here.
`pip_name(module)` is what to install for a module (`docx` -> python-docx).

env-bind uses these for `tool.python` code and for the Python scripts a skill
runs: the interpreter that compiles is the one that runs them (tool.python and
`python` scripts run on skc's own interpreter).
"""

from __future__ import annotations

import ast
import importlib.util
import sys
from functools import lru_cache
from pathlib import Path

# Import names whose distribution on PyPI has another name.
PIP_NAMES = {
    "docx": "python-docx", "pptx": "python-pptx", "yaml": "PyYAML", "PIL": "Pillow", "cv2": "opencv-python",
    "bs4": "beautifulsoup4", "sklearn": "scikit-learn", "dateutil": "python-dateutil", "fitz": "PyMuPDF",
    "dotenv": "python-dotenv", "jwt": "PyJWT", "git": "GitPython", "Crypto": "pycryptodome",
    "magic": "python-magic", "serial": "pyserial", "usb": "pyusb", "attr": "attrs", "google": "google-api-core",
}
_OPTIONAL = ("ImportError", "ModuleNotFoundError", "Exception", "BaseException")


def imports_of(source: str) -> list[str]:
    """Top-level module names `source` imports for sure, in order of first import."""
    return list(_imports_of(source))


@lru_cache(maxsize=512)
def _imports_of(source: str) -> tuple[str, ...]:  # env-bind asks per op and per script; parsing is slow
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError):
        return ()
    optional: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Try) and any(_catches_import_error(h) for h in node.handlers):
            optional |= {id(n) for stmt in node.body for n in ast.walk(stmt)}
    out: list[str] = []
    for node in ast.walk(tree):
        if id(node) in optional:
            continue
        if isinstance(node, ast.Import):
            out += [a.name.split(".")[0] for a in node.names]
        elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
            out.append(node.module.split(".")[0])
    return tuple(dict.fromkeys(out))


def _catches_import_error(handler: ast.ExceptHandler) -> bool:
    if handler.type is None:
        return True
    names = [handler.type] if not isinstance(handler.type, ast.Tuple) else list(handler.type.elts)
    return any(isinstance(n, ast.Name) and n.id in _OPTIONAL for n in names)


def missing_modules(names: list[str], beside: Path | None = None) -> list[str]:
    """The modules of `names` that this interpreter cannot import (nor the script's folder holds)."""
    out = []
    for name in names:
        if name in sys.stdlib_module_names or name == "__future__":
            continue
        if beside is not None and any((d / f"{name}.py").is_file() or (d / name).is_dir()
                                      for d in (beside, beside.parent)):
            continue
        try:
            if importlib.util.find_spec(name) is not None:
                continue
        except (ImportError, ValueError):
            pass
        out.append(name)
    return out


def pip_name(module: str) -> str:
    """The distribution that provides `module` (its own name unless `PIP_NAMES` says otherwise)."""
    return PIP_NAMES.get(module, module)
