"""The runbook / TSG front end: a troubleshooting guide in markdown to one workflow.

`compile_tsg(path)` reads any runbook style the corpus has ("Meaning / Impact /
Diagnosis / Mitigation", free-form gitlab runbooks with bullets, inline commands
and tables, "Step N - ..." guides, "Symptoms / Troubleshooting / Resolution"):
descriptive sections (Meaning, Impact, Symptoms, Overview, ...) give the
workflow's `description`; the other sections give steps (see `steps`), lowered to
ops (see `lower`). Variables become workflow inputs (`arg_names`), conditions
`ctrl.if` over code predicates or `llm.decide` ("If X" next to "If not X" is one
decision), jumps and early exits structured control flow (an exit inside a branch
is a `ctrl.return` with its `status`), "For each X" over an earlier list a
`ctrl.map`. Front matter, when present, is read but not validated.

Body analysis codes, reported as warnings at the document line (for `skc check`):

    SKC116  front matter is not valid YAML
    SKC120  a step is unreachable (after an unconditional stop or jump)
    SKC121  a variable is used before the step that sets it
    SKC122  a condition says what an outcome means but gives no path for the other
    SKC123  a command writes (k8s, fs, db, ...) and the document does not ask to confirm
    SKC124  ambiguous step order (numbers repeat or go back; a jump backwards)
    SKC125  a parallel hint is contradicted by a data dependency
    SKC126  "go to step N" where there is no step N
    SKC128  error: not a text document (binary, not UTF-8, over 4 MB, nested too deeply)
    SKC129  nothing to compile (no steps) or a table too large to analyse
    SKC152  a command that cannot run unattended became a manual step (`ctrl.manual`)
    SKC153  a decision or extraction that no command or query gives anything to judge
    SKC149  another llm op (generate, agent) that sees no command or query output
    SKC150  a SQL query that SQLite cannot run and sqlglot cannot translate
    SKC151  an inline call with a placeholder argument (`pg_terminate_backend({PID})`): never run
    SKC154  a code block that runs nothing and belongs to no step (YAML, output, ...)
"""

from __future__ import annotations

import re
from pathlib import Path

from skc.compiler.frontend import FrontendResult
from skc.compiler.frontend.markdown.document import Document, Section, decode, parse_document
from skc.compiler.frontend.markdown.front_matter import read_front_matter
from skc.compiler.frontend.markdown.lower import Lowering
from skc.compiler.frontend.markdown.prose import clean
from skc.compiler.frontend.markdown.section_titles import descriptive
from skc.compiler.frontend.markdown.steps import extract_steps
from skc.ir.location import Diagnostic, Location
from skc.ir.module import Module
from skc.ir.verifier import verify

_ABOUT = ("meaning", "summary", "overview", "symptoms", "description", "purpose", "background", "introduction")


def compile_tsg(path: Path) -> FrontendResult:
    """The workflow of the runbook at `path`, with diagnostics."""
    path = Path(path)
    name = str(path)
    try:
        raw = path.read_bytes()
    except OSError as e:
        return FrontendResult(None, [Diagnostic("SKC100", Location(name, 1, 1), f"cannot read: {e.strerror or e}")])
    text = decode(raw)
    if text is None:
        return FrontendResult(None, [Diagnostic("SKC128", Location(name, 1, 1),
                                                "not a UTF-8 text document (or over 4 MB)")])
    try:
        doc = parse_document(text, name)
    except RecursionError:
        return FrontendResult(None, [Diagnostic("SKC128", Location(name, 1, 1), "the document nests too deeply")])
    fm = read_front_matter(doc, severity="warning")
    diags = list(fm.diagnostics) + doc.diagnostics
    steps = extract_steps(doc, diags)
    if not steps:
        diags.append(Diagnostic("SKC129", Location(name, 1, 1), "no steps found",
                                "write numbered steps, commands in code blocks, or instructions", "warning"))
    title = (fm.data or {}).get("title")
    description = _description(doc, title if isinstance(title, str) else "")
    wf = Lowering(name, steps, diags, record_steps=True).build(sym_name(path.stem), description=description or None, source=name)
    module = Module([wf], file=name)
    diags.extend(verify(module))
    diags.sort(key=lambda d: (d.loc.line, d.loc.col, d.code))
    return FrontendResult(module, diags)


def sym_name(stem: str) -> str:
    """`KubePodCrashLooping` -> `kube_pod_crash_looping`, `k8s-pvc-resize` -> `k8s_pvc_resize`."""
    s = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", stem)
    s = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", s)
    s = re.sub(r"[^A-Za-z0-9]+", "_", s).strip("_").lower()
    return (s if not s[:1].isdigit() else "tsg_" + s) or "runbook"


def _description(doc: Document, title: str) -> str:
    """The first paragraph of Meaning/Overview/Summary/Symptoms, else of the document, else its title."""
    sections = [s for s in doc.root.walk() if s.level]
    for sec in sections:
        if any(clean(sec.title).lower().startswith(a) for a in _ABOUT):
            text = _first_paragraph(sec)
            if text:
                return text
    intro = _first_paragraph(doc.root) or next(
        (t for s in sections[:1] if (t := _first_paragraph(s)) and not descriptive(s.title)), "")
    return intro or title or doc.title


def _first_paragraph(sec: Section) -> str:
    for b in sec.blocks:
        if b.kind == "para" and len(b.text.split()) >= 3:
            return clean(b.text)[:500]
    return ""
