"""The small CLI things: hints that name the real run id and the runs dir, `skc runs` (list, show,
cancel), `ir print -`/`-o`, `--json` for compile / ir verify / bundle verify, a short compile repr."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from click.testing import CliRunner
from rt_helpers import REPO, wf

import skc
from skc.cli import cli

FAIL_ONCE = '''  %a = "tool.shell"() {{cmd = "test -f {flag} && echo 1", effects = ["read:a"], step = "Step 1"}} : () -> !skc.num
  "ctrl.return"(%a) : (!skc.num) -> ()'''
SLOW = '''  %a = "tool.shell"() {{cmd = "echo 1", effects = ["read:a"], step = "Step 1"}} : () -> !skc.num
  %b = "tool.shell"(%a) {{cmd = "while [ ! -f {flag} ]; do sleep 0.1; done; echo {{0}}", effects = ["read:b"], step = "Step 2"}} : (!skc.num) -> !skc.num
  "ctrl.return"(%b) : (!skc.num) -> ()'''


def _invoke(*args: str, stdin: str | None = None) -> tuple[int, str, str]:
    res = CliRunner().invoke(cli, list(args), input=stdin)
    return res.exit_code, res.stdout, res.stderr


def test_hints_name_the_run_and_a_non_default_runs_dir(tmp_path: Path) -> None:
    flag = tmp_path / "ready"
    source = tmp_path / "f.mlir"
    source.write_text(str(wf(FAIL_ONCE.format(flag=flag))))
    runs = str(tmp_path / "my runs")
    code, _, err = _invoke("run", str(source), "--runs-dir", runs, "--workdir", str(tmp_path))
    assert code == 1
    run_id = json.loads(_invoke("runs", "--runs-dir", runs, "--json")[1])[0]["run_id"]
    assert f"trace: skc trace {run_id} --runs-dir '{runs}'" in err
    assert f"resume: skc run --resume {run_id} --runs-dir '{runs}'" in err
    assert "RUN_ID" not in err
    flag.write_text("")
    code, out, _ = _invoke("run", "--resume", run_id, "--runs-dir", runs)
    assert code == 0
    assert out.strip() == "a: 1"


def test_runs_lists_and_shows_runs_with_their_status(tmp_path: Path) -> None:
    flag = tmp_path / "ready"
    source = tmp_path / "f.mlir"
    source.write_text(str(wf(FAIL_ONCE.format(flag=flag))))
    runs = str(tmp_path / "runs")
    _invoke("run", str(source), "--runs-dir", runs, "--run-id", "first", "--workdir", str(tmp_path))
    flag.write_text("")
    _invoke("run", str(source), "--runs-dir", runs, "--run-id", "second", "--workdir", str(tmp_path))
    listed = json.loads(_invoke("runs", "--runs-dir", runs, "--json")[1])
    assert [(r["run_id"], r["status"], r["source"]) for r in listed] == [("first", "failed", str(source)),
                                                                        ("second", "ok", str(source))]
    assert not any(r["run_id"] == "jit" for r in listed)
    code, table, _ = _invoke("runs", "--runs-dir", runs)
    assert code == 0
    assert table.splitlines()[0].split() == ["RUN", "STATUS", "STARTED", "TIME", "SOURCE"]
    assert [line.split()[:2] for line in table.splitlines()[1:]] == [["first", "failed"], ["second", "ok"]]
    code, shown, _ = _invoke("runs", "show", "first", "--runs-dir", runs)
    assert code == 0
    assert "run first: failed" in shown
    assert f"resume:   skc run --resume first --runs-dir {runs}" in shown
    assert "Step 1" in json.loads(_invoke("runs", "show", "first", "--runs-dir", runs, "--json")[1])["error"]
    assert "  error     " in shown
    code, _, err = _invoke("runs", "show", "nope", "--runs-dir", runs)
    assert code == 2
    assert "SKC308" in err
    code, _, err = _invoke("runs", "cancel", "second", "--runs-dir", runs)
    assert code == 2
    assert "is not running (status ok)" in err


def _wait_for(predicate: object, timeout_s: float = 60.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not predicate():  # type: ignore[operator]
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


def test_cancel_stops_a_running_run_and_leaves_it_resumable(tmp_path: Path) -> None:
    source = tmp_path / "slow.mlir"
    flag = tmp_path / "go"
    source.write_text(str(wf(SLOW.format(flag=flag))))
    runs = str(tmp_path / "runs")
    proc = subprocess.Popen([sys.executable, "-m", "skc", "run", str(source), "--runs-dir", runs, "--run-id", "slow",
                             "--allow-writes",  # the shell model counts a `while` loop as a possible write
                             "--workdir", str(tmp_path)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            cwd=REPO, env={**os.environ, "SKC_RUNS_DIR": ""})

    def step2_running() -> bool:
        listed = _invoke("runs", "--runs-dir", runs, "--json")[1]
        return '"running"' in listed and '"ops_done": 1' in listed

    _wait_for(step2_running)
    code, _, err = _invoke("run", "--resume", "slow", "--runs-dir", runs)  # a second process may not resume it
    assert code == 2
    assert "SKC315" in err
    code, out, _ = _invoke("runs", "cancel", "slow", "--runs-dir", runs, "--grace-s", "20")
    assert code == 0
    assert "run slow: interrupted, 1 ops done" in out
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 130
    assert f"resume with `skc run --resume slow --runs-dir {runs}`" in err
    listed = json.loads(_invoke("runs", "--runs-dir", runs, "--json")[1])
    assert [(r["run_id"], r["status"], r["ops_done"]) for r in listed] == [("slow", "interrupted", 1)]
    flag.write_text("")
    code, out, err = _invoke("run", "--resume", "slow", "--runs-dir", runs)
    assert code == 0
    assert out.strip() == "b: 1"
    assert "1 ops run, 1 from the journal" in err


def test_ir_print_reads_stdin_and_writes_a_file(tmp_path: Path) -> None:
    text = (REPO / "examples" / "ir" / "virt_handler_down.mlir").read_text()
    code, out, _ = _invoke("ir", "print", "-", stdin=text)
    assert code == 0
    assert '"skc.workflow"' in out
    code, out, _ = _invoke("ir", "print", "-", "-o", str(tmp_path / "o.mlir"), stdin=text)
    assert code == 0
    assert out == ""
    assert (tmp_path / "o.mlir").read_text() == _invoke("ir", "print", "-", stdin=text)[1]
    code, out, _ = _invoke("ir", "verify", "-", "--json", stdin="not ir")
    assert code == 2
    assert json.loads(out)[0]["code"].startswith("SKC")


def test_json_for_compile_ir_verify_and_bundle_verify(tmp_path: Path) -> None:
    src = str(REPO / "examples" / "ir" / "virt_handler_down.mlir")
    out = tmp_path / "v.skb"
    code, text, _ = _invoke("compile", src, "-o", str(out), "--json")
    assert code == 0
    [item] = json.loads(text)
    assert item["ok"] is True
    assert item["output"] == str(out)
    assert item["bundle_version"] == 1
    code, text, _ = _invoke("ir", "verify", str(out), "--json")
    assert (code, json.loads(text)) == (0, [])
    code, text, _ = _invoke("bundle", "verify", str(out), "--json")
    assert code == 0
    assert json.loads(text)["ok"] is True
    (out / "ir.mlir").write_text((out / "ir.mlir").read_text() + "\n// tampered\n")
    code, text, _ = _invoke("bundle", "verify", str(out), "--json")
    assert code == 2
    verdict = json.loads(text)
    assert verdict["ok"] is False
    assert verdict["diagnostics"][0]["code"].startswith("SKC")
    bad = tmp_path / "bad.mlir"
    bad.write_text('"skc.workflow"() ({\n  %0 = "data.nope"(%9) : (!skc.text) -> !skc.text\n}) : () -> ()\n')
    code, text, _ = _invoke("compile", str(bad), "-o", str(tmp_path / "bad.skb"), "--json")
    assert code == 2
    [item] = json.loads(text)
    assert item["ok"] is False
    assert item["diagnostics"]


def test_printing_a_compile_result_does_not_dump_the_bundle(tmp_path: Path) -> None:
    result = skc.compile(REPO / "examples" / "runbooks" / "checkout-latency.md", output=tmp_path / "c.skb")
    assert result.ok
    text = repr(result)
    assert len(text) < 400
    assert "checkout" in text
    assert "bytes=" in repr(result.bundle)
