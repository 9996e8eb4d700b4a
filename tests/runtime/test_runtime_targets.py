"""The CPU targets over real subprocesses, SQLite, HTTP on loopback and files."""

from __future__ import annotations

import http.server
import json
import sqlite3
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from rt_helpers import run_module, wf

from skc.ir.location import DiagnosticError


def test_argv_and_cmd_never_let_a_value_inject_a_command(tmp_path: Path) -> None:
    evil = f"x; touch {tmp_path}/pwned"
    mod = wf('''  %a = "tool.shell"(%v) {argv = ["echo", "{0}"], effects = ["read:host"]} : (!skc.text) -> !skc.text
  %b = "tool.shell"(%v) {cmd = "echo {0} | tr a-z A-Z", effects = ["read:host"]} : (!skc.text) -> !skc.text
  "ctrl.return"(%a, %b) : (!skc.text, !skc.text) -> ()''', "%v: !skc.text", ["v"])
    result = run_module(mod, tmp_path, {"v": evil})
    assert result.status == "ok", result.error
    assert list(result.outputs.values()) == [evil, evil.upper()]
    assert not (tmp_path / "pwned").exists()


def test_environment_is_sanitized_and_declared_vars_pass(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SKC_TEST_VISIBLE", "declared-value")
    monkeypatch.setenv("SKC_TEST_HIDDEN", "must-not-leak")
    mod = wf('''  %a = "tool.shell"() {argv = ["env"], effects = ["read:host"]} : () -> !skc.text
  %b = "tool.shell"() {argv = ["env"], env = ["SKC_TEST_VISIBLE"], effects = ["read:host"]} : () -> !skc.text
  "ctrl.return"(%a, %b) : (!skc.text, !skc.text) -> ()''')
    result = run_module(mod, tmp_path)
    plain, declared = result.outputs.values()
    names = {line.split("=", 1)[0] for line in plain.splitlines()}
    assert names <= {"PATH", "HOME", "LANG", "SKC_PROCESS_TAG"}, names  # the tag finds the op's processes
    assert "SKC_TEST_VISIBLE=declared-value" in declared
    assert "must-not-leak" not in plain + declared


def test_working_directory_and_exit_status(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    mod = wf('''  %a = "tool.shell"() {argv = ["pwd"], cwd = "sub", effects = ["read:host"]} : () -> !skc.text
  %b = "tool.shell"() {cmd = "test -d sub/none", effects = ["read:host"]} : () -> !skc.bool
  "ctrl.return"(%a, %b) : (!skc.text, !skc.bool) -> ()''')
    result = run_module(mod, tmp_path)
    assert list(result.outputs.values()) == [str(tmp_path / "sub"), False]


def test_failure_reports_stderr_step_and_op(tmp_path: Path) -> None:
    mod = wf('''  %a = "tool.shell"() {cmd = "echo broken-thing >&2; exit 3", effects = ["read:host"], step = "Step 4"} : () -> !skc.text
  "ctrl.return"(%a) : (!skc.text) -> ()''')
    result = run_module(mod, tmp_path)
    assert result.status == "failed"
    assert result.error is not None
    assert result.error.code == "SKC310"
    assert "step 'Step 4'" in result.error.message
    assert "tool.shell" in result.error.message
    assert "exit status 3" in result.error.message
    assert "broken-thing" in result.error.message


def test_timeout_kills_the_whole_process_group(tmp_path: Path) -> None:
    pidfile = tmp_path / "child.pid"
    mod = wf(f'''  %a = "tool.shell"() {{cmd = "sleep 60 & echo $! > {pidfile}; wait", effects = ["read:host"], timeout_s = 0.5 : f64}} : () -> !skc.text
  "ctrl.return"(%a) : (!skc.text) -> ()''')
    started = time.monotonic()
    result = run_module(mod, tmp_path, allow_writes=True)  # `> pidfile` writes
    assert time.monotonic() - started < 10
    assert result.status == "failed"
    assert result.error is not None
    assert result.error.code == "SKC303"
    pid = int(pidfile.read_text())
    for _ in range(100):
        if not _running(pid):  # killed (a zombie waiting to be reaped by skc's subreaper thread is dead)
            break
        time.sleep(0.05)
    else:
        pytest.fail(f"background child {pid} survived the timeout")


def _running(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def test_output_cap_fails_instead_of_truncating(tmp_path: Path) -> None:
    mod = wf('''  %a = "tool.shell"() {cmd = "head -c 50000 /dev/zero", effects = ["read:host"]} : () -> !skc.text
  "ctrl.return"(%a) : (!skc.text) -> ()''')
    result = run_module(mod, tmp_path, options={"max_output_bytes": 1000})
    assert result.status == "failed"
    assert "exceeded 1000 bytes" in str(result.error)


def test_python_gets_json_args_and_returns_json(tmp_path: Path) -> None:
    mod = wf('''  %a = "tool.python"(%rows, %k) {code = "result = {'n': sum(r['x'] for r in args[0]) * args[1]}", effects = ["pure"]} : (!skc.json, !skc.num) -> !skc.json
  %b = "tool.python"() {code = "raise ValueError('bad data here')", effects = ["pure"]} : () -> !skc.json
  "ctrl.return"(%a) : (!skc.json) -> ()''', "%rows: !skc.json, %k: !skc.num", ["rows", "k"])
    result = run_module(mod, tmp_path, {"rows": '[{"x": 1}, {"x": 4}]', "k": "3"})
    assert result.status == "failed"
    assert "ValueError: bad data here" in str(result.error)
    ok = wf('''  %a = "tool.python"(%rows, %k) {code = "print('noise'); result = {'n': sum(r['x'] for r in args[0]) * args[1]}", effects = ["pure"]} : (!skc.json, !skc.num) -> !skc.json
  "ctrl.return"(%a) : (!skc.json) -> ()''', "%rows: !skc.json, %k: !skc.num", ["rows", "k"])
    assert run_module(ok, tmp_path, {"rows": '[{"x": 1}, {"x": 4}]', "k": "3"}).outputs == {"a": {"n": 15}}


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "inc.db"
    conn = sqlite3.connect(path)
    conn.executescript("CREATE TABLE deploys (id INTEGER, region TEXT, svc TEXT);"
                       "INSERT INTO deploys VALUES (1, 'eu', 'a'), (2, 'us', 'b'), (3, 'eu', 'c');")
    conn.commit()
    conn.close()
    return path


def test_sql_binds_operands_as_parameters(tmp_path: Path, db: Path) -> None:
    mod = wf('''  %a = "tool.sql"(%r) {db = "inc", effects = ["read:db:inc"], query = "SELECT id, svc FROM deploys WHERE region = {0} ORDER BY id"} : (!skc.text) -> !skc.table
  %n = "tool.sql"(%r) {db = "inc", effects = ["read:db:inc"], query = "SELECT COUNT(*) FROM deploys WHERE svc LIKE '%{0}%'"} : (!skc.text) -> !skc.num
  "ctrl.return"(%a, %n) : (!skc.table, !skc.num) -> ()''', "%r: !skc.text", ["r"])
    result = run_module(mod, tmp_path, {"r": "eu"}, db={"inc": str(db)})
    assert result.outputs == {"a": [{"id": 1, "svc": "a"}, {"id": 3, "svc": "c"}], "n": 0}
    injected = run_module(mod, tmp_path, {"r": "eu' OR '1'='1"}, db={"inc": str(db)})
    assert injected.outputs["a"] == []


def test_sql_read_effects_open_the_database_read_only(tmp_path: Path, db: Path) -> None:
    sneaky = wf('''  %a = "tool.sql"() {db = "inc", effects = ["read:db:inc"], query = "DELETE FROM deploys"} : () -> !skc.json
  "ctrl.return"(%a) : (!skc.json) -> ()''')
    result = run_module(sneaky, tmp_path, db={"inc": str(db)})
    assert result.status == "failed"
    assert "readonly" in str(result.error).replace("-", "")
    assert sqlite3.connect(db).execute("SELECT COUNT(*) FROM deploys").fetchone() == (3,)
    honest = wf('''  %a = "tool.sql"() {db = "inc", effects = ["write:db:inc"], query = "DELETE FROM deploys WHERE id = 2"} : () -> !skc.json
  "ctrl.return"(%a) : (!skc.json) -> ()''')
    assert run_module(honest, tmp_path, db={"inc": str(db)}, allow_writes=True).outputs == {"a": {"rows_affected": 1}}


def test_sql_without_a_data_source_is_refused_before_running(tmp_path: Path) -> None:
    mod = wf('''  %a = "tool.sql"() {db = "nowhere", effects = ["read:db:nowhere"], query = "SELECT 1"} : () -> !skc.num
  "ctrl.return"(%a) : (!skc.num) -> ()''')
    with pytest.raises(DiagnosticError) as e:
        run_module(mod, tmp_path)
    assert e.value.diagnostics[0].code == "SKC307"
    assert "--db nowhere=" in e.value.diagnostics[0].hint


class _Handler(http.server.BaseHTTPRequestHandler):
    hits: dict[str, int] = {}

    def do_GET(self) -> None:
        _Handler.hits[self.path] = _Handler.hits.get(self.path, 0) + 1
        if self.path.startswith("/flaky") and _Handler.hits[self.path] < 3:
            self.send_response(503)
            self.end_headers()
            return
        body = json.dumps({"path": self.path, "ok": True}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[str]:
    _Handler.hits = {}
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{srv.server_address[1]}"
    srv.shutdown()
    srv.server_close()


def test_http_get_and_retry_on_503(tmp_path: Path, server: str) -> None:
    mod = wf(f'''  %a = "tool.http"(%x) {{effects = ["net:http"], method = "GET", url = "{server}/items/{{0}}"}} : (!skc.text) -> !skc.json
  %b = "tool.http"() {{effects = ["net:http"], retries = 3 : i64, url = "{server}/flaky"}} : () -> !skc.json
  "ctrl.return"(%a, %b) : (!skc.json, !skc.json) -> ()''', "%x: !skc.text", ["x"])
    result = run_module(mod, tmp_path, {"x": "a b"})
    assert result.status == "ok", result.error
    assert result.outputs["a"] == {"path": "/items/a%20b", "ok": True}
    assert _Handler.hits["/flaky"] == 3


def test_files_write_append_read_in_program_order(tmp_path: Path) -> None:
    mod = wf('''  %w = "tool.file_write"(%x) {effects = ["write:fs:notes.md"], path = "notes.md"} : (!skc.text) -> !skc.token
  %a = "tool.file_write"(%x) {append = true, effects = ["write:fs:notes.md"], path = "notes.md"} : (!skc.text) -> !skc.token
  %r = "tool.file_read"() {effects = ["read:fs:notes.md"], path = "notes.md"} : () -> !skc.text
  "ctrl.return"(%r) : (!skc.text) -> ()''', "%x: !skc.text", ["x"])
    result = run_module(mod, tmp_path, {"x": "line\n"}, allow_writes=True)
    assert result.outputs == {"r": "line\nline\n"}
