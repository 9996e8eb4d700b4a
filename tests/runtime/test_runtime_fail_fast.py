"""A failed run stops at once: queued and running work is cancelled (journaled as cancelled, never as
done), what finished is kept in the outputs and the journal, and `--resume` finishes the run."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from rt_helpers import journal_records, run_module, trace_events, wf

from skc.runtime.journal import read_journal
from skc.runtime.llm.base import Completion, LLMBackend


def sh(name: str, cmd: str, effects: str = '"read:host"', step: str = "") -> str:
    extra = f', step = "{step}"' if step else ""
    return f'  %{name} = "tool.shell"() {{cmd = "{cmd}", effects = [{effects}]{extra}}} : () -> !skc.text'


def _workflow(tmp: Path) -> str:
    """`bad` fails after 0.3 s unless `fixed` exists; two slow readers are running then, a third is
    queued for the `slow` limit; `w1` (a writer) is running, `w2` is queued behind it for `gate`."""
    fix = tmp / "fixed"
    slow = [sh(f"s{i}", f"test -f {fix} || sleep 20; touch {tmp}/s{i}.done; echo s{i}", '"read:slow"')
            for i in (1, 2, 3)]
    body = "\n".join([
        sh("fast", "echo fast"),
        sh("bad", f"sleep 0.3; test -f {fix} || {{ echo uv missing >&2; exit 3; }}; echo fixed", step="Step 2"),
        *slow,
        sh("w1", f"sleep 0.8; echo one > {tmp}/w1.txt; echo w1", f'"write:fs:{tmp}/w1.txt", "read:gate"'),
        sh("w2", f"echo two > {tmp}/w2.txt; echo w2", f'"write:fs:{tmp}/w2.txt", "read:gate"'),
    ])
    names = "%fast, %bad, %s1, %s2, %s3, %w1, %w2"
    return body + f'\n  "ctrl.return"({names}) : ({", ".join(["!skc.text"] * 7)}) -> ()'


def test_a_failed_run_cancels_queued_and_running_work_and_keeps_what_finished(tmp_path: Path) -> None:
    mod = wf(_workflow(tmp_path))
    limits = {"slow": 2, "gate": 1}
    result = run_module(mod, tmp_path, limits=limits, allow_writes=True)
    assert result.status == "failed"
    assert result.error is not None
    assert "step 'Step 2'" in result.error.message
    assert "uv missing" in result.error.message
    # the slow readers were killed (running) or never started (queued): no side effect, no done record
    assert not any((tmp_path / f"s{i}.done").exists() for i in (1, 2, 3))
    state = read_journal(result.run_dir / "journal.jsonl")  # type: ignore[operator]
    slow_ids = {"2", "3", "4"}
    assert slow_ids <= set(state.cancelled)
    assert not slow_ids & set(state.done)
    assert sorted(state.cancelled[k]["started"] for k in slow_ids) == [False, True, True]
    # the running writer was let finish (no half-done write); the queued one never started
    assert (tmp_path / "w1.txt").read_text() == "one\n"
    assert not (tmp_path / "w2.txt").exists()
    assert state.cancelled["6"]["started"] is False
    assert set(state.done) == {"0", "5"}
    assert state.in_flight == []  # a cancelled op is not mistaken for one a crash interrupted
    assert result.cancelled == 4
    # finished results are kept: by output name, and by step
    assert result.outputs["fast"] == "fast"
    assert result.outputs["w1"] == "w1"
    assert "s1" not in result.outputs
    cancelled_events = [e for e in trace_events(result.run_dir) if e["event"] == "op_cancelled"]  # type: ignore[arg-type]
    assert {e["op"] for e in cancelled_events} == {*slow_ids, "6"}
    end = journal_records(result.run_dir)[-1]  # type: ignore[arg-type]
    assert (end["type"], end["status"]) == ("end", "failed")

    (tmp_path / "fixed").write_text("")  # the cause is fixed: resume finishes the run
    again = run_module(None, tmp_path, resume=result.run_id, limits=limits, allow_writes=True)  # type: ignore[arg-type]
    assert again.status == "ok", again.error
    assert again.restored == 2  # fast and w1 came from the journal
    assert again.outputs == {"fast": "fast", "bad": "fixed", "s1": "s1", "s2": "s2", "s3": "s3",
                             "w1": "w1", "w2": "w2"}
    assert all((tmp_path / f"s{i}.done").exists() for i in (1, 2, 3))


class SlowModel(LLMBackend):
    """A cancellable model that answers only once cancelled or after 30 s; one request at a time,
    as the embedded model serves them."""

    name = "slow"
    cancellable = True

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.started = 0
        self.stopped = 0

    def complete(self, messages: list[dict[str, Any]], *, max_tokens: int = 256, temperature: float = 0.0,
                 json_schema: dict[str, Any] | None = None, choices: list[str] | None = None,
                 tools: list[dict[str, Any]] | None = None, stop: list[str] | None = None,
                 cancel: threading.Event | None = None) -> Completion:
        assert cancel is not None
        with self.lock:
            if cancel.is_set():
                raise RuntimeError("cancelled while queued")
            self.started += 1
            if cancel.wait(30):
                self.stopped += 1
            return Completion("late answer", 1, 1, 0.0)

    def count_tokens(self, text: str) -> int:
        return len(text.split())


def test_a_failed_run_stops_running_and_queued_model_calls(tmp_path: Path) -> None:
    llm = [f'  %g{i} = "llm.generate"() {{prompt = "Summarise part {i}"}} : () -> !skc.text' for i in range(3)]
    body = "\n".join([sh("bad", "sleep 0.3; exit 3", step="Step 1"), *llm])
    mod = wf(body + '\n  "ctrl.return"(%bad, %g0, %g1, %g2) : (!skc.text, !skc.text, !skc.text, !skc.text) -> ()')
    model = SlowModel()
    result = run_module(mod, tmp_path, options={"llm_backend": model, "jit": False})
    assert result.status == "failed"
    with model.lock:  # the running call has let go of the model: it was stopped, not waited for
        assert model.started == 1
        assert model.stopped == 1
    state = read_journal(result.run_dir / "journal.jsonl")  # type: ignore[operator]
    assert set(state.cancelled) == {"1", "2", "3"}
    assert not set(state.done) & {"1", "2", "3"}
