"""The embedded model's llama.cpp is built for a portable x86-64 baseline (issue 11 item 1): AVX2/FMA/F16C,
no AVX-512 and no AMX, so it never dies with SIGILL on a CPU that lacks them (or a VM that hides them)."""

from __future__ import annotations

import importlib.util
import platform
import re
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
built = pytest.mark.skipif(importlib.util.find_spec("llama_cpp") is None
                           or platform.machine() not in ("x86_64", "AMD64"), reason="needs skc[llm] on x86-64")


def test_the_pinned_version_is_the_one_the_build_script_builds() -> None:
    """`pip install -e .[llm]` after the script must find its requirement met, never build a native copy."""
    script = (REPO / "scripts" / "build-llama.sh").read_text()
    version = re.search(r'VERSION="\$\{SKC_LLAMA_VERSION:-([0-9.]+)\}"', script)
    assert version is not None
    assert f'"llama-cpp-python=={version.group(1)}"' in (REPO / "pyproject.toml").read_text()
    assert "-DGGML_NATIVE=OFF" in script
    assert "--no-cache-dir" in script


def features() -> dict[str, int]:
    import llama_cpp

    info = llama_cpp.llama_print_system_info().decode()
    return {k: int(v) for k, v in re.findall(r"([A-Z0-9_]+) = (\d+)", info)}


@built
def test_system_info_reports_the_portable_baseline_and_nothing_above_it() -> None:
    flags = features()
    assert flags.get("AVX2") == 1
    assert flags.get("FMA") == 1
    assert flags.get("F16C") == 1
    above = {k: v for k, v in flags.items() if v and (k.startswith(("AVX512", "AMX")) or k == "AVX_VNNI")}
    assert above == {}


@built
def test_the_cpu_library_contains_no_avx512_or_amx_instruction() -> None:
    """The build config could lie (a CPU backend loaded dynamically, a stale wheel): read the code itself."""
    objdump = shutil.which("objdump")
    if objdump is None:
        pytest.skip("objdump (binutils) is not installed")
    import llama_cpp

    libs = sorted((Path(llama_cpp.__file__).parent / "lib").glob("libggml-cpu*.so"))
    assert libs, "no libggml-cpu library beside llama_cpp"
    for lib in libs:
        text = subprocess.run([objdump, "-d", "--no-show-raw-insn", str(lib)], capture_output=True, text=True,
                              check=True).stdout
        assert "%ymm" in text  # the disassembly is real: AVX2 code is there
        found = set(re.findall(r"%zmm\d+|%tmm\d|%k[1-7]\b|tilezero|ldtilecfg|tdpb\w+", text))
        assert found == set(), f"{lib.name} uses AVX-512/AMX: {sorted(found)[:5]}"


@built
def test_the_installed_wheel_is_the_one_build_llama_sh_made() -> None:
    """The build script stamps the package with the key of its flags; a wheel from pip's cache has none."""
    import llama_cpp

    assert llama_cpp.__version__ == "0.3.36"
    stamp = Path(llama_cpp.__file__).parent / ".skc-build-key"
    assert stamp.exists(), "llama-cpp-python was not installed by scripts/build-llama.sh"
    assert re.fullmatch(r"[0-9a-f]{12}\n", stamp.read_text())
