"""Bundles: what they hold, that they are reproducible to the byte, and that damage is caught."""

from __future__ import annotations

import hashlib
import json
import zipfile
from pathlib import Path

import pytest

from skc.compiler.bundle import (
    SCHEMA_VERSION,
    Bundle,
    Manifest,
    make_bundle,
    read_bundle,
    write_bundle,
)
from skc.compiler.driver import CompileResult, compile_path
from skc.compiler.passes import DEFAULT_PIPELINE
from skc.ir import DiagnosticError, parse_module

FIXTURES = Path(__file__).resolve().parent / "fixtures"
SKILL = FIXTURES / "rotate-skill"
SOURCE = SKILL / "rotate.mlir"
ENV = FIXTURES / "env.yaml"


def compile_to(out: Path, **kw: object) -> CompileResult:
    result = compile_path(SOURCE, environment=ENV, output=out, **kw)  # type: ignore[arg-type]
    assert result.ok, [str(d) for d in result.diagnostics]
    assert result.output == out
    return result


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def codes(e: pytest.ExceptionInfo[DiagnosticError]) -> list[str]:
    return [d.code for d in e.value.diagnostics]


@pytest.fixture
def bundle_dir(tmp_path: Path) -> Path:
    compile_to(tmp_path / "rotate.skb")
    return tmp_path / "rotate.skb"


def test_layout_and_manifest(bundle_dir: Path) -> None:
    files = tree(bundle_dir)
    assert {"ir.mlir", "manifest.json", "code/scripts/rotate.sh", "code/ops/rotate_secret/001-python-step-2.py",
            "prompts/rotate_secret/002-decide-step-3.txt", "prompts/rotate_secret/004-generate.txt",
            "prompts/rotate_secret/004-generate.system.txt", "reports/environment.json",
            "reports/diagnostics.json"} <= set(files)
    assert files["code/scripts/rotate.sh"] == (SKILL / "scripts" / "rotate.sh").read_bytes()
    assert files["prompts/rotate_secret/002-decide-step-3.txt"] == b"Is the secret older than 90 days?"
    assert files["code/ops/rotate_secret/001-python-step-2.py"].startswith(b"import json\n")
    m = Manifest.model_validate_json(files["manifest.json"])
    assert (m.schema_version, m.bundle_version, m.kind, m.name) == (SCHEMA_VERSION, 1, "mlir", "rotate_secret")
    assert m.files == {k: hashlib.sha256(v).hexdigest() for k, v in files.items() if k != "manifest.json"}
    assert {s.path for s in m.sources} == {"rotate.mlir", "scripts/rotate.sh"}
    assert next(s for s in m.sources if s.path == "rotate.mlir").sha256 == hashlib.sha256(SOURCE.read_bytes()).hexdigest()
    assert m.permissions == ["Bash(kubectl:*)", "Read"]
    [wf] = m.workflows
    assert [(p.name, p.type) for p in wf.inputs] == [("ns", "!skc.text"), ("secret", "!skc.text")]
    assert [(p.name, p.type) for p in wf.outputs] == [("decision", "!skc.text"), ("summary", "!skc.text")]
    assert wf.description == "Rotate a Kubernetes secret when it is old."
    assert m.environment is not None
    assert m.environment.bindings["binary"] == {"bash": "/bin/bash", "kubectl": "/usr/bin/kubectl"}
    assert m.environment.bindings["script"] == {"scripts/rotate.sh": "code/scripts/rotate.sh"}
    assert m.environment.missing == []
    assert m.pipeline == DEFAULT_PIPELINE


def test_same_input_gives_a_byte_identical_directory(tmp_path: Path) -> None:
    compile_to(tmp_path / "a.skb")
    compile_to(tmp_path / "b.skb")
    assert tree(tmp_path / "a.skb") == tree(tmp_path / "b.skb")


def test_same_input_gives_a_byte_identical_zip(tmp_path: Path) -> None:
    compile_to(tmp_path / "a.skb.zip")
    compile_to(tmp_path / "b.skb", zipped=True)
    a, b = (tmp_path / "a.skb.zip").read_bytes(), (tmp_path / "b.skb").read_bytes()
    assert a == b
    with zipfile.ZipFile(tmp_path / "a.skb.zip") as zf:
        assert zf.namelist()[0] == "manifest.json"
        assert {i.date_time for i in zf.infolist()} == {(1980, 1, 1, 0, 0, 0)}
    compile_to(tmp_path / "dir.skb")
    assert read_bundle(tmp_path / "a.skb.zip").files == read_bundle(tmp_path / "dir.skb").files


