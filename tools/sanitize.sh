#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# AddressSanitizer + UBSan build of the core, the CLI and their tests (no GUI), then the
# test suite under the sanitizers.
#   tools/sanitize.sh              configure build-asan/, build, run ctest
#   tools/sanitize.sh -R dataset   ... only the tests matching a ctest regex
# Environment: ASAN_BUILD_DIR (default build-asan), JOBS (default 2), CMAKE_ARGS (extra).
# LibTorch itself is not instrumented; the suppressions below are for its one-time
# allocations at load, never for our code.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
build_dir="${ASAN_BUILD_DIR:-build-asan}"
cmake_bin=/usr/bin/cmake
[ -x "$cmake_bin" ] || cmake_bin=cmake
ctest_bin="$(dirname "$cmake_bin")/ctest"
[ -x "$ctest_bin" ] || ctest_bin=ctest

start=$(date +%s)
if [ ! -f "$build_dir/build.ninja" ]; then
    # shellcheck disable=SC2086
    "$cmake_bin" -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPATCHBAY_ASAN=ON \
        -DPATCHBAY_BUILD_GUI=OFF -DPATCHBAY_BUILD_BENCH=OFF ${CMAKE_ARGS:-}
fi
"$cmake_bin" --build "$build_dir" -j "${JOBS:-2}"
built=$(date +%s)

suppressions="$here/tools/lsan.supp"
export ASAN_OPTIONS="detect_leaks=1:strict_string_checks=1:check_initialization_order=1:detect_stack_use_after_return=1"
export LSAN_OPTIONS="suppressions=$suppressions:print_suppressions=0"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
cd "$build_dir"
status=0
"$ctest_bin" --output-on-failure -j 1 "$@" || status=$?
end=$(date +%s)
echo "sanitize: build $((built - start)) s, tests $((end - built)) s, total $((end - start)) s"
exit "$status"
