"""For-each steps: "For each X ..." over a list an earlier step produced, as `ctrl.map`.

A step whose text starts with "For each / For every <noun>" ("For each failing check,
extract the run id from `detailsUrl` and run:" + commands; "For every pod in the
output, restart it: `kubectl delete pod <pod>`"; "For each task:" + sub-steps)
becomes a `ctrl.map` (built by `MapLowerer`, which `Lowering` composes) when both halves
are clear, and otherwise stays as it was (its
sub-steps run once):

- the list: the latest result on the path to the step (see `Scope.path`) of a step
  whose text or command names the noun ("check" ~ `gh pr checks`, "pod" ~ `kubectl
  get pods`), and which is a list: a table (one item per row), a tool's JSON
  (`kubectl ... -o json` maps over `$.items[*]`), an `llm.extract` array, an earlier
  `ctrl.map`'s result, or a tool's text (one item per non-empty line, a `NAME ...`
  header skipped). An llm's free text is not a list;
- the per-item work: the rest of the sentence (an instruction, or the step's own
  code) and the sub-steps, none of which exits or jumps (a `ctrl.map` body cannot end
  the workflow); at least one of them does something.

The body's block argument is the item. Inside it every llm op also takes the item as
context; a variable named after the noun (`<pod>`, `$POD_NAME` for "pod") is the
item's name (`$.NAME` of a kubectl table row, `$.metadata.name` of a kubectl JSON
item, `$.name` of `--json name,...` output, the first word of a text line, the item
itself from an llm list); when the item has no name we can know, a body that needs
one is not mapped. "extract the run id from ..." whose name a command of the body uses
(`<run_id>`) defines that variable per item (`llm.extract` of a JSON string from the
item). The body yields one text per item; the map's JSON array is the step's result.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Protocol

from skc.compiler.frontend.common.variables import find_vars, normalise
from skc.compiler.frontend.markdown import flow, prose
from skc.compiler.frontend.markdown.lower_code import CodeLowerer
from skc.compiler.frontend.markdown.lower_context import LowerContext, Scope
from skc.compiler.frontend.markdown.step_model import Step, flatten
from skc.ir import JSON, TEXT, InsertionPoint, Value, ctrl, data, llm
from skc.ir.core import Op

_LIST_TOOLS = ("tool.shell", "tool.sql", "tool.script", "tool.python", "tool.http")
_LINE = r"(?m)^(?!NAME\s).*\S.*$"  # a non-empty line that is not a kubectl header
_ITEM = "$"  # the item itself is its name
_WORD = "^"  # the first word of a text line is its name


@dataclass(frozen=True)
class _Source:
    """A list an earlier step produced: the value, where its items are, how an item is named."""

    value: Value
    items: str | None = None  # a JSONPath to the array inside the value
    lines: bool = False  # text: one item per line
    name: str | None = None  # JSONPath of an item's name, _ITEM, _WORD, or None (unknown)


class StepLowerer(Protocol):
    """What a for-each body needs from the lowerer of steps (`lower.Lowering`)."""

    def seq(self, units: list[Step], scope: Scope) -> bool: ...

    def yield_(self, scope: Scope, st: Step) -> None: ...

    def llm_step(self, st: Step, prompt: str, scope: Scope) -> Value: ...

    def emit_code(self, st: Step, scope: Scope) -> None: ...


class MapLowerer:
    """Lowers for-each steps to `ctrl.map`: the list an earlier step produced, the item's
    name, and the per-item body (lowered by `body`, the lowerer of steps)."""

    def __init__(self, ctx: LowerContext, coder: CodeLowerer, body: StepLowerer) -> None:
        self.ctx, self.coder, self.body = ctx, coder, body

    def for_each(self, st: Step, scope: Scope) -> bool:
        """Builds the `ctrl.map` of a for-each step; False (and nothing built) when it is not one."""
        found = prose.for_each(st.text) if st.condition is None else None
        if found is None:
            return False
        noun, rest = found
        body = flatten(st.children)
        if any(d.exit is not None or d.goto is not None or d.parallel is not None for s in [st, *body]
               for d in s.walk()) or flow.exit_status(rest, anchored=True) or flow.goto_target(rest, anchored=True):
            return False
        work = bool(st.snippets) or (bool(rest) and (prose.is_instruction(rest) or prose.modal(rest)))
        if not (work or body):
            return False
        source = self.list_source(noun, scope)
        if source is None:
            return False
        names = self.body_vars(st, body)
        item_vars = [n for n in names if _names_item(n, noun)]
        if item_vars and source.name is None:
            return False  # the commands need the item's name, and we cannot know which field it is
        defined = [(normalise(what), clause) for what, clause in prose.defines(rest)
                   if normalise(what) in names and normalise(what) not in item_vars]
        self.coder.use([source.value], st)
        items = source.value
        if source.lines:
            items = self.coder.tag(data.regex_extract(items, _LINE, all=True, result=JSON, loc=st.loc), st)
        elif source.items:
            items = self.coder.tag(data.json_get(items, source.items, JSON, loc=st.loc), st)
        head = normalise(noun.split()[-1])
        mapped = ctrl.map_(items, JSON, item_name=head, loc=st.loc, step=st.label)
        with InsertionPoint(mapped.body):
            inner = scope.child()
            item = mapped.body.args[0]
            inner.item, inner.last, inner.last_label = item, [item], st.label
            if item_vars:
                name = self.item_name(item, source, st)
                inner.env.update(dict.fromkeys(item_vars, name))
            for var, clause in defined:
                inner.env[var] = self.coder.tag(llm.extract(clause, '{"type":"string"}', item, loc=st.loc), st)
            if st.snippets:
                self.body.emit_code(st, inner)
            elif work and not defined and not rest.rstrip().endswith(":"):
                value = self.body.llm_step(st, rest[:1].upper() + rest[1:], inner)
                inner.produced.append((st.label, value))
                inner.last, inner.last_label = [value], st.label
            self.body.seq(body, inner)
            self.body.yield_(inner, st)
        scope.produced.append((st.label, mapped.result))
        scope.last, scope.last_label = [mapped.result], st.label
        self.ctx.producer[id(mapped.result)] = st.label
        return True

    def list_source(self, noun: str, scope: Scope) -> _Source | None:
        """The latest list on the path whose step names `noun` (see the module docstring)."""
        for value in reversed(scope.path()):
            label = self.ctx.producer.get(id(value))
            step = self.ctx.by_label.get(label or "")
            if step is None or not prose.mentions(_step_text(step), noun):
                continue
            op = value.defining_op
            if op is None or op.op_name == "ctrl.if":
                continue
            return _shape(value, op)
        return None

    def body_vars(self, st: Step, body: list[Step]) -> set[str]:
        """Names the commands and prompts of a for-each step and its sub-steps use."""
        names: set[str] = set()
        for s in [st, *body]:
            for sn in s.snippets:
                cmd = self.ctx.commands.get(id(sn))
                names.update(cmd.vars if cmd is not None else (v.name for v in find_vars(sn.text, shell=False)))
        return names

    def item_name(self, item: Value, source: _Source, st: Step) -> Value:
        if source.name == _ITEM:
            return item
        if source.name == _WORD:
            return self.coder.tag(data.regex_extract(item, r"^\s*(\S+)", group=1, loc=st.loc), st)
        assert source.name is not None
        return self.coder.tag(data.json_get(item, source.name, TEXT, loc=st.loc), st)


def _shape(value: Value, op: Op) -> _Source | None:
    """How to iterate `value`, made by `op`, or None when it is not a list."""
    kind = value.type.kind
    if op.op_name == "ctrl.map":
        return _Source(value, name=_ITEM)
    if op.op_name == "llm.extract":
        return _Source(value, name=_ITEM) if '"array"' in str(op.attributes.get("schema", "")) else None
    if op.op_name not in _LIST_TOOLS:
        return None
    argv = op.attributes.get("argv")
    words = [str(w) for w in argv] if isinstance(argv, list) else str(op.attributes.get("cmd", "")).split()
    k8s = bool(words) and words[0] in ("kubectl", "oc") and "get" in words[1:4]
    if kind == "table":
        return _Source(value, name="$.NAME" if k8s else None)
    if kind == "json":
        if k8s:
            return _Source(value, items="$.items[*]", name="$.metadata.name")
        fields = next((words[i + 1] for i, w in enumerate(words[:-1]) if w == "--json"), "")
        return _Source(value, name="$.name" if "name" in fields.split(",") else None)
    if kind == "text":
        return _Source(value, lines=True, name=_WORD)
    return None


def _names_item(var: str, noun: str) -> bool:
    """`pod`, `pod_name`, `failing_check` name the item of "For each (failing) pod/check"."""
    head = normalise(noun.split()[-1])
    return var in (head, normalise(noun)) or re.fullmatch(rf"{re.escape(head)}_(?:name|id)", var) is not None


def _step_text(step: Step) -> str:
    return " ".join([step.text, *(sn.text for sn in step.snippets)])

