"""Inputs from the incident: `skc run RUNBOOK --incident FILE`.

A runbook often says where its inputs come from: "Collect these parameters from the
incident: {region}, {start_time}, {end_time}". The front end records those names as
the workflow's `incident_inputs`. Given the incident's text (an alert, a ticket, a page),
`inputs_from_incident(wf, given, text, model)` reads each field the incident writes out
as `field: value` on a line of its own (`stated_value`: no model), and asks the model for
the others with a grammar-constrained `llm.extract` (a JSON Schema with one string
property per field, all required, nothing else allowed; the same request and check the
LLM target makes for an `llm.extract` op); a value the model gives is kept only as far as
the incident contains it word for word (`grounded`). Inputs given with `-i` win: a field given there is
not asked for. A workflow that records no `incident_inputs` has every input not given
with `-i` extracted. A field left empty stays missing, so the run still refuses it by
name (SKC305).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import jsonschema

from skc.ir.dialects.llm import ExtractOp
from skc.ir.location import Diagnostic, DiagnosticError, Location
from skc.ir.types import JSON
from skc.runtime.llm.base import LLMBackend, complete_async
from skc.runtime.llm.registry import get_backend
from skc.runtime.targets.llm import build_messages

MAX_INCIDENT_BYTES = 256 * 1024
PROMPT = ("Copy from the incident below the value of each field, word for word as the incident writes it "
          "(an empty string when the incident does not say).")


def read_incident(path: str | Path) -> str:
    """The incident file's text (UTF-8, at most `MAX_INCIDENT_BYTES`); a user error (SKC305) otherwise."""
    p = Path(path)
    try:
        data = p.read_bytes()
    except OSError as e:
        raise DiagnosticError([Diagnostic("SKC305", Location(str(p), 1, 1), f"cannot read the incident: "
                                          f"{e.strerror or e}", "give a text file: --incident FILE")]) from e
    if len(data) > MAX_INCIDENT_BYTES:
        raise DiagnosticError([Diagnostic("SKC305", Location(str(p), 1, 1), f"the incident is over "
                                          f"{MAX_INCIDENT_BYTES // 1024} KiB", "give the alert or ticket text only")])
    return data.decode("utf-8", errors="replace")


def incident_fields(wf: Any, given: Mapping[str, Any]) -> list[str]:
    """The inputs to extract: the workflow's `incident_inputs` (else all its inputs) not given with `-i`."""
    names = list(wf.input_names)
    wanted = [str(n) for n in wf.attributes.get("incident_inputs") or names]
    return [n for n in wanted if n in names and n not in given]


def extraction_op(fields: list[str]) -> ExtractOp:
    """The `llm.extract` that reads `fields` from the incident: a closed JSON Schema of strings."""
    schema = {"type": "object", "properties": {f: {"type": "string"} for f in fields}, "required": fields,
              "additionalProperties": False}
    return ExtractOp([], [JSON], {"prompt": f"{PROMPT}\nFields: {', '.join(fields)}.", "schema": json.dumps(schema)})


async def inputs_from_incident(wf: Any, given: Mapping[str, Any], text: str,
                               model: str | LLMBackend | None = None) -> dict[str, Any]:
    """`given` completed with the fields the incident states (see the module docstring)."""
    wanted = incident_fields(wf, given)
    stated = {f: v for f in wanted if (v := stated_value(text, f))}
    fields = [f for f in wanted if f not in stated]
    if not fields:
        return {**stated, **given}
    op = extraction_op(fields)
    schema = json.loads(str(op.attributes["schema"]))
    backend = model if isinstance(model, LLMBackend) else get_backend(model)
    reply = await complete_async(backend, build_messages(op, [text]), json_schema=schema,
                                 max_tokens=64 + 48 * len(fields))
    try:
        value = json.loads(reply.text)
        jsonschema.validate(value, schema)
    except (ValueError, jsonschema.ValidationError) as e:
        raise DiagnosticError([Diagnostic("SKC305", Location("<incident>", 1, 1), "the model's reading of the "
                                          f"incident is not the fields asked for: {e}", "pass the inputs with -i")]) \
            from e
    found = {k: g for k, v in value.items() if isinstance(v, str) and (g := grounded(v, text))
             and g.lower() not in (k.lower(), k.replace("_", " "))}
    return {**found, **stated, **given}


def grounded(answer: str, text: str) -> str:
    """The model's answer as the incident writes it: the answer when the incident contains it as a
    whole word, else its longest leading part that it does (at least 60% of it: "eu-west-1" when
    the incident says "eu-west"), else ""."""
    answer = answer.strip()
    parts = re.split(r"(?<=[\w])(?=[-_./: ]\w)", answer)
    for n in range(len(parts), 0, -1):
        head = "".join(parts[:n]).strip()
        if len(head) < max(2, 0.6 * len(answer)):
            break
        if re.search(rf"(?<![\w-]){re.escape(head)}(?![\w])", text):
            return head
    return ""


def stated_value(text: str, field: str) -> str:
    """The value the incident writes as `field: value` (or `field = value`; the name with spaces,
    dashes or underscores, any case) on a line of its own, else ""."""
    name = r"[\s_-]?".join(re.escape(p) for p in re.split(r"[_\s-]+", field) if p)
    m = re.search(rf"(?im)^[\s>*-]*{name}\s*[:=]\s*[`'\"]?(?P<v>[^`'\"\n]+?)[`'\"]?\s*$", text)
    return m.group("v").strip() if m else ""
