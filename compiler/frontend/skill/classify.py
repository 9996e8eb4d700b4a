"""Classify a skill's body: procedure, tool, rule, example or reference.

A skill is a capability used for a user's task, not a script to run top to bottom,
so only procedures (ordered steps that achieve something) and tools (commands,
scripts, code meant to run) become ops. Rules and references are context for the
llm ops; examples are the bundle's test tasks. Nothing is dropped: every section
lands in exactly one class (see `SkillBody.sections`).

A section's class comes from its title (`TITLE_KINDS`, first match wins; built
from the headings of the 117 skills in the corpus: "When to Use" (60), "When NOT
to Use" (46), "Rationalizations to Reject" (33), "Workflow" (25), "Overview" (23),
"Quick Reference", "Resources", "Quick Start", "Prerequisites", ...), else from
what it holds (`_by_content`): numbered steps or runnable code -> procedure;
imperative bullets ("Always", "Never", "Don't") -> rule; anything else -> reference.
Sibling sections numbered as steps ("Step 1: ...", "## 2. ...") form one procedure
titled by their parent.

Inside a procedure, the steps are its numbered items (with their nested code) and
its runnable code blocks (`CODE_KINDS`); bullets and paragraphs are the guidance of
the step they follow. A block labelled `sql` counts as SQL only when sqlglot
parses it, `promql` only in a promql block: an unlabelled block that starts with
"Create" or "Show" is text, never a query.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from skc.compiler.caseless import Caseless
from skc.compiler.frontend.common.commands import looks_like_command
from skc.compiler.frontend.markdown.document import Block, Document, Section, Span
from skc.ir.location import Location

# (title pattern, class): first match wins.
TITLE_KINDS: list[tuple[Caseless, str]] = [(Caseless(p), k) for p, k in [
    (r"\bexamples?\b.*\b(output|report|finding)s?\b|\bsample output|\boutput format|\btemplate", "reference"),
    (r"^(real[- ]world |usage |worked )?examples?\b|\bexample (usage|workflow|prompts?|tasks?|requests?)", "example"),
    (r"\bwhen (not )?to (use|apply)|\bwhen not\b|\bwhen to\b|\btriggers?\b", "rule"),
    (r"rationali[sz]ations?|anti-?patterns?|\bmistakes?\b|\bpitfalls?\b|\bred flags?\b|\biron law\b|\brules?\b"
     r"|\bguidelines?\b|\bbest practices?\b|\bprinciples?\b|\bchecklist\b|\bconstraints?\b|\bdo(n't| not)\b"
     r"|\bsuccess criteria\b|\brequirements?\b|\bprerequisites?\b|\bstyle\b|\bconventions?\b|\bmust\b"
     r"|\bverification\b|\berror handling\b|\btroubleshoot", "rule"),
    (r"\boverview\b|\babout\b|\bpurpose\b|\bconcepts?\b|\bbackground\b|\bresources?\b|\breferences?\b"
     r"|\bdocumentation\b|\brelated\b|\banatomy\b|\barchitecture\b|\bhow (this|it) works\b|\bglossary\b"
     r"|\bsummary\b|\bintroduction\b|\bquick reference\b|\bdecision tree\b|\bindex\b|\bfurther reading\b"
     r"|\bvideo\b|\binstallation\b|\bsupport\b|\bmarkers\b|\bindicators\b|\bcategories\b|\bpatterns?\b"
     r"|\bwhat .* provides?\b|\binterpreting\b|\bnotes?\b|\btips\b|\bfaq\b|\btools? that\b", "reference"),
    (r"\bworkflow\b|\bprocess\b|\bprocedure\b|\bsteps?\b|\bstep-by-step\b|\bquick ?start\b|\bgetting started\b"
     r"|\binstructions\b|\bhow to\b|\busage\b|\bphase\b|\boption \d|\brunning\b|\bcreating\b|\bwriting\b"
     r"|\bbuilding\b|\bsetting up\b|\bsetup\b|\bscanning\b|\bgenerating\b|\bexecut", "procedure"),
]]

# Fence labels: which code runs, and as what.
CODE_KINDS: dict[str, str] = {
    **dict.fromkeys(("bash", "sh", "shell", "console", "zsh", "shell-session", "terminal", "cmd"), "shell"),
    **dict.fromkeys(("python", "py", "python3"), "python"),
    **dict.fromkeys(("sql", "postgresql", "postgres", "mysql", "sqlite", "tsql"), "sql"),
    "promql": "promql",
}

_STEP_TITLE = re.compile(r"^\s*(?:step|phase|stage)\s*\d+\b|^\s*\d+[.):]\s", re.IGNORECASE)
_RULE_LEAD = re.compile(r"^\W*(always|never|don'?t|do not|must|avoid|prefer|only|no\b|❌|✅)", re.IGNORECASE)
_RUN_LEAD = re.compile(r"^\W*(?:preferred:\s*)?(run|execute|use|call|invoke|start|type)\b", re.IGNORECASE)
_CONDITIONAL = re.compile(r"^\W*(if|when|unless|optional(ly)?|otherwise|or\b|for each|manual fallback)", re.IGNORECASE)
_PLAIN_SCRIPT = re.compile(r"(?:(?:python3?|bash|sh|node|uv run)\s+)?scripts/[\w./-]+\.(?:py|sh|js|ts|rb|pl)\b")
_USER_TASK = re.compile(r"(?:^|\n)\s*(?:user|you|human|prompt|request)\s*:\s*[\"“]([^\"”\n]{8,200})[\"”]",
                        re.IGNORECASE)
_QUOTED_TASK = re.compile(r"^\s*[\"“]([A-Z][^\"”\n]{8,200})[\"”]\s*(?:[-—→(:]|$)")
_REQUEST_VERB = re.compile(
    r"^(create|make|build|write|generate|add|fix|debug|test|review|merge|split|convert|extract|analy[sz]e|"
    r"find|check|help|summari[sz]e|turn|set up|setup|run|update|validate|package|draft|design|audit|scan|"
    r"refactor|implement|explain|compare|can you|please|i need|i want|show|what|how|which|list|compute|"
    r"calculate|give|get|count|sum|total|plot|fill|rotate|sort|filter|clean)\b", re.IGNORECASE)


@dataclass
class Piece:
    """A rule or reference: text (with its section title) where it was written."""

    title: str
    text: str
    loc: Location


@dataclass
class StepSpec:
    """One step of a procedure: `kind` is shell, python, sql, promql or prose."""

    kind: str
    text: str
    loc: Location
    code: str = ""
    guidance: list[str] = field(default_factory=list)


@dataclass
class Procedure:
    """A titled procedure and its steps in document order."""

    title: str
    loc: Location
    steps: list[StepSpec] = field(default_factory=list)


@dataclass
class SkillBody:
    """The classified body: procedures, rules, references and example tasks; `sections`
    records the class given to every section (title, class, line)."""

    procedures: list[Procedure] = field(default_factory=list)
    rules: list[Piece] = field(default_factory=list)
    references: list[Piece] = field(default_factory=list)
    examples: list[tuple[str, Location]] = field(default_factory=list)
    sections: list[tuple[str, str, int]] = field(default_factory=list)
    title: str = ""


def section_kind(title: str) -> str | None:
    """The class a section title says, or None when the title says nothing."""
    for pattern, kind in TITLE_KINDS:
        if pattern.found(title):
            return kind
    return None


def code_kind(block: Block) -> str | None:
    """What a code block runs as (shell, python, sql, promql), or None for text/data."""
    lang = (block.lang or "").strip().lower().split()[0] if (block.lang or "").strip() else ""
    kind = CODE_KINDS.get(lang)
    if kind == "sql" and not is_sql(block.code):
        return None
    if kind == "shell" and (not block.code.strip() or _variants(block.code)):
        return None
    return kind


def _variants(code: str) -> bool:
    """Several lines that all call the same program the same way with other arguments
    (`init_skill.py my-skill --path a`, `init_skill.py my-skill --path b --examples`):
    usage examples to choose from, not commands to run one after the other."""
    lines = [ln.strip() for ln in code.replace("\\\n", " ").split("\n")
             if ln.strip() and not ln.strip().startswith("#")]
    heads = {tuple(ln.split()[:2]) for ln in lines}
    return len(lines) >= 2 and len(heads) == 1 and len(lines[0].split()) > 2


def is_sql(text: str) -> bool:
    """True when sqlglot parses `text` into SQL statements (not a command or prose)."""
    import sqlglot
    from sqlglot import exp
    from sqlglot.errors import SqlglotError

    try:
        trees = [t for t in sqlglot.parse(text) if t is not None]
    except (SqlglotError, ValueError, RecursionError):
        return False
    return bool(trees) and not any(isinstance(t, exp.Command) for t in trees)


def classify(doc: Document, title: str) -> SkillBody:
    """Every section of `doc` in one class; procedures with their steps."""
    body = SkillBody(title=title)
    root = doc.root
    intro = _Section(root.title or title, root.line, root.col, root.blocks)
    _place(body, intro, doc.path, _by_content(intro.blocks, top=True))
    _walk(body, root.sections, doc.path, parent_title=title)
    for sec in root.walk():
        kind = section_kind(sec.title)  # once per section, not per block
        for b in sec.blocks:
            for task in _tasks_in(b, kind):
                body.examples.append((task, Location(doc.path, b.line, b.col)))
    body.examples = list({t: (t, loc) for t, loc in body.examples}.values())
    return body


@dataclass
class _Section:
    title: str
    line: int
    col: int
    blocks: list[Block]


def _walk(body: SkillBody, sections: list[Section], path: str, parent_title: str) -> None:
    numbered = [s for s in sections if _STEP_TITLE.match(s.title)]
    with_tools = [s for s in numbered if any(_runnable(b) or _has_commands(b) for x in s.walk() for b in x.blocks)]
    tooled, steps = {id(s) for s in with_tools}, {id(s) for s in numbered}  # by identity: linear, no deep ==
    if len(with_tools) >= 2:
        # "Step 3: Initializing the Skill" (init_skill.py), "Step 5: Packaging a Skill" (package_skill.py):
        # phases that each run their own tools are procedures a task asks for on their own;
        # the phases without tools are guidance for them.
        for s in sections:
            if id(s) in tooled:
                proc = Procedure(_clean(s.title), Location(path, s.line, s.col))
                _steps(proc, [b for x in s.walk() for b in x.blocks], path)
                body.procedures.append(proc)
                body.sections.append((s.title, "procedure", s.line))
            elif id(s) in steps:
                _place(body, _Section(_clean(s.title), s.line, s.col, [b for x in s.walk() for b in x.blocks]),
                       path, "reference")
                body.sections.append((s.title, "reference", s.line))
            else:
                _one(body, s, path)
        return
    if len(numbered) >= 2:  # "Step 1: ...", "Step 2: ...": one procedure, titled by the parent
        proc = Procedure(parent_title, Location(path, numbered[0].line, numbered[0].col))
        for s in sections:
            if id(s) in steps:
                proc.steps.append(StepSpec("prose", _clean(s.title), Location(path, s.line, s.col)))
                for sub in s.walk():
                    _steps(proc, sub.blocks, path)
                body.sections.append((s.title, "procedure", s.line))
            else:
                _one(body, s, path)
        body.procedures.append(proc)
        return
    for s in sections:
        _one(body, s, path)


def _one(body: SkillBody, s: Section, path: str) -> None:
    kind = section_kind(s.title) or _by_content(s.blocks, top=False)
    if kind == "procedure" and s.sections and not any(_runnable(b) or _ordered(b) for b in s.blocks):
        # A heading over sub-procedures ("Workflows" > "Creating X", "Editing Y").
        body.sections.append((s.title, "reference", s.line))
        _place(body, _Section(s.title, s.line, s.col, s.blocks), path, "reference")
        _walk(body, s.sections, path, parent_title=_clean(s.title))
        return
    # A procedure takes its sub-sections along when they are parts of it, not rules or references.
    whole = kind == "procedure" and s.level > 1 and all(section_kind(x.title) in (None, "procedure")
                                                         for x in s.walk()[1:])
    blocks = [b for sub in s.walk() for b in sub.blocks] if whole else s.blocks
    _place(body, _Section(_clean(s.title), s.line, s.col, blocks), path, kind)
    body.sections.append((s.title, kind, s.line))
    if not whole:
        _walk(body, s.sections, path, parent_title=_clean(s.title))


def _place(body: SkillBody, s: _Section, path: str, kind: str) -> None:
    loc = Location(path, s.line, s.col)
    if kind == "procedure":
        proc = Procedure(s.title, loc)
        _steps(proc, s.blocks, path)
        if proc.steps:
            body.procedures.append(proc)
            return
        kind = "reference"
    text = "\n".join(_text(b) for b in s.blocks).strip()
    if not text:
        return
    piece = Piece(s.title, text, loc)
    (body.rules if kind == "rule" else body.references).append(piece)


def _by_content(blocks: list[Block], *, top: bool) -> str:
    if any(_ordered(b) for b in blocks) or (not top and any(_runnable(b) for b in blocks)):
        return "procedure"
    items = [c for b in blocks if b.kind == "list" for c in b.children]
    if items and sum(bool(_RULE_LEAD.match(c.text)) for c in items) * 2 >= len(items):
        return "rule"
    return "reference"


def _has_commands(b: Block) -> bool:
    return b.kind == "list" and any(_commands_of(c) for c in b.children)


def _ordered(b: Block) -> bool:
    return b.kind == "list" and b.ordered and (len(b.children) >= 2 or any(_commands_of(c) for c in b.children))


def _runnable(b: Block) -> bool:
    return b.kind == "code" and code_kind(b) is not None


def _steps(proc: Procedure, blocks: list[Block], path: str) -> None:
    """Numbered items and runnable code become steps; the rest is guidance of the last step."""
    for b in blocks:
        loc = Location(path, b.line, b.col)
        if b.kind == "code":
            kind = code_kind(b)
            if kind is not None:
                proc.steps.append(StepSpec(kind, b.code.strip(), loc, code=b.code))
            elif proc.steps:
                proc.steps[-1].guidance.append(b.code.strip()[:400])
        elif b.kind == "list" and b.ordered:
            for item in b.children:
                prose = StepSpec("prose", _first_line(item.text), Location(path, item.line, item.col),
                                 guidance=[_text(c) for c in item.children if c.kind != "code"])
                seen = {s.code for s in proc.steps}
                commands = []
                for c in _commands_of(item):
                    if c.text not in seen:
                        seen.add(c.text)
                        commands.append(c)
                for span in commands:
                    proc.steps.append(StepSpec("shell", span.text, Location(path, span.line, span.col),
                                               code=span.text, guidance=[prose.text]))
                code_child = any(c.kind == "code" and code_kind(c) is not None for c in item.children)
                if not ((commands or code_child) and _RUN_LEAD.match(prose.text) and not prose.guidance):
                    proc.steps.append(prose)  # "Run `x` to do y." alone is the command, not a model's job
                _steps(proc, [c for c in item.children if c.kind == "code" or _ordered(c)], path)
        elif b.kind == "list" and any(_commands_of(item) for item in b.children):
            for item in b.children:  # bullets that say to run something: their commands are steps
                for c in _commands_of(item):
                    proc.steps.append(StepSpec("shell", c.text, Location(path, c.line, c.col), code=c.text,
                                               guidance=[_first_line(item.text)]))
            if proc.steps:
                proc.steps[-1].guidance.append(_text(b))
        elif proc.steps:
            proc.steps[-1].guidance.append(_text(b))
        elif b.kind in ("para", "list") and _text(b):
            proc.steps.append(StepSpec("note", _text(b), loc))
    if proc.steps and proc.steps[0].kind == "note":  # notes are only ever added first: linear over many calls
        proc.steps = _drop_leading_notes(proc.steps)


def _commands_of(item: Block) -> list[Span]:
    """Inline commands an item (or its bullets) says to run: every call of a bundled
    script, and the first command of a sentence that starts with run/execute/use.
    Bullets that are conditions or fallbacks ("If ...", "Manual fallback:") are skipped
    with everything under them."""
    out: list[Span] = []
    stack = [item]
    while stack:
        b = stack.pop(0)
        lead = b.text.strip()
        if b is not item and _CONDITIONAL.match(lead):
            continue
        run_lead = bool(_RUN_LEAD.match(lead))
        for span in b.spans:
            text = span.text.strip().strip("`").strip()
            if not looks_like_command(text, context="run"):
                continue
            if "scripts/" in text or run_lead:
                out.append(Span(text, span.line, span.col))
                run_lead = False
        m = _PLAIN_SCRIPT.search(b.text) if run_lead and not b.spans else None
        if m:  # "Run scripts/fetch_comments.py which prints ...": a script named without backticks
            nl = b.text.rfind("\n", 0, m.start())
            col = b.col + m.start() if nl < 0 else m.start() - nl
            out.append(Span(m.group(0).strip(), b.line_of(m.start()), col))
        stack.extend(c for ch in b.children if ch.kind == "list" and not ch.ordered for c in ch.children)
    return out


def _drop_leading_notes(steps: list[StepSpec]) -> list[StepSpec]:
    """Text before the first step is guidance of that step, not a step of its own."""
    notes = [s for s in steps if s.kind == "note"]
    rest = [s for s in steps if s.kind != "note"]
    if rest:
        rest[0].guidance[:0] = [n.text for n in notes]
    return rest


def _tasks_in(b: Block, kind: str | None) -> list[str]:
    """Sample user requests: `User: "..."` anywhere; quoted requests in example and when-to-use
    sections (`kind`: the class the block's section title says, `section_kind`)."""
    text = b.code if b.kind == "code" else b.text
    found = [m.group(1).strip() for m in _USER_TASK.finditer(text)]
    if kind in ("example", "rule") and b.kind == "list":
        for item in b.children:
            m = _QUOTED_TASK.match(item.text)
            if m and _REQUEST_VERB.match(m.group(1)):
                found.append(m.group(1).strip())
    return found


def _text(b: Block) -> str:
    if b.kind == "code":
        return b.code.strip()
    if b.kind == "list":
        return "\n".join(f"- {c.text}" for c in b.children)
    if b.kind == "table":
        return "\n".join(" | ".join(r) for r in b.rows)
    return b.text.strip()


def _first_line(text: str) -> str:
    return text.strip().split("\n", 1)[0].strip()


def _clean(title: str) -> str:
    return re.sub(r"^\s*(?:(?:step|phase|stage)\s*\d+\s*[:.\-–—]?|\d+[.):])\s*", "", title, flags=re.I).strip() \
        or title.strip()