def test_read_gives_back_what_was_written(bundle_dir: Path, tmp_path: Path) -> None:
    result = compile_to(tmp_path / "again.skb")
    b = read_bundle(bundle_dir)
    assert b.root == bundle_dir
    assert result.module is not None
    assert b.module.structurally_equal(result.module)
    assert result.bundle is not None
    assert b.manifest == result.bundle.manifest
    assert b.report("environment")["summary"]["binary"]["kubectl"] == "/usr/bin/kubectl"
    assert b.report("no-such-report") is None


def test_updated_bundle_bumps_the_version_and_still_reads(bundle_dir: Path) -> None:
    b = read_bundle(bundle_dir)
    module = parse_module(b.text("ir.mlir").replace("Is the secret older than 90 days?", "Older than 30 days?"))
    new = b.updated(module, {"jit": {"promoted": 1}})
    assert new.manifest.bundle_version == 2
    assert new.files["prompts/rotate_secret/002-decide-step-3.txt"] == b"Older than 30 days?"
    assert new.files["code/scripts/rotate.sh"] == b.files["code/scripts/rotate.sh"]
    write_bundle(new, bundle_dir)
    again = read_bundle(bundle_dir)
    assert again.manifest.bundle_version == 2
    assert again.report("jit") == {"promoted": 1}


# ---------------------------------------------------------------- damage


def test_edited_ir_is_a_hash_mismatch(bundle_dir: Path) -> None:
    ir = bundle_dir / "ir.mlir"
    ir.write_text(ir.read_text(encoding="utf-8").replace("90 days", "9 days"), encoding="utf-8")
    with pytest.raises(DiagnosticError) as e:
        read_bundle(bundle_dir)
    assert codes(e) == ["SKC234"]
    assert str(e.value.diagnostics[0].loc) == f"{bundle_dir}/ir.mlir:1:1"


def test_truncated_manifest_is_bad_json(bundle_dir: Path) -> None:
    m = bundle_dir / "manifest.json"
    m.write_bytes(m.read_bytes()[:200])
    with pytest.raises(DiagnosticError) as e:
        read_bundle(bundle_dir)
    assert codes(e) == ["SKC232"]
    assert "not valid JSON" in e.value.diagnostics[0].message


@pytest.mark.parametrize(("version", "word"), [(SCHEMA_VERSION + 1, "newer"), (0, "older")])
def test_unsupported_schema_version(bundle_dir: Path, version: int, word: str) -> None:
    m = bundle_dir / "manifest.json"
    data = json.loads(m.read_bytes())
    data["schema_version"] = version
    m.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(DiagnosticError) as e:
        read_bundle(bundle_dir)
    assert codes(e) == ["SKC233"]
    assert word in e.value.diagnostics[0].message


def test_manifest_of_the_wrong_shape(bundle_dir: Path) -> None:
    m = bundle_dir / "manifest.json"
    data = json.loads(m.read_bytes())
    data["bundle_version"] = "one"
    del data["name"]
    m.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(DiagnosticError) as e:
        read_bundle(bundle_dir)
    assert codes(e) == ["SKC232", "SKC232"]


def test_missing_file(bundle_dir: Path) -> None:
    (bundle_dir / "code" / "scripts" / "rotate.sh").unlink()
    with pytest.raises(DiagnosticError) as e:
        read_bundle(bundle_dir)
    assert codes(e) == ["SKC231"]
    assert "code/scripts/rotate.sh" in e.value.diagnostics[0].message


def test_ir_that_does_not_parse_even_with_a_matching_hash(bundle_dir: Path) -> None:
    b = read_bundle(bundle_dir)
    broken = Bundle(b.module, b.manifest, {**b.files, "ir.mlir": b"%0 = \"skc.workflow\"(\n"})
    broken.manifest = broken.manifest.model_copy(update={"files": {
        **b.manifest.files, "ir.mlir": hashlib.sha256(b"%0 = \"skc.workflow\"(\n").hexdigest()}})
    write_bundle(broken, bundle_dir)
    with pytest.raises(DiagnosticError) as e:
        read_bundle(bundle_dir)
    assert codes(e)[0] == "SKC235"


def test_not_a_bundle(tmp_path: Path) -> None:
    with pytest.raises(DiagnosticError) as e:
        read_bundle(tmp_path / "nothing.skb")
    assert codes(e) == ["SKC230"]
    (tmp_path / "empty.skb").mkdir()
    with pytest.raises(DiagnosticError) as e:
        read_bundle(tmp_path / "empty.skb")
    assert codes(e) == ["SKC230"]


