#!/usr/bin/env bash
# Installs the Debian packages skc's tests and graph output use, when missing.
# Graphviz renders `skc ir graph --svg`; Chromium screenshots the HTML pages in tests.
set -euo pipefail
need=()
command -v dot >/dev/null 2>&1 || need+=(graphviz)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ]; then
    echo "skc: missing Debian packages: ${need[*]} (run as root or install them)" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
