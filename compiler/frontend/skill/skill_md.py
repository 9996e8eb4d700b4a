"""The SKILL.md front end: an Agent Skills folder to its entry workflow.

`compile_skill(folder, strict=False)` reads the folder's SKILL.md (or a lowercase
skill.md), judges the front matter with the spec's rule table (`spec`, shared by
`skc check` and `skc compile`), classifies the body (`classify`: procedure, tool,
rule, example, reference), reads the signatures of `scripts/` (`scripts`) and
lowers the result (`lower`) to one workflow that takes the user's task:

    skill_name(%task: !skc.text, %files: !skc.text) -> (%result: !skc.text)

The module is returned whenever the body could be read, even when the front
matter has errors, so `skc check` can report everything at once.

    SKC100  error    the folder or its SKILL.md cannot be read
    SKC115  warning  the body is longer than 500 lines
    SKC128  error    SKILL.md is not a text document
    SKC110-119, SKC155  the spec's rules (see `spec`); SKC127 a missing script (see `lower`)
"""

from __future__ import annotations

import re
from pathlib import Path

from skc.compiler.frontend import FrontendResult
from skc.compiler.frontend.markdown.document import decode, parse_document
from skc.compiler.frontend.skill.classify import classify
from skc.compiler.frontend.skill.lower import SkillLowering
from skc.compiler.frontend.skill.scripts import script_signatures
from skc.compiler.frontend.skill.spec import check_spec, find_skill_md, folder_name
from skc.ir.location import Diagnostic, Location
from skc.ir.module import Module
from skc.ir.verifier import verify

MAX_BODY_LINES = 500


def compile_skill(folder: Path, *, strict: bool = False) -> FrontendResult:
    """The entry workflow of the skill in `folder` (a directory holding SKILL.md), with diagnostics."""
    folder = Path(folder)
    path = find_skill_md(folder) or folder / "SKILL.md"
    try:
        raw = path.read_bytes()
    except OSError as e:
        return FrontendResult(None, [Diagnostic("SKC100", Location(str(path), 1, 1), f"cannot read: {e.strerror or e}")])
    text = decode(raw)
    if text is None:
        return FrontendResult(None, [Diagnostic("SKC128", Location(str(path), 1, 1),
                                                "SKILL.md is not a UTF-8 text document (or is over 4 MB)")])
    try:
        doc = parse_document(text, str(path))
    except RecursionError:
        return FrontendResult(None, [Diagnostic("SKC128", Location(str(path), 1, 1), "SKILL.md nests too deeply")])
    meta, diags = check_spec(doc, folder, strict=strict)
    diags.extend(doc.diagnostics)
    body_start = doc.body_start
    body_lines = len("\n".join(doc.lines[body_start:]).rstrip("\n").split("\n"))
    if body_lines > MAX_BODY_LINES:
        diags.append(Diagnostic("SKC115", Location(str(path), body_start + MAX_BODY_LINES + 1, 1),
                                f"the body has {body_lines} lines; the spec recommends at most "
                                f"{MAX_BODY_LINES}", "move reference material into references/ files", "warning"))
    name = meta.name or folder_name(folder)
    body = classify(doc, doc.title or name)
    wf = SkillLowering(str(path), folder, meta, body, script_signatures(folder), diags).build(
        _snake(name) or "skill")
    module = Module([wf], file=str(path))
    diags.extend(verify(module))
    diags.sort(key=lambda d: (d.loc.line, d.loc.col, d.code))
    return FrontendResult(module, diags)


def _snake(name: str) -> str:
    s = re.sub(r"[^\w]+", "_", name, flags=re.ASCII).strip("_").lower()
    return s if not s[:1].isdigit() else "skill_" + s
