#!/usr/bin/env python3
"""Tiny GGUF models for the C++ tests (tests/data/gguf/models/).

Each is a tiny fixture of tests/data/models/ converted the way llama.cpp's
convert_hf_to_gguf.py converts that architecture, written with gguf-py's GGUFWriter:

  llama-q8_0   llama-gqa, Q/K rows permuted for ggml's rotary (LlamaModel.permute),
               matrices Q8_0, norms F32
  qwen2-q5_1   qwen2 (q/k/v biases, tied embeddings: no output.weight), matrices Q5_1
  gpt2-q4_0    gpt2 (Conv1D weights transposed to [out, in], as GPT2Model.modify_tensors
               does), matrices Q4_0, position embeddings F32
  gptneox-q8_0 pythia (the fused query_key_value rows regrouped [q; k; v], as
               GPTNeoXModel.modify_tensors does), matrices Q8_0

  qwen2-unused-bias  qwen2-q5_1 with a blk.0.attn_output.bias Qwen2 has no use for (refused)

and NAME.json holds last-position and all-position logits of the fixture's `single`
input:
  - llama, qwen2: from transformers' own GGUF loading,
    AutoModelForCausalLM.from_pretrained(dir, gguf_file=NAME.gguf) (which dequantizes with
    gguf-py and undoes the permutation itself);
  - gpt2: the original model with its tensors replaced by gguf-py's dequantization of the
    quantized ones (transformers maps gpt2.context_length to n_ctx instead of n_positions,
    so it cannot load a GPT-2 GGUF whose context is not 1024);
  - gptneox (transformers has no GGUF loader for it): the same, the original model with
    the values the file holds.

The files carry tokenizer.ggml.tokens (256/128 byte tokens, no tokenizer.ggml.model) only
because transformers takes gpt2's vocabulary size from it.

Rerun from anywhere: python3 tools/reference/make_gguf_model_fixtures.py
"""

import json
import os
import shutil
import sys
import tempfile

import numpy as np
import torch
import transformers
from safetensors.numpy import load_file
from transformers import AutoModelForCausalLM

import gguf
from gguf import GGMLQuantizationType as T

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
MODELS = os.path.join(ROOT, "tests", "data", "models")
OUT = os.path.join(ROOT, "tests", "data", "gguf", "models")


def byte_tokens(n):
    from transformers.convert_slow_tokenizer import bytes_to_unicode
    spelling = bytes_to_unicode()
    return [spelling[b] for b in range(n)]


