"""`skc compile` (sources -> bundles) and `skc bundle show|verify` (check a bundle).

Each command parses its arguments, calls `compile_path` / `read_bundle` and formats
the result: diagnostics as `file:line:col: severity SKCnnn: message` on stderr,
exit 2 when any is an error (and then no bundle is written, and an existing one
at the output path is kept).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from skc.compiler.bundle import read_bundle
from skc.compiler.driver import CompileResult, compile_path, discover_sources
from skc.compiler.frontend import kind_of
from skc.compiler.passes import DEFAULT_PIPELINE
from skc.errors import USER_ERROR, report, user_errors
from skc.ir.location import DiagnosticError

INTERNAL_ERROR = 3


def _name(path: Path, under: Path | None) -> str:
    """The bundle name of a source: its path below a given folder, else its (folder) name."""
    p = path.parent if path.name == "SKILL.md" else path
    if under is not None:
        rel = p.relative_to(under)
        return (rel if p.is_dir() else rel.with_suffix("")).as_posix()
    return p.name if p.is_dir() else p.stem


def expand(paths: list[Path]) -> list[tuple[Path, Path | None]]:
    """Sources to compile: a folder that is not a skill stands for the sources inside it."""
    out: list[tuple[Path, Path | None]] = []
    for p in paths:
        found = discover_sources(p) if p.is_dir() and kind_of(p) == "unknown" else []
        out += [(f, p) for f in found] or [(p, None)]
    return out


def _outputs(sources: list[tuple[Path, Path | None]], out: str | None, zipped: bool) -> list[Path]:
    """One output per source: `-o` itself for one source; `OUT/<name>.skb[.zip]` for several."""
    suffix = ".skb.zip" if zipped else ".skb"
    if len(sources) == 1:
        return [Path(out) if out else Path(_name(sources[0][0], None) + suffix)]
    folder = Path(out or ".")
    seen: dict[str, int] = {}
    outs = []
    for path, under in sources:
        name = _name(path, under)
        seen[name] = seen.get(name, 0) + 1
        outs.append(folder / ((f"{name}-{seen[name]}" if seen[name] > 1 else name) + suffix))
    return outs


def print_timings(results: list[CompileResult]) -> None:
    """MLIR-style table of wall time per stage (summed over all sources) on stderr."""
    totals: dict[str, float] = {}
    for r in results:
        runs: dict[str, int] = {}
        for name, seconds in r.timings:
            runs[name] = runs.get(name, 0) + 1
            key = name if runs[name] == 1 else f"{name} #{runs[name]}"
            totals[key] = totals.get(key, 0.0) + seconds
    total = sum(totals.values()) or 1e-12
    rule = "===" + "-" * 70 + "==="
    lines = [rule, "Pass execution timing report".center(76).rstrip(), rule,
             f"  Total Execution Time: {total:.4f} seconds ({len(results)} source{'s' * (len(results) != 1)})",
             "", "  ----Wall Time----  ----Name----"]
    lines += [f"  {s:9.4f} ({100 * s / total:5.1f}%)  {name}" for name, s in totals.items()]
    lines.append(f"  {total:9.4f} (100.0%)  Total")
    click.echo("\n".join(lines), err=True)


def _dump(pass_name: str, text: str) -> None:
    click.echo(f"// -----// IR Dump After {pass_name} //----- //\n{text}", err=True)


@click.command("compile")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("-o", "--output", "out", metavar="OUT",
              help="Bundle to write (OUT.skb directory, or a zip if OUT ends in .zip); "
                   "a folder for several sources. Default: ./<name>.skb")
@click.option("--profile", metavar="P", help="Capability profile for cap-bind (name or JSON file).")
@click.option("--pipeline", default=DEFAULT_PIPELINE, show_default=True,
              help="Passes to run, e.g. 'verify,env-bind{strict=true},cse'.")
@click.option("--env", "env_file", type=click.Path(exists=True, dir_okay=False), metavar="FILE",
              help="Target environment (JSON/YAML: binaries, env_vars, credentials, data_sources, "
                   "scripts_dir, hosts, os, arch, has_gpu). Default: probe this machine.")
@click.option("--zip", "zipped", is_flag=True, help="Write a zip file instead of a directory.")
@click.option("--print-ir-after-all", is_flag=True, help="Print the IR after every pass to stderr.")
@click.option("--pass-timing", is_flag=True, help="Print a table of time per pass to stderr.")
@click.option("--debug", is_flag=True, help="Verify the IR after every pass; show tracebacks of skc bugs.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object per source (a list) on stdout.")
@user_errors
def compile_cmd(paths: tuple[str, ...], out: str | None, profile: str | None, pipeline: str,
                env_file: str | None, zipped: bool, print_ir_after_all: bool, pass_timing: bool,
                debug: bool, as_json: bool) -> None:
    """Compile skills (SKILL.md folders), runbooks (.md), .skflow or .mlir files into bundles.

    A folder that is not a skill stands for every source inside it; with several
    sources, OUT is a folder and each bundle is named after its source's path.
    A folder of skills with `-o LIB.skb` compiles to one skill library (see `skc route`).

    Example: skc compile examples/ir/virt_handler_down.mlir -o virt.skb
    """
    from skc.compiler.library.load import is_library

    if len(paths) == 1 and out and out.endswith(".skb") and is_library(paths[0]):  # a skill library
        from skc.cli_route import compile_library_cmd

        if zipped:
            raise click.UsageError("a skill library bundle is a directory: drop --zip")
        return compile_library_cmd(paths[0], out, profile=profile, pipeline=pipeline, env_file=env_file, debug=debug)
    expanded = expand([Path(p) for p in paths])
    sources = [p for p, _ in expanded]
    outputs = _outputs(expanded, out, zipped)
    results: list[CompileResult] = []
    items: list[dict[str, object]] = []  # --json
    bugs = 0
    for i, (src, dest) in enumerate(zip(sources, outputs, strict=True), 1):
        if len(sources) > 1 and not as_json:
            click.echo(f"[{i}/{len(sources)}] {src}", err=True)
        try:
            result = compile_path(src, profile=profile, pipeline=pipeline, environment=env_file,
                                  output=dest, zipped=zipped or dest.suffix == ".zip", debug=debug,
                                  print_ir_after_all=_dump if print_ir_after_all else None)
        except Exception as e:  # a bug in skc, not in the input
            if debug:
                raise
            click.echo(f"{src}: internal error: {type(e).__name__}: {e}\n"
                       "  hint: this is a bug in skc; rerun with --debug for the traceback", err=True)
            items.append({"path": str(src), "ok": False, "internal_error": f"{type(e).__name__}: {e}"})
            bugs += 1
            continue
        results.append(result)
        if as_json:
            items.append(result.to_json())
            continue
        report(result.diagnostics)
        if result.output is not None and result.bundle is not None and result.module is not None:
            warnings = sum(d.severity == "warning" for d in result.diagnostics)
            from skc.compiler.frontend.skill.entry import skill_entry

            click.echo(f"{result.output}: bundle v{result.bundle.manifest.bundle_version}, "
                       f"{len(result.module.workflows)} workflow(s), {warnings} warning(s)"
                       + skill_entry(result.module.workflows[0]))
    if as_json:
        click.echo(json.dumps(items, indent=2))
    if pass_timing:
        print_timings(results)
    failed = bugs + sum(1 for r in results if r.output is None)
    if failed and len(sources) > 1 and not as_json:
        click.echo(f"{failed} of {len(sources)} sources failed to compile", err=True)
    if bugs:
        sys.exit(INTERNAL_ERROR)
    if failed:
        sys.exit(USER_ERROR)


@click.group("bundle")
def bundle() -> None:
    """Inspect and check compiled bundles (.skb directories or zips)."""


@bundle.command("verify")
@click.argument("path", type=click.Path())
@click.option("--json", "as_json", is_flag=True, help="Print the verdict (and any diagnostics) as JSON.")
@click.option("--key", type=click.Path(dir_okay=False), help="Require a signature by this public key (PEM).")
@user_errors
def verify_cmd(path: str, as_json: bool, key: str | None) -> None:
    """Check PATH: manifest schema, file hashes, paths inside the bundle, signature, IR parses and
    verifies. With --key, also that this key signed it. Exit 2 if not."""
    try:
        b = read_bundle(path)
        if key is not None:
            from skc.compiler.signing import public_key_id, require_signature

            if problems := require_signature(path, b.signer, [public_key_id(key)]):
                raise DiagnosticError(problems)
    except DiagnosticError as e:
        if not as_json:
            raise
        click.echo(json.dumps({"path": path, "ok": False, "diagnostics": [d.to_json() for d in e.diagnostics]},
                              indent=2))
        sys.exit(USER_ERROR)
    if as_json:
        click.echo(json.dumps({"path": path, "ok": True, "bundle_version": b.manifest.bundle_version,
                               "schema_version": b.manifest.schema_version, "files": len(b.files),
                               "signed_by": b.signer, "diagnostics": []}, indent=2))
        return
    click.echo(f"{path}: ok (bundle v{b.manifest.bundle_version}, schema {b.manifest.schema_version}, "
               f"{len(b.files)} files)")


@bundle.command("sign")
@click.argument("path", type=click.Path())
@click.option("--key", "key", required=True, type=click.Path(dir_okay=False), help="An ed25519 private key (PEM).")
@user_errors
def sign_cmd(path: str, key: str) -> None:
    """Sign the bundle at PATH (writes signature.json; see `skc bundle keygen`)."""
    from skc.compiler.signing import sign_bundle

    click.echo(f"{path}: signed by key {sign_bundle(path, key)}")


@bundle.command("keygen")
@click.option("-o", "--out", required=True, type=click.Path(dir_okay=False), help="Where the private key goes.")
@user_errors
def keygen_cmd(out: str) -> None:
    """Make an ed25519 signing key (OUT) and its public key (OUT.pub)."""
    from skc.compiler.signing import generate_key

    key, pub = generate_key(out)
    click.echo(f"private key: {key}\npublic key: {pub}")


@bundle.command("show")
@click.argument("path", type=click.Path())
@click.option("--ir", "show_ir", is_flag=True, help="Print the IR instead of the manifest.")
@user_errors
def show_cmd(path: str, show_ir: bool) -> None:
    """Print a checked bundle's manifest (JSON) or its IR."""
    b = read_bundle(path)
    if show_ir:
        click.echo(b.text("ir.mlir"), nl=False)
    else:
        click.echo(json.dumps(b.manifest.model_dump(mode="json"), indent=2, sort_keys=True))
