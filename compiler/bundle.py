"""Bundles: a compiled module on disk, as a `.skb` directory or a zip file.

    ir.mlir          the optimised module (authoritative: the runtime runs this)
    manifest.json    `Manifest`: versions, sources and hashes, profile, pipeline,
                     environment binding, permissions, workflows, every file's sha256
    code/<path>      scripts of tool.script ops, copied from the skill folder
    code/ops/<wf>/<NNN>-python[-step].py   the code of each tool.python op
    prompts/<wf>/<NNN>-<op>[-step].txt     each llm op's prompt (`.system.txt`: its system prompt)
    reports/<name>.json                    every pass report (environment, capability, schedule,
                                           placement, ...) and the compile's diagnostics

`NNN` is the op's position in its workflow (program order). The same input gives
a byte-identical bundle: JSON with sorted keys, files in sorted order, no
timestamps, and zip entries dated 1980-01-01 with fixed permissions.

The manifest's schema is in `skc.compiler.manifest` (re-exported here).
`read_bundle(path)` checks everything before handing a `Bundle` out; each problem
is a `DiagnosticError` at the offending file:

    SKC230  no bundle at the path (nothing there, or no manifest.json)
    SKC231  a file the manifest lists (ir.mlir, ...) is missing
    SKC232  manifest.json is not JSON or does not match the Manifest schema
    SKC233  schema_version is newer or older than this skc reads
    SKC234  a file's sha256 differs from the manifest's (edited after compilation)
    SKC235  ir.mlir does not parse or verify
    SKC236  the zip file is corrupt
    SKC237  the output path holds something that is not a bundle (never overwritten)
    SKC238  the bundle cannot be written
    SKC239  a path is absolute, leaves the bundle, or is a symbolic link (`confine.py`)
    SKC240  a tool.script op runs a file that is not a hashed file of the bundle
    SKC241  a file under code/ or prompts/ is not listed in the manifest
    SKC242  signature.json does not verify (`signing.py`; an unsigned bundle is fine here)

`write_bundle` never leaves a half-written bundle: it writes next to the target
and renames over it only when complete. The runtime reads bundles through
`read_bundle`; adaptive recompilation writes `bundle.updated(module)` back, which
bumps `bundle_version`.
"""

from __future__ import annotations

import io
import json
import re
import shutil
import tempfile
import zipfile
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from pydantic import ValidationError

from skc.compiler.canonical_json import to_json_bytes
from skc.compiler.confine import check_names, check_scripts
from skc.compiler.manifest import (
    SCHEMA_VERSION,
    SUPPORTED_SCHEMA_VERSIONS,
    EnvironmentBinding,
    Manifest,
    Port,
    ProfileRef,
    SourceFile,
    WorkflowInfo,
    workflow_infos,
)
from skc.compiler.signing import SIGNATURE, check_signature
from skc.compiler.sources import sha256, source_files
from skc.ir.core import Op
from skc.ir.dialects.tool import PythonOp
from skc.ir.location import Diagnostic, DiagnosticError, Location, errors
from skc.ir.module import Module
from skc.ir.parser import parse_module
from skc.ir.printer import print_module
from skc.ir.traits import CallsModel
from skc.ir.verifier import verify
from skc.ir.version import __version__

ZIP_DATE = (1980, 1, 1, 0, 0, 0)
MANIFEST = "manifest.json"
IR = "ir.mlir"
_DERIVED = (IR, "prompts/", "code/ops/")  # files made from the module (rewritten by `updated`)

__all__ = ["SCHEMA_VERSION", "SUPPORTED_SCHEMA_VERSIONS", "Bundle", "EnvironmentBinding", "Manifest", "Port",
           "ProfileRef", "SourceFile", "WorkflowInfo", "make_bundle", "read_bundle", "source_files",
           "write_bundle", "zip_bytes"]


# ---------------------------------------------------------------- the bundle


