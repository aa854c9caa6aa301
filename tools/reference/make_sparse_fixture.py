#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Two GPT-2 fixtures built from tests/data/models/gpt2 for tests/core/test_attribution.cpp.

gpt2-linear: a model whose task metric is linear in the edge masks, so EAP (a first-order
estimate) must equal exact patching. W_Q = W_K = 0 freezes every attention pattern (uniform
over the causal window, whatever the input), every MLP's output matrix is zero (a constant
output), and layer_norm_epsilon = 1e6 with every LayerNorm weight scaled by sqrt(1e6) = 1000
makes each LayerNorm (x − mean(x))·w + b up to a relative 1e-8 (the variance of the
activations next to epsilon; in float32, var + 1e6 rounds to 1e6 exactly). What is left is an
affine map from the embeddings to the logits.

gpt2-sparse: a model with a known circuit, for the ACDC test.

Copies tests/data/models/gpt2 (3 layers, 4 heads, random weights) to
tests/data/models/gpt2-sparse and zeroes the output projection (W_O rows) of every head
and the output matrix of every MLP except the live nodes below. A dead node's output is the
same constant on every input, so no edge out of it, and no edge into it, can change the
logits: the circuit is exactly the edges among {input, live nodes} and into `logits`.
Its weights are otherwise those of the gpt2 fixture (whose logits match transformers).

Run from the repository root: python3 tools/reference/make_sparse_fixture.py
Needs numpy and safetensors only.
"""
import json
import pathlib
import shutil

import numpy as np
from safetensors.numpy import load_file, save_file

LIVE_HEADS = {(0, 1), (1, 2), (2, 0)}
LIVE_MLPS = {1}

src = pathlib.Path("tests/data/models/gpt2")
dst = pathlib.Path("tests/data/models/gpt2-sparse")
dst.mkdir(parents=True, exist_ok=True)
shutil.copy(src / "config.json", dst / "config.json")
config = json.loads((src / "config.json").read_text())
L, H, D = config["n_layer"], config["n_head"], config["n_embd"]
dh = D // H

w = {k: v.copy() for k, v in load_file(str(src / "model.safetensors")).items()}
for layer in range(L):
    proj = w[f"transformer.h.{layer}.attn.c_proj.weight"]  # Conv1D: [n_heads * d_head, d_model]
    for head in range(H):
        if (layer, head) not in LIVE_HEADS:
            proj[head * dh:(head + 1) * dh, :] = 0.0
    if layer not in LIVE_MLPS:
        w[f"transformer.h.{layer}.mlp.c_proj.weight"][:] = 0.0
save_file(w, str(dst / "model.safetensors"), metadata={"format": "pt"})
(dst / "circuit.json").write_text(json.dumps({
    "live_heads": sorted([f"a{l}.h{h}" for l, h in LIVE_HEADS]),
    "live_mlps": sorted([f"m{l}" for l in LIVE_MLPS]),
}, indent=1) + "\n")
print("wrote", dst)

# gpt2-linear
lin = pathlib.Path("tests/data/models/gpt2-linear")
lin.mkdir(parents=True, exist_ok=True)
config_lin = dict(config)
config_lin["layer_norm_epsilon"] = 1e6
(lin / "config.json").write_text(json.dumps(config_lin, indent=2) + "\n")
w = {k: v.copy() for k, v in load_file(str(src / "model.safetensors")).items()}
for layer in range(L):
    w[f"transformer.h.{layer}.attn.c_attn.weight"][:, : 2 * D] = 0.0  # [d_model, 3 d_model]: q | k | v
    w[f"transformer.h.{layer}.attn.c_attn.bias"][: 2 * D] = 0.0
    w[f"transformer.h.{layer}.mlp.c_proj.weight"][:] = 0.0
for name in list(w):
    if name.endswith(("ln_1.weight", "ln_2.weight", "ln_f.weight")):
        w[name] = w[name] * 1000.0
save_file(w, str(lin / "model.safetensors"), metadata={"format": "pt"})
print("wrote", lin)
