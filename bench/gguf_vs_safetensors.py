#!/usr/bin/env python3
"""Load time and peak memory of SmolLM2-135M: the GGUF file against the same weights as safetensors.

    python3 bench/gguf_vs_safetensors.py [--gguf PATH] [--cli build/app/cli/patchbay-cli] [--reps 3]

The GGUF is SmolLM2-135M-Instruct.Q4_1.gguf (tools/fetch-models.sh). The safetensors copy is
made once in --workdir by transformers from that file (from_pretrained(gguf_file=...), which
dequantizes to float32, then save_pretrained): the same values, stored as F32. Each load is a
fresh `patchbay-cli info --model X` process (float32 compute, CPU); reported per format: the
load time the model measures itself (config, weights, tokenizer), the process's wall time and
its CPU time and peak RSS (/usr/bin/time), medians over --reps, and the file sizes.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, ".."))


def make_safetensors(gguf, out):
    if os.path.exists(os.path.join(out, "model.safetensors")):
        return
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer
    with tempfile.TemporaryDirectory() as tmp:
        name = os.path.basename(gguf)
        os.symlink(os.path.abspath(gguf), os.path.join(tmp, name))
        model = AutoModelForCausalLM.from_pretrained(tmp, gguf_file=name, dtype=torch.float32)
        tok = AutoTokenizer.from_pretrained(tmp, gguf_file=name)
    # save_pretrained refuses a model transformers marks as GGUF-quantized: write the
    # (float32) state dict and the config ourselves. Tied: no lm_head.weight.
    from safetensors.torch import save_file
    os.makedirs(out, exist_ok=True)
    tied = model.config.tie_word_embeddings
    state = {k: v.detach().contiguous().clone() for k, v in model.state_dict().items()
             if not (tied and k == "lm_head.weight")}
    save_file(state, os.path.join(out, "model.safetensors"), metadata={"format": "pt"})
    config = model.config.to_dict()
    config.pop("quantization_config", None)
    with open(os.path.join(out, "config.json"), "w") as f:
        json.dump(config, f, indent=1)
    tok.save_pretrained(out)


def run(cli, model):
    out = subprocess.run(["/usr/bin/time", "-f", "TIME %e %M %U %S", cli, "info", "--model", model],
                         capture_output=True, text=True, check=True)
    info = json.loads(out.stdout)
    wall, rss, user, system = next(l for l in out.stderr.splitlines() if l.startswith("TIME ")).split()[1:]
    return info["load_seconds"], float(wall), int(rss) / 1024.0, info, float(user) + float(system)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--gguf")
    ap.add_argument("--cli", default=os.path.join(ROOT, "build", "app", "cli", "patchbay-cli"))
    ap.add_argument("--workdir", default=os.path.join(tempfile.gettempdir(), "patchbay-bench-smollm2"))
    ap.add_argument("--reps", type=int, default=3)
    args = ap.parse_args()
    gguf = args.gguf or subprocess.run([os.path.join(ROOT, "tools", "fetch-models.sh"), "smollm2"], check=True,
                                       capture_output=True, text=True).stdout.split()[-1]
    st_dir = os.path.join(args.workdir, "safetensors")
    make_safetensors(gguf, st_dir)
    results = {}
    for label, path, size in [("gguf", gguf, os.path.getsize(gguf)),
                              ("safetensors", st_dir, os.path.getsize(os.path.join(st_dir, "model.safetensors")))]:
        runs = [run(args.cli, path) for _ in range(args.reps)]
        info = runs[-1][3]
        results[label] = {
            "file_mb": round(size / 2**20, 1),
            "stored": info["weights_dtype"],
            "load_seconds_median": round(statistics.median(r[0] for r in runs), 3),
            "process_wall_seconds_median": round(statistics.median(r[1] for r in runs), 3),
            "peak_rss_mb_median": round(statistics.median(r[2] for r in runs), 1),
            # CPU time of the whole process (user + system): less sensitive to a busy machine
            "process_cpu_seconds_median": round(statistics.median(r[4] for r in runs), 3),
            "load_seconds": [round(r[0], 3) for r in runs],
        }
    print(json.dumps({"model": os.path.basename(gguf), "reps": args.reps, "results": results}, indent=1))


if __name__ == "__main__":
    sys.exit(main())
