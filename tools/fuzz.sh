#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Builds the libFuzzer targets of fuzz/ with clang (ASan + UBSan) and runs each for a
# bounded time, one after the other on one core.
#   tools/fuzz.sh                      build, then run every target for FUZZ_SECONDS each
#   tools/fuzz.sh fuzz_json 600        build, then run one target for 600 seconds
#   tools/fuzz.sh --build-only         build only
# Environment: FUZZ_BUILD_DIR (default build-fuzz), FUZZ_SECONDS (default 60), CXX (default
# clang++, else clang++-14), FUZZ_WORK (default fuzz/work: corpora and crashes, not in git),
# SKIP_BUILD=1 (run what is built), FUZZ_RUNS (stop each target after this many executions,
# or at FUZZ_SECONDS, whichever comes first).
# Needs clang and its libFuzzer runtime (Debian 12: clang-14 libclang-rt-14-dev) besides
# the packages of tools/setup-debian.sh. Exit status 1 when a target found a crash, leak or
# timeout; the input is in $FUZZ_WORK/<target>/crashes/ and becomes a file under
# tests/data/fuzz/<target>/ (test_untrusted replays every file there).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
build_dir="${FUZZ_BUILD_DIR:-build-fuzz}"
seconds="${FUZZ_SECONDS:-60}"
work="${FUZZ_WORK:-$here/fuzz/work}"
targets=(fuzz_json fuzz_safetensors fuzz_gguf fuzz_config fuzz_tokenizer_json fuzz_vocab_merges fuzz_dataset
         fuzz_circuit fuzz_session fuzz_lesson)

cxx="${CXX:-}"
if [ -z "$cxx" ]; then
    cxx=$(command -v clang++ || command -v clang++-14 || true)
fi
[ -n "$cxx" ] || { echo "fuzz: clang++ not found (Debian: apt-get install clang-14 libclang-rt-14-dev)" >&2; exit 2; }

build_only=0
if [ "${1:-}" = "--build-only" ]; then
    build_only=1
    shift
