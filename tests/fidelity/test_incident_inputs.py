"""Inputs from the incident (`skc run RUNBOOK --incident FILE`): the runbook says "Collect these
parameters from the incident: {region}, {start_time} and {end_time}", a grammar-constrained
extraction with exactly those fields reads them from the incident text, `-i` still wins.

With a scripted model (the request it gets, and a run over the generated incident database)
and, slow, on the embedded model from a generated incident file.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from fidelity.incident_db import INPUTS, make_db
from fidelity.test_e2e_tagged_queries import RecordingLLM
from skc.compiler.frontend.runbook.tsg_md import compile_tsg
from skc.ir.location import DiagnosticError
from skc.runtime.api import run
from skc.runtime.incident import incident_fields, inputs_from_incident
from skc.runtime.llm.base import Completion, LLMBackend
from skc.runtime.targets.base import register_target, unregister_target

DOC = Path(__file__).resolve().parent / "docs" / "api_errors_parallel.md"
INCIDENT = """INC-4821 (sev2) opened by PagerDuty
Summary: checkout returns HTTP 500 for most users.
region: eu-west
start_time: 2024-05-01T10:00:00Z
end_time: 2024-05-01T11:00:00Z
Customers report failed payments since the morning deploy.
"""
PROSE = """INC-4822 (sev2): checkout in eu-west has returned HTTP 500 since 2024-05-01T10:00:00Z;
the errors stopped at 2024-05-01T11:00:00Z after the rollback.
"""


class Scripted(LLMBackend):
    """Answers every request with `reply`; records the requests."""

    name = "scripted"

    def __init__(self, reply: dict[str, str]) -> None:
        self.reply = json.dumps(reply)
        self.requests: list[dict[str, Any]] = []

    def complete(self, messages: list[dict[str, Any]], **kw: Any) -> Completion:
        self.requests.append({"messages": messages, **kw})
        return Completion(self.reply, 10, 5, 0.01)

    def count_tokens(self, text: str) -> int:
        return len(text.split())


def _wf() -> Any:
    module = compile_tsg(DOC).module
    assert module is not None
    return module, module.workflows[0]


def test_the_runbook_records_which_inputs_the_incident_gives() -> None:
    _, wf = _wf()
    assert wf.attributes["incident_inputs"] == ["region", "start_time", "end_time"]
    assert incident_fields(wf, {"region": "us-east"}) == ["start_time", "end_time"]


def test_the_extraction_asks_for_exactly_the_fields_and_minus_i_wins() -> None:
    _, wf = _wf()
    model = Scripted({"start_time": "2024-05-01T10:00:00Z", "end_time": "2024-05-01T11:00:00Z"})
    got = asyncio.run(inputs_from_incident(wf, {"region": "us-east"}, PROSE, model))
    assert got == {"region": "us-east", "start_time": "2024-05-01T10:00:00Z", "end_time": "2024-05-01T11:00:00Z"}
    [request] = model.requests
    schema = request["json_schema"]
    assert schema["required"] == ["start_time", "end_time"]  # region came from -i: not asked for
    assert set(schema["properties"]) == {"start_time", "end_time"}
    assert schema["additionalProperties"] is False
    assert PROSE.splitlines()[0] in request["messages"][-1]["content"]


def test_fields_the_incident_writes_out_need_no_model_and_answers_must_be_in_it() -> None:
    _, wf = _wf()
    model = Scripted({})
    assert asyncio.run(inputs_from_incident(wf, {}, INCIDENT, model)) == INPUTS
    assert model.requests == []  # "region: eu-west" lines: read, not asked
    made_up = Scripted({"region": "us-east", "start_time": "2024-05-01T10:00:00Z", "end_time": "yesterday"})
    got = asyncio.run(inputs_from_incident(wf, {}, PROSE, made_up))
    assert got == {"start_time": "2024-05-01T10:00:00Z"}  # values the incident does not contain are dropped


def test_a_reply_that_is_not_the_fields_is_a_user_error() -> None:
    _, wf = _wf()
    with pytest.raises(DiagnosticError, match="not the fields asked for"):
        asyncio.run(inputs_from_incident(wf, {}, PROSE, Scripted({"region": "eu-west"})))


def test_a_run_takes_its_inputs_from_the_incident(tmp_path: Path) -> None:
    db = make_db(tmp_path / "incident.db")
    incident = tmp_path / "incident.txt"
    incident.write_text(PROSE, encoding="utf-8")
    module, _ = _wf()
    RecordingLLM.seen = []
    register_target(RecordingLLM)
    try:
        result = run(module, {}, incident=incident, options={"llm_backend": Scripted(INPUTS)},
                     db={"default": str(db)}, runs_dir=tmp_path / "runs", workdir=tmp_path)
    finally:
        unregister_target(RecordingLLM)
    assert result.ok, result.error
    assert result.run_dir is not None
    assert json.loads((result.run_dir / "run.json").read_text())["inputs"] == INPUTS
    evidence = " ".join(a for name, args in RecordingLLM.seen if name == "llm.decide" for a in args)
    assert "2.3.1" in evidence  # the queries ran with the extracted region and times


def test_an_unreadable_incident_file_is_a_located_user_error(tmp_path: Path) -> None:
    out = subprocess.run([sys.executable, "-m", "skc", "run", str(DOC), "--incident", str(tmp_path / "none.txt"),
                          "--runs-dir", str(tmp_path / "runs")], capture_output=True, text=True, timeout=120)
    assert out.returncode == 2, out.stderr
    assert "SKC305" in out.stderr
    assert "cannot read the incident" in out.stderr
    assert "Traceback" not in out.stderr


@pytest.mark.slow
def test_the_embedded_model_reads_the_inputs_from_a_generated_incident(tmp_path: Path) -> None:
    pytest.importorskip("llama_cpp")
    _, wf = _wf()
    incident = "INC-4823 (sev2) from PagerDuty\nstart_time: 2024-05-01T10:00:00Z\nend_time: 2024-05-01T11:00:00Z\n" \
               "Payments fail for customers in the eu-west region.\n"
    got = asyncio.run(inputs_from_incident(wf, {}, incident, None))  # region from the prose, by the model
    assert got == INPUTS
