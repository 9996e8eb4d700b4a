"""Tampered bundles are refused before anything runs: paths that leave the bundle (`..`,
absolute, symbolic links), files the manifest does not hash, hostile manifests — each a
located SKC2xx error with exit code 2, never a traceback, and no op runs."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from skc.cli import cli
from skc.compiler.driver import compile_path
from skc.runtime.targets.base import ExecContext
from skc.runtime.targets.shell import confined_script

FLOW = '''"skc.workflow"() ({
  %0 = "tool.shell"() {argv = ["touch", "ran"], effects = ["write:fs:ran"], step = "Step 1"} : () -> !skc.text
  %1 = "tool.script"() {path = "scripts/hello.sh", interpreter = "sh", effects = ["read:host"], step = "Step 2"} : () -> !skc.text
  "ctrl.return"(%0, %1) : (!skc.text, !skc.text) -> ()
}) {sym_name = "flow", permissions = ["Bash(touch:*)", "Bash(sh scripts/hello.sh:*)"]} : () -> ()
'''


@pytest.fixture
def bundle(tmp_path: Path) -> Path:
    skill = tmp_path / "skill"
    (skill / "scripts").mkdir(parents=True)
    (skill / "scripts" / "hello.sh").write_text("echo hello\n")
    (skill / "flow.mlir").write_text(FLOW)
    (tmp_path / "evil.sh").write_text("touch evil\n")
    result = compile_path(skill / "flow.mlir", output=tmp_path / "out.skb")
    assert result.ok, [str(d) for d in result.diagnostics]
    (tmp_path / "work").mkdir()
    return tmp_path / "out.skb"


def _rewrite_ir(bundle: Path, old: str, new: str) -> None:
    """Edits ir.mlir and updates its hash in the manifest (a tamperer who knows the format)."""
    ir = (bundle / "ir.mlir").read_text().replace(old, new)
    assert old != new
    (bundle / "ir.mlir").write_text(ir)
    manifest = json.loads((bundle / "manifest.json").read_text())
    manifest["files"]["ir.mlir"] = hashlib.sha256(ir.encode()).hexdigest()
    (bundle / "manifest.json").write_text(json.dumps(manifest))


def _dotdot(b: Path) -> None:
    _rewrite_ir(b, '"scripts/hello.sh"', '"../../evil.sh"')


def _absolute(b: Path) -> None:
    _rewrite_ir(b, '"scripts/hello.sh"', json.dumps(str(b.parent / "evil.sh")))


def _symlink(b: Path) -> None:
    (b / "code" / "scripts" / "hello.sh").unlink()
    (b / "code" / "scripts" / "hello.sh").symlink_to(b.parent / "evil.sh")


def _symlinked_folder(b: Path) -> None:
    shutil.rmtree(b / "code" / "scripts")
    (b.parent / "outside").mkdir()
    (b.parent / "outside" / "hello.sh").write_text("touch evil\n")
    (b / "code" / "scripts").symlink_to(b.parent / "outside")


def _unhashed(b: Path) -> None:
    (b / "code" / "scripts" / "extra.sh").write_text("touch evil\n")
    _rewrite_ir(b, '"scripts/hello.sh"', '"scripts/extra.sh"')


def _edited_script(b: Path) -> None:
    (b / "code" / "scripts" / "hello.sh").write_text("touch evil\n")


def _deep_manifest(b: Path) -> None:
    (b / "manifest.json").write_text("[" * 100_000 + "]" * 100_000)


def _huge_number(b: Path) -> None:
    (b / "manifest.json").write_text('{"schema_version": ' + "9" * 10_000 + "}")


def _manifest_path_escapes(b: Path) -> None:
    manifest = json.loads((b / "manifest.json").read_text())
    manifest["files"]["../../evil.sh"] = hashlib.sha256(b"touch evil\n").hexdigest()
    (b / "manifest.json").write_text(json.dumps(manifest))


TAMPERS: dict[str, tuple[Callable[[Path], None], str]] = {
    "dotdot": (_dotdot, "SKC240"),
    "absolute": (_absolute, "SKC240"),
    "symlink": (_symlink, "SKC239"),
    "symlinked-folder": (_symlinked_folder, "SKC239"),
    "unhashed-file": (_unhashed, "SKC241"),
    "edited-script": (_edited_script, "SKC234"),
    "deep-manifest": (_deep_manifest, "SKC232"),
    "huge-number": (_huge_number, "SKC232"),
    "manifest-path-escapes": (_manifest_path_escapes, "SKC239"),
}


@pytest.mark.parametrize("name", sorted(TAMPERS))
def test_a_tampered_bundle_is_refused_before_anything_runs(bundle: Path, name: str) -> None:
    tamper, code = TAMPERS[name]
    tamper(bundle)
    work = bundle.parent / "work"
    runner = CliRunner()
    verified = runner.invoke(cli, ["bundle", "verify", str(bundle)], catch_exceptions=False)
    assert verified.exit_code == 2, verified.output
    assert f"error {code}" in verified.stderr
    ran = runner.invoke(cli, ["run", str(bundle), "--workdir", str(work), "--runs-dir", str(work / "runs"),
                              "--no-jit"], catch_exceptions=False)
    assert ran.exit_code == 2, ran.output
    assert f"error {code}" in ran.stderr
    assert "Traceback" not in verified.output + ran.output
    assert not (work / "ran").exists()  # not even the first op
    assert not (work / "evil").exists()


def test_the_untampered_bundle_runs(bundle: Path) -> None:
    work = bundle.parent / "work"
    ran = CliRunner().invoke(cli, ["run", str(bundle), "--workdir", str(work), "--runs-dir", str(work / "runs"),
                                   "--no-jit"], catch_exceptions=False)
    assert ran.exit_code == 0, ran.output
    assert (work / "ran").exists()
    assert "hello" in ran.stdout


def test_a_script_swapped_after_loading_is_refused_at_the_op(bundle: Path) -> None:
    from skc.ir.parser import parse_module

    manifest = json.loads((bundle / "manifest.json").read_text())
    hashes = {k.removeprefix("code/"): v for k, v in manifest["files"].items() if k.startswith("code/")}
    op = next(o for o in parse_module((bundle / "ir.mlir").read_text()).workflows[0].walk()
              if o.op_name == "tool.script")
    ctx = ExecContext("r", bundle.parent / "work", env={},
                      bindings={"scripts_root": str(bundle / "code"), "script_hashes": hashes})
    assert confined_script(op, [], ctx) == ""
    script = bundle / "code" / "scripts" / "hello.sh"
    script.write_text("touch evil\n")
    assert "not the file the bundle's manifest hashed" in confined_script(op, [], ctx)
    script.unlink()
    os.symlink(bundle.parent / "evil.sh", script)
    assert "outside the bundle" in confined_script(op, [], ctx)


def _run(bundle: Path, *extra: str) -> tuple[int, str]:
    work = bundle.parent / "work"
    ran = CliRunner().invoke(cli, ["run", str(bundle), "--workdir", str(work), "--runs-dir", str(work / "runs"),
                                   "--no-jit", *extra], catch_exceptions=False)
    return ran.exit_code, ran.output


def test_signed_bundles_run_with_require_signature_and_tampered_ones_never(bundle: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    key, other = tmp_path / "key.pem", tmp_path / "other.pem"
    assert runner.invoke(cli, ["bundle", "keygen", "-o", str(key)]).exit_code == 0
    assert runner.invoke(cli, ["bundle", "keygen", "-o", str(other)]).exit_code == 0
    work = bundle.parent / "work"
    code, out = _run(bundle, "--require-signature")  # unsigned
    assert code == 2
    assert "error SKC243" in out
    assert not (work / "ran").exists()
    signed = runner.invoke(cli, ["bundle", "sign", str(bundle), "--key", str(key)], catch_exceptions=False)
    assert signed.exit_code == 0, signed.output
    assert runner.invoke(cli, ["bundle", "verify", str(bundle), "--key", f"{key}.pub"]).exit_code == 0
    wrong = runner.invoke(cli, ["bundle", "verify", str(bundle), "--key", f"{other}.pub"])
    assert wrong.exit_code == 2
    assert "not trusted" in wrong.output
    code, out = _run(bundle, "--require-signature", "--trusted-key", f"{other}.pub")
    assert code == 2
    assert "error SKC243" in out
    assert not (work / "ran").exists()
    code, out = _run(bundle, "--require-signature", "--trusted-key", f"{key}.pub")
    assert code == 0, out
    assert (work / "ran").exists()
    (work / "ran").unlink()
    _rewrite_ir(bundle, '"scripts/hello.sh"', '"scripts/hello.sh", note = "x"')  # re-hashed, not re-signed
    for extra in ([], ["--require-signature"]):
        code, out = _run(bundle, *extra)
        assert code == 2
        assert "error SKC242" in out
        assert "Traceback" not in out
    assert not (work / "ran").exists()


@pytest.mark.parametrize("record", ["{", "[]", '{"algorithm": "ed25519", "public_key": "!!", "signature": ""}',
                                    "[" * 50_000])
def test_a_damaged_signature_is_a_located_error(bundle: Path, record: str) -> None:
    (bundle / "signature.json").write_text(record)
    verified = CliRunner().invoke(cli, ["bundle", "verify", str(bundle)], catch_exceptions=False)
    assert verified.exit_code == 2
    assert "error SKC242" in verified.output
