"""Steps: the procedure a markdown document describes, as a labelled tree.

`extract_steps(doc)` walks the section tree of a parsed document (see `markdown`):

- a heading is a group step labelled by its number ("Step 3 - ..." -> "3") or its
  title; descriptive sections (Meaning, Impact, Overview, When to use, ...) hold
  no steps;
- list items are steps (every item of a numbered list; the items of a bullet list
  that instruct, run a command or state a condition; other bullets are details
  folded into the step they explain);
- a paragraph is a step when it instructs, carries a command or a condition, or
  ends with ':' and introduces a code block or list (which it then absorbs);
- code blocks become snippets of the step they follow (or steps of their own),
  the sample output of the command before them, a detail of their step, or a
  located SKC154 warning (never nothing):
  one snippet per logical command line for shell, one per block for SQL, PromQL
  and Python; other languages are details;
- "If X, Y" sentences become condition steps, "Otherwise, Z" their else part, and
  so does a sibling "If not X, Z" / "If no X: Z" right after "If X ...";
  "go to step N", "stop here / escalate" and parallel hints are marked on steps.

Labels are `<parent>.<n>` ("Diagnosis.2", "3.1"), `n` counting the steps of the
parent (numbered list items keep their number when it moves forward). Every step
and snippet has the location of its own source line.
"""

from __future__ import annotations

import re

from skc.compiler.frontend.common.commands import looks_like_command
from skc.compiler.frontend.markdown import flow, prose
from skc.compiler.frontend.markdown.case_lists import case_choice
from skc.compiler.frontend.markdown.cause_lists import cause_choices
from skc.compiler.frontend.markdown.choices import picks_action
from skc.compiler.frontend.markdown.code_comments import comment_gates
from skc.compiler.frontend.markdown.document import Block, Document, Section
from skc.compiler.frontend.markdown.gates import gate_section
from skc.compiler.frontend.markdown.heading_checks import heading_check, item_checks
from skc.compiler.frontend.markdown.headless import headless_steps
from skc.compiler.frontend.markdown.intro_checks import intro_checks
from skc.compiler.frontend.markdown.list_nesting import fold_underindented
from skc.compiler.frontend.markdown.meaning_tables import meaning_checks
from skc.compiler.frontend.markdown.paragraph_steps import ParagraphReader
from skc.compiler.frontend.markdown.replace_names import mark_replaced
from skc.compiler.frontend.markdown.section_titles import descriptive, procedural
from skc.compiler.frontend.markdown.snippets import (
    Snippet,
    only_exits,
)
from skc.compiler.frontend.markdown.step_model import (
    Counter,
    Step,
    pair_conditions,
    plain,
    prune,
    relabel,
    rename_prefix,
    short_label,
)
from skc.compiler.frontend.markdown.step_rules import (
    check_numbers,
    check_order,
    heading_condition,
    table_steps,
)
from skc.compiler.frontend.markdown.tabs import fold_tabs
from skc.compiler.frontend.markdown.thresholds import threshold_checks
from skc.compiler.frontend.markdown.value_cases import value_cases
from skc.ir.location import Diagnostic


def extract_steps(doc: Document, diagnostics: list[Diagnostic]) -> list[Step]:
    """The top-level steps of `doc` (see the module docstring)."""
    steps = _Extractor(doc, diagnostics).run()
    mark_replaced(doc, steps)  # "replace LATEST with version": `LATEST` in a command is an input
    return steps


