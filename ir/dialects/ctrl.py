"""The `ctrl` dialect: structured control flow with regions.

`ctrl.if` runs one of its two regions; `ctrl.map` runs its body once per item of a
JSON array or table (in parallel at run time); `ctrl.retry` re-runs its body until
it succeeds or `max_attempts` is reached; `ctrl.manual` is a step for a person
(skipped with a report in unattended runs). Bodies end with `ctrl.yield`; a
workflow's body ends with `ctrl.return`.
"""

from __future__ import annotations

from collections.abc import Iterator

from skc.ir.attrs import INT, NUM, STR, STRS, opt, req
from skc.ir.builder import insert
from skc.ir.core import Block, Dialect, Op, Region, Value
from skc.ir.location import UNKNOWN, Diagnostic, Location
from skc.ir.traits import Branch, Loop, Retrying, ReturnLike
from skc.ir.types import ANY, JSON, TEXT, Type, Variadic, kinds


class IfOp(Op):
    """Runs the `then` region when the condition holds, else the `else` region.

        %5 = "ctrl.if"(%2) ({
          %3 = "llm.decide"(%0) {outcomes = ["a", "b"], prompt = "Which?"} : (!skc.table) -> !skc.text
          "ctrl.yield"(%3) : (!skc.text) -> ()
        }, {
          %4 = "data.const"() {value = "ok"} : () -> !skc.text
          "ctrl.yield"(%4) : (!skc.text) -> ()
        }) : (!skc.bool) -> !skc.text
    """

    name = "ctrl.if"
    operands_sig = (kinds("bool"),)
    results_sig = (Variadic(ANY),)
    num_regions = 2
    traits = frozenset({Branch})
    attrs = {"step": opt(STR, "the source step's label")}

    def verify_(self) -> Iterator[Diagnostic]:
        if self.regions and any(b.args for r in self.regions for b in r.blocks):
            yield Diagnostic("SKC210", self.where, f"{self.op_name}'s regions take no arguments")

    @property
    def then_block(self) -> Block:
        return self.regions[0].block

    @property
    def else_block(self) -> Block:
        return self.regions[1].block


class MapOp(Op):
    """Applies its body to every item of a JSON array or table; the result is a JSON array.

    The body's one block argument is the item; `max_parallel` bounds concurrency.

        %2 = "ctrl.map"(%1) ({
        ^bb0(%pod: !skc.json):
          %3 = "data.json_get"(%pod) {path = "$.name"} : (!skc.json) -> !skc.text
          "ctrl.yield"(%3) : (!skc.text) -> ()
        }) {max_parallel = 4 : i64} : (!skc.json) -> !skc.json
    """

    name = "ctrl.map"
    operands_sig = (kinds("json", "table"),)
    results_sig = (kinds("json"),)
    num_regions = 1
    traits = frozenset({Loop})
    attrs = {"max_parallel": opt(INT, "concurrency bound"), "step": opt(STR, "the source step's label")}

    @property
    def body(self) -> Block:
        return self.regions[0].block

    def verify_(self) -> Iterator[Diagnostic]:
        if self.regions and len(self.body.args) != 1:
            yield Diagnostic("SKC210", self.where,
                             f"ctrl.map's body takes 1 argument (the item), not {len(self.body.args)}")

    @property
    def max_parallel(self) -> int | None:
        """How many items may run at once (None or <= 0: all of them)."""
        return self.attr_int("max_parallel")


class RetryOp(Op):
    """Runs its body until it succeeds, at most `max_attempts` times, waiting `backoff_s` (doubling).

        %1 = "ctrl.retry"() ({
          %0 = "tool.shell"() {argv = ["curl", "-sf", "http://127.0.0.1:8080/"], effects = ["net:http"]} : () -> !skc.text
          "ctrl.yield"(%0) : (!skc.text) -> ()
        }) {backoff_s = 0.5 : f64, max_attempts = 3 : i64} : () -> !skc.text
    """

    name = "ctrl.retry"
    operands_sig = (Variadic(ANY),)
    results_sig = (Variadic(ANY),)
    num_regions = 1
    traits = frozenset({Retrying})
    attrs = {"max_attempts": req(INT, "attempt budget"), "backoff_s": opt(NUM, "first wait")}

    @property
    def body(self) -> Block:
        return self.regions[0].block

    def verify_(self) -> Iterator[Diagnostic]:
        if self.regions and any(b.args for r in self.regions for b in r.blocks):
            yield Diagnostic("SKC210", self.where, f"{self.op_name}'s regions take no arguments")

    @property
    def max_attempts(self) -> int:
        """The attempt budget (at least 1)."""
        n = self.attr_int("max_attempts")
        return n if n is not None and n > 0 else 1

    @property
    def backoff_s(self) -> float | None:
        """The first wait between attempts (doubling), None for the runtime's default."""
        return self.attr_num("backoff_s")