def llama_permute(w, n_head, n_head_kv):
    # convert_hf_to_gguf.py LlamaModel.permute
    if n_head_kv is not None and n_head != n_head_kv:
        n_head = n_head_kv
    return w.reshape(n_head, 2, w.shape[0] // n_head // 2, *w.shape[1:]).swapaxes(1, 2).reshape(w.shape)


def add(writer, name, array, qtype):
    """Writes the tensor; returns the values the file holds (gguf-py's dequantization)."""
    array = np.ascontiguousarray(array, dtype=np.float32)
    if qtype == T.F32 or array.ndim == 1:
        writer.add_tensor(name, array)
        return array
    if qtype == T.F16:
        writer.add_tensor(name, array.astype(np.float16))
        return array.astype(np.float16).astype(np.float32)
    q = gguf.quants.quantize(array, qtype)
    writer.add_tensor(name, q, raw_dtype=qtype)
    return gguf.quants.dequantize(q, qtype).reshape(array.shape)


def common(writer, arch, cfg, vocab):
    writer.add_name(f"patchbay tiny {arch}")
    writer.add_file_type(1)
    writer.add_token_list(byte_tokens(vocab))


def convert_llama(name, src, qtype, qwen2=False, extra=None):
    cfg = json.load(open(os.path.join(src, "config.json")))
    st = load_file(os.path.join(src, "model.safetensors"))
    arch = "qwen2" if qwen2 else "llama"
    path = os.path.join(OUT, name + ".gguf")
    w = gguf.GGUFWriter(path, arch=arch)
    common(w, arch, cfg, cfg["vocab_size"])
    nh, nkv = cfg["num_attention_heads"], cfg["num_key_value_heads"]
    w.add_block_count(cfg["num_hidden_layers"])
    w.add_context_length(cfg["max_position_embeddings"])
    w.add_embedding_length(cfg["hidden_size"])
    w.add_feed_forward_length(cfg["intermediate_size"])
    w.add_head_count(nh)
    w.add_head_count_kv(nkv)
    w.add_rope_freq_base(cfg["rope_theta"] if "rope_theta" in cfg else cfg["rope_parameters"]["rope_theta"])
    w.add_layer_norm_rms_eps(cfg["rms_norm_eps"])
    w.add_rope_dimension_count(cfg.get("head_dim") or cfg["hidden_size"] // nh)
    w.add_vocab_size(cfg["vocab_size"])
    add(w, "token_embd.weight", st["model.embed_tokens.weight"], qtype)
    for l in range(cfg["num_hidden_layers"]):
        p = f"model.layers.{l}."
        b = f"blk.{l}."
        add(w, b + "attn_norm.weight", st[p + "input_layernorm.weight"], T.F32)
        q, k = st[p + "self_attn.q_proj.weight"], st[p + "self_attn.k_proj.weight"]
        if not qwen2:
            q, k = llama_permute(q, nh, nh), llama_permute(k, nh, nkv)
        add(w, b + "attn_q.weight", q, qtype)
        add(w, b + "attn_k.weight", k, qtype)
        add(w, b + "attn_v.weight", st[p + "self_attn.v_proj.weight"], qtype)
        if qwen2:
            for x in "qkv":
                add(w, b + f"attn_{x}.bias", st[p + f"self_attn.{x}_proj.bias"], T.F32)
        add(w, b + "attn_output.weight", st[p + "self_attn.o_proj.weight"], qtype)
        if extra and l == 0:
            add(w, b + extra, np.zeros(cfg["hidden_size"], dtype=np.float32), T.F32)
        add(w, b + "ffn_norm.weight", st[p + "post_attention_layernorm.weight"], T.F32)
        add(w, b + "ffn_gate.weight", st[p + "mlp.gate_proj.weight"], qtype)
        add(w, b + "ffn_up.weight", st[p + "mlp.up_proj.weight"], qtype)
        add(w, b + "ffn_down.weight", st[p + "mlp.down_proj.weight"], qtype)
    add(w, "output_norm.weight", st["model.norm.weight"], T.F32)
    if not cfg.get("tie_word_embeddings", False):
        add(w, "output.weight", st["lm_head.weight"], qtype)
    finish(w)
    return path


def convert_gpt2(name, src, qtype):
    cfg = json.load(open(os.path.join(src, "config.json")))
    st = load_file(os.path.join(src, "model.safetensors"))
    path = os.path.join(OUT, name + ".gguf")
    w = gguf.GGUFWriter(path, arch="gpt2")
    common(w, "gpt2", cfg, cfg["vocab_size"])
    w.add_block_count(cfg["n_layer"])
    w.add_context_length(cfg["n_positions"])
    w.add_embedding_length(cfg["n_embd"])
    w.add_feed_forward_length(cfg.get("n_inner") or 4 * cfg["n_embd"])
    w.add_head_count(cfg["n_head"])
    w.add_layer_norm_eps(cfg["layer_norm_epsilon"])
    pre = "transformer." if "transformer.wte.weight" in st else ""
    held = {}  # Hugging Face name -> the values the file holds, in the Hugging Face layout
    held[pre + "wte.weight"] = add(w, "token_embd.weight", st[pre + "wte.weight"], qtype)
    add(w, "position_embd.weight", st[pre + "wpe.weight"], T.F32)
    for l in range(cfg["n_layer"]):
        p = f"{pre}h.{l}."
        b = f"blk.{l}."
        add(w, b + "attn_norm.weight", st[p + "ln_1.weight"], T.F32)
        add(w, b + "attn_norm.bias", st[p + "ln_1.bias"], T.F32)
        held[p + "attn.c_attn.weight"] = add(w, b + "attn_qkv.weight", st[p + "attn.c_attn.weight"].T, qtype).T
        add(w, b + "attn_qkv.bias", st[p + "attn.c_attn.bias"], T.F32)
        held[p + "attn.c_proj.weight"] = add(w, b + "attn_output.weight", st[p + "attn.c_proj.weight"].T, qtype).T
        add(w, b + "attn_output.bias", st[p + "attn.c_proj.bias"], T.F32)
        add(w, b + "ffn_norm.weight", st[p + "ln_2.weight"], T.F32)
        add(w, b + "ffn_norm.bias", st[p + "ln_2.bias"], T.F32)
        held[p + "mlp.c_fc.weight"] = add(w, b + "ffn_up.weight", st[p + "mlp.c_fc.weight"].T, qtype).T
        add(w, b + "ffn_up.bias", st[p + "mlp.c_fc.bias"], T.F32)
        held[p + "mlp.c_proj.weight"] = add(w, b + "ffn_down.weight", st[p + "mlp.c_proj.weight"].T, qtype).T
        add(w, b + "ffn_down.bias", st[p + "mlp.c_proj.bias"], T.F32)
    add(w, "output_norm.weight", st[pre + "ln_f.weight"], T.F32)
    add(w, "output_norm.bias", st[pre + "ln_f.bias"], T.F32)
    finish(w)
    HELD[name] = held
    return path


HELD = {}


def convert_neox(name, src, qtype):
    cfg = json.load(open(os.path.join(src, "config.json")))
    st = load_file(os.path.join(src, "model.safetensors"))
    path = os.path.join(OUT, name + ".gguf")
    w = gguf.GGUFWriter(path, arch="gptneox")
    common(w, "gptneox", cfg, cfg["vocab_size"])
    d, nh = cfg["hidden_size"], cfg["num_attention_heads"]
    w.add_block_count(cfg["num_hidden_layers"])
    w.add_context_length(cfg["max_position_embeddings"])
    w.add_embedding_length(d)
    w.add_feed_forward_length(cfg["intermediate_size"])
    w.add_head_count(nh)
    w.add_rope_dimension_count(int(cfg["rotary_pct"] * (d // nh)))
    w.add_rope_freq_base(float(cfg.get("rotary_emb_base", 10000)))
    w.add_parallel_residual(cfg.get("use_parallel_residual", True))
    w.add_layer_norm_eps(cfg["layer_norm_eps"])
    held = {"gpt_neox.embed_in.weight": add(w, "token_embd.weight", st["gpt_neox.embed_in.weight"], qtype)}
    for l in range(cfg["num_hidden_layers"]):
        p = f"gpt_neox.layers.{l}."
        b = f"blk.{l}."
        add(w, b + "attn_norm.weight", st[p + "input_layernorm.weight"], T.F32)
        add(w, b + "attn_norm.bias", st[p + "input_layernorm.bias"], T.F32)
        qkv = st[p + "attention.query_key_value.weight"].reshape(nh, 3, d // nh, d)
        qkv = np.concatenate([qkv[:, i].reshape(-1, d) for i in range(3)], axis=0)
        got = add(w, b + "attn_qkv.weight", qkv, qtype)  # rows [q; k; v] -> [head, q|k|v, d_head] again
        held[p + "attention.query_key_value.weight"] = np.stack(np.split(got, 3, axis=0), axis=0).reshape(
            3, nh, d // nh, d).transpose(1, 0, 2, 3).reshape(-1, d)
        bias = st[p + "attention.query_key_value.bias"].reshape(nh, 3, d // nh)
        add(w, b + "attn_qkv.bias", np.concatenate([bias[:, i].reshape(-1) for i in range(3)]), T.F32)
        held[p + "attention.dense.weight"] = add(w, b + "attn_output.weight", st[p + "attention.dense.weight"], qtype)
        add(w, b + "attn_output.bias", st[p + "attention.dense.bias"], T.F32)
        add(w, b + "ffn_norm.weight", st[p + "post_attention_layernorm.weight"], T.F32)
        add(w, b + "ffn_norm.bias", st[p + "post_attention_layernorm.bias"], T.F32)
        held[p + "mlp.dense_h_to_4h.weight"] = add(w, b + "ffn_up.weight", st[p + "mlp.dense_h_to_4h.weight"], qtype)
        add(w, b + "ffn_up.bias", st[p + "mlp.dense_h_to_4h.bias"], T.F32)
        held[p + "mlp.dense_4h_to_h.weight"] = add(w, b + "ffn_down.weight", st[p + "mlp.dense_4h_to_h.weight"], qtype)
        add(w, b + "ffn_down.bias", st[p + "mlp.dense_4h_to_h.bias"], T.F32)
    add(w, "output_norm.weight", st["gpt_neox.final_layer_norm.weight"], T.F32)
    add(w, "output_norm.bias", st["gpt_neox.final_layer_norm.bias"], T.F32)
    held["lm_head.weight"] = add(w, "output.weight", st["embed_out.weight"], qtype)
    finish(w)
    HELD[name] = held
    return path


def finish(w):
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()


def logits_of(model, ids):
    with torch.no_grad():
        out = model(torch.tensor([ids])).logits[0].float()
    return [[float(f"{x:.7g}") for x in row] for row in out.tolist()]


def reference_from_transformers(path, ids):
    with tempfile.TemporaryDirectory() as tmp:
        shutil.copy(path, tmp)
        model = AutoModelForCausalLM.from_pretrained(tmp, gguf_file=os.path.basename(path), dtype=torch.float32,
                                                     attn_implementation="eager")
        model.eval()
        return logits_of(model, ids), type(model).__name__


def reference_held(src, name, ids):
    """The original model with its tensors replaced by what the file holds (gpt2: transformers'
    GGUF config maps context_length to n_ctx, not n_positions, so it cannot load a GPT-2 GGUF
    whose context is not 1024)."""
    model = AutoModelForCausalLM.from_pretrained(src, dtype=torch.float32, attn_implementation="eager")
    model.eval()
    params = dict(model.named_parameters())
    with torch.no_grad():
        for hf, values in HELD[name].items():
            key = hf if hf in params else "transformer." + hf
            assert params[key].shape == values.shape, (hf, params[key].shape, values.shape)
            params[key].copy_(torch.from_numpy(np.ascontiguousarray(values)))
    return logits_of(model, ids), type(model).__name__


def reference_neox_f16(src, ids):
    model = AutoModelForCausalLM.from_pretrained(src, dtype=torch.float32, attn_implementation="eager")
    model.eval()
    with torch.no_grad():
        for name, p in model.named_parameters():
            if p.ndim == 2:  # the matrices the F16 file holds
                p.copy_(p.half().float())
    return logits_of(model, ids), type(model).__name__


def main():
    os.makedirs(OUT, exist_ok=True)
    jobs = [
        ("llama-q8_0", "llama-gqa", lambda n, s: convert_llama(n, s, T.Q8_0), "transformers"),
        ("qwen2-q5_1", "qwen2", lambda n, s: convert_llama(n, s, T.Q5_1, qwen2=True), "transformers"),
        ("gpt2-q4_0", "gpt2", lambda n, s: convert_gpt2(n, s, T.Q4_0), "held"),
        ("gptneox-q8_0", "pythia", lambda n, s: convert_neox(n, s, T.Q8_0), "held"),
        # A tensor the table knows but the family, as configured, does not use: refused.
        ("qwen2-unused-bias", "qwen2", lambda n, s: convert_llama(n, s, T.Q5_1, qwen2=True,
                                                                  extra="attn_output.bias"), None),
    ]
    for name, fixture, convert, how in jobs:
        src = os.path.join(MODELS, fixture)
        path = convert(name, src)
        ids = json.load(open(os.path.join(src, "reference.json")))["single"]["input_ids"]
        if how is None:
            print(f"{os.path.relpath(path, ROOT)}: {os.path.getsize(path)} bytes (no reference)")
            continue
        if how == "transformers":
            logits, cls = reference_from_transformers(path, ids)
            made = f"transformers {transformers.__version__} AutoModelForCausalLM.from_pretrained(gguf_file=...) ({cls})"
        elif how == "held":
            logits, cls = reference_held(src, name, ids)
            made = (f"transformers {transformers.__version__} {cls} from tests/data/models/{fixture} with its tensors "
                    "replaced by gguf-py's dequantization of what the file holds")
        else:
            logits, cls = reference_neox_f16(src, ids)
            made = f"transformers {transformers.__version__} {cls} from tests/data/models/{fixture} with 2-D weights rounded to float16"
        ref = {
            "generator": "tools/reference/make_gguf_model_fixtures.py",
            "source_fixture": fixture,
            "reference": made,
            "torch": torch.__version__,
            "input_ids": ids,
            "logits": logits,
        }
        with open(os.path.join(OUT, name + ".json"), "w") as f:
            json.dump(ref, f)
            f.write("\n")
        print(f"{os.path.relpath(path, ROOT)}: {os.path.getsize(path)} bytes; {made}")


if __name__ == "__main__":
    sys.exit(main())
