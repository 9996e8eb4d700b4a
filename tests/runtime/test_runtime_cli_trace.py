"""`skc run --json`, `skc trace` (text, JSON, HTML) and the timeline page in headless Chromium."""

from __future__ import annotations

import json
import shutil
import struct
import subprocess
import zlib
from pathlib import Path

import pytest
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


def decode_png(data: bytes) -> tuple[int, int, list[tuple[int, ...]]]:
    """(width, height, RGB pixels) of an 8-bit non-interlaced RGB/RGBA PNG."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat = 8, b""
    width = height = colour = 0
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos:pos + 4])
        kind, chunk = data[pos + 4:pos + 8], data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height, _, colour = struct.unpack(">IIBB", chunk[:10])
        elif kind == b"IDAT":
            idat += chunk
        pos += 12 + length
    bpp = 4 if colour == 6 else 3
    raw, stride = zlib.decompress(idat), width * bpp
    prev, pixels, i = bytearray(stride), [], 0
    for _ in range(height):
        filt, line = raw[i], bytearray(raw[i + 1:i + 1 + stride])
        i += 1 + stride
        for x in range(stride):
            a = line[x - bpp] if x >= bpp else 0
            b, c = prev[x], prev[x - bpp] if x >= bpp else 0
            if filt == 1:
                line[x] = (line[x] + a) & 0xFF
            elif filt == 2:
                line[x] = (line[x] + b) & 0xFF
            elif filt == 3:
                line[x] = (line[x] + (a + b) // 2) & 0xFF
            elif filt == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 0xFF
        pixels += [tuple(line[x:x + 3]) for x in range(0, stride, bpp)]
        prev = line
    return width, height, pixels


def _rgb(colour: str) -> tuple[int, ...]:
    return tuple(int(colour[k:k + 2], 16) for k in (1, 3, 5))


@pytest.mark.slow
def test_html_timeline_renders_in_headless_chromium(tmp_path: Path) -> None:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        pytest.skip("chromium is not installed (bash scripts/system-deps.sh)")
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
    png = tmp_path / "shot.png"
    subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    f"--user-data-dir={tmp_path / 'profile'}", f"--screenshot={png}", "--window-size=1200,800",
                    page.as_uri()], capture_output=True, timeout=120, check=False)
    assert png.is_file(), "chromium wrote no screenshot"
    width, height, pixels = decode_png(png.read_bytes())
    assert (width, height) == (1200, 800)
    colours = set(pixels)
    assert len(colours) > 20, "blank page"
    assert _rgb(_CPU) in colours  # the bars of the commands that succeeded
    assert _rgb(_FAILED) in colours  # the failed step's bar
    assert _rgb(_COLORS["ctrl"]) != _rgb(_CPU)


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