class YieldOp(Op):
    """Ends a `ctrl.if` / `ctrl.map` / `ctrl.retry` region with the region's values.

        "ctrl.yield"(%3) : (!skc.text) -> ()
    """

    name = "ctrl.yield"
    operands_sig = (Variadic(ANY),)
    results_sig = ()
    terminator = True


class ReturnOp(Op):
    """Ends a workflow; its operands are the workflow's outputs. `status` marks early exits.

        "ctrl.return"(%5) : (!skc.text) -> ()
    """

    name = "ctrl.return"
    operands_sig = (Variadic(ANY),)
    results_sig = ()
    terminator = True
    traits = frozenset({ReturnLike})
    attrs = {"status": opt(STR, "why the workflow stops here (e.g. escalate)")}

    @property
    def status(self) -> str | None:
        """Why the workflow stops here (`escalate`, ...), if said."""
        return self.attr_str("status")


class ManualOp(Op):
    """A step a person must do by hand (an interactive session, an editor, a UI): in an
    unattended run it is skipped and reported; its result says so (or holds the person's
    answer where the run asks for it). `command` is what the document wrote, `reason`
    why it cannot run unattended. Its one effect, `read:manual`, conflicts with nothing.

        %4 = "ctrl.manual"() {command = "oc edit cm/config", effects = ["read:manual"], reason = "opens an editor"} : () -> !skc.text
    """

    name = "ctrl.manual"
    operands_sig = (Variadic(ANY),)
    results_sig = (kinds("text"),)
    pure = False
    attrs = {"command": req(STR, "what the document asks to do"), "reason": req(STR, "why it is not run unattended"),
             "effects": opt(STRS, "read:manual (it runs nothing here)"), "step": opt(STR, "the source step's label")}


CTRL = Dialect("ctrl", [IfOp, MapOp, RetryOp, YieldOp, ReturnOp, ManualOp])


def if_(cond: Value, results: list[Type] | None = None, *, loc: Location = UNKNOWN,
        names: list[str | None] | None = None) -> IfOp:
    """A `ctrl.if` with empty then/else blocks; fill them with InsertionPoint and end with yield_."""
    types = results or []
    return insert(IfOp([cond], types, {}, [Region(), Region()], loc=loc, result_names=names))


def map_(items: Value, item_type: Type = JSON, *, item_name: str | None = "item",
         loc: Location = UNKNOWN, name: str | None = None, **attrs: object) -> MapOp:
    """A `ctrl.map` whose body block takes one item argument."""
    body = Block([item_type], [item_name])
    return insert(MapOp([items], [JSON], dict(attrs), [Region([body])], loc=loc,  # type: ignore[arg-type]
                        result_names=[name]))


def retry(results: list[Type], *operands: Value, max_attempts: int = 3, backoff_s: float | None = None,
          loc: Location = UNKNOWN) -> RetryOp:
    attrs: dict = {"max_attempts": max_attempts}
    if backoff_s is not None:
        attrs["backoff_s"] = float(backoff_s)
    return insert(RetryOp(list(operands), results, attrs, [Region()], loc=loc))


def yield_(*values: Value, loc: Location = UNKNOWN) -> YieldOp:
    return insert(YieldOp(list(values), [], {}, loc=loc))


def return_(*values: Value, status: str | None = None, loc: Location = UNKNOWN) -> ReturnOp:
    return insert(ReturnOp(list(values), [], {"status": status} if status else {}, loc=loc))


def manual(command: str, reason: str, *operands: Value, loc: Location = UNKNOWN, step: str | None = None) -> Value:
    """A `ctrl.manual` step; its text result reports what happened to it."""
    attrs: dict = {"command": command, "reason": reason, "effects": ["read:manual"]}
    if step:
        attrs["step"] = step
    return insert(ManualOp(list(operands), [TEXT], attrs, loc=loc)).results[0]
