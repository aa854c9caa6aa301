#!/bin/bash
# SPDX-License-Identifier: MIT
# The GPU check of issue 27, as one prepared command for the device machine (CUDA PyTorch,
# CMake, Ninja, nvcc, transformers; no Qt, no internet). Before it, here: tools/gpu/prepare.sh.
#   device run, carry [".gpu-carry"], timeout 570:  bash tools/gpu/check.sh
# Writes $OUT (the device tool's folder; else /tmp/gpu-check): check.log (everything),
# summary.json (one line per measurement), cmake.log/build.log on failure.
# Steps, each logged with its time: the machine; core + CLI + benches built against the
# CUDA LibTorch; random-weight GPT-2-small and SmolLM2-shaped checkpoints
# (tools/gpu/make_models.py); forward throughput CPU vs CUDA; EAP and EAP-IG times and peak
# GPU memory (bench_eap) in float32 and bfloat16, with a CPU EAP on the same machine; CPU vs
# CUDA agreement of EAP and EAP-IG scores and of a circuit's metric; the load/run/cancel path
# the GUI's worker takes (bench_job_path).
# DEVICE=cpu runs the same steps without a GPU (how the script itself is tested), ROWS=20
# REPS=1 shortly. STAGE=build stops after the build, the models and the prompts; STAGE=measure
# starts after them (two calls on a warm machine, each with time to spare). Exit status 1
# when a step failed (each is counted; the rest still run).
set -uo pipefail
cd "$(dirname "$0")/../.."
OUT=${OUT:-/tmp/gpu-check}
DEVICE=${DEVICE:-cuda}
C=$PWD/.gpu-carry
B=${BUILD_DIR:-build-gpu}
W=${WORKDIR:-/tmp/pb-gpu}
STAGE=${STAGE:-all}
ROWS=${ROWS:-100}
REPS=${REPS:-3}
mkdir -p "$OUT" "$W"
exec > >(tee -a "$OUT/check.log") 2>&1
t0=$(date +%s)
step() { echo "=== +$(( $(date +%s) - t0 ))s $*"; }
fail() { echo "FAILED: $*"; exit 1; }
failures=0
# Runs a measurement; its JSON line goes to summary.json, a failure is counted (the script
# goes on, and exits 1 at the end).
measure() {
    local line
    if line=$("$@"); then
        echo "$line" >> "$OUT/summary.json"
        echo "$line"
    else
        failures=$((failures + 1))
        echo "FAILED ($*): $line"
    fi
}

step machine
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader 2>/dev/null || echo "no nvidia-smi"
nvcc --version 2>/dev/null | tail -1
python3 -c 'import torch; print("torch", torch.__version__, "cuda", torch.version.cuda, "available", torch.cuda.is_available())'
echo "cores $(nproc)"; cmake --version | head -1

if [ "$STAGE" != measure ]; then
step build
TP=${TORCH_PREFIX:-$(python3 -c 'import torch; print(torch.utils.cmake_prefix_path)')}
cmake -S . -B "$B" -G Ninja -DCMAKE_BUILD_TYPE=Release -DPATCHBAY_BUILD_GUI=OFF -DPATCHBAY_BUILD_TESTS=OFF \
    -DCMAKE_PREFIX_PATH="$TP" -DCMAKE_POLICY_VERSION_MINIMUM=3.5 \
    -DPATCHBAY_NLOHMANN_JSON_INCLUDE_DIR="$C/include" \
    -DPATCHBAY_PCRE2_INCLUDE_DIR="$C/include" -DPATCHBAY_PCRE2_LIBRARY="$C/lib/libpcre2-8.so.0" \
    > "$OUT/cmake.log" 2>&1 || { tail -30 "$OUT/cmake.log"; fail cmake; }
grep "^-- Patchbay" "$OUT/cmake.log"
ninja -C "$B" patchbay-cli bench_eap bench_forward bench_job_path > "$OUT/build.log" 2>&1 \
    || { grep -m3 -B2 -A12 "error" "$OUT/build.log"; fail build; }
rm -f "$OUT/build.log" "$OUT/cmake.log"
CLI=$B/app/cli/patchbay-cli
measure $CLI info --system

step models
python3 tools/gpu/make_models.py --tokenizer "$C/gpt2-tokenizer" --out "$W" || fail models
$CLI generate-task ioi --tokenizer "$W/gpt2-small" --n "$ROWS" --seed 1 --out "$W/ioi100.csv" > /dev/null || fail data
head -21 "$W/ioi100.csv" > "$W/ioi20.csv"
fi
CLI=$B/app/cli/patchbay-cli
[ "$STAGE" = build ] && { step "built"; sleep 1; exit 0; }

step "forward throughput (GPT-2 small, batch 16 x 32 tokens)"
for d in cpu $DEVICE; do
    measure $B/bench/bench_forward --model "$W/gpt2-small" --batch 16 --tokens 32 --reps 10 --device $d
done

step "EAP and EAP-IG, $ROWS IOI pairs, batch 16: times and peak memory"
for m in gpt2-small smollm2-shape; do
    for method in eap eap-ig; do
        measure $B/bench/bench_eap --model "$W/$m" --data "$W/ioi100.csv" --method $method --device $DEVICE --reps $REPS
    done
    measure $B/bench/bench_eap --model "$W/$m" --data "$W/ioi100.csv" --method eap --device $DEVICE --memory-mb 0 --reps $REPS
    measure $B/bench/bench_eap --model "$W/$m" --data "$W/ioi100.csv" --method eap --device $DEVICE --dtype bfloat16 --reps $REPS
done
measure $B/bench/bench_eap --model "$W/smollm2-shape" --data "$W/ioi100.csv" --method eap --device cpu --reps 1

step "CPU vs $DEVICE agreement (20 pairs)"
for m in gpt2-small smollm2-shape; do
    for method in eap eap-ig; do
        for d in cpu $DEVICE; do
            $CLI attribute --model "$W/$m" --data "$W/ioi20.csv" --method $method --format native \
                --device $d --out "$W/$m-$method-$d.json" > /dev/null || { failures=$((failures + 1)); echo "FAILED: attribute $m $method $d"; }
        done
        measure python3 tools/gpu/compare_scores.py "$W/$m-$method-cpu.json" "$W/$m-$method-$DEVICE.json" --label "$m $method cpu/$DEVICE"
    done
    for d in cpu $DEVICE; do
        measure $CLI evaluate --model "$W/$m" --data "$W/ioi20.csv" --circuit "$W/$m-eap-cpu.json" --top-n 200 --device $d
    done
done

step "the worker's path: load, run, cancel, memory given back"
measure $B/bench/bench_job_path --model "$W/smollm2-shape" --data "$W/ioi100.csv" --device $DEVICE

step "done: $failures failed"
sleep 1 # let tee write the log's end
[ "$failures" -eq 0 ]