elif [ $# -ge 1 ]; then
    targets=("$1")
    seconds="${2:-$seconds}"
fi

cmake_bin=/usr/bin/cmake
[ -x "$cmake_bin" ] || cmake_bin=cmake
if [ ! -f "$build_dir/build.ninja" ]; then
    "$cmake_bin" -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER="$cxx" \
        -DPATCHBAY_FUZZ=ON -DPATCHBAY_BUILD_GUI=OFF -DPATCHBAY_BUILD_TESTS=OFF -DPATCHBAY_BUILD_BENCH=OFF \
        -DPATCHBAY_USE_PCH=OFF ${CMAKE_ARGS:-}
fi
[ -n "${SKIP_BUILD:-}" ] || "$cmake_bin" --build "$build_dir" -j "${JOBS:-2}" --target "${targets[@]}"
[ "$build_only" = 1 ] && exit 0

# Seed corpora from tests/data (small files; the fuzzer keeps what it finds beside them).
seed() {
    local target=$1 dir="$work/$1/seeds"
    rm -rf "$dir"
    mkdir -p "$dir" "$work/$target/corpus" "$work/$target/crashes"
    python3 - "$target" "$dir" <<'PY'
import glob, json, os, struct, sys
target, out = sys.argv[1], sys.argv[2]
data = "tests/data"
n = 0
def put(blob, name=None):
    global n
    n += 1
    with open(os.path.join(out, name or f"seed{n:04d}"), "wb") as f:
        f.write(blob if isinstance(blob, bytes) else blob.encode())
def small(pattern, limit=200_000):
    return [p for p in sorted(glob.glob(pattern, recursive=True)) if os.path.getsize(p) <= limit]
if target == "fuzz_json":
    for p in small(f"{data}/**/*.json", 4_000):
        put(open(p, "rb").read())
elif target == "fuzz_safetensors":
    # Each fixture's header with its first tensors and their bytes: headers are what is parsed.
    for p in sorted(glob.glob(f"{data}/models/*/model.safetensors")):
        raw = open(p, "rb").read()
        (length,) = struct.unpack("<Q", raw[:8])
        header = json.loads(raw[8:8 + length])
        keep, payload = {}, b""
        for name, entry in list(header.items())[:4]:
            if name == "__metadata__":
                keep[name] = entry
                continue
            a, b = entry["data_offsets"]
            chunk = raw[8 + length + a:8 + length + b][:64]
            count = 1
            for d in entry["shape"]:
                count *= d
            size = {"F32": 4, "F16": 2, "BF16": 2}.get(entry["dtype"], 4)
            if count * size != len(chunk):
                entry = dict(entry, shape=[len(chunk) // size])
                chunk = chunk[:len(chunk) // size * size]
            keep[name] = dict(entry, data_offsets=[len(payload), len(payload) + len(chunk)])
            payload += chunk
        h = json.dumps(keep).encode()
        put(struct.pack("<Q", len(h)) + h + payload)
elif target == "fuzz_gguf":
    # The metadata, quantization and tokenizer fixtures: every value type, every block format.
    for p in small(f"{data}/gguf/*.gguf", 64_000) + small(f"{data}/gguf/models/*.gguf", 64_000):
        put(open(p, "rb").read())
elif target == "fuzz_config":
    for p in small(f"{data}/models/*/config.json"):
        put(open(p, "rb").read())
elif target == "fuzz_tokenizer_json":
    for p in small(f"{data}/tokenizers/*/tokenizer.json"):
        put(open(p, "rb").read())
elif target == "fuzz_vocab_merges":
    for p in small(f"{data}/tokenizers/*/tokenizer.json"):
        model = json.load(open(p)).get("model", {})
        if model.get("type") != "BPE":
            continue
        merges = [m if isinstance(m, str) else " ".join(m) for m in model.get("merges", [])]
        put(json.dumps(model["vocab"]).encode() + b"\0" + ("#version: 0.2\n" + "\n".join(merges) + "\n").encode())
elif target == "fuzz_dataset":
    for p in small(f"{data}/datasets/**/*.*") + small(f"{data}/evaluate/*.json"):
        put((b"\1" if p.endswith(".json") else b"\0") + open(p, "rb").read())
elif target == "fuzz_circuit":
    for p in small(f"{data}/circuits/*.json") + small(f"{data}/models/*/circuit.json"):
        put(open(p, "rb").read())
elif target == "fuzz_session":
    for p in small("fuzz/seeds/session/*"):
        put(open(p, "rb").read())
elif target == "fuzz_lesson":
    # The shipped lessons (their texts cut short: the structure is what is parsed).
    for folder in sorted(glob.glob("resources/lessons/*/")):
        md = open(os.path.join(folder, "en.md"), "rb").read()
        put(open(os.path.join(folder, "lesson.json"), "rb").read() + b"\0" + md[:6000])
# Earlier crashers are seeds too.
for p in small(f"{data}/fuzz/{target}/*"):
    put(open(p, "rb").read())
PY
}

status=0
for target in "${targets[@]}"; do
    seed "$target"
    # Short inputs run fastest and reach the same code: the structure, not the size, is
    # what the readers get wrong (size limits have their own unit tests).
    case "$target" in
        fuzz_json | fuzz_config) max_len=1024 ;;
        fuzz_safetensors) max_len=2048 ;;
        fuzz_gguf) max_len=16384 ;; # a tokenizer's vocabulary is a few KB even in the fixtures
        *) max_len=4096 ;;
    esac
    echo "fuzz: $target for ${seconds}s"
    log="$work/$target/last-run.log"
    # -rss_limit_mb: a reader that takes more than 2 GB for an input of at most max_len
    # bytes is a finding (docs/resource-policy.md); -timeout: so is 10 s for one input.
    if ! ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=0 UBSAN_OPTIONS=print_stacktrace=1 \
        nice -n 19 "$build_dir/fuzz/$target" "$work/$target/corpus" "$work/$target/seeds" \
        -max_total_time="$seconds" ${FUZZ_RUNS:+-runs="$FUZZ_RUNS"} -max_len="$max_len" -timeout=10 -rss_limit_mb=2048 \
        -artifact_prefix="$work/$target/crashes/" -print_final_stats=1 >"$log" 2>&1; then
        status=1
        echo "fuzz: $target FAILED, see $log and $work/$target/crashes/" >&2
    fi
    grep -E "^stat::number_of_executed_units|^stat::peak_rss_mb" "$log" | sed "s/^/fuzz: $target /"
done
exit "$status"
