#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# EAP on a busy machine (issue 27, goal 1): `patchbay-cli attribute --method eap` idle and
# beside one CPU-bound process (a shell busy loop at the same priority), as Patchbay runs
# now (threads = the cores other processes leave free, measured when the run starts) and
# as it ran before (every core: OMP_NUM_THREADS=<cores>).
# Each configuration runs REPEAT times, alternating; the medians and the ratios are printed.
# Run it on an otherwise idle machine.
#   bench/contention.sh MODEL PAIRS.csv [REPEAT]
# Environment: CLI (default build/app/cli/patchbay-cli).
set -euo pipefail
model=${1:?usage: bench/contention.sh MODEL PAIRS.csv [REPEAT]}
pairs=${2:?usage: bench/contention.sh MODEL PAIRS.csv [REPEAT]}
repeat=${3:-3}
cli=${CLI:-build/app/cli/patchbay-cli}
cores=$(nproc)
out=$(mktemp -d)
trap 'kill "${hog:-}" 2>/dev/null || true; rm -rf "$out"' EXIT

run() { # name, env..., then the time in seconds on stdout
    local name=$1
    shift
    local t0 t1
    t0=$(date +%s.%N)
    env "$@" "$cli" attribute --model "$model" --data "$pairs" --method eap --out "$out/$name.json" > "$out/$name.out"
    t1=$(date +%s.%N)
    echo "$t1 - $t0" | bc
}
median() { sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }

declare -A times
for load in idle busy; do
    if [ "$load" = busy ]; then
        sh -c 'while :; do :; done' &
        hog=$!
        sleep 1
    fi
    for _ in $(seq "$repeat"); do
        times[$load-now]+="$(run now PATCHBAY_BENCH=now) "
        times[$load-before]+="$(run before OMP_NUM_THREADS="$cores") "
    done
    threads=$(python3 -c "import json; print(json.load(open('$out/now.out'))['threads'])")
    echo "$load: threads chosen now: $threads"
    if [ "$load" = busy ]; then
        kill "$hog"
        hog=
    fi
done
for k in idle-now idle-before busy-now busy-before; do
    m=$(echo "${times[$k]}" | tr ' ' '\n' | grep . | median)
    printf '%-12s median %6.2f s   (%s)\n' "$k" "$m" "${times[$k]}"
    eval "m_${k//-/_}=$m"
done
echo "busy/idle now:    $(echo "scale=2; $m_busy_now / $m_idle_now" | bc)"
echo "busy/idle before: $(echo "scale=2; $m_busy_before / $m_idle_before" | bc)"
echo "idle now/before:  $(echo "scale=3; $m_idle_now / $m_idle_before" | bc)"
