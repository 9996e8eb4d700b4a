"""`skc compile` and `skc bundle verify|show` as a user runs them: real processes, exit codes, stderr."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "bundle" / "fixtures"
EXAMPLE = "examples/ir/virt_handler_down.mlir"
CORPUS = (Path(__file__).resolve().parents[2] / ".." / "shared" / "corpus").resolve()
RUNBOOK = CORPUS / "runbooks" / "prometheus-operator" / "node" / "NodeFilesystemFilesFillingUp.md"
SKILL = CORPUS / "skills" / "anthropics" / "webapp-testing"


def skc(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "skc", *map(str, args)], cwd=ROOT, capture_output=True,
                          text=True, encoding="utf-8", timeout=120, check=False)


def test_compile_the_example(tmp_path: Path) -> None:
    out = tmp_path / "virt.skb"
    run = skc("compile", EXAMPLE, "-o", out)
    assert run.returncode == 0, run.stderr
    assert run.stdout == f"{out}: bundle v1, 1 workflow(s), 1 warning(s)\n"
    # This machine has no `oc`: a warning at the runbook line, not an error.
    assert run.stderr.startswith("runbooks/VirtHandlerDown.md:12:3: warning SKC220: binary 'oc' is missing")
    assert (out / "ir.mlir").is_file()
    verify = skc("bundle", "verify", out)
    assert (verify.returncode, verify.stderr) == (0, "")
    assert verify.stdout.startswith(f"{out}: ok (bundle v1, schema 1,")
    shown = json.loads(skc("bundle", "show", out).stdout)
    assert shown["workflows"][0]["name"] == "virt_handler_down"
    assert skc("bundle", "show", "--ir", out).stdout == (out / "ir.mlir").read_text(encoding="utf-8")


def test_compile_to_zip(tmp_path: Path) -> None:
    run = skc("compile", EXAMPLE, "--zip", "-o", tmp_path / "virt.skb", "--env", FIXTURES / "env.yaml")
    assert run.returncode == 0, run.stderr
    assert (tmp_path / "virt.skb").is_file()
    assert skc("bundle", "verify", tmp_path / "virt.skb").returncode == 0


def test_print_ir_after_all_and_pass_timing(tmp_path: Path) -> None:
    run = skc("compile", EXAMPLE, "-o", tmp_path / "v.skb", "--pipeline", "verify,env-bind,cse",
              "--print-ir-after-all", "--pass-timing")
    assert run.returncode == 0, run.stderr
    dumps = [line for line in run.stderr.splitlines() if line.startswith("// -----// IR Dump After")]
    assert dumps == [f"// -----// IR Dump After {p} //----- //" for p in ("verify", "env-bind", "cse")]
    assert "Pass execution timing report" in run.stderr
    rows = [line.split()[-1] for line in run.stderr.splitlines() if "%)" in line]
    assert rows == ["(mlir)", "verify", "env-bind", "cse", "bundle", "Total"]


def test_strict_binding_is_an_error_and_writes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "v.skb"
    run = skc("compile", EXAMPLE, "-o", out, "--env", FIXTURES / "env.yaml",
              "--pipeline", "verify,env-bind{strict=true}")
    assert run.returncode == 2
    assert run.stderr.splitlines()[0] == \
        f"runbooks/VirtHandlerDown.md:12:3: error SKC220: binary 'oc' is missing: not in {FIXTURES / 'env.yaml'}"
    assert not out.exists()
    assert "Traceback" not in run.stderr


def test_errors_keep_an_existing_bundle(tmp_path: Path) -> None:
    out = tmp_path / "v.skb"
    assert skc("compile", EXAMPLE, "-o", out).returncode == 0
    before = (out / "manifest.json").read_bytes()
    bad = tmp_path / "bad.mlir"
    bad.write_text('"skc.workflow"() ({\n  %0 = "tool.shell"() {argv = ["ls"]} : () -> !skc.text loc("r.md":4:1)\n'
                   '  "ctrl.return"(%0) : (!skc.text) -> ()\n}) {sym_name = "w"} : () -> ()\n', encoding="utf-8")
    run = skc("compile", bad, "-o", out)
    assert run.returncode == 2
    assert run.stderr.startswith("r.md:4:1: error SKC206:")
    assert (out / "manifest.json").read_bytes() == before


def test_bad_pipeline_and_bad_env_file_are_user_errors(tmp_path: Path) -> None:
    run = skc("compile", EXAMPLE, "-o", tmp_path / "v.skb", "--pipeline", "verify,no-such-pass")
    assert run.returncode == 2
    assert "error SKC250: unknown pass 'no-such-pass'" in run.stderr
    env = tmp_path / "env.yaml"
    env.write_text("binaries: [\n", encoding="utf-8")
    run = skc("compile", EXAMPLE, "-o", tmp_path / "v.skb", "--env", env)
    assert run.returncode == 2
    assert run.stderr.startswith(f"{env}:2:1: error SKC227: environment file is not valid YAML")
    assert not (tmp_path / "v.skb").exists()


def test_a_damaged_bundle_is_a_located_error(tmp_path: Path) -> None:
    out = tmp_path / "v.skb"
    assert skc("compile", EXAMPLE, "-o", out).returncode == 0
    (out / "ir.mlir").write_text("tampered\n", encoding="utf-8")
    run = skc("bundle", "verify", out)
    assert run.returncode == 2
    assert run.stderr.splitlines()[0] == (f"{out}/ir.mlir:1:1: error SKC234: ir.mlir does not match the "
                                          "manifest's sha256 (changed after compilation)")
    (out / "manifest.json").write_text('{"schema_version": 99}', encoding="utf-8")
    run = skc("bundle", "verify", out)
    assert run.returncode == 2
    assert f"{out}/manifest.json:1:1: error SKC233: bundle schema version 99 is newer" in run.stderr


def test_several_sources_go_to_one_folder_with_progress(tmp_path: Path) -> None:
    bad = tmp_path / "notes.txt"
    bad.write_text("hello\n", encoding="utf-8")
    run = skc("compile", EXAMPLE, FIXTURES / "rotate-skill" / "rotate.mlir", bad, "-o", tmp_path / "out")
    assert run.returncode == 2
    assert "[1/3] examples/ir/virt_handler_down.mlir" in run.stderr
    assert f"{bad}:1:1: error SKC100: not a source skc understands" in run.stderr
    assert "1 of 3 sources failed to compile" in run.stderr
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["rotate.skb", "virt_handler_down.skb"]


def test_a_folder_stands_for_the_sources_in_it(tmp_path: Path) -> None:
    run = skc("compile", "examples", "-o", tmp_path, "--zip")
    assert run.returncode == 0, run.stderr
    names = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*.skb.zip"))
    assert "ir/virt_handler_down.skb.zip" in names
    assert len(names) == len(run.stdout.splitlines()) >= 4


def test_a_bug_is_one_line_without_debug_and_a_traceback_with_it(monkeypatch: pytest.MonkeyPatch,
                                                                  tmp_path: Path) -> None:
    from skc import cli_compile

    def broken(*args: object, **kwargs: object) -> None:
        raise KeyError("boom")

    monkeypatch.setattr(cli_compile, "compile_path", broken)
    runner = CliRunner()
    run = runner.invoke(cli_compile.compile_cmd, [str(ROOT / EXAMPLE), "-o", str(tmp_path / "v.skb")])
    assert run.exit_code == cli_compile.INTERNAL_ERROR
    assert "internal error: KeyError: 'boom'" in run.output
    assert "rerun with --debug" in run.output
    run = runner.invoke(cli_compile.compile_cmd, [str(ROOT / EXAMPLE), "--debug"])
    assert isinstance(run.exception, KeyError)


def test_debug_verifies_after_every_pass(tmp_path: Path) -> None:
    import skc
    from skc.compiler.passes import PassContext

    seen: list[str] = []
    result = skc.compile(ROOT / EXAMPLE, pipeline="verify,env-bind,cse", debug=True,
                         print_ir_after_all=lambda name, _ir: seen.append(name))
    assert result.ok
    assert isinstance(result.context, PassContext)
    assert result.context.debug
    assert seen == ["verify", "env-bind", "cse"]


def _count_verifications(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    from skc.ir import verifier

    calls: list[object] = []
    whole = verifier._Verifier.module

    def counted(self: object, module: object) -> object:
        calls.append(module)
        return whole(self, module)  # type: ignore[arg-type]

    monkeypatch.setattr(verifier._Verifier, "module", counted)
    return calls


@pytest.mark.parametrize("source", [EXAMPLE, "examples/skills/csv-report", "examples/runbooks/checkout-latency.md",
                                    "examples/skflow/crashloop.skflow"])
def test_a_compile_verifies_the_ir_once(monkeypatch: pytest.MonkeyPatch, source: str) -> None:
    from skc.compiler.driver import compile_path
    from skc.compiler.passes import DEFAULT_PIPELINE

    calls = _count_verifications(monkeypatch)
    result = compile_path(ROOT / source)
    assert result.ok, result.diagnostics
    assert len(calls) == 1  # after the front end; the default pipeline does not verify again
    calls.clear()
    result = compile_path(ROOT / source, debug=True)
    assert result.ok, result.diagnostics
    assert len(calls) == 1 + len(DEFAULT_PIPELINE.split(","))  # and after every pass in debug mode


def test_invalid_ir_is_reported_once_and_stops_the_compile(tmp_path: Path) -> None:
    from skc.compiler.driver import compile_path

    bad = tmp_path / "bad.mlir"
    bad.write_text('"skc.workflow"() ({\n  %0 = "tool.shell"() {argv = ["ls"]} : () -> !skc.text loc("r.md":4:1)\n'
                   '  "ctrl.return"(%0) : (!skc.text) -> ()\n}) {sym_name = "w"} : () -> ()\n', encoding="utf-8")
    result = compile_path(bad)
    assert [d.code for d in result.diagnostics] == ["SKC206"]
    assert result.bundle is None
    assert result.context is None  # no pass ran on it


@pytest.mark.skipif(not RUNBOOK.is_file(), reason="no corpus")
def test_compile_a_corpus_runbook(tmp_path: Path) -> None:
    out = tmp_path / "node.skb"
    run = skc("compile", RUNBOOK, "-o", out)
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith(f"{out}: bundle v1, 1 workflow(s)")
    # Warnings point into the runbook, e.g. the `oc debug node/...` step this machine cannot run.
    assert all(line.startswith((f"{RUNBOOK}:", "  hint:")) for line in run.stderr.splitlines())
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["kind"] == "tsg"
    assert [s["path"] for s in manifest["sources"]] == [RUNBOOK.name]
    assert "binary" in manifest["environment"]["bindings"]
    assert skc("bundle", "verify", out).returncode == 0


@pytest.mark.skipif(not SKILL.is_dir(), reason="no corpus")
def test_compile_a_corpus_skill(tmp_path: Path) -> None:
    out = tmp_path / "webapp.skb.zip"
    run = skc("compile", SKILL, "-o", out)
    assert run.returncode == 0, run.stderr
    manifest = json.loads(skc("bundle", "show", out).stdout)
    assert (manifest["kind"], manifest["name"]) == ("skill", "webapp_testing")
    assert "SKILL.md" in [s["path"] for s in manifest["sources"]]
    assert any(name.startswith("prompts/webapp_testing/") for name in manifest["files"])
    assert "reports/capability.json" in manifest["files"]


@pytest.mark.parametrize("name", ["virt.skb", "virt.zip"])
def test_ir_inspection_reads_a_compiled_bundle(tmp_path: Path, name: str) -> None:
    """`skc ir print|explain BUNDLE` read the bundle's IR, directory or zip."""
    out = tmp_path / name
    assert skc("compile", EXAMPLE, "-o", out).returncode == 0
    shown = skc("ir", "print", out)
    assert shown.returncode == 0, shown.stderr
    assert '"skc.workflow"' in shown.stdout
    assert 'target = "cpu"' in shown.stdout  # the compiled IR, with placement's decisions
    explained = skc("ir", "explain", out, "--json")
    assert explained.returncode == 0, explained.stderr
    assert "virt_handler_down" in explained.stdout