@dataclass
class Bundle:
    """A bundle in memory: the module, its manifest and every file's bytes (manifest.json aside).

    `root` is where it was read from (a directory or a zip file), None when built in memory.
    """

    module: Module
    manifest: Manifest
    files: dict[str, bytes]
    root: Path | None = None
    signer: str | None = None  # the key id of a valid signature.json (`signing.py`), None when unsigned

    def text(self, name: str) -> str:
        return self.files[name].decode("utf-8")

    def __repr__(self) -> str:  # names and sizes, not the files' bytes
        size = sum(len(b) for b in self.files.values())
        return (f"Bundle(name={self.manifest.name!r}, version={self.manifest.bundle_version}, "
                f"files={len(self.files)}, bytes={size}, root={str(self.root) if self.root else None!r})")

    def report(self, name: str) -> Any:
        """The JSON of `reports/<name>.json`, or None when the bundle has no such report."""
        data = self.files.get(f"reports/{name}.json")
        return json.loads(data) if data is not None else None

    @property
    def manifest_bytes(self) -> bytes:
        return to_json_bytes(self.manifest.model_dump(mode="json"))

    def updated(self, module: Module, reports: Mapping[str, Any] | None = None) -> Bundle:
        """This bundle with a new module (and reports): the IR-derived files are redone and
        `bundle_version` goes up by one. Scripts, sources and other reports are kept."""
        files = {k: v for k, v in self.files.items() if not k.startswith(_DERIVED)}
        files |= module_files(module)
        files |= {f"reports/{_safe(n)}.json": to_json_bytes(d) for n, d in (reports or {}).items()}
        manifest = self.manifest.model_copy(update={
            "bundle_version": self.manifest.bundle_version + 1, "skc_version": __version__,
            "workflows": workflow_infos(module), "permissions": _permissions(module),
            "files": {k: sha256(files[k]) for k in sorted(files)}})
        return Bundle(module, manifest, files, self.root)

    def extract(self, dest: str | Path) -> Path:
        """Writes every file (manifest included) under `dest` (e.g. to run scripts from a zip)."""
        dest = Path(dest)
        for name, data in [(MANIFEST, self.manifest_bytes), *sorted(self.files.items())]:
            target = dest / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        return dest


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", name).strip("-.") or "op"


def _op_file(op: Op, index: int, kind: str) -> str:
    step = op.attributes.get("step")
    suffix = f"-{_safe(step.lower())}" if isinstance(step, str) and step.strip() else ""
    return f"{index:03d}-{kind}{suffix}"


def module_files(module: Module) -> dict[str, bytes]:
    """The files made from the module: ir.mlir, prompts/ and code/ops/."""
    files = {IR: print_module(module).encode()}
    for wf in module.workflows:
        folder = _safe(wf.sym_name)
        for index, op in enumerate(list(wf.walk())[1:]):
            if op.has(CallsModel):
                stem = f"prompts/{folder}/{_op_file(op, index, op.op_name.split('.')[1])}"
                if isinstance(prompt := op.attributes.get("prompt"), str):
                    files[f"{stem}.txt"] = prompt.encode()
                if isinstance(system := op.attributes.get("system"), str):
                    files[f"{stem}.system.txt"] = system.encode()
            elif isinstance(op, PythonOp) and isinstance(code := op.attributes.get("code"), str):
                files[f"code/ops/{folder}/{_op_file(op, index, 'python')}.py"] = code.encode()
    return files


def _permissions(module: Module) -> list[str]:
    found: set[str] = set()
    for wf in module.workflows:
        perms = wf.attributes.get("permissions")
        found.update(p for p in (perms if isinstance(perms, list) else []) if isinstance(p, str))
    return sorted(found)


def _environment(report: Any) -> EnvironmentBinding | None:
    if not isinstance(report, dict):
        return None
    return EnvironmentBinding(machine=report.get("machine", {}), bindings=report.get("summary", {}),
                              missing=report.get("missing", []), strict=bool(report.get("strict")))


