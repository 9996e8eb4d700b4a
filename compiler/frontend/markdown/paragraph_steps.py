"""Paragraph steps: the sentences of one paragraph read into steps.

`ParagraphReader.paragraph(b, ...)` makes a primary step of a paragraph's plain sentences and
a step of each condition ("If X, Y"), with the "Otherwise, Z" part of the condition before it,
a "You may be able to X. Otherwise, Z." option, and later sentences that continue an open
condition. The reader also keeps what a document's steps ask more than once, read once: a
sentence's condition and marks, the commands of its code spans, what a code block runs.
`steps._Extractor` composes one reader per document.
"""

from __future__ import annotations

import re
from dataclasses import replace

from skc.compiler.frontend.markdown import flow, prose
from skc.compiler.frontend.markdown.anaphora import anaphoric_condition, case_lead
from skc.compiler.frontend.markdown.blocks import Reading, read_block
from skc.compiler.frontend.markdown.document import Block, Document
from skc.compiler.frontend.markdown.inline_calls import inline_call_warnings
from skc.compiler.frontend.markdown.snippets import MAX_INLINE_SPANS, Snippet, inline_snippets
from skc.compiler.frontend.markdown.step_model import Counter, Step, relabel
from skc.compiler.frontend.markdown.step_rules import action_offset, keep, mark, marked, offset_of
from skc.compiler.frontend.markdown.trailing import (
    case_condition,
    concluded_then_acts,
    option_condition,
    supposed_condition,
    then_continues,
    trailing_condition,
)
from skc.ir.location import Diagnostic, Location


