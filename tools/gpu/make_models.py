#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Random-weight checkpoints for the GPU check (tools/gpu/check.sh), made with transformers.

  gpt2-small/      GPT-2 small's shape (12 layers, d_model 768, 12 heads): 32,491 graph edges
  smollm2-shape/   SmolLM2-135M's shape (llama: 30 layers, d_model 576, 9 query / 3 key-value
                   heads, d_mlp 1536, tied embeddings, RoPE theta 1e5): 70,651 grouped edges

Time and memory of a forward, EAP or EAP-IG depend on the shapes, not on the values, so these
stand in for the real SmolLM2 file (93 MB), which cannot travel to the GPU machine. Both use
GPT-2's tokenizer (vocab.json + merges.txt, vocab 50,257), so one prompt file serves both.

    python3 tools/gpu/make_models.py --tokenizer DIR --out DIR
"""
import argparse
import shutil
import sys
from pathlib import Path

import torch
from transformers import LlamaConfig, LlamaForCausalLM

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
from forward_vs_transformers import SEED, make_checkpoint  # noqa: E402  (the GPT-2-small benchmarks' checkpoint)


def save(model, directory: Path, tokenizer: Path):
    if (directory / "config.json").exists():
        return
    tmp = directory.with_name(directory.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    try:
        model.save_pretrained(tmp, safe_serialization=True)
    except TypeError:  # newer transformers: safetensors only, no such keyword
        model.save_pretrained(tmp)
    for name in ("vocab.json", "merges.txt"):
        shutil.copy(tokenizer / name, tmp / name)
    tmp.rename(directory)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tokenizer", type=Path, required=True, help="folder with GPT-2's vocab.json and merges.txt")
    ap.add_argument("--out", type=Path, required=True)
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)

    # The same checkpoint as bench/forward_vs_transformers.py's (same seed and shape), with
    # the tokenizer beside it.
    gpt2 = args.out / "gpt2-small"
    if not gpt2.exists():
        make_checkpoint(args.out).rename(gpt2)
        for name in ("vocab.json", "merges.txt"):
            shutil.copy(args.tokenizer / name, gpt2 / name)

    torch.manual_seed(SEED)
    llama = LlamaConfig(vocab_size=50257, hidden_size=576, intermediate_size=1536, num_hidden_layers=30,
                        num_attention_heads=9, num_key_value_heads=3, max_position_embeddings=2048,
                        rms_norm_eps=1e-5, rope_theta=100000.0, tie_word_embeddings=True,
                        bos_token_id=50256, eos_token_id=50256)
    save(LlamaForCausalLM(llama).eval(), args.out / "smollm2-shape", args.tokenizer)
    print("models in", args.out)


if __name__ == "__main__":
    main()
