#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The sanitizer stage of CI (.ci/run runs it after the test suite):
#   1. core, CLI and their tests built with AddressSanitizer + UBSan (gcc, -DPATCHBAY_ASAN=ON,
#      no GUI) in build-asan/, and those tests run with leaks, UB and ASan reports fatal;
#   2. every libFuzzer target of fuzz/ (clang, tools/fuzz.sh) for a short bounded run from
#      its seed corpus (tests/data, and the earlier crashers in tests/data/fuzz/).
# Any report fails the stage. The long runs that issue 23 counts (1 M and 10 M executions)
# are not repeated here: fuzz/README.md has them and how to run them.
# Environment: ASAN_BUILD_DIR (default build-asan), FUZZ_SECONDS (per target, default 20),
# JOBS (default: all cores), SKIP_FUZZ=1 (sanitizer tests only).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
build_dir="${ASAN_BUILD_DIR:-build-asan}"
jobs="${JOBS:-$(nproc)}"
started=$(date +%s)

# clang and its libFuzzer runtime, for the fuzz targets (Debian 12: clang 14).
packages=(clang-14 libclang-rt-14-dev)
missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ] && [ -z "${SKIP_FUZZ:-}" ]; then
    echo "sanitize: installing ${missing[*]}"
    sudo_cmd=()
    [ "$(id -u)" -ne 0 ] && sudo_cmd=(sudo)
    "${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    "${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

cmake_bin=/usr/bin/cmake
[ -x "$cmake_bin" ] || cmake_bin=cmake
ctest_bin="$(dirname "$cmake_bin")/ctest"
[ -x "$ctest_bin" ] || ctest_bin=ctest

# -O1: the sanitizers' usual trade of speed for exact reports; -g1: line numbers in them.
if [ ! -f "$build_dir/build.ninja" ]; then
    "$cmake_bin" -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG="-O1 -g1" \
        -DPATCHBAY_ASAN=ON -DPATCHBAY_BUILD_GUI=OFF -DPATCHBAY_BUILD_BENCH=OFF ${CMAKE_ARGS:-}
fi
"$cmake_bin" --build "$build_dir" -j "$jobs"
built=$(date +%s)

# halt_on_error: UBSan reports are otherwise printed and the test goes on to pass.
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}"
(cd "$build_dir" && "$ctest_bin" --output-on-failure -j 1)
tested=$(date +%s)

if [ -z "${SKIP_FUZZ:-}" ]; then
    # A fresh corpus each time: the run checks the seeds and what 20 s of mutation finds
    # from them, the same on every machine.
    work=$(mktemp -d)
    trap 'rm -rf "$work"' EXIT
    FUZZ_WORK="$work" FUZZ_SECONDS="${FUZZ_SECONDS:-20}" JOBS="$jobs" CXX="$(command -v clang++-14 || command -v clang++)" \
        bash tools/fuzz.sh
fi
done_at=$(date +%s)
echo "sanitize: build $((built - started)) s, sanitizer tests $((tested - built)) s, fuzzing $((done_at - tested)) s"
