"""No secret leaves the process: every output channel of `skc run` is searched for every
spelling of each secret (plain, with `'`, `"`, `$`, spaces; shell-quoted, escaped, JSON)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from skc.cli import cli as main
from skc.runtime.redact import Redactor, spellings

SECRETS = ["hunter2-db-pw", "hun'ter2-pw", 'hu"nter2-pw', "hu$nter2-pw", "hu nter 2 pw", "a'b\"c$d e\\f-pw"]

IR = '''"skc.workflow"() ({
^bb0(%pw: !skc.text):
  %a = "tool.shell"(%pw) {argv = ["echo", "pw={0}"], effects = ["read:host"], step = "Echo"} : (!skc.text) -> !skc.text
  %b = "tool.shell"(%pw) {cmd = "echo seen {0} >&2; echo out {0}; exit 3", effects = ["read:host"], step = "Fail"} : (!skc.text) -> !skc.text
  "ctrl.return"(%a, %b) : (!skc.text, !skc.text) -> ()
}) {arg_names = ["pw"], sym_name = "leaky"} : () -> ()
'''


def _channels(tmp_path: Path, secret: str) -> dict[str, str]:
    """Everything `skc run` shows or writes, by channel."""
    source = tmp_path / "leaky.mlir"
    source.write_text(IR)
    runs = tmp_path / "runs"
    base = ["run", str(source), "--input", f"pw={secret}", "--secret", secret, "--runs-dir", str(runs),
            "--workdir", str(tmp_path), "--no-jit"]
    runner = CliRunner()
    out: dict[str, str] = {}
    for name, extra in [("run", []), ("json", ["--json"]), ("dry-run", ["--dry-run"]),
                        ("dry-run-json", ["--dry-run", "--json"])]:
        result = runner.invoke(main, base + extra, catch_exceptions=False)
        out[f"{name} stdout"] = result.stdout
        out[f"{name} stderr"] = result.stderr
    for path in sorted(runs.rglob("*")):
        if path.is_file():
            out[str(path.relative_to(runs))] = path.read_text(errors="replace")
    run_id = next(p.name for p in runs.iterdir() if p.is_dir())
    html = tmp_path / "timeline.html"
    traced = runner.invoke(main, ["trace", run_id, "--runs-dir", str(runs), "--html", "-o", str(html)])
    out["trace stdout"] = traced.stdout + traced.stderr
    out["timeline.html"] = html.read_text()
    shown = runner.invoke(main, ["trace", run_id, "--runs-dir", str(runs)])
    out["trace text"] = shown.stdout + shown.stderr
    return out


@pytest.mark.parametrize("secret", SECRETS)
def test_no_channel_shows_any_spelling_of_a_secret(tmp_path: Path, secret: str) -> None:
    channels = _channels(tmp_path, secret)
    assert "***" in channels["run stdout"] + channels["run stderr"]  # the outputs were there, redacted
    assert "exit status 3" in channels["run stderr"]  # and the failure is reported
    forms = sorted(spellings(secret), key=len)
    leaks = [(channel, form) for channel, text in channels.items() for form in forms if form in text]
    assert leaks == []


def test_every_spelling_is_redacted_in_nested_data() -> None:
    redact = Redactor(["it's $ecret"])
    data = {"cmd": "echo 'it'\"'\"'s $ecret'", "json": json.dumps({"v": "it's $ecret"}), "list": ["x it's $ecret"]}
    assert "ecret" not in json.dumps(redact(data))
