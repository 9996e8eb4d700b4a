"""`skc run --json`, `skc trace` (text, JSON, HTML) and the timeline page in headless Chromium."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from browser import rgb, screenshot
from click.testing import CliRunner
from rt_helpers import wf

from skc.cli import cli
from skc.runtime.timeline_html import _COLORS, _CPU, _FAILED

BODY = '''  %a = "tool.shell"() {cmd = "sleep 0.3; echo 41", effects = ["read:a"], step = "Step 1"} : () -> !skc.num
  %b = "tool.shell"() {cmd = "sleep 0.2; echo 1", effects = ["read:b"], step = "Step 2"} : () -> !skc.num
  %c = "calc.add"(%a, %b) : (!skc.num, !skc.num) -> !skc.num
  %d = "tool.shell"(%c) {cmd = "sleep 0.1; echo answer {0}; exit {1}", effects = ["read:c"], step = "Step 3"} : (!skc.num, !skc.num) -> !skc.text
  "ctrl.return"(%c, %d) : (!skc.num, !skc.text) -> ()'''


def _run(tmp_path: Path, code: int) -> tuple[int, dict]:
    source = tmp_path / "t.mlir"
    body = BODY.replace("(%c) {cmd", "(%c, %code) {cmd").replace("(!skc.num, !skc.num) -> !skc.text",
                                                                "(!skc.num, !skc.num) -> !skc.text")
    source.write_text(str(wf(body, "%code: !skc.num", ["code"])))
    result = CliRunner().invoke(cli, ["run", str(source), "-i", f"code={code}", "--json",
                                      "--runs-dir", str(tmp_path / "runs"), "--workdir", str(tmp_path)])
    return result.exit_code, json.loads(result.output)


def test_run_json_and_text_trace(tmp_path: Path) -> None:
    code, out = _run(tmp_path, 0)
    assert code == 0
    assert out["status"] == "ok"
    assert out["outputs"] == {"c": 42, "d": "answer 42"}
    assert Path(out["run_dir"], "result.json").is_file()
    text = CliRunner().invoke(cli, ["trace", out["run_id"], "--runs-dir", str(tmp_path / "runs")])
    assert text.exit_code == 0
    lines = text.output.splitlines()
    assert lines[0].startswith(f"run {out['run_id']}  workflow t  status ok")
    assert any("Step 3" in line and "cpu.shell" in line and "#" in line for line in lines)
    assert sum(1 for line in lines[2:] if " ok " in line) == 4
    events = CliRunner().invoke(cli, ["trace", "latest", "--json", "--runs-dir", str(tmp_path / "runs")])
    kinds = [json.loads(line)["event"] for line in events.output.splitlines()]
    assert kinds[0] == "run_start"
    assert kinds[-1] == "run_end"
    assert kinds.count("op_end") == 4


def test_failed_run_exit_code_and_unknown_run(tmp_path: Path) -> None:
    code, out = _run(tmp_path, 3)
    assert code == 1
    assert out["status"] == "failed"
    assert out["error"]["code"] == "SKC310"
    assert "Step 3" in out["error"]["message"]
    missing = CliRunner().invoke(cli, ["trace", "no-such-run", "--runs-dir", str(tmp_path / "runs")])
    assert missing.exit_code == 2
    assert "SKC308" in missing.output


@pytest.mark.slow
def test_html_timeline_renders_in_headless_chromium(tmp_path: Path) -> None:
    _, out = _run(tmp_path, 3)
    page = tmp_path / "timeline.html"
    made = CliRunner().invoke(cli, ["trace", out["run_id"], "--html", "-o", str(page),
                                    "--runs-dir", str(tmp_path / "runs")])
    assert made.exit_code == 0, made.output
    html = page.read_text()
    assert "<svg" in html
    assert "http://" not in html
    assert "https://" not in html
    assert " src=" not in html
    assert "Step 3" in html
    width, height, pixels = screenshot(page, tmp_path)
    assert (width, height) == (1200, 800)
    colours = set(pixels)
    assert len(colours) > 20, "blank page"
    assert rgb(_CPU) in colours  # the bars of the commands that succeeded
    assert rgb(_FAILED) in colours  # the failed step's bar
    assert rgb(_COLORS["ctrl"]) != rgb(_CPU)


def test_progress_line_counts_ops_running_ops_and_tokens() -> None:
    from skc.cli_run import Progress

    p = Progress()
    p({"event": "run_start", "ops": 5})
    p({"event": "op_start", "op": "0", "step": "Step 1", "name": "tool.sql"})
    p({"event": "op_start", "op": "1", "step": "", "name": "llm.decide"})
    p({"event": "op_end", "op": "0", "tokens_in": 0, "tokens_out": 0})
    p({"event": "op_end", "op": "1", "tokens_in": 120, "tokens_out": 3})
    p({"event": "op_start", "op": "2", "step": "Step 3", "name": "tool.shell"})
    assert str(p.render()) == "ops 2/5  running 1: Step 3  tokens 120/3"
    p({"event": "op_error", "op": "2"})
    assert str(p.render()).endswith("failed 1")


EARLY_EXIT = '''  "ctrl.if"(%c) ({
    %a = "data.const"() {value = "page the on-call"} : () -> !skc.text
    "ctrl.return"(%a) {status = "escalate"} : (!skc.text) -> ()
  }, {
    "ctrl.yield"() : () -> ()
  }) : (!skc.bool) -> ()
  %b = "tool.shell"() {argv = ["echo", "carry on"], effects = ["read:host"]} : () -> !skc.text
  "ctrl.return"(%b) : (!skc.text) -> ()'''


@pytest.mark.parametrize(("flag", "status", "out"), [("true", "escalate", "page the on-call"),
                                                     ("false", None, "carry on")])
def test_an_early_exit_in_a_branch_ends_the_run_with_its_status(tmp_path: Path, flag: str, status: str | None,
                                                                 out: str) -> None:
    source = tmp_path / "exit.mlir"
    source.write_text(str(wf(EARLY_EXIT, "%c: !skc.bool", ["c"])))
    result = CliRunner().invoke(cli, ["run", str(source), "-i", f"c={flag}", "--json",
                                      "--runs-dir", str(tmp_path / "runs")])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["status"] == "ok"
    assert data["exit_status"] == status
    assert list(data["outputs"].values()) == [out]
