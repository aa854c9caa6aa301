#!/usr/bin/env python3
"""How well SmolLM2-135M and Gemma-3-270M do the generated tasks, checked with transformers
(tests/data/real-models/task-performance.json and the table in docs/real-circuits.md).

For each model and task: `patchbay-cli generate-task` writes N pairs (seed 1), `patchbay-cli
evaluate` without a circuit scores them (`--per-pair` gives the ids the model read), and
transformers runs the very same ids (AutoModelForCausalLM.from_pretrained(dir, gguf_file=...),
float32, eager attention, one prompt at a time so no padding is involved) and scores them
again, here, independently of the C++ code:

  logit diff = mean logit of the answers - mean logit of the wrong answers (last position)
  prob diff  = sum p(answers) - sum p(wrong answers)
  correct    = the task metric > 0 (prob diff for greater-than-digit, logit diff otherwise)
  top-1      = the most likely next token is one of the answers

The fixture keeps the first PAIRS_IN_FIXTURE pairs of each task with transformers' numbers
(test_real_models::taskPerformanceMatchesTransformers runs them), and both programs' means
over all N pairs. Rerun (needs the CLI built and both models fetched; ~10 min on 2 cores):

  python3 tools/reference/make_task_references.py [--cli build/app/cli/patchbay-cli] [--n 100]
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile

import torch
import transformers
from transformers import AutoModelForCausalLM

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
OUT = os.path.join(ROOT, "tests", "data", "real-models", "task-performance.json")
MODELS_DIR = os.environ.get("PATCHBAY_MODELS", os.path.expanduser("~/.cache/patchbay/models"))
MODELS = {
    "smollm2": os.path.join(MODELS_DIR, "smollm2", "SmolLM2-135M-Instruct.Q4_1.gguf"),
    "gemma3": os.path.join(MODELS_DIR, "gemma3-270m", "gemma-3-270m-q4_k_m.gguf"),
}
# (label, generate-task arguments)
TASKS = [
    ("ioi (s2)", ["ioi", "--corruption", "s2"]),
    ("ioi (abc)", ["ioi", "--corruption", "abc"]),
    ("greater-than-digit", ["greater-than-digit"]),
    ("induction (answer)", ["induction", "--corruption", "answer"]),
    ("induction (first-half)", ["induction", "--corruption", "first-half"]),
    ("docstring", ["docstring"]),
]
PAIRS_IN_FIXTURE = 20


def score(logits, answers, wrong):
    logits = logits.double()
    logp = torch.log_softmax(logits, -1)
    ld = logits[answers].mean() - logits[wrong].mean()
    pd = logp[answers].exp().sum() - logp[wrong].exp().sum()
    best = logits[answers].max()
    top2 = logits.topk(2).values
    return {
        "top_gap": (top2[0] - top2[1]).item(),
        "logit_diff": ld.item(),
        "prob_diff": pd.item(),
        "prediction": int(logits.argmax()),
        "answer_rank": int((logits > best).sum()) + 1,
    }


@torch.no_grad()
def last_logits(model, ids):
    return model(torch.tensor([ids])).logits[0, -1]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cli", default=os.path.join(ROOT, "build", "app", "cli", "patchbay-cli"))
    ap.add_argument("--n", type=int, default=100)
    args = ap.parse_args()
    torch.manual_seed(0)
    out = {
        "generator": "tools/reference/make_task_references.py",
        "transformers": transformers.__version__,
        "torch": torch.__version__,
        "pairs_generated": args.n,
        "seed": 1,
        "notes": "per task: 'pairs' = the first pairs with transformers' numbers on the ids Patchbay read; "
                 "'transformers' and 'patchbay' = means over all generated pairs",
        "models": {},
    }
    for key, gguf in MODELS.items():
        with tempfile.TemporaryDirectory() as tmp:
            name = os.path.basename(gguf)
            os.symlink(os.path.abspath(gguf), os.path.join(tmp, name))
            model = AutoModelForCausalLM.from_pretrained(tmp, gguf_file=name, dtype=torch.float32,
                                                         attn_implementation="eager")
        model.eval()
        tasks = {}
        for label, gen in TASKS:
            with tempfile.TemporaryDirectory() as tmp:
                data = os.path.join(tmp, "pairs.csv")
                g = subprocess.run([args.cli, "generate-task", *gen, "--tokenizer", gguf, "--out", data,
                                    "--n", str(args.n), "--seed", "1"], check=True, capture_output=True, text=True)
                metric = json.loads(g.stdout)["metric"]
                r = subprocess.run([args.cli, "evaluate", "--model", gguf, "--data", data, "--per-pair"],
                                   check=True, capture_output=True, text=True)
            ours = json.loads(r.stdout)
            assert ours["metric"] == metric, (ours["metric"], metric)
            key_metric = "prob_diff" if metric == "prob-diff" else "logit_diff"
            rows, worst = [], 0.0
            sums = {"clean": 0.0, "corrupted": 0.0, "accuracy": 0, "top1": 0, "corrupted_accuracy": 0}
            for p in ours["pairs"]:
                clean = score(last_logits(model, p["clean_ids"]), p["answer_ids"], p["wrong_answer_ids"])
                corrupted = score(last_logits(model, p["corrupted_ids"]), p["answer_ids"], p["wrong_answer_ids"])
                worst = max(worst, abs(clean["logit_diff"] - p["logit_diff"]),
                            abs(corrupted["logit_diff"] - p["corrupted_logit_diff"]))
                sums["clean"] += clean[key_metric]
                sums["corrupted"] += corrupted[key_metric]
                sums["accuracy"] += clean[key_metric] > 0
                sums["corrupted_accuracy"] += corrupted[key_metric] > 0
                sums["top1"] += clean["prediction"] in p["answer_ids"]
                if len(rows) < PAIRS_IN_FIXTURE:
                    rows.append({
                        "row": p["row"],
                        "clean_ids": p["clean_ids"],
                        "corrupted_ids": p["corrupted_ids"],
                        "answer_ids": p["answer_ids"],
                        "wrong_answer_ids": p["wrong_answer_ids"],
                        "logit_diff": clean["logit_diff"],
                        "prob_diff": clean["prob_diff"],
                        "corrupted_logit_diff": corrupted["logit_diff"],
                        "corrupted_prob_diff": corrupted["prob_diff"],
                        "prediction": clean["prediction"],
                        "answer_rank": clean["answer_rank"],
                        "top_gap": clean["top_gap"],
                    })
            n = len(ours["pairs"])
            tasks[label] = {
                "generate": gen,
                "metric": metric,
                "transformers": {"clean_metric": sums["clean"] / n, "corrupted_metric": sums["corrupted"] / n,
                                 "accuracy": sums["accuracy"] / n, "top1": sums["top1"] / n,
                                 "corrupted_accuracy": sums["corrupted_accuracy"] / n},
                "patchbay": {"clean_metric": ours["clean"]["metric"], "corrupted_metric": ours["corrupted"]["metric"],
                             "accuracy": ours["clean"]["accuracy"], "top1": ours["clean"]["top1"],
                             "corrupted_accuracy": ours["corrupted"]["accuracy"]},
                "max_abs_logit_diff_error": worst,
                "pairs": rows,
            }
            t = tasks[label]["transformers"]
            print(f"{key:8s} {label:24s} n={n} {metric:10s} clean {t['clean_metric']:8.3f} "
                  f"corrupted {t['corrupted_metric']:8.3f} acc {t['accuracy']:.2f} top1 {t['top1']:.2f} "
                  f"| patchbay clean {ours['clean']['metric']:8.3f} acc {ours['clean']['accuracy']:.2f} "
                  f"top1 {ours['clean']['top1']:.2f} | max |dLD| {worst:.2e}", file=sys.stderr, flush=True)
        out["models"][key] = {"file": os.path.basename(gguf), "tasks": tasks}
        del model
    with open(OUT, "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")
    print("wrote", OUT, file=sys.stderr)


if __name__ == "__main__":
    main()