class _Extractor:
    def __init__(self, doc: Document, diagnostics: list[Diagnostic]) -> None:
        self.doc = doc
        self.diags = diagnostics
        self.reader = ParagraphReader(doc, diagnostics)  # paragraphs, and what is read once per document
        self.labels: set[str] = set()
        self.acting: dict[tuple[int, bool], bool] = {}
        self.last_snippet: Snippet | None = None  # the last command of the last code block
        self.passed: set[int] = set()  # notes between an intro ending in ':' and the block it introduces

    def run(self) -> list[Step]:
        root = self.doc.root
        if self.doc.title:
            title = root.sections[0]
            root = Section("", 0, 1, 1, blocks=root.blocks + title.blocks, sections=title.sections + root.sections[1:])
        body = self.section(Section("", 0, 1, 1, sections=root.sections), "")
        dropped: list[Step] = []
        if not body:
            steps = headless_steps(pair_conditions(prune(self.blocks(root.blocks, Counter("")), dropped)))  # no headings
        else:
            preamble = [b for b in root.blocks if b.kind != "para" or any(looks_like_command(sp.text) for sp in b.spans)]
            steps = pair_conditions(prune(self.blocks(preamble, Counter(self.unique("intro"))) + body, dropped))
        for s in dropped:
            self.diags.append(Diagnostic(
                "SKC156", s.loc, f"'{prose.clean(s.text)[:60]}' is a condition with nothing under it to do: "
                "not a step", "write what to do after a comma ('If X, do Y'), or put the commands or steps "
                "right below it", "warning"))
        return value_cases(steps)

    def section(self, sec: Section, prefix: str) -> list[Step]:
        counter = Counter(prefix)
        about = bool(sec.level) and descriptive(sec.title) and not _EXAMPLE_CODE.match(prose.clean(sec.title))
        out = [] if about else self.blocks(sec.blocks, counter)
        if about:
            self.not_run(sec.blocks, sec.title)
        for sub in sec.sections:
            if about and not procedural(sub.title):
                self.not_run([b for s in sub.walk() for b in s.blocks], sub.title)
                continue  # "Architecture > Logical view": still description
            label = str(sub.number) if sub.number is not None else short_label(sub.title)
            group = Step(label, sub.title, self.reader.loc(sub.line, sub.col), sub.number, title=True,
                         section=True, condition=heading_condition(sub.title))
            group.children = self.section(sub, label)
            gate_section(group)  # "If the nodes are gone for good, recovering the data is not possible. To do so: ..."
            item_checks(group)  # "1. Check whether the virtual network was updated recently." + nested steps
            intro_checks(group)  # "Verify if there is an error in `x` logs." + ```kubectl logs x```
            threshold_checks(group)  # "p99 of `X` should be less than 10ms. Query in metrics UI:" + a query
            comment_gates(group, self.doc.lines)  # "# if down:" above a command in its block
            cause_choices(group)  # "can be caused by one of the following 3 reasons:" + items with queries
            meaning_checks(group, sub.blocks)  # "| HTTP status code | Issue |" next to the curl that shows it
            if group.children:
                heading_check(sub.title, group)  # "Step 5: Verify DNS responses contain the expected IPs"
            if not group.children and sub.number is not None:  # "## Step 2: Connect to the node" + prose only
                paras = [b for b in sub.blocks if b.kind == "para"]
                group.children = self.reader.paragraph(paras[0], Counter(label), introduces=False,
                                                       force=True) if paras else []
            if group.children:
                group.label = self.unique(label)
                rename_prefix(group.children, label, group.label)
            hint = flow.parallel_hint(sub.title)
            if group.children:
                group.parallel = hint
                out.append(group)
        out = fold_tabs(out, self.doc.lines)  # `### [Browser](#tab/browser)`: a tab of the step above
        check_order(out, self.diags)
        return out

    def not_run(self, blocks: list[Block], title: str) -> None:
        """SKC154 for each block of a descriptive section that would run: shown, not run."""
        for b in blocks:
            if b.kind == "code" and self.reader.reading(b).runs:
                self.diags.append(Diagnostic(
                    "SKC154", self.reader.loc(b.line, b.col),
                    f"code in the section '{prose.clean(title)[:40]}' is not run: the section describes", "move it under a procedure heading to run it", "warning"))
            for c in b.children:
                self.not_run([c], title)

    def unique(self, label: str) -> str:
        base, n = label, 2
        while label in self.labels:
            label, n = f"{base} ({n})", n + 1
        self.labels.add(label)
        return label

    # ------------------------------------------------------------------ blocks

    def blocks(self, blocks: list[Block], counter: Counter, intro: Step | None = None) -> list[Step]:
        """Steps of a run of blocks; `intro` is the step the first block may belong to. Each
        block kind has its reader in `_READERS` (html blocks make no step)."""
        blocks = fold_underindented(blocks, self.doc.lines)  # "1. X" + "  * sub" (indented too little to nest)
        counter.reserve(blocks)
        out: list[Step] = []
        for i, b in enumerate(blocks):
            reader = _READERS.get(b.kind)
            if reader is not None:
                intro = reader(self, blocks, i, counter, intro, out)
        return out

    def para_block(self, blocks: list[Block], i: int, counter: Counter, intro: Step | None,
                   out: list[Step]) -> Step | None:
        """A paragraph: its steps; the step of its last sentence may own the next block."""
        b, nxt = blocks[i], blocks[i + 1] if i + 1 < len(blocks) else None
        if id(b) in self.passed and intro is not None:  # the note an intro passes over belongs to what it introduces
            if nxt is not None and nxt.kind == "list":  # a step of its own, first under the intro
                self.reader.tail = None
                notes = self.reader.paragraph(b, Counter(intro.label), introduces=False, force=True)
                for n, note in enumerate(notes):
                    note.label = f"{intro.label}.note" + (f"{n + 1}" if n else "")
                    relabel(note)
                intro.children.extend(notes)
            else:  # about the code the intro runs: read with it (the confirmation phrases, the prompt)
                intro.details.append(b.text)
            return intro
        if nxt is not None and _passed_note(b, nxt) and i + 2 < len(blocks) and self.introduces(b, blocks[i + 2]):
            self.passed.add(id(nxt))  # "If X, do the following:" + "NOTE: not on Y" + the steps
            nxt = blocks[i + 2]
        self.reader.tail = None
        out.extend(self.reader.paragraph(b, counter, introduces=self.introduces(b, nxt)))
        return self.reader.tail

    def code_block(self, blocks: list[Block], i: int, counter: Counter, intro: Step | None,
                   out: list[Step]) -> Step | None:
        """A code block: snippets of the step before it (or a step of its own), the sample
        output of the command before it, a detail, or a located SKC154 warning."""
        b = blocks[i]
        snippets = self.reader.code(b)
        last = self.last_snippet
        if snippets is None and last is not None and not last.output and i > 0 and blocks[i - 1].kind == "code":
            last.output = b.code.strip()[:4000]  # the sample output of the command just before
        elif snippets is None:
            if intro is not None:
                intro.details.append(b.code.strip()[:2000])
            else:
                self.diags.append(Diagnostic(
                    "SKC154", self.reader.loc(b.line, b.col),
                    f"code block not run: {self.reader.reading(b).reason}",
                    "label it (```bash, ```sql) if it is meant to run", "warning"))
        elif not snippets and not only_exits(b.code):
            self.diags.append(Diagnostic("SKC154", self.reader.loc(b.line, b.col),
                                         "code block has no command to run",
                                         "remove it or write the command", "warning"))
        elif not snippets and intro is not None and not intro.snippets and only_exits(b.code):
            intro.title = True  # "Exit the debug shell:" + `exit`: leaving a session is no work
        elif snippets:
            if intro is not None and intro.snippets:  # "Run the `x` command:" + a block showing x: one x
                shown = {" ".join(sn.text.split()) for sn in snippets}
                intro.snippets = [sn for sn in intro.snippets if " ".join(sn.text.split()) not in shown]
            if intro is not None and not intro.snippets and not intro.children:
                intro.snippets.extend(snippets)
            else:
                step = Step(counter.next(), "", snippets[0].loc, snippets=snippets)
                out.append(step)
                intro = step
        self.last_snippet = snippets[-1] if snippets else None
        if snippets is not None and intro is not None and intro.text.rstrip().endswith(":"):
            intro = None  # the intro has introduced its block
        return intro

    def list_block(self, blocks: list[Block], i: int, counter: Counter, intro: Step | None,
                   out: list[Step]) -> Step | None:
        return self.list_(blocks[i], counter, intro, out)

    def table_block(self, blocks: list[Block], i: int, counter: Counter, intro: Step | None,
                    out: list[Step]) -> Step | None:
        rows = table_steps(blocks[i], Counter(""), self.doc.path, self.diags)
        if intro is not None and rows and i > 0 and blocks[i - 1].kind == "para" and not intro.snippets \
                and not intro.children and intro.condition is None and prose.is_instruction(intro.text):
            intro.snippets.extend(sn for r in rows for sn in r.snippets)  # "Consider these options:" + a command table
            return None
        for r in rows:
            r.label = counter.next()
        out.extend(rows)
        return None

    def introduces(self, b: Block, nxt: Block | None) -> bool:
        """Whether a paragraph ending in ':' heads the next block as a step (code to run, steps,
        a checklist it asks to go through, or options or causes to choose among)."""
        if nxt is None or not b.text.rstrip().endswith(":"):
            return False
        if nxt.kind == "code":
            return bool(self.reader.code(nxt))
        if nxt.kind == "list":
            return any(self.acts(it) for it in nxt.children) or prose.asks_to_act(b.text) or picks_action(b.text)
        return False

    def list_(self, lst: Block, counter: Counter, intro: Step | None, out: list[Step]) -> Step | None:
        """A list is steps (numbered, or enough bullets that act) or details of the step before it."""
        absorb = intro is not None and intro.text.rstrip().endswith(":") and not intro.snippets
        target = Counter(intro.label) if absorb and intro is not None else counter
        target.reserve([lst])
        if lst.ordered:
            check_numbers(lst, self.doc.path, self.diags)
        acting = [self.acts(it) for it in lst.children]
        strong = [self.acts(it, strong=True) for it in lst.children]
        steps_list = any(strong) or (lst.ordered and any(acting)) or 2 * sum(acting) >= len(lst.children) \
            or (intro is None and any(acting))  # no step to be details of: its instructions are steps
        if absorb and intro is not None and picks_action(intro.text) and not any(it.children for it in lst.children):
            steps_list = False  # "Depending on symptoms, you may decide to choose:" + the options: one choice
        if not steps_list:
            target.reserved -= {it.number for it in lst.children if it.number is not None}  # no step numbers
            if intro is not None:
                intro.details.extend(it.text for it in lst.children)
                intro.options.extend(prose.clean(it.text) for it in lst.children)
            return intro
        items: list[Step] = []
        details: list[str] = []
        for it in lst.children:
            step = self.item(it, target, ordered=lst.ordered)
            if step is None:
                details.append(it.text)
            else:
                items.append(step)
        if intro is not None and details:
            intro.details.extend(details)
        choice = case_choice(items, target.prefix) if not details else None
        if choice is not None:
            items.insert(0, choice)  # "- for autoANALYZE, ...; - for a regular transaction, ...": which case first
        if absorb and intro is not None:
            intro.children.extend(items)
            return None
        out.extend(items)
        return None

    def acts(self, item: Block, *, strong: bool = False) -> bool:
        """Whether a list item does something: runs code or states a condition (strong), or instructs."""
        key = (id(item), strong)
        if key not in self.acting:
            self.acting[key] = self._acts(item, strong)
        return self.acting[key]

    def _acts(self, item: Block, strong: bool) -> bool:
        text = item.text
        if item.link:
            return False
        if not strong:  # what acts strongly acts; else an instruction does (the strong reading is asked too)
            return self.acts(item, strong=True) or (prose.is_instruction(text) and not prose.is_constraint(text))
        found = self.reader.item_commands(item)
        if found:  # (a one-sentence item's paragraph takes them: `spans`)
            return True
        if any(self.reader.condition(s) for _, s in prose.sentences(text)[:1]) or self.reader.marked(text):
            return True
        if any(c.kind == "code" or (c.kind == "list" and any(self.acts(i, strong=True) for i in c.children))
               for c in item.children):
            return True
        return False

    def item(self, item: Block, counter: Counter, *, ordered: bool) -> Step | None:
        label = counter.next(item.number if ordered else None)
        sub = Counter(label)
        self.reader.tail = None
        if item.link or (not ordered and prose.is_constraint(item.text) and not item.spans):
            steps: list[Step] = []
        else:
            steps = self.reader.paragraph(item, sub, introduces=bool(item.children), label=label,
                                   force=ordered or len(item.text.split()) >= 3)
        tail = self.reader.tail
        if not steps:
            probe = Step(label, item.text, self.reader.loc(item.line, item.col), title=True)
            inner = self.blocks(item.children, sub, intro=probe) if item.children else []
            if not inner and not probe.children:
                counter.release()  # a detail, not a step
                return None
            probe.children = inner + probe.children
            steps = [probe]
        else:
            inner = self.blocks(item.children, sub, intro=tail or steps[0]) if item.children else []
            if inner and steps[0].condition is None and not steps[0].snippets and all(map(plain, inner)):
                steps[0].details.extend(s.prompt for s in inner)  # sub-bullets that only elaborate the step
            else:
                steps[0].children.extend(inner)
        step = steps[0]
        step.number = item.number if ordered else counter.last
        step.ordered = ordered
        step.children.extend(steps[1:])
        return step



def _passed_note(intro: Block, b: Block) -> bool:
    """Whether `b` is a note set between an intro ending in ':' and what it introduces
    ("... more aggressive steps:" + "NOTE: DO NOT RUN THE FOLLOWING COMMANDS ON A POOL
    REPOSITORY (...)" + the list): a paragraph led by Note/Warning/Caution/Important that
    does not end in ':' itself (a "**Important:**" that ends so heads its own list)."""
    return intro.text.rstrip().endswith(":") and b.kind == "para" and bool(_NOTE_LEAD.match(b.text)) \
        and not b.text.rstrip().endswith(":")


_NOTE_LEAD = re.compile(r"[\s>*_]*(?:note|warning|caution|important|attention|danger)\b[*_]*\s*[:!\u2014-]", re.I)
_EXAMPLE_CODE = re.compile(r"examples?\s+(?:of\s+)?(?:debugging\s+|useful\s+)?(?:quer|command|promql|sql|kql|script)", re.I)



# The reader of each block kind: (extractor, blocks, index, counter, intro, out) -> the new intro.
_READERS = {"para": _Extractor.para_block, "code": _Extractor.code_block, "list": _Extractor.list_block,
            "table": _Extractor.table_block}
