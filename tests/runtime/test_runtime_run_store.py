"""Immutable bundles and a shared run store: running a bundle never writes into it, the JIT
profile lives under `<runs dir>/jit/`, and concurrent runs (processes) lose no journal entry
and no JIT counter update."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from rt_helpers import REPO, journal_records, module, scripted_llm

from skc.compiler.bundle import make_bundle, write_bundle
from skc.runtime.api import jit_profile_path, run
from skc.runtime.jit import ProfileStore, op_key
from skc.runtime.jit.recompile import recompile

__all__ = ["scripted_llm"]

SOURCE = '''"skc.workflow"() ({
^bb0(%alert: !skc.text):
  %kind = "llm.decide"(%alert) {outcomes = ["restart the pod", "page the db team"], prompt = "What first?", step = "Step 1"} : (!skc.text) -> !skc.text
  %note = "llm.generate"(%alert) {prompt = "Name the pod", step = "Step 2"} : (!skc.text) -> !skc.text
  %echo = "tool.shell"(%alert) {cmd = "echo seen {0}", effects = ["read:none"], step = "Step 3"} : (!skc.text) -> !skc.text
  "ctrl.return"(%kind, %note, %echo) : (!skc.text, !skc.text, !skc.text) -> ()
}) {arg_names = ["alert"], output_names = ["kind", "note", "echo"], sym_name = "t"} : () -> ()
'''


def _bundle(tmp_path: Path) -> Path:
    return write_bundle(make_bundle(module(SOURCE), kind="mlir", source="t.mlir"), tmp_path / "t.skb")


def _hashes(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def test_running_a_bundle_never_writes_into_it(tmp_path: Path, scripted_llm: Any) -> None:
    path = _bundle(tmp_path)
    before = _hashes(path)
    for i in range(5):  # enough for the JIT to promote both llm steps
        result = run(path, {"alert": f"pod web-{i} crashed"}, runs_dir=tmp_path / "runs", workdir=tmp_path)
        assert result.status == "ok"
    assert _hashes(path) == before
    assert not (path / "jit").exists()
    profile = jit_profile_path(path, tmp_path / "runs", "t")
    assert profile.is_relative_to((tmp_path / "runs" / "jit").resolve())
    assert profile.is_file()
    store = ProfileStore(profile)
    assert {s["phase"] for s in store.states().values()} == {"promoted"}
    store.close()
    record = json.loads((result.run_dir / "run.json").read_text())  # type: ignore[operator]
    assert record["jit_profile"] == str(profile)


def test_recompile_is_the_only_writer_and_its_profile_seeds_a_copied_bundle(tmp_path: Path,
                                                                           scripted_llm: Any) -> None:
    path = _bundle(tmp_path)
    for i in range(5):
        run(path, {"alert": f"pod web-{i} crashed"}, runs_dir=tmp_path / "runs", workdir=tmp_path)
    out = recompile(path, runs_dir=tmp_path / "runs", output=tmp_path / "solid.skb")
    assert [s["step"] for s in out.solidified] == ["Step 1", "Step 2"]
    solid = tmp_path / "solid.skb"
    assert (solid / "jit" / "profile.sqlite").is_file()  # recompile writes the profile with the code
    before = _hashes(solid)
    calls = len(scripted_llm.calls)
    again = run(solid, {"alert": "pod web-9 crashed"}, runs_dir=tmp_path / "other-runs", workdir=tmp_path)
    assert again.status == "ok"
    assert len(scripted_llm.calls) == calls  # solidified: no llm call
    assert _hashes(solid) == before
    key = op_key(module(SOURCE).workflow().body.ops[1])
    seeded = ProfileStore(jit_profile_path(solid, tmp_path / "other-runs", "t"))
    original = ProfileStore(jit_profile_path(path, tmp_path / "runs", "t"))
    assert len(seeded.pairs(key)) == len(original.pairs(key)) >= 4  # the history came along
    seeded.close()
    original.close()


WORKER = '''
import sys
sys.path.insert(0, {helpers!r})
from rt_helpers import ScriptedLLM
from skc.runtime.api import run
from skc.runtime.targets.base import register_target

register_target(ScriptedLLM)
for i in range({runs}):
    r = run({bundle!r}, {{"alert": "pod web-" + sys.argv[1] + "-" + str(i) + " crashed"}}, runs_dir={runs_dir!r},
            workdir={workdir!r}, jit_promote_after=1000)
    print(r.run_id, r.status, flush=True)
'''


def test_concurrent_runs_in_processes_share_one_runs_dir_and_jit_store(tmp_path: Path) -> None:
    path = _bundle(tmp_path)
    procs, runs = 4, 3
    script = tmp_path / "worker.py"
    script.write_text(WORKER.format(helpers=str(REPO / "tests" / "runtime"), runs=runs, bundle=str(path),
                                    runs_dir=str(tmp_path / "runs"), workdir=str(tmp_path)))
    env = {**os.environ, "PYTHONPATH": ""}
    workers = [subprocess.Popen([sys.executable, str(script), str(n)], stdout=subprocess.PIPE, text=True, env=env)
               for n in range(procs)]
    lines = [line.split() for w in workers for line in w.communicate(timeout=300)[0].splitlines()]
    assert all(w.returncode == 0 for w in workers)
    assert len(lines) == procs * runs
    assert all(status == "ok" for _, status in lines)
    for run_id, _ in lines:  # every journal complete: header, the three ops, the end
        records = journal_records(tmp_path / "runs" / run_id)
        assert records[0]["type"] == "run"
        assert records[-1]["type"] == "end"
        assert records[-1]["status"] == "ok"
        assert sum(1 for r in records if r["type"] == "done") == 3
        alert = records[0]["inputs"]["alert"]  # the same result as a run alone would give
        assert records[-1]["outputs"] == {"kind": "restart the pod", "note": f"[Name the pod] {alert}",
                                          "echo": f"seen {alert}"}
    store = ProfileStore(jit_profile_path(path, tmp_path / "runs", "t"))
    ops = module(SOURCE).workflow().body.ops
    for op in ops[:2]:
        key = op_key(op)
        assert len(store.pairs(key)) == procs * runs
        assert (store.load_state(key) or {})["totals"]["executions"] == procs * runs  # no lost update
    store.close()