class ParagraphReader:
    """Reads the paragraphs of one document into steps; `tail` is the step made from the last
    paragraph's last sentence (a condition, or the primary step), which may own the next block."""

    def __init__(self, doc: Document, diagnostics: list[Diagnostic]) -> None:
        self.doc = doc
        self.diags = diagnostics
        self.tail: Step | None = None  # the step made from a paragraph's last sentence
        self.readings: dict[int, Reading] = {}  # blocks stay alive with the document
        self.inline: dict[tuple[int, int, int, str], list[Snippet]] = {}  # an item's commands, found by `acts`
        self.marks: dict[str, bool] = {}  # a list item's text is read by `acts`, then by its paragraph
        self.conditions: dict[str, prose.Condition | None] = {}

    def loc(self, line: int, col: int = 1) -> Location:
        return Location(self.doc.path, line, max(col, 1))

    def paragraph(self, b: Block, counter: Counter, *, introduces: bool, label: str | None = None,
                  force: bool = False) -> list[Step]:
        """A primary step for the paragraph's plain sentences, plus one step per condition."""
        if len(b.spans) > MAX_INLINE_SPANS:
            self.diags.append(Diagnostic("SKC129", self.loc(b.line), f"paragraph with {len(b.spans)} code spans "
                                         "not analysed for commands", f"only paragraphs with up to {MAX_INLINE_SPANS} "
                                         "code spans have their inline commands become steps", "warning"))
        plain: list[tuple[int, str]] = []
        conds: list[Step] = []
        open_cond: Step | None = None  # a condition later sentences may still belong to
        previous: str | None = None
        read: dict[tuple[int, str], list[Snippet]] = {}  # a plain sentence's commands, found once
        for offset, sentence in prose.sentences(b.text):
            before, previous = previous, sentence  # "Did X? If so, Y": the fact "if so" tests
            cond = anaphoric_condition(sentence, before) or case_condition(sentence) or \
                self.condition(sentence) or trailing_condition(sentence) or supposed_condition(sentence)
            skip = action_offset(sentence, cond) if cond is not None else 0
            snippets = self.spans(b, offset + skip, offset + len(sentence), sentence[skip:])
            self.diags += inline_call_warnings(b, offset, offset + len(sentence), snippets, self.doc.path)
            if conds and (not plain or plain[-1][0] < offset_of(b.text, conds[-1].text)) \
                    and flow.resolution_note(sentence):
                conds[-1].exit = conds[-1].exit or "resolved"  # "If X, do Y. This is a definitive resolution."
                conds[-1].text = f"{conds[-1].text} {sentence}"
                continue
            if _OTHERWISE_LEAD.match(sentence.strip(" *_")) and conds:
                other = Step(f"{conds[-1].label}.else", re.sub(r"^(?:otherwise|else|if not)[,:]?\s*", "",
                                                                prose.clean(sentence), flags=re.I),
                             self.at(b, offset, sentence), snippets=snippets)
                mark(other, other.text)
                conds[-1].otherwise.append(other)
                open_cond = None
            elif not conds and plain and plain[-1][1] == before and before is not None and \
                    (option := option_condition(before, sentence)) is not None:
                off, _ = plain.pop()  # "You may be able to X. Otherwise, Z.": whether X does it, else Z
                step = Step("", before, self.at(b, off, before), condition=option,
                            snippets=self.spans(b, off, off + len(before), before))
                other = Step("", re.sub(r"^(?:otherwise|else)[,:]?\s*", "", prose.clean(sentence), flags=re.I),
                             self.at(b, offset, sentence), snippets=snippets)
                mark(other, other.text)
                step.otherwise.append(other)
                conds.append(step)
                open_cond = None
            elif cond is not None:
                step = Step("", sentence, self.at(b, offset, sentence), condition=cond, snippets=snippets)
                mark(step, cond.action)
                conds.append(step)
                open_cond = step if cond.header or (step.goto is None and step.exit is None) else None
            elif open_cond is not None and open_cond.condition is not None and (
                    open_cond.condition.header or self.marked(sentence) or concluded_then_acts(open_cond, sentence)
                    or then_continues(open_cond, sentence)):
                c = open_cond.condition
                open_cond.condition = replace(c, action=f"{c.action} {case_lead(sentence)}".strip())
                open_cond.text = f"{open_cond.text} {sentence}"
                open_cond.snippets.extend(snippets)
                mark(open_cond, open_cond.condition.action)
            else:
                plain.append((offset, sentence))
                read[(offset, sentence)] = snippets
                open_cond = None
        plain.extend((offset_of(b.text, c.text), c.text) for c in conds if not keep(c))
        plain.sort()
        conds = [c for c in conds if keep(c)]
        text = " ".join(s for _, s in plain)
        snippets = [sn for off, s in plain for sn in self.spans_once(read, b, off, s)]
        active = snippets or force or any(prose.is_instruction(s) for _, s in plain) or \
            (introduces and text.rstrip().endswith(":")) or any(self.marked(s) for _, s in plain)
        steps: list[Step] = []
        self.tail = conds[-1] if conds and (not plain or plain[-1][0] < offset_of(b.text, conds[-1].text)) else None
        if plain and active:
            primary = Step(label or counter.next(), text, self.at(b, *plain[0]), snippets=snippets)
            for _, sentence in plain:
                if self.marked(sentence):
                    mark(primary, sentence)
            primary.parallel = flow.parallel_hint(text)
            steps.append(primary)
            self.tail = self.tail or primary
            for child in conds:
                child.label = f"{primary.label}.{len(primary.children) + 1}"
                primary.children.append(child)
                relabel(child)
            return steps
        for child in conds:
            child.label = label if label and not steps else counter.next()
            relabel(child)
            steps.append(child)
            label = None
        return steps

    def at(self, b: Block, offset: int, sentence: str) -> Location:
        """The location of the sentence at `offset` of `b.text`."""
        line = b.line_of(offset)
        return self.loc(line, self.col_of(line, sentence))

    def marked(self, sentence: str) -> bool:
        """`step_rules.marked(sentence)`, asked once per text of this document."""
        found = self.marks.get(sentence)
        if found is None:
            found = self.marks[sentence] = marked(sentence)
        return found

    def condition(self, sentence: str) -> prose.Condition | None:
        """`prose.parse_condition(sentence)`, asked once per text of this document."""
        if sentence in self.conditions:
            return self.conditions[sentence]
        found = self.conditions[sentence] = prose.parse_condition(sentence)
        return found

    def col_of(self, line: int, sentence: str) -> int:
        source = self.doc.lines[line - 1] if 0 < line <= len(self.doc.lines) else ""
        head = prose.clean(sentence).split(" ", 1)[0].strip("`*_[(") if sentence.strip() else ""
        pos = source.find(head) if head else -1
        return pos + 1 if pos >= 0 else len(source) - len(source.lstrip()) + 1

    # ------------------------------------------------------------------ code

    def spans_once(self, read: dict[tuple[int, str], list[Snippet]], b: Block, offset: int, sentence: str) -> list[Snippet]:
        """The commands of a sentence at `offset`: those already found for it in `read`, once."""
        found = read.pop((offset, sentence), None)
        return found if found is not None else self.spans(b, offset, offset + len(sentence), sentence)

    def spans(self, b: Block, start: int, end: int, sentence: str) -> list[Snippet]:
        if len(b.spans) > MAX_INLINE_SPANS:  # hostile-input bound (issue 12); warned once in paragraph()
            return []
        found = self.inline.pop((id(b), start, end, sentence), None)
        return found if found is not None else inline_snippets(b, start, end, sentence, self.doc.path, self.doc.lines)

    def code(self, b: Block) -> list[Snippet] | None:
        """The snippets of a code block, read once (a block is asked about more than once)."""
        reading = self.reading(b)
        return list(reading.snippets) if reading.runs or reading.recogniser else None  # `snippets.block_snippets`

    def reading(self, b: Block) -> Reading:
        """What code block `b` runs (`blocks.read_block`), read once: the steps, the SKC154
        warnings and the descriptive sections' check all ask."""
        found = self.readings.get(id(b))
        if found is None:
            found = self.readings[id(b)] = read_block(b, self.doc.path)
        return found

    def item_commands(self, item: Block) -> list[Snippet]:
        """The commands of list item `item`'s whole text, kept for its paragraph (`spans`)."""
        text = item.text
        found = self.inline[(id(item), 0, len(text), text)] = inline_snippets(
            item, 0, len(text), text, self.doc.path, self.doc.lines)
        return found


_OTHERWISE_LEAD = re.compile(r"(?:otherwise|else|if not)\b", re.I)