def make_bundle(module: Module, *, kind: str, source: str, sources: list[SourceFile] | None = None,
                profile: ProfileRef | None = None, pipeline: str = "", reports: Mapping[str, Any] | None = None,
                assets: Mapping[str, str | Path] | None = None,
                diagnostics: list[Diagnostic] | None = None) -> Bundle:
    """Builds a bundle in memory from a compiled module and what the pipeline produced.

    `assets` maps bundle paths (`code/scripts/x.sh`) to files on disk to copy in;
    `diagnostics` (warnings and notes of the compile) become `reports/diagnostics.json`.
    """
    files = module_files(module)
    for name, disk in sorted((assets or {}).items()):
        rel = PurePosixPath(name)
        if rel.is_absolute() or ".." in rel.parts or name in files:
            raise ValueError(f"bad asset path {name!r}")
        files[name] = Path(disk).read_bytes()
    reports = dict(reports or {})
    if diagnostics is not None:
        reports.setdefault("diagnostics", [d.to_json() for d in diagnostics])
    for name, data in reports.items():
        files[f"reports/{_safe(name)}.json"] = to_json_bytes(data)
    wfs = module.workflows
    manifest = Manifest(
        name=wfs[0].sym_name if wfs else Path(source).stem, kind=kind, source=source,
        sources=list(sources or []), profile=profile, pipeline=pipeline,
        environment=_environment(reports.get("environment")), permissions=_permissions(module),
        workflows=workflow_infos(module), files={k: sha256(files[k]) for k in sorted(files)})
    return Bundle(module, manifest, files)


# ---------------------------------------------------------------- writing


def _fail(code: str, where: str | Path, message: str, hint: str = "", line: int = 1, col: int = 1) -> DiagnosticError:
    return DiagnosticError([Diagnostic(code, Location(str(where), line, col), message, hint)])


def _entries(bundle: Bundle) -> list[tuple[str, bytes]]:
    return [(MANIFEST, bundle.manifest_bytes), *sorted(bundle.files.items())]


