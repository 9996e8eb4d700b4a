#!/usr/bin/env bash
# Builds and installs llama-cpp-python for a portable x86-64 baseline (AVX2/FMA/F16C; no
# AVX-512, no AMX, never GGML_NATIVE) into the venv named by $1.
#
# Why: a native build runs whatever the build machine has (AMX tiles, AVX-512) and dies with
# SIGILL on another CPU. pip's wheel cache keys on the sdist, not on CMAKE_ARGS, so a cached
# native wheel would be reused silently; this script therefore never uses pip's cache for
# llama-cpp-python. It keeps its own wheelhouse keyed by version and flags
# (${SKC_WHEELHOUSE:-~/.cache/skc/wheels}/llama-<key>/), so a second venv on the same machine
# reuses the portable wheel in seconds.
#
# A killed build leaves only a temporary folder (removed by the next build); a venv holding a
# llama-cpp-python that this script did not install (e.g. a native wheel from pip's cache) has no
# stamp with the flags' key and is reinstalled from the wheelhouse.
#
# Opting into native flags (faster, this CPU only): SKC_LLAMA_CMAKE_ARGS="-DGGML_NATIVE=ON".
set -euo pipefail
VENV_PY="${1:?usage: build-llama.sh VENV/bin/python}"
VERSION="${SKC_LLAMA_VERSION:-0.3.36}"
PORTABLE="-DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_AVX512=OFF -DGGML_AVX512_VBMI=OFF -DGGML_AVX512_VNNI=OFF -DGGML_AVX512_BF16=OFF -DGGML_AVX_VNNI=OFF -DGGML_AMX_TILE=OFF -DGGML_AMX_INT8=OFF -DGGML_AMX_BF16=OFF -DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_BUILD_TESTS=OFF"
FLAGS="${SKC_LLAMA_CMAKE_ARGS:-$PORTABLE}"
KEY="$(printf '%s %s' "$VERSION" "$FLAGS" | sha256sum | cut -c1-12)"
HOUSE="${SKC_WHEELHOUSE:-$HOME/.cache/skc/wheels}/llama-$KEY"

if "$VENV_PY" - "$KEY" <<'PY' 2>/dev/null; then
import importlib.metadata as md, pathlib, sys
dist = md.distribution("llama-cpp-python")
stamp = pathlib.Path(dist.locate_file("llama_cpp")) / ".skc-build-key"
sys.exit(0 if stamp.exists() and stamp.read_text().strip() == sys.argv[1] else 1)
PY
    exit 0   # this venv already has the wheel built with these flags
fi

# One build at a time per wheelhouse: a second `make setup` (another checkout) waits for the first
# instead of building again or deleting the wheelhouse the first one installs from.
mkdir -p "$(dirname "$HOUSE")"
if command -v flock >/dev/null; then exec 9>"$HOUSE.lock"; flock 9; fi
shopt -s nullglob
wheels=("$HOUSE"/llama_cpp_python-"$VERSION"-*.whl)
if [ ${#wheels[@]} -eq 0 ]; then
    rm -rf "$HOUSE".tmp.*                       # what killed builds left (we hold the lock)
    echo "skc: building llama-cpp-python $VERSION for a portable x86-64 baseline (8-15 min on 2 cores, once per machine)" >&2
    tmp="$(mktemp -d "${HOUSE}.tmp.XXXXXX")"
    CMAKE_ARGS="$FLAGS" FORCE_CMAKE=1 "$VENV_PY" -m pip wheel --no-deps --no-cache-dir \
        --no-binary llama-cpp-python -w "$tmp" "llama-cpp-python==$VERSION"
    rm -rf "$HOUSE" && mv "$tmp" "$HOUSE"      # rename: a killed build leaves no half wheelhouse
    wheels=("$HOUSE"/llama_cpp_python-"$VERSION"-*.whl)
fi
"$VENV_PY" -m pip install --progress-bar off --force-reinstall --no-deps "${wheels[0]}"
"$VENV_PY" -m pip install --progress-bar off "${wheels[0]}"   # its dependencies, from the index
"$VENV_PY" - "$KEY" <<'PY'
import importlib.metadata as md, pathlib, sys
dist = md.distribution("llama-cpp-python")
(pathlib.Path(dist.locate_file("llama_cpp")) / ".skc-build-key").write_text(sys.argv[1] + "\n")
PY