def test_corrupt_zip(tmp_path: Path) -> None:
    z = tmp_path / "r.skb.zip"
    compile_to(z)
    z.write_bytes(z.read_bytes()[: len(z.read_bytes()) // 2])
    with pytest.raises(DiagnosticError) as e:
        read_bundle(z)
    assert codes(e) == ["SKC236"]


def test_zip_entries_may_not_leave_the_bundle(tmp_path: Path) -> None:
    z = tmp_path / "evil.skb.zip"
    with zipfile.ZipFile(z, "w") as zf:
        zf.writestr("manifest.json", "{}")
        zf.writestr("../escape.txt", "x")
    with pytest.raises(DiagnosticError) as e:
        read_bundle(z)
    assert codes(e) == ["SKC239"]


# ---------------------------------------------------------------- writing safely


def test_a_failed_compile_keeps_the_existing_bundle(bundle_dir: Path, tmp_path: Path) -> None:
    before = tree(bundle_dir)
    bad = tmp_path / "bad.mlir"
    bad.write_text('"skc.workflow"() ({\n  "ctrl.return"(%nope) : (!skc.text) -> ()\n}) {sym_name = "w"} : () -> ()\n',
                   encoding="utf-8")
    result = compile_path(bad, environment=ENV, output=bundle_dir)
    assert not result.ok
    assert result.output is None
    assert result.bundle is None
    assert tree(bundle_dir) == before


def test_write_replaces_a_bundle_but_nothing_else(bundle_dir: Path, tmp_path: Path) -> None:
    b = read_bundle(bundle_dir)
    other = tmp_path / "notes"
    other.mkdir()
    (other / "keep.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(DiagnosticError) as e:
        write_bundle(b, other)
    assert codes(e) == ["SKC237"]
    assert (other / "keep.txt").read_text(encoding="utf-8") == "mine"
    (bundle_dir / "stale.txt").write_text("old", encoding="utf-8")
    write_bundle(b, bundle_dir)
    assert not (bundle_dir / "stale.txt").exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no temp dirs left


def test_make_bundle_refuses_assets_outside_the_bundle() -> None:
    module = parse_module(SOURCE.read_text(encoding="utf-8"))
    with pytest.raises(ValueError, match="bad asset path"):
        make_bundle(module, kind="mlir", source="x", assets={"../x": SOURCE})


def test_the_profile_cap_bind_used_is_in_the_manifest(tmp_path: Path) -> None:
    default = compile_to(tmp_path / "a.skb")
    assert default.bundle is not None
    assert default.bundle.manifest.profile is not None
    assert default.bundle.manifest.profile.name == "gemma3-270m-q4km"
    assert default.context is not None
    assert default.context.options["profile"] is None
    chosen = compile_to(tmp_path / "b.skb", profile="gemma3-270m-q4km")
    assert chosen.bundle is not None
    assert chosen.bundle.manifest.profile == default.bundle.manifest.profile
    without = compile_to(tmp_path / "c.skb", pipeline="verify,env-bind")
    assert without.bundle is not None
    assert without.bundle.manifest.profile is None


def test_an_unreadable_profile_is_skc249(tmp_path: Path) -> None:
    result = compile_path(SOURCE, environment=ENV, profile="no-such-profile", output=tmp_path / "x.skb")
    assert [(d.code, str(d.loc)) for d in result.diagnostics] == [("SKC249", "<profile>:1:1")]
    assert not (tmp_path / "x.skb").exists()
    bad = tmp_path / "p.json"
    bad.write_text("{}", encoding="utf-8")
    result = compile_path(SOURCE, environment=ENV, profile=bad)
    assert [(d.code, str(d.loc)) for d in result.diagnostics] == [("SKC249", f"{bad}:1:1")]


@pytest.mark.parametrize("fails", [False, True])
def test_the_garbage_collector_is_paused_for_a_compile_and_restored_after(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fails: bool) -> None:
    import gc

    from skc.compiler import driver

    seen: list[bool] = []
    real_load = driver.load

    def load(path: Path) -> object:
        seen.append(gc.isenabled())
        if fails:
            raise RuntimeError("a front end bug")
        return real_load(path)

    monkeypatch.setattr(driver, "load", load)
    assert gc.isenabled()
    if fails:
        with pytest.raises(RuntimeError):
            compile_path(SOURCE)
    else:
        assert compile_path(SOURCE).ok
    assert seen == [False]
    assert gc.isenabled()
    gc.disable()  # a caller that keeps it off finds it off after
    try:
        compile_path(SOURCE) if not fails else None
        assert not gc.isenabled()
    finally:
        gc.enable()
