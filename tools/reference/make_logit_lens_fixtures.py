#!/usr/bin/env python3
"""Logit-lens reference for the C++ test of Model::logitLens.

For each model fixture under tests/data/models/ named below, loads the checkpoint
with Hugging Face transformers (float32, eager attention), runs the fixture's
`single` 12-token sequence with output_hidden_states, and decodes the residual
stream after every stage through the model's own final norm and unembedding:

  stage 0       the embeddings (hidden_states[0])
  stage l + 1   the residual stream after block l (hidden_states[l + 1]); for the
                last block this is the model's own output (HF applies the final
                norm to the last hidden state, so the logits are used instead)

Writes tests/data/logit_lens/NAME.json: input ids, the positions decoded, and per
position and stage the top-5 token ids with their probabilities, plus the
probability and the rank (1 = most likely) of two tracked ids.

    python3 tools/reference/make_logit_lens_fixtures.py
"""

import json
import os

import torch
import transformers
from transformers import AutoModelForCausalLM

REPO_ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
MODELS = os.path.join(REPO_ROOT, "tests", "data", "models")
OUT = os.path.join(REPO_ROOT, "tests", "data", "logit_lens")
FIXTURES = ["gpt2", "pythia", "llama-gqa"]
TOP_K = 5
TRACKED = [7, 42]
POSITIONS = [3, 11]


def final_norm(model):
    base = model.base_model
    for name in ("ln_f", "final_layer_norm", "norm"):
        if hasattr(base, name):
            return getattr(base, name)
    raise RuntimeError("no final norm found")


def main():
    os.makedirs(OUT, exist_ok=True)
    for name in FIXTURES:
        path = os.path.join(MODELS, name)
        ids = json.load(open(os.path.join(path, "reference.json")))["single"]["input_ids"]
        model = AutoModelForCausalLM.from_pretrained(path, torch_dtype=torch.float32, attn_implementation="eager")
        model.eval()
        with torch.no_grad():
            out = model(torch.tensor([ids]), output_hidden_states=True)
            hidden = out.hidden_states
            n_layers = len(hidden) - 1
            stages = [model.get_output_embeddings()(final_norm(model)(hidden[s]))[0] for s in range(n_layers)]
            stages.append(out.logits[0])
            lens = torch.stack(stages)  # [stages, pos, vocab]
        positions = []
        for p in POSITIONS:
            logits = lens[:, p, :]
            probs = torch.softmax(logits.double(), dim=-1)
            top = torch.topk(probs, TOP_K, dim=-1)
            tracked = []
            for t in TRACKED:
                rank = (logits > logits[:, t : t + 1]).sum(-1) + 1
                tracked.append({"id": t, "probs": [float(f"{v:.7g}") for v in probs[:, t].tolist()],
                                "ranks": rank.tolist()})
            positions.append({
                "position": p,
                "top_ids": top.indices.tolist(),
                "top_probs": [[float(f"{v:.7g}") for v in row] for row in top.values.tolist()],
                "tracked": tracked,
            })
        doc = {
            "generated_by": "tools/reference/make_logit_lens_fixtures.py",
            "transformers_version": transformers.__version__,
            "torch_version": torch.__version__,
            "fixture": name,
            "input_ids": ids,
            "stages": n_layers + 1,
            "top_k": TOP_K,
            "positions": positions,
        }
        with open(os.path.join(OUT, name + ".json"), "w") as f:
            json.dump(doc, f, indent=1)
        print(name, "stages", n_layers + 1)


if __name__ == "__main__":
    main()
