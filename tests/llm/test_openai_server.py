"""The OpenAI-compatible backend against llama-cpp-python's own server serving the embedded model
(slow: starts `python -m llama_cpp.server` on a free loopback port)."""

from __future__ import annotations

import asyncio
import json
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import jsonschema
import pytest

from skc.ir import TEXT, InsertionPoint, Module, ctrl, llm, workflow
from skc.runtime.llm.local import default_model_path
from skc.runtime.llm.openai import OpenAICompatBackend
from skc.runtime.llm.registry import get_backend
from skc.runtime.targets.base import ExecContext
from skc.runtime.targets.llm import LLMTarget

pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    pytest.importorskip("uvicorn", reason="llama-cpp-python[server] is not installed (pip install skc[llm])")
    port = free_port()
    log = (tmp_path_factory.mktemp("server") / "server.log").open("w")
    # the server's defaults: no --chat_format (skc's own worker renders prompts itself; this checks
    # that the client's wire format, structured output and token counting work on a stock server)
    proc = subprocess.Popen([sys.executable, "-m", "llama_cpp.server", "--model", default_model_path(),
                             "--host", "127.0.0.1", "--port", str(port), "--n_ctx", "2048"],
                            stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/v1"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                urllib.request.urlopen(f"{url}/models", timeout=2).close()
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"llama_cpp.server did not start: see {log.name}") from None
                time.sleep(0.5)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        log.close()


def test_generate_decide_extract_through_the_server(server_url: str, tmp_path: Path) -> None:
    schema = {"type": "object", "properties": {"name": {"type": "string"}, "age": {"type": "integer"}},
              "required": ["name", "age"]}
    wf = workflow("w", inputs={"x": TEXT})
    with InsertionPoint(wf.body):
        g = llm.generate("Say hello to the person.", wf.arg("x"), max_tokens=16)
        d = llm.decide("Is the person young, adult or old?", ["young", "adult", "old"], wf.arg("x"))
        e = llm.extract("Extract the name and age.", json.dumps(schema), wf.arg("x"), max_tokens=32)
        ctrl.return_(g, d, e)
    Module([wf])
    ctx = ExecContext(run_id="t", workdir=tmp_path, options={"model": f"openai:{server_url}"})
    target = LLMTarget()
    text = "Alice is 31 years old."
    gen, dec, ext = (asyncio.run(target.execute(op, [text], ctx)) for op in wf.body.ops[:3])
    assert gen.values[0].strip()
    assert gen.tokens_in > 0
    assert 0 < gen.tokens_out <= 16
    assert dec.values[0] in ("young", "adult", "old")
    jsonschema.validate(ext.values[0], schema)


def test_server_tokenizer_matches_the_local_one(server_url: str) -> None:
    remote = OpenAICompatBackend(server_url)
    text = "kubectl get pods -n openshift-cnv"
    assert remote.count_tokens(text) == get_backend("local").count_tokens(text)
    assert remote.exact_tokens


def test_skc_run_end_to_end_through_the_server(server_url: str, tmp_path: Path) -> None:
    """`skc run --model openai:URL`: a real run (a shell step, then model steps) over the loopback server."""
    source = tmp_path / "triage.mlir"
    source.write_text('''"skc.workflow"() ({
^bb0(%who: !skc.text):
  %0 = "tool.shell"(%who) {argv = ["echo", "{0} is 31 years old"], effects = ["read:host"]} : (!skc.text) -> !skc.text
  %1 = "llm.decide"(%0) {outcomes = ["young", "adult", "old"], prompt = "Is the person young, adult or old?"} : (!skc.text) -> !skc.text
  %2 = "llm.generate"(%0) {max_tokens = 16 : i64, prompt = "Say hello to the person."} : (!skc.text) -> !skc.text
  "ctrl.return"(%1, %2) : (!skc.text, !skc.text) -> ()
}) {arg_names = ["who"], output_names = ["age", "greeting"], sym_name = "triage"} : () -> ()
''')
    skc = Path(sys.executable).with_name("skc")
    done = subprocess.run([str(skc), "run", str(source), "--input", "who=Alice", "--model", f"openai:{server_url}",
                           "--runs-dir", str(tmp_path / "runs"), "--no-jit", "--json"],
                          capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["status"] == "ok"
    assert result["outputs"]["age"] in ("young", "adult", "old")
    assert result["outputs"]["greeting"].strip()
    events = [json.loads(line) for line in (Path(result["run_dir"]) / "trace.jsonl").read_text().splitlines()]
    model_ends = [e for e in events if e["event"] == "op_end" and e.get("tokens_in")]
    assert len(model_ends) == 2  # both llm steps went to the server and reported their tokens
    assert {e.get("backend") for e in model_ends} == {"openai"}, model_ends  # not the in-process model
