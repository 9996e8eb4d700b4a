"""skc's version: a leaf module the compiler and runtime read (the CLI package re-exports it)."""

from __future__ import annotations

__version__ = "0.1.0"
