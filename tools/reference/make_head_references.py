#!/usr/bin/env python3
"""Induction, previous-token and duplicate-token scores of every head of SmolLM2-135M and
Gemma-3-270M, computed by transformers (tests/data/real-models/head-scores.json).

`patchbay-cli heads --tokens` gives the repeated random token sequences r1..rT r1..rT it used
(BOS first when the model adds one) and its scores; transformers runs the same ids
(AutoModelForCausalLM.from_pretrained(dir, gguf_file=...), float32, eager attention,
output_attentions=True) and the scores are computed here from its attention weights:

  induction        mean over j of A[second r_j -> first r_(j+1)]   (prefix matching)
  duplicate token  mean over j of A[second r_j -> first r_j]
  previous token   mean over every query q >= 1 of A[q -> q-1]

each averaged over the sequences. And where each head looks from the answer position of the
IOI (s2) pairs in task-performance.json (make_task_references.py; the ids Patchbay read): the
attention of the last token on the earlier occurrences of the answer (the indirect object) and
of the wrong answer (the subject), summed over occurrences and averaged over the pairs.

Rerun (CLI built, models fetched, task-performance.json made; ~3 min):

  python3 tools/reference/make_head_references.py [--cli build/app/cli/patchbay-cli]
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
OUT = os.path.join(ROOT, "tests", "data", "real-models", "head-scores.json")
MODELS_DIR = os.environ.get("PATCHBAY_MODELS", os.path.expanduser("~/.cache/patchbay/models"))
MODELS = {
    "smollm2": os.path.join(MODELS_DIR, "smollm2", "SmolLM2-135M-Instruct.Q4_1.gguf"),
    "gemma3": os.path.join(MODELS_DIR, "gemma3-270m", "gemma-3-270m-q4_k_m.gguf"),
}
SEQUENCES, LENGTH, SEED = 8, 25, 1


@torch.no_grad()
def scores(model, tokens, length, bos):
    o = 1 if bos else 0
    t = length
    total = None
    for ids in tokens:
        att = torch.stack(model(torch.tensor([ids]), output_attentions=True).attentions)[:, 0].double()  # [L, H, P, P]
        p = att.shape[-1]
        j = torch.arange(t)
        ind = att[:, :, o + t + j, o + j + 1].mean(-1)
        dup = att[:, :, o + t + j, o + j].mean(-1)
        q = torch.arange(1, p)
        prev = att[:, :, q, q - 1].mean(-1)
        s = torch.stack([ind, prev, dup])
        total = s if total is None else total + s
    total /= len(tokens)
    return {"induction": total[0].tolist(), "previous_token": total[1].tolist(), "duplicate_token": total[2].tolist()}


@torch.no_grad()
def answer_attention(model, pairs):
    to_answer = to_wrong = None
    for p in pairs:
        ids = p["clean_ids"]
        att = torch.stack(model(torch.tensor([ids]), output_attentions=True).attentions)[:, 0].double()  # [L, H, P, P]
        last = len(ids) - 1
        a = [k for k in range(last) if ids[k] in p["answer_ids"]]
        w = [k for k in range(last) if ids[k] in p["wrong_answer_ids"]]
        ta = att[:, :, last, a].sum(-1)
        tw = att[:, :, last, w].sum(-1)
        to_answer = ta if to_answer is None else to_answer + ta
        to_wrong = tw if to_wrong is None else to_wrong + tw
    return {"answer_attention": (to_answer / len(pairs)).tolist(), "wrong_answer_attention": (to_wrong / len(pairs)).tolist()}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cli", default=os.path.join(ROOT, "build", "app", "cli", "patchbay-cli"))
    args = ap.parse_args()
    out = {
        "generator": "tools/reference/make_head_references.py",
        "transformers": transformers.__version__,
        "torch": torch.__version__,
        "sequences": SEQUENCES, "length": LENGTH, "seed": SEED,
        "models": {},
    }
    for key, gguf in MODELS.items():
        r = subprocess.run([args.cli, "heads", "--model", gguf, "--tokens", "--sequences", str(SEQUENCES),
                            "--length", str(LENGTH), "--seed", str(SEED)], check=True, capture_output=True, text=True)
        ours = json.loads(r.stdout)
        with tempfile.TemporaryDirectory() as tmp:
            name = os.path.basename(gguf)
            os.symlink(os.path.abspath(gguf), os.path.join(tmp, name))
            model = AutoModelForCausalLM.from_pretrained(tmp, gguf_file=name, dtype=torch.float32,
                                                         attn_implementation="eager")
        model.eval()
        ref = scores(model, ours["tokens"], LENGTH, ours["bos"])
        tasks = json.load(open(os.path.join(ROOT, "tests", "data", "real-models", "task-performance.json")))
        ioi = tasks["models"][key]["tasks"]["ioi (s2)"]["pairs"]
        ref.update(answer_attention(model, ioi))
        worst = 0.0
        for kind in ("induction", "previous_token", "duplicate_token"):
            for a, b in zip(ref[kind], ours[kind]["by_layer"]):
                worst = max(worst, max(abs(x - y) for x, y in zip(a, b)))
        print(f"{key}: worst |score - transformers| {worst:.2e}; top induction "
              f"{[(h['head'], round(h['score'], 3)) for h in ours['induction']['top'][:5]]}", file=sys.stderr)
        out["models"][key] = {"file": name, "bos": ours["bos"], "tokens": ours["tokens"], "ioi_pairs": "task-performance.json ioi (s2)", **ref}
        del model
    with open(OUT, "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")
    print("wrote", OUT, file=sys.stderr)


if __name__ == "__main__":
    main()
