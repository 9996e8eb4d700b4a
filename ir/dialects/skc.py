"""The `skc` dialect: the workflow op that holds a runbook or skill as a function."""

from __future__ import annotations

from skc.ir.attrs import STR, STRS, opt, req
from skc.ir.core import Block, Dialect, Op, Region, Value
from skc.ir.location import UNKNOWN, Location
from skc.ir.traits import ReturnLike
from skc.ir.types import Type


class WorkflowOp(Op):
    """A workflow: typed inputs (the entry block's arguments), a body, typed outputs.

    The body ends with `ctrl.return`, whose operands are the workflow's outputs.
    `arg_names` names the inputs for `skc run --input name=value`; `permissions`
    is the skill's allowed-tools set; `source` the document it came from.

        "skc.workflow"() ({
        ^bb0(%ns: !skc.text):
          ...
          "ctrl.return"(%5) : (!skc.text) -> ()
        }) {arg_names = ["ns"], sym_name = "virt_handler_down"} : () -> ()
    """

    name = "skc.workflow"
    operands_sig = ()
    results_sig = ()
    num_regions = 1
    attrs = {
        "sym_name": req(STR, "the workflow's name"),
        "arg_names": opt(STRS, "input names, one per entry-block argument"),
        "output_names": opt(STRS, "output names, one per ctrl.return operand"),
        "permissions": opt(STRS, "allowed tools (SKILL.md allowed-tools), deny by default"),
        "description": opt(STR, "what the workflow does"),
        "source": opt(STR, "path of the source document"),
        "steps": opt(STRS, "the top-level steps of the source document, in order"),
        "step_edges": opt(STRS, "the document's step graph: \"2 -> 11\" edges between those steps"),
    }

    @property
    def sym_name(self) -> str:
        return str(self.attributes.get("sym_name", ""))

    @property
    def body(self) -> Block:
        return self.regions[0].block

    @property
    def inputs(self) -> list[Value]:
        return self.body.args

    @property
    def input_names(self) -> list[str]:
        names = self.attributes.get("arg_names")
        if isinstance(names, list) and len(names) == len(self.inputs):
            return [str(n) for n in names]
        return [a.name or f"arg{i}" for i, a in enumerate(self.inputs)]

    def arg(self, name: str) -> Value:
        """The input called `name`."""
        return self.inputs[self.input_names.index(name)]

    @property
    def outputs(self) -> list[Value]:
        term = self.body.terminator
        return list(term.operands) if term is not None and term.has(ReturnLike) else []


def workflow(sym_name: str, inputs: dict[str, Type] | None = None, *, loc: Location = UNKNOWN,
             **attributes: object) -> WorkflowOp:
    """Creates an empty workflow (not inserted anywhere); build its body with InsertionPoint."""
    inputs = inputs or {}
    block = Block(list(inputs.values()), list(inputs))
    attrs: dict = {"sym_name": sym_name, **{k: v for k, v in attributes.items() if v is not None}}
    if inputs:
        attrs["arg_names"] = list(inputs)
    return WorkflowOp(attributes=attrs, regions=[Region([block])], loc=loc)


SKC = Dialect("skc", [WorkflowOp])
