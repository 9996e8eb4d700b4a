"""Section titles: which headings describe (Meaning, Impact, Overview, ...) and which name a
procedure (recovery, troubleshooting, steps, how to ...).

A descriptive section holds no steps (`steps._Extractor.section`), unless a subsection of it
names a procedure; a document's descriptive sections also give its description (`tsg_md`).
"""

from __future__ import annotations

import re

from skc.compiler.frontend.markdown.prose import clean, is_instruction

_DESCRIPTIVE_EXACT = {
    "meaning", "impact", "symptoms", "symptom", "summary", "executive summary", "architecture", "logging",
    "monitoring", "alerting", "monitoring/alerting", "availability", "durability", "scalability", "performance",
    "dashboards", "security", "security/compliance", "resources", "quick reference", "purpose", "introduction",
    "intro", "key facts", "reference", "notes", "dependencies", "related", "contact", "contacts", "owner", "owners",
    "faq", "glossary", "scope", "contents", "history", "changelog", "license", "inputs", "outputs", "about",
    "description", "terminology", "metrics", "alerts", "definitions", "context", "full context", "best used for",
    "integration", "prerequisites", "requirements", "pre-requisite", "pre-requisites"}
_DESCRIPTIVE_PREFIX = (
    "when to use", "when not to use", "overview", "background", "red flags", "common mistakes",
    "common rationalizations", "rationalization", "links", "references", "see also", "further reading",
    "table of contents", "bundled resources", "related skills", "key principles", "core principle", "the iron law",
    "real-world impact", "example", "learning objectives", "mental model", "automation thoughts", "useful links",
    "anti-pattern", "quick start", "usage")
_PROCEDURAL = re.compile(r"\b(?:recover|recovery|restore|troubleshoot|fix|failover|fail over|mitigat|resolv|procedure|"
                         r"steps?|how to|runbook|diagnos|repair|rollback|roll back|remediat)", re.I)


def procedural(title: str) -> bool:
    """Whether a heading names a procedure (recovery, troubleshooting, steps, how to ...)."""
    return _PROCEDURAL.search(title) is not None or is_instruction(title)


_NUMBERING = re.compile(r"^[\d.)\s]+")


def descriptive(title: str) -> bool:
    """Whether a section only describes (Meaning, Impact, Overview, ...) and holds no steps."""
    t = _NUMBERING.sub("", clean(title).lower().replace("`", "")).strip(" :")
    return t in _DESCRIPTIVE_WHOLE or t.startswith(_DESCRIPTIVE_STARTS)


_DESCRIPTIVE_WHOLE = _DESCRIPTIVE_EXACT | set(_DESCRIPTIVE_PREFIX)  # a title that is a prefix itself
_DESCRIPTIVE_STARTS = tuple(d + end for d in _DESCRIPTIVE_PREFIX for end in (" ", ":", "s"))
