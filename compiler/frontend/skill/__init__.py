"""The SKILL.md front end: an Agent Skills folder becomes a workflow plus spec diagnostics."""

from skc.compiler.frontend.skill.skill_md import compile_skill

__all__ = ["compile_skill"]
