"""The Environment model: declared in JSON/YAML files, probed from a (fake) machine, no secrets kept."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from skc.compiler.environment import (
    DataSource,
    Environment,
    is_secret_name,
    load_environment,
    probe_environment,
    strip_password,
)
from skc.compiler.passes import PassContext, run_pipeline
from skc.ir import DiagnosticError, parse_module


def executable(path: Path, text: str = "#!/bin/sh\necho 'fake 1.2.3'\n") -> Path:
    path.write_text(text, encoding="utf-8")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


@pytest.mark.parametrize(("dsn", "clean"), [
    ("postgres://app:s3cret@db.internal:5432/ops", "postgres://app@db.internal:5432/ops"),
    ("postgresql://db/ops?sslmode=require&password=x", "postgresql://db/ops?sslmode=require"),
    ("mysql://root@localhost/x", "mysql://root@localhost/x"),
    ("/var/lib/incidents.sqlite", "/var/lib/incidents.sqlite"),
])
def test_dsn_passwords_are_dropped(dsn: str, clean: str) -> None:
    assert strip_password(dsn) == clean
    if "://" in dsn:
        assert DataSource(kind="postgres", dsn=dsn).dsn == clean


@pytest.mark.parametrize(("name", "secret"), [
    ("GITLAB_TOKEN", True), ("AWS_SECRET_ACCESS_KEY", True), ("PGPASSWORD", False), ("DB_PASSWORD", True),
    ("KUBECONFIG", True), ("OPENAI_API_KEY", True), ("NAMESPACE", False), ("KEYBOARD", False), ("PATH", False),
])
def test_secret_names(name: str, secret: bool) -> None:
    assert is_secret_name(name) is secret


def test_yaml_file_with_shorthands(tmp_path: Path) -> None:
    f = tmp_path / "target.yaml"
    f.write_text("os: linux\nbinaries:\n  kubectl: /usr/bin/kubectl\n  jq: {path: /usr/bin/jq, version: '1.7'}\n"
                 "env_vars: [B, A, A]\ndata_sources:\n  inc: incidents.db\n  pg: postgres://u:pw@h/db\n"
                 "hosts: ['*.gitlab.net']\n", encoding="utf-8")
    env = load_environment(f)
    assert env.origin == str(f)
    assert env.binary("kubectl") is not None
    assert env.binaries["kubectl"].path == "/usr/bin/kubectl"
    assert env.binaries["jq"].version == "1.7"
    assert env.env_vars == ["A", "B"]
    assert env.data_sources["inc"].kind == "sqlite"
    assert env.data_sources["inc"].path == "incidents.db"
    assert env.data_sources["pg"].kind == "postgres"
    assert env.data_sources["pg"].dsn == "postgres://u@h/db"
    assert env.allows_host("ops.gitlab.net")
    assert not env.allows_host("gitlab.com")


def test_json_file_round_trips(tmp_path: Path) -> None:
    env = Environment(os="linux", binaries={"sh": {"path": "/bin/sh"}}, hosts=["prom"])  # type: ignore[dict-item]
    f = tmp_path / "env.json"
    f.write_text(env.model_dump_json(), encoding="utf-8")
    assert load_environment(f).model_dump(exclude={"origin"}) == env.model_dump(exclude={"origin"})


@pytest.mark.parametrize(("text", "where", "message"), [
    ("binaries: [kubectl", ":1:19", "not valid YAML: expected ',' or ']'"),
    ("- a\n- b\n", ":1:1", "holds a mapping"),
    ("os: linux\nbinarys: {}\n", ":1:1", "environment field binarys: Extra inputs are not permitted"),
    ("has_gpu: perhaps\n", ":1:1", "environment field has_gpu"),
])
def test_bad_environment_files_are_skc227(tmp_path: Path, text: str, where: str, message: str) -> None:
    f = tmp_path / "env.yaml"
    f.write_text(text, encoding="utf-8")
    with pytest.raises(DiagnosticError) as e:
        load_environment(f)
    d = e.value.diagnostics[0]
    assert d.code == "SKC227"
    assert str(d.loc) == f"{f}{where}"
    assert message in d.message


def test_bad_json_is_located(tmp_path: Path) -> None:
    f = tmp_path / "env.json"
    f.write_text('{\n  "os": "linux",\n}\n', encoding="utf-8")
    with pytest.raises(DiagnosticError) as e:
        load_environment(f)
    assert (e.value.diagnostics[0].code, e.value.diagnostics[0].loc.line) == ("SKC227", 3)


def test_missing_file_is_skc227(tmp_path: Path) -> None:
    with pytest.raises(DiagnosticError) as e:
        load_environment(tmp_path / "nope.yaml")
    assert e.value.diagnostics[0].code == "SKC227"


def test_probe_looks_up_only_what_is_asked(tmp_path: Path) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    executable(bin_dir / "kubectl")
    executable(bin_dir / "unasked")
    home = tmp_path / "home"
    (home / ".kube").mkdir(parents=True)
    (home / ".kube" / "config").write_text("apiVersion: v1\n", encoding="utf-8")
    skill = tmp_path / "skill"
    (skill / "data").mkdir(parents=True)
    (skill / "data" / "incidents.sqlite").write_bytes(b"")
    environ = {"PATH": str(bin_dir), "HOME": str(home), "NAMESPACE": "prod", "GITLAB_TOKEN": "glpat-xyz",
               "SKC_DB_METRICS": "prometheus://user:pw@prom:9090", "DATABASE_URL": "postgres://a:b@h/db"}
    env = probe_environment(["kubectl", "oc"], root=skill, environ=environ)
    assert env.origin == "probed"
    assert set(env.binaries) == {"kubectl"}
    assert env.binaries["kubectl"].path == str(bin_dir / "kubectl")
    assert env.binaries["kubectl"].version is None  # nothing runs unless asked
    assert "NAMESPACE" in env.env_vars
    assert "GITLAB_TOKEN" in env.env_vars
    assert env.credentials == ["GITLAB_TOKEN", "~/.kube/config"]
    assert env.data_sources["incidents"].kind == "sqlite"
    assert env.data_sources["metrics"].dsn == "prometheus://user@prom:9090"
    assert env.data_sources["default"].dsn == "postgres://a@h/db"
    assert "glpat-xyz" not in env.model_dump_json()
    assert "pw@" not in env.model_dump_json()


def test_probe_versions_when_asked(tmp_path: Path) -> None:
    executable(tmp_path / "tool")
    env = probe_environment(["tool"], environ={"PATH": str(tmp_path)}, versions=True)
    assert env.binaries["tool"].version == "fake 1.2.3"


def test_env_bind_probes_this_machine_when_no_environment_is_given() -> None:
    module = parse_module('"skc.workflow"() ({\n  %0 = "tool.shell"() {argv = ["sh", "-c", "true"], '
                          'effects = ["read:*"]} : () -> !skc.text\n  %1 = "tool.shell"() {argv = '
                          '["skc-no-such-binary"], effects = ["read:*"]} : () -> !skc.text\n'
                          '  "ctrl.return"(%0, %1) : (!skc.text, !skc.text) -> ()\n}) {sym_name = "w"} : () -> ()\n')
    ctx = run_pipeline(module, "env-bind", PassContext())
    env = ctx.options["environment"]
    assert isinstance(env, Environment)
    assert env.origin == "probed"
    summary = ctx.reports["environment"]["summary"]["binary"]
    assert summary["sh"] is not None
    assert os.access(summary["sh"], os.X_OK)
    assert summary["skc-no-such-binary"] is None
    assert [d.code for d in ctx.diagnostics] == ["SKC220"]
    assert json.dumps(ctx.reports["environment"])  # serialisable as is


def test_probing_again_sees_programs_added_and_removed_since(tmp_path: Path) -> None:
    """PATH lookups are remembered between compiles only while no PATH folder changes."""
    environ = {"PATH": str(tmp_path)}
    assert probe_environment(["late-tool"], environ=environ).binary("late-tool") is None
    tool = tmp_path / "late-tool"
    tool.write_text("#!/bin/sh\n", encoding="utf-8")
    tool.chmod(0o755)
    os.utime(tmp_path, ns=(1, 1))  # a folder time surely different from the first probe's
    found = probe_environment(["late-tool"], environ=environ).binary("late-tool")
    assert found is not None
    assert found.path == str(tool)
    tool.unlink()
    os.utime(tmp_path, ns=(2, 2))
    assert probe_environment(["late-tool"], environ=environ).binary("late-tool") is None


def test_probing_again_sees_credential_files_added_and_removed_since(tmp_path: Path) -> None:
    """Credential files are looked up in folder listings remembered only while the folder is unchanged."""
    home = tmp_path / "home"
    home.mkdir()
    environ = {"PATH": str(tmp_path), "HOME": str(home)}
    os.utime(home, ns=(1, 1))
    assert probe_environment(environ=environ).credentials == []
    (home / ".kube").mkdir()
    (home / ".kube" / "config").write_text("apiVersion: v1\n", encoding="utf-8")
    os.utime(home / ".kube", ns=(1, 1))
    os.utime(home, ns=(2, 2))
    assert probe_environment(environ=environ).credentials == ["~/.kube/config"]
    (home / ".kube" / "config").unlink()
    os.utime(home / ".kube", ns=(3, 3))
    assert probe_environment(environ=environ).credentials == []
    (home / ".netrc").symlink_to(home / "missing")  # listed, but a dangling link does not exist
    (home / ".pgpass").write_text("", encoding="utf-8")
    os.utime(home, ns=(4, 4))
    assert probe_environment(environ=environ).credentials == ["~/.pgpass"]
    environ["HOME"] = str(home / ".." / "home")
    assert probe_environment(environ=environ).credentials == ["~/.pgpass"]
