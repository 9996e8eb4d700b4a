"""Permissions (deny by default), dry runs, and secret redaction."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from rt_helpers import REPO, run_module, wf

from skc.ir.location import DiagnosticError
from skc.runtime.permission_requests import Request, parse_rules
from skc.runtime.permissions import Denial, policy_for


def _skill(tmp_path: Path) -> str:
    marker = tmp_path / "marker"
    return f'''  %a = "tool.shell"() {{argv = ["touch", "{marker}"], effects = ["write:fs:{marker}"], step = "Step 1"}} : () -> !skc.text
  %b = "tool.shell"() {{argv = ["curl", "-s", "http://127.0.0.1:9/x"], effects = ["net:http"], step = "Step 2"}} : () -> !skc.text
  "ctrl.return"(%a, %b) : (!skc.text, !skc.text) -> ()'''


def test_a_command_outside_allowed_tools_is_refused_before_the_run(tmp_path: Path) -> None:
    mod = wf(_skill(tmp_path), attrs='permissions = ["Bash(touch:*) Read"]')
    with pytest.raises(DiagnosticError) as e:
        run_module(mod, tmp_path)
    [d] = e.value.diagnostics
    assert d.code == "SKC301"
    assert "step 'Step 2'" in d.message
    assert "Bash(curl -s http://127.0.0.1:9/x)" in d.message
    assert "allowed-tools [Bash(touch:*), Read]" in d.message
    assert "Bash(curl:*)" in d.hint
    assert not (tmp_path / "marker").exists()  # nothing ran, not even the allowed step
    assert not (tmp_path / "runs").exists()
    allowed = run_module(mod, tmp_path, allow=["Bash(curl:*)"])
    assert allowed.status == "failed"  # curl itself fails (nothing listens): it was allowed to run
    assert (tmp_path / "marker").exists()


def test_the_cli_refuses_with_exit_code_2_and_names_the_rule(tmp_path: Path) -> None:
    source = tmp_path / "skill.mlir"
    source.write_text(str(wf(_skill(tmp_path), attrs='permissions = ["Bash(touch:*)"]')))
    proc = subprocess.run([sys.executable, "-m", "skc", "run", str(source), "--runs-dir", str(tmp_path / "runs")],
                          capture_output=True, text=True, cwd=REPO, timeout=120)
    assert proc.returncode == 2, proc.stderr
    assert "error SKC301" in proc.stderr
    assert "step 'Step 2'" in proc.stderr
    assert "allowed-tools [Bash(touch:*)]" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert not (tmp_path / "marker").exists()


def test_a_command_known_only_at_run_time_is_checked_at_the_op(tmp_path: Path) -> None:
    mod = wf('''  %p = "tool.shell"() {argv = ["echo", "rm"], effects = ["read:host"], step = "Step 1"} : () -> !skc.text
  %b = "tool.shell"(%p) {argv = ["{0}", "-rf", "/tmp/nothing-here"], effects = ["read:host"], step = "Step 2"} : (!skc.text) -> !skc.text
  "ctrl.return"(%b) : (!skc.text) -> ()''', attrs='permissions = ["Bash(echo:*)"]')
    result = run_module(mod, tmp_path)
    assert result.status == "failed"
    assert result.error is not None
    assert result.error.code == "SKC301"
    assert "step 'Step 2'" in result.error.message
    assert "Bash(rm -rf /tmp/nothing-here)" in result.error.message


def test_runbooks_read_by_default_and_write_only_when_allowed(tmp_path: Path) -> None:
    out = tmp_path / "out.txt"
    mod = wf(f'''  %r = "tool.shell"() {{argv = ["echo", "read"], effects = ["read:host"]}} : () -> !skc.text
  %w = "tool.shell"() {{cmd = "echo written > {out}", effects = ["write:fs:{out}"], step = "Mitigation"}} : () -> !skc.text
  "ctrl.return"(%r) : (!skc.text) -> ()''')
    with pytest.raises(DiagnosticError) as e:
        run_module(mod, tmp_path)
    assert "only reads may run by default" in e.value.diagnostics[0].message
    assert "--allow-writes" in e.value.diagnostics[0].hint
    with pytest.raises(DiagnosticError) as e:  # the rule allows echo, not its redirection to a file
        run_module(mod, tmp_path, allow=["Bash(echo:*)"])
    assert f"redirection `>{out}` to a file" in e.value.diagnostics[0].message
    assert run_module(mod, tmp_path, allow=["Bash(echo:*)", f"Write({out})"]).status == "ok"
    out.unlink()
    assert run_module(mod, tmp_path, allow_writes=True).status == "ok"
    assert out.read_text() == "written\n"


@pytest.mark.parametrize(("rule", "words", "ok"), [
    ("Bash(git:*)", ["git", "log"], True),
    ("Bash(git:*)", ["/usr/bin/git", "log"], True),
    ("Bash(git:*)", ["gitx"], False),
    ("Bash(git status:*)", ["git", "status", "-s"], True),
    ("Bash(git status:*)", ["git", "push"], False),
    ("Bash(make test)", ["make", "test"], True),
    ("Bash(make test)", ["make", "test", "all"], False),
    ("Bash(git diff *)", ["git", "diff", "HEAD"], True),
    ("Bash", ["anything"], True),
])
def test_bash_rules(rule: str, words: list[str], ok: bool) -> None:
    policy = policy_for([rule])
    assert (policy.check(Request("Bash", words)) is None) is ok


def test_other_tools_and_undecidable_requests() -> None:
    policy = policy_for(["Read(/var/log/**)", "WebFetch(domain:*.example.com)", "Sql(incidents)",
                         "Bash(git:*)"])
    assert policy.check(Request("Read", subject="/var/log/app/x.log")) is None
    assert isinstance(policy.check(Request("Read", subject="/etc/shadow")), Denial)
    assert policy.check(Request("WebFetch", subject="api.example.com")) is None
    assert isinstance(policy.check(Request("WebFetch", subject="evil.com")), Denial)
    assert policy.check(Request("Sql", subject="incidents")) is None
    assert isinstance(policy.check(Request("Sql", subject="billing")), Denial)
    assert policy.check(Request("Bash", ["{0}", "status"])) is False  # decided at the op
    assert [str(r) for r in parse_rules(["Bash(git status:*) Read", "WebFetch"])] == \
        ["Bash(git status:*)", "Read", "WebFetch"]


def test_the_environment_binding_limits_binaries() -> None:
    policy = policy_for(None, bindings={"binaries": {"kubectl": "/usr/bin/kubectl"}, "strict": True})
    assert policy.check(Request("Bash", ["echo", "builtin"])) is None
    assert policy_for(None, bindings={"binaries": {"kubectl": "k"}}).check(Request("Bash", ["ls"])) is None
    assert policy.check(Request("Bash", ["kubectl", "get", "pods"])) is None
    denial = policy.check(Request("Bash", ["ls"]))
    assert isinstance(denial, Denial)
    assert denial.code == "SKC302"


def test_dry_run_prints_commands_with_known_inputs_and_runs_nothing(tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    source = tmp_path / "t.mlir"
    source.write_text(str(wf(f'''  %a = "tool.shell"(%ns) {{argv = ["kubectl", "get", "pods", "-n", "{{0}}"], effects = ["read:k8s"], step = "Step 1"}} : (!skc.text) -> !skc.text
  %b = "tool.shell"(%a) {{cmd = "touch {marker}; echo {{0}} | wc -l", effects = ["write:fs:{marker}"], step = "Step 2"}} : (!skc.text) -> !skc.text
  %c = "tool.sql"(%ns) {{db = "inc", effects = ["read:db:inc"], query = "SELECT * FROM deploys WHERE ns = {{0}}"}} : (!skc.text) -> !skc.table
  "ctrl.return"(%b, %c) : (!skc.text, !skc.table) -> ()''', "%ns: !skc.text", ["ns"])))
    proc = subprocess.run([sys.executable, "-m", "skc", "run", str(source), "--dry-run", "-i", "ns=prod",
                           "--runs-dir", str(tmp_path / "runs")], capture_output=True, text=True, cwd=REPO,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0] == "     0 (Step 1) cpu.shell: kubectl get pods -n prod"
    assert lines[1].startswith(f"     1 (Step 2) cpu.shell: touch {marker}; echo {{0}} | wc -l")
    assert "denied: Bash(touch" in lines[1]
    assert lines[2] == "     2 cpu.sql: [inc] SELECT * FROM deploys WHERE ns = 'prod'"
    assert not marker.exists()
    assert not (tmp_path / "runs").exists()
    unknown = subprocess.run([sys.executable, "-m", "skc", "run", str(source), "--dry-run"], capture_output=True,
                             text=True, cwd=REPO, timeout=120)
    assert unknown.returncode == 0, unknown.stderr  # a dry run needs no inputs: they show by name
    assert unknown.stdout.splitlines()[0] == "     0 (Step 1) cpu.shell: kubectl get pods -n <ns>"


def test_secrets_are_redacted_in_traces_journals_and_results(tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DEPLOY_API_TOKEN", "tok-5up3r-s3cr3t")
    mod = wf('''  %a = "tool.shell"() {cmd = "echo token=$DEPLOY_API_TOKEN", env = ["DEPLOY_API_TOKEN"], effects = ["read:host"]} : () -> !skc.text
  %b = "tool.shell"(%pw) {argv = ["echo", "pw={0}"], effects = ["read:host"]} : (!skc.text) -> !skc.text
  "ctrl.return"(%a, %b) : (!skc.text, !skc.text) -> ()''', "%pw: !skc.text", ["pw"])
    result = run_module(mod, tmp_path, {"pw": "hunter2-db"}, secrets=["hunter2-db"])
    assert result.status == "ok"
    assert result.outputs == {"a": "token=***", "b": "pw=***"}
    files = [p for p in result.run_dir.iterdir() if p.is_file()]  # type: ignore[union-attr]
    text = "".join(p.read_text() for p in files)
    assert "tok-5up3r-s3cr3t" not in text
    assert "hunter2-db" not in text
    assert json.loads((result.run_dir / "result.json").read_text())["outputs"]["a"] == "token=***"  # type: ignore[operator]


def test_resuming_a_run_whose_input_was_secret_asks_for_it_again(tmp_path: Path) -> None:
    mod = wf('''  %b = "tool.shell"(%pw) {argv = ["false", "{0}"], effects = ["read:host"]} : (!skc.text) -> !skc.text
  "ctrl.return"(%b) : (!skc.text) -> ()''', "%pw: !skc.text", ["pw"])
    first = run_module(mod, tmp_path, {"pw": "hunter2-db"}, secrets=["hunter2-db"])
    assert first.status == "failed"
    assert "hunter2-db" not in (first.run_dir / "run.json").read_text()  # type: ignore[operator]
    with pytest.raises(DiagnosticError) as e:
        run_module(None, tmp_path, resume=first.run_id)  # type: ignore[arg-type]
    assert e.value.diagnostics[0].code == "SKC305"
    assert "--input pw=" in e.value.diagnostics[0].hint
    again = run_module(None, tmp_path, {"pw": "hunter2-db"}, resume=first.run_id, secrets=["hunter2-db"])  # type: ignore[arg-type]
    assert again.status == "failed"  # `false` still fails, but the run resumed with the real value
