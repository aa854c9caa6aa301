#!/usr/bin/env bash
# MIB-protocol faithfulness sweeps of EAP and EAP-IG circuits on the real models (issue 22):
# for each model and task, generate N pairs, score them, and print CPR and CMD by MIB's
# protocol and by the old single |score| ranking (no pruning, from 0). Needs the real models
# (tools/fetch-models.sh) and a built patchbay-cli.
#   tools/experiments/real_sweeps.sh [BUILD_DIR] [N] [MODELS] [TASKS] [METHODS]
# e.g. tools/experiments/real_sweeps.sh build 100 smollm2 "induction induction:answer ioi" "eap eap-ig"
# (TASK:CORRUPTION picks a corruption; EVAL_TAG names files apart; EVAL_ARGS adds options to attribute and evaluate alike,
# e.g. EVAL_ARGS="--gqa ungrouped" or "--reference mean"; SWEEP_ARGS adds options to the sweep alone,
# e.g. SWEEP_ARGS="--sweep-selection greedy" with SWEEP_TAG=-greedy)
set -euo pipefail
build=${1:-build}
n=${2:-100}
models=${3:-smollm2}
tasks=${4:-induction ioi}
methods=${5:-eap eap-ig}
cli="$build/app/cli/patchbay-cli"
cache=${PATCHBAY_MODEL_CACHE:-$HOME/.cache/patchbay/models}
out=${OUT_DIR:-$(mktemp -d)}
declare -A file=([smollm2]="$cache/smollm2/SmolLM2-135M-Instruct.Q4_1.gguf"
                 [gemma3]="$cache/gemma3-270m/gemma-3-270m-q4_k_m.gguf")
printf '%-8s %-10s %-8s %8s %8s %8s %8s %8s %8s\n' model task method clean patched cpr cmd old_cpr old_cmd
for m in $models; do
    model=${file[$m]}
    for tc in $tasks; do
        t=${tc%%:*}
        corruption=()
        [ "$t" = "$tc" ] || corruption=(--corruption "${tc#*:}")
        data="$out/$m-${tc/:/-}.json"
        [ -f "$data" ] || "$cli" generate-task "$t" --tokenizer "$model" --n "$n" --seed 1 "${corruption[@]}" --out "$data" > /dev/null
        t=${tc/:/-}${EVAL_TAG:-}
        for meth in $methods; do
            circ="$out/$m-$t-$meth.json"
            [ -s "$circ" ] || "$cli" attribute --model "$model" --data "$data" --method "$meth" --out "$circ" --format native ${EVAL_ARGS:-} > "$circ.log"
            sweep="$out/$m-$t-$meth-sweep${SWEEP_TAG:-}.json"
            [ -s "$sweep" ] || "$cli" evaluate --model "$model" --data "$data" --circuit "$circ" --sweep ${EVAL_ARGS:-} ${SWEEP_ARGS:-} > "$sweep"
            python3 - "$sweep" "$m" "$t" "$meth" <<'PY'
import json, sys
j = json.load(open(sys.argv[1])); s = j["sweep"]
# The old protocol's figures from the magnitude curve, unpruned points aside: trapezoids from
# (0, 0) through the |score| curve (its points are pruned here, so this is close, not equal).
pts = [(0.0, 0.0)] + [(p["fraction"], p["faithfulness"]) for p in s["magnitude"]["points"]]
cpr = sum((b[0]-a[0])*(a[1]+b[1])/2 for a, b in zip(pts, pts[1:]))
cmd = sum((b[0]-a[0])*(abs(1-a[1])+abs(1-b[1]))/2 for a, b in zip(pts, pts[1:]))
print(f"{sys.argv[2]:8} {sys.argv[3]:10} {sys.argv[4] + ('/' + s['selection'] if s.get('selection', 'top-n') != 'top-n' else ''):8} {j['clean_metric']:8.3f} {j['reference_metric']:8.3f} "
      f"{s['cpr']:8.3f} {s['cmd']:8.3f} {cpr:8.3f} {cmd:8.3f}")
for name in ("signed", "magnitude"):
    c = s[name]
    print("   ", name, c["order"], " ".join(f"{p['fraction']*100:g}%:{p['faithfulness']:.2f}({p['kept']}/{p['edges']})" for p in c["points"]))
PY
        done
    done
done
echo "files in $out" >&2
