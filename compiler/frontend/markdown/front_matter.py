"""YAML front matter: parsed values plus the document location of every top-level key.

`read_front_matter(doc)` parses the text between the `---` fences with PyYAML's
safe loader and returns a `FrontMatter`: the mapping (None when there is none or
it is not a mapping), where each key's value starts (`at(key)`, a document
`Location`, so a bad `name:` on line 2 is reported at line 2), and SKC116
diagnostics for YAML errors, positioned at the line PyYAML points to. It never
raises: any failure of the YAML library becomes a diagnostic. YAML aliases are
refused before anything is built (nine levels of them expand to 10^9 nodes).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

from skc.compiler.frontend.markdown.document import Document
from skc.ir.location import Diagnostic, Location, Severity

_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass
class FrontMatter:
    """The front matter of one document."""

    path: str
    present: bool = False
    data: dict[str, Any] | None = None
    keys: dict[str, Location] = field(default_factory=dict)
    values: dict[str, Location] = field(default_factory=dict)
    diagnostics: list[Diagnostic] = field(default_factory=list)

    def at(self, key: str) -> Location:
        """Where `key`'s value starts (its key's line when the value is empty; line 1 if absent)."""
        return self.values.get(key) or self.keys.get(key) or Location(self.path, 1, 1)


def _first_alias(text: str) -> Any:
    """The mark of the first alias (`*name`) in `text`, or None (linear: events, no composition)."""
    for event in yaml.parse(text, Loader=_Loader):
        if isinstance(event, yaml.AliasEvent):
            return event.start_mark
    return None


def _compose_and_load(text: str) -> tuple[Any, list[tuple[Any, Any]], Any]:
    """(`yaml.compose(text)`, its top-level (key, value) nodes, `yaml.load(text)`) from one parse:
    the value is constructed from the composed node (what `yaml.load` does). The pairs are
    copied first, since constructing a mapping with merge keys (`<<`) edits its node's list."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        pairs = list(node.value) if isinstance(node, yaml.MappingNode) else []
        return node, pairs, (loader.construct_document(node) if node is not None else None)
    finally:
        loader.dispose()


def read_front_matter(doc: Document, *, severity: Severity = "error") -> FrontMatter:
    fm = FrontMatter(doc.path)
    if doc.front_matter_error:
        fm.diagnostics.append(Diagnostic("SKC116", Location(doc.path, 1, 1), doc.front_matter_error,
                                         "close the front matter with a line holding only '---'", severity))
        return fm
    if doc.front_matter is None:
        return fm
    fm.present = True
    first = doc.front_matter_line + 1  # the YAML text starts on the line after '---'
    try:
        # billion laughs: aliases are refused, never expanded (an alias is written `*name`: no `*`, no alias)
        if "*" in doc.front_matter and (alias := _first_alias(doc.front_matter)):
            fm.diagnostics.append(Diagnostic("SKC116", Location(doc.path, first + alias.line, alias.column + 1),
                                             "front matter uses a YAML alias (*name), which skc does not accept",
                                             "write the value out instead of referring to an anchor", severity))
            return fm
        node, pairs, value = _compose_and_load(doc.front_matter)
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        if e.context_mark is not None and (mark is None or mark.line >= doc.front_matter.count("\n")):
            mark = e.context_mark  # an unclosed construct: point where it opens, not at the end
        loc = Location(doc.path, first + mark.line, mark.column + 1) if mark else Location(doc.path, first, 1)
        fm.diagnostics.append(Diagnostic("SKC116", loc, f"front matter is not valid YAML: {e.problem or e}",
                                         "check indentation and quote values that contain ': '", severity))
        return fm
    except (yaml.YAMLError, ValueError, TypeError, RecursionError, OverflowError) as e:
        fm.diagnostics.append(Diagnostic("SKC116", Location(doc.path, first, 1),
                                         f"front matter cannot be read: {e}", "", severity))
        return fm
    if value is None:
        return fm
    if not isinstance(value, dict) or not isinstance(node, yaml.MappingNode):
        fm.diagnostics.append(Diagnostic("SKC116", Location(doc.path, first, 1),
                                         "front matter must be a mapping of keys to values",
                                         "write it as 'name: ...' lines", severity))
        return fm
    fm.data = {str(k): v for k, v in value.items()}
    for key_node, value_node in pairs:
        key = str(getattr(key_node, "value", ""))
        fm.keys[key] = Location(doc.path, first + key_node.start_mark.line, key_node.start_mark.column + 1)
        if value_node.start_mark.line != value_node.end_mark.line or \
                (isinstance(value_node, yaml.ScalarNode) and value_node.value) or \
                not isinstance(value_node, yaml.ScalarNode):
            fm.values[key] = Location(doc.path, first + value_node.start_mark.line, value_node.start_mark.column + 1)
    return fm