def zip_bytes(bundle: Bundle) -> bytes:
    """The bundle as a deterministic zip archive."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, data in _entries(bundle):
            info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3
            info.external_attr = 0o100644 << 16
            zf.writestr(info, data, compresslevel=9)
    return buf.getvalue()


def _is_bundle(path: Path) -> bool:
    if path.is_dir():
        return (path / MANIFEST).is_file() or not any(path.iterdir())
    return zipfile.is_zipfile(path)


def write_bundle(bundle: Bundle, out: str | Path, *, zipped: bool | None = None) -> Path:
    """Writes `bundle` to `out` (a zip when `zipped`, or when `out` ends in .zip), atomically.

    An existing bundle at `out` is replaced only once the new one is complete; anything
    else there is left alone (SKC237).
    """
    out = Path(out)
    as_zip = zipped if zipped is not None else out.suffix == ".zip"
    if out.exists() and not _is_bundle(out):
        raise _fail("SKC237", out, "refusing to overwrite: it is not an skc bundle",
                    "choose another -o path, or remove it first")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
        try:
            staged = tmp / "bundle"
            if as_zip:
                staged.write_bytes(zip_bytes(bundle))
            else:
                bundle.extract(staged)
            old = tmp / "old"
            if out.exists():
                out.rename(old)  # kept until the new bundle is in place
            try:
                staged.rename(out)
            except OSError:
                if old.exists():
                    old.rename(out)
                raise
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    except OSError as e:
        raise _fail("SKC238", out, f"cannot write the bundle: {e.strerror or e}") from None
    return out


# ---------------------------------------------------------------- reading


def _read_files(path: Path) -> dict[str, bytes]:
    """Every file of a bundle directory or zip, by bundle path."""
    if path.is_dir():
        if not (path / MANIFEST).is_file():
            raise _fail("SKC230", path, "not a bundle: there is no manifest.json",
                        "compile one with `skc compile SOURCE -o OUT.skb`")
        return {f.relative_to(path).as_posix(): f.read_bytes() for f in sorted(path.rglob("*"))
                if f.is_file() and not f.is_symlink()}  # links are reported by confine.check_paths
    try:
        with zipfile.ZipFile(path) as zf:
            files: dict[str, bytes] = {}
            for info in zf.infolist():
                rel = PurePosixPath(info.filename)
                if rel.is_absolute() or ".." in rel.parts or "\\" in info.filename:
                    raise _fail("SKC239", path, f"zip entry {info.filename!r} is outside the bundle")
                if not info.is_dir():
                    files[info.filename] = zf.read(info)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError, ValueError) as e:
        raise _fail("SKC236", path, f"not a readable bundle zip: {e}") from None
    if MANIFEST not in files:
        raise _fail("SKC230", path, "not a bundle: the zip has no manifest.json")
    return files


def _manifest(data: bytes, where: str) -> Manifest:
    try:
        raw = json.loads(data.decode("utf-8"))
    except UnicodeDecodeError as e:
        raise _fail("SKC232", where, f"manifest.json is not UTF-8: {e.reason}") from None
    except json.JSONDecodeError as e:
        raise _fail("SKC232", where, f"manifest.json is not valid JSON: {e.msg}",
                    "the file is damaged; recompile the bundle", e.lineno, e.colno) from None
    except (RecursionError, ValueError) as e:  # nested 100,000 deep, or a 5,000-digit number
        raise _fail("SKC232", where, f"manifest.json cannot be read: {type(e).__name__}: {str(e)[:80]}",
                    "the file is damaged; recompile the bundle") from None
    if not isinstance(raw, dict):
        raise _fail("SKC232", where, "manifest.json must hold a JSON object")
    version = raw.get("schema_version")
    if not isinstance(version, int) or isinstance(version, bool):
        raise _fail("SKC232", where, "manifest.json has no integer schema_version")
    if version not in SUPPORTED_SCHEMA_VERSIONS:
        newest = max(SUPPORTED_SCHEMA_VERSIONS)
        if version > newest:
            raise _fail("SKC233", where, f"bundle schema version {version} is newer than this skc "
                        f"({__version__}) reads (up to {newest})", "upgrade skc, or recompile the source")
        raise _fail("SKC233", where, f"bundle schema version {version} is older than this skc "
                    f"({__version__}) reads ({', '.join(map(str, sorted(SUPPORTED_SCHEMA_VERSIONS)))})",
                    "recompile the source with this skc")
    try:
        return Manifest.model_validate(raw)
    except ValidationError as e:
        raise DiagnosticError([
            Diagnostic("SKC232", Location(where, 1, 1),
                       f"manifest.json field {'.'.join(map(str, err['loc'])) or '<root>'}: {err['msg']}",
                       "the file is damaged or was written by another tool; recompile the bundle")
            for err in e.errors()]) from None


def read_bundle(path: str | Path, *, check_ir: bool = True) -> Bundle:
    """Reads and checks a bundle directory or zip (see the module docstring for the codes)."""
    path = Path(path)
    if not path.exists():
        raise _fail("SKC230", path, "no bundle here", "compile one with `skc compile SOURCE -o OUT.skb`")
    try:
        files = _read_files(path)
    except OSError as e:
        raise _fail("SKC230", path, f"cannot read the bundle: {e.strerror or e}") from None
    manifest_bytes = files.pop(MANIFEST)
    manifest = _manifest(manifest_bytes, f"{path}/{MANIFEST}")
    signer = check_signature(str(path), manifest_bytes, files.pop(SIGNATURE, None))
    if confined := check_names(str(path), path if path.is_dir() else None, list(files), manifest.files):
        raise DiagnosticError(confined)
    problems: list[Diagnostic] = []
    for name, digest in sorted(manifest.files.items()):
        where = Location(f"{path}/{name}", 1, 1)
        if name not in files:
            problems.append(Diagnostic("SKC231", where, f"{name} is missing from the bundle",
                                       "the bundle is incomplete; recompile it"))
        elif sha256(files[name]) != digest:
            problems.append(Diagnostic("SKC234", where, f"{name} does not match the manifest's sha256 "
                                       "(changed after compilation)", "recompile the bundle instead of editing it"))
    if IR not in manifest.files:
        problems.append(Diagnostic("SKC231", Location(f"{path}/{MANIFEST}", 1, 1), f"the manifest lists no {IR}"))
    if problems:
        raise DiagnosticError(problems)
    files = {k: v for k, v in files.items() if k in manifest.files}
    ir_file = f"{path}/{IR}"
    try:
        module = parse_module(files[IR].decode("utf-8"), ir_file)
    except UnicodeDecodeError as e:
        raise _fail("SKC235", ir_file, f"{IR} is not UTF-8: {e.reason}") from None
    except DiagnosticError as e:
        raise DiagnosticError([Diagnostic("SKC235", Location(ir_file, 1, 1), f"{IR} does not parse"),
                               *e.diagnostics]) from None
    if check_ir and (bad := errors(verify(module))):
        raise DiagnosticError([Diagnostic("SKC235", Location(ir_file, 1, 1), f"{IR} does not verify"), *bad])
    if confined := check_scripts(str(path), manifest.files, module):
        raise DiagnosticError(confined)
    return Bundle(module, manifest, files, path, signer)
