#!/usr/bin/env python3
"""Generate tiny golden model fixtures for the Patchbay C++ tests.

For every fixture NAME this writes, under tests/data/models/NAME/:

  config.json        the Hugging Face config of the model
  model.safetensors  its weights
  reference.json     inputs, logits, selected activations and attention
                     patterns computed with Hugging Face transformers (eager
                     attention, float32, CPU)

All models are built from a config and randomly initialised with fixed seeds;
nothing is downloaded.  Rerun with

    python3 tools/reference/make_model_fixtures.py

from the repository root (or anywhere: paths are resolved relative to this
file).  After writing, every fixture is loaded back with
AutoModelForCausalLM.from_pretrained and its logits are checked against the
numbers in reference.json.
"""

import argparse
import json
import os
import shutil
import sys

import torch
import transformers
from safetensors import safe_open
from safetensors.torch import save_file
from transformers import (
    AutoModelForCausalLM,
    GPT2Config,
    GPT2LMHeadModel,
    GPTNeoXConfig,
    GPTNeoXForCausalLM,
    LlamaConfig,
    LlamaForCausalLM,
    Olmo2Config,
    Olmo2ForCausalLM,
    Phi3Config,
    Phi3ForCausalLM,
    MistralConfig,
    MistralForCausalLM,
    Gemma2Config,
    Gemma2ForCausalLM,
    Gemma3ForCausalLM,
    Gemma3TextConfig,
    Qwen2Config,
    Qwen2ForCausalLM,
    Qwen3Config,
    Qwen3ForCausalLM,
)

REPO_ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
OUT_ROOT = os.path.join(REPO_ROOT, "tests", "data", "models")
GENERATED_BY = "tools/reference/make_model_fixtures.py"

SIG_DIGITS = 7  # significant digits written for every float in reference.json

# Random re-initialisation (applied to every parameter after construction).
STD_MATRIX = 0.2  # Linear / Conv1D weights, untied unembedding
STD_EMBED = 0.5  # token and learned position embeddings
STD_BIAS = 0.2  # every bias, including LayerNorm biases
NORM_GAIN_MEAN = 1.0  # LayerNorm / RMSNorm gains ~ N(1, 0.25)
NORM_GAIN_STD = 0.25

BATCH_LEN = 8
PADDED_LEN = 5  # row 1 of the batch has 5 real tokens then 3 pad tokens
PAD_ID = 0
SINGLE_LEN = 12
LONG_LEN = 40  # the "long" sequence of the fixtures that need one (past a window or a rope context)


# --------------------------------------------------------------------------
# Fixture definitions
# --------------------------------------------------------------------------


def gpt2_config():
    return GPT2Config(
        vocab_size=256,
        n_positions=64,
        n_embd=32,
        n_layer=3,
        n_head=4,
        n_inner=None,  # 4 * n_embd = 128
        activation_function="gelu_new",
        layer_norm_epsilon=1e-5,
        bos_token_id=255,
        eos_token_id=255,
        tie_word_embeddings=True,
    )


def pythia_config():
    return GPTNeoXConfig(
        vocab_size=128,
        hidden_size=64,
        num_hidden_layers=2,
        num_attention_heads=4,  # d_head 16, rotary dims 4
        intermediate_size=96,
        hidden_act="gelu",
        max_position_embeddings=64,
        layer_norm_eps=1e-5,
        rotary_pct=0.25,
        rotary_emb_base=10000,
        use_parallel_residual=True,
        tie_word_embeddings=False,
        bos_token_id=0,
        eos_token_id=0,
    )


def pythia_sequential_config():
    return GPTNeoXConfig(
        vocab_size=128,
        hidden_size=64,
        num_hidden_layers=2,
        num_attention_heads=4,  # d_head 16, rotary dims 8
        intermediate_size=96,
        hidden_act="gelu",
        max_position_embeddings=64,
        layer_norm_eps=1e-5,
        rotary_pct=0.5,
        rotary_emb_base=1000,  # non-default on purpose: a loader must read it
        use_parallel_residual=False,
        tie_word_embeddings=False,
        bos_token_id=0,
        eos_token_id=0,
    )


def llama_gqa_config():
    return LlamaConfig(
        vocab_size=256,
        hidden_size=32,
        intermediate_size=96,
        num_hidden_layers=3,
        num_attention_heads=4,
        num_key_value_heads=2,
        hidden_act="silu",
        max_position_embeddings=64,
        rms_norm_eps=1e-5,
        rope_theta=10000.0,
        tie_word_embeddings=False,
        attention_bias=False,
        mlp_bias=False,
        bos_token_id=1,
        eos_token_id=2,
    )


def qwen2_config():
    return Qwen2Config(
        vocab_size=256,
        hidden_size=32,
        intermediate_size=96,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=2,
        hidden_act="silu",
        max_position_embeddings=64,
        rms_norm_eps=1e-6,
        rope_theta=1000000.0,
        tie_word_embeddings=True,
        use_sliding_window=False,
        bos_token_id=1,
        eos_token_id=2,
    )


def mistral_config():
    return MistralConfig(
        vocab_size=256,
        hidden_size=32,
        intermediate_size=96,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=2,
        hidden_act="silu",
        max_position_embeddings=64,
        rms_norm_eps=1e-5,
        rope_theta=1000000.0,
        sliding_window=None,
        tie_word_embeddings=False,
        bos_token_id=1,
        eos_token_id=2,
    )


def llama_mha_tied_config():
    return LlamaConfig(
        vocab_size=256,
        hidden_size=32,
        intermediate_size=64,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=4,
        hidden_act="silu",
        max_position_embeddings=64,
        rms_norm_eps=1e-5,
        rope_theta=10000.0,
        tie_word_embeddings=True,
        bos_token_id=1,
        eos_token_id=2,
    )


# --- sliding windows, rotary scaling, q/k norms, Gemma (issue 20) ------------------------


def qwen2_window_off_config():
    # sliding_window 4 with use_sliding_window false: transformers applies no window
    # (legacy_config writes sliding_window 4 back, as real Qwen2.5 configs carry 32768).
    return Qwen2Config(
        vocab_size=128, hidden_size=32, intermediate_size=64, num_hidden_layers=2,
        num_attention_heads=4, num_key_value_heads=2, hidden_act="silu", max_position_embeddings=64,
        rms_norm_eps=1e-6, rope_theta=10000.0, tie_word_embeddings=True,
        use_sliding_window=False, sliding_window=4, max_window_layers=0,
        bos_token_id=1, eos_token_id=2,
    )


def qwen2_window_config():
    # use_sliding_window true: layers >= max_window_layers (here layer 1) see 4 keys.
    return Qwen2Config(
        vocab_size=128, hidden_size=32, intermediate_size=64, num_hidden_layers=2,
        num_attention_heads=4, num_key_value_heads=2, hidden_act="silu", max_position_embeddings=64,
        rms_norm_eps=1e-6, rope_theta=10000.0, tie_word_embeddings=True,
        use_sliding_window=True, sliding_window=4, max_window_layers=1,
        bos_token_id=1, eos_token_id=2,
    )


def llama_rope(rope, max_pos=64):
    # d_head 16 and rope_theta 10000: wavelengths 6.3, 20, 63, ... tokens, so an original
    # context of 32 puts frequencies in all three llama3 regimes (kept, smoothed, divided).
    return LlamaConfig(
        vocab_size=128, hidden_size=32, intermediate_size=64, num_hidden_layers=2,
        num_attention_heads=2, num_key_value_heads=1, hidden_act="silu", max_position_embeddings=max_pos,
        rms_norm_eps=1e-5, rope_parameters=dict(rope_theta=10000.0, **rope), tie_word_embeddings=False,
        bos_token_id=1, eos_token_id=2,
    )


def llama3_rope_config():
    return llama_rope(dict(rope_type="llama3", factor=8.0, low_freq_factor=1.0, high_freq_factor=4.0,
                           original_max_position_embeddings=32))


def linear_rope_config():
    return llama_rope(dict(rope_type="linear", factor=2.5))


def dynamic_rope_config():
    # transformers rescales only past max_position_embeddings (32 here); the long sequence has 40.
    return llama_rope(dict(rope_type="dynamic", factor=2.0), max_pos=32)


def yarn_rope_config():
    # attention factor derived from factor (0.1 ln 4 + 1), beta_fast/slow defaults
    return llama_rope(dict(rope_type="yarn", factor=4.0, original_max_position_embeddings=16))


def yarn_rope_explicit_config():
    return llama_rope(dict(rope_type="yarn", factor=3.0, original_max_position_embeddings=16,
                           attention_factor=1.25, beta_fast=16.0, beta_slow=2.0))


def qwen3_config():
    # q/k RMSNorm per head; head_dim 16 != hidden/heads = 8
    return Qwen3Config(
        vocab_size=128, hidden_size=32, intermediate_size=64, num_hidden_layers=2,
        num_attention_heads=4, num_key_value_heads=2, head_dim=16, hidden_act="silu",
        max_position_embeddings=64, rms_norm_eps=1e-6, rope_theta=1000000.0,
        tie_word_embeddings=True, use_sliding_window=False, attention_bias=False,
        bos_token_id=1, eos_token_id=2,
    )


def gemma2_config():
    # head_dim 16 != 32/4, query_pre_attn_scalar 24 != head_dim, small soft caps so that
    # tanh bites on random weights, layers alternate sliding (window 4) / global.
    return Gemma2Config(
        vocab_size=128, hidden_size=32, intermediate_size=64, num_hidden_layers=3,
        num_attention_heads=4, num_key_value_heads=2, head_dim=16, hidden_activation="gelu_pytorch_tanh",
        max_position_embeddings=64, rms_norm_eps=1e-6, rope_theta=10000.0, query_pre_attn_scalar=24,
        sliding_window=4, attn_logit_softcapping=2.0, final_logit_softcapping=3.0,
        tie_word_embeddings=True, attention_bias=False, pad_token_id=0, bos_token_id=2, eos_token_id=1,
    )


def gemma3_config():
    # q/k norms, pattern sliding/sliding/global (sliding_window_pattern 3), window 4,
    # local rope base 10000, global base 1e6 with linear scaling x2 (as Gemma-3-4B's x8).
    return Gemma3TextConfig(
        vocab_size=128, hidden_size=32, intermediate_size=64, num_hidden_layers=4,
        num_attention_heads=4, num_key_value_heads=1, head_dim=16, hidden_activation="gelu_pytorch_tanh",
        max_position_embeddings=64, rms_norm_eps=1e-6, query_pre_attn_scalar=16, sliding_window=4,
        sliding_window_pattern=3,
        rope_parameters={"full_attention": {"rope_type": "linear", "factor": 2.0, "rope_theta": 1000000.0},
                         "sliding_attention": {"rope_type": "default", "rope_theta": 10000.0}},
        tie_word_embeddings=True, attention_bias=False, pad_token_id=0, bos_token_id=2, eos_token_id=1,
    )


def gemma3_legacy_config():
    # Gemma-3-270M's layout: rope_theta + rope_local_base_freq + rope_scaling null.
    return Gemma3TextConfig(
        vocab_size=128, hidden_size=32, intermediate_size=64, num_hidden_layers=3,
        num_attention_heads=2, num_key_value_heads=1, head_dim=32, hidden_activation="gelu_pytorch_tanh",
        max_position_embeddings=64, rms_norm_eps=1e-6, query_pre_attn_scalar=32, sliding_window=4,
        sliding_window_pattern=2,
        rope_parameters={"full_attention": {"rope_type": "default", "rope_theta": 1000000.0},
                         "sliding_attention": {"rope_type": "default", "rope_theta": 10000.0}},
        tie_word_embeddings=True, attention_bias=False, pad_token_id=0, bos_token_id=2, eos_token_id=1,
    )



def olmo2_config():
    # no pre-norms, post-norms after attention and MLP, q/k RMSNorm over all heads
    return Olmo2Config(
        vocab_size=128, hidden_size=32, intermediate_size=64, num_hidden_layers=2,
        num_attention_heads=4, num_key_value_heads=2, hidden_act="silu", max_position_embeddings=64,
        rms_norm_eps=1e-6, rope_theta=500000.0, tie_word_embeddings=False, attention_bias=False,
        pad_token_id=0, bos_token_id=1, eos_token_id=2,
    )


def phi3_config():
    # fused qkv_proj / gate_up_proj, GQA 4/2, partial rotary 0.5 (Phi-4-mini uses 0.75)
    return Phi3Config(
        vocab_size=128, hidden_size=32, intermediate_size=64, num_hidden_layers=2,
        num_attention_heads=4, num_key_value_heads=2, hidden_act="silu", max_position_embeddings=64,
        original_max_position_embeddings=64, rms_norm_eps=1e-5, rope_theta=10000.0,
        partial_rotary_factor=0.5, tie_word_embeddings=False, sliding_window=None,
        pad_token_id=0, bos_token_id=1, eos_token_id=2,
    )


# Each entry: name, model class, config factory, seed, storage dtype,
# config_format ("native": config.json exactly as transformers 5 writes it;
# "legacy": rewritten into the older hub layout, see legacy_config()).
FIXTURES = [
    dict(name="gpt2", cls=GPT2LMHeadModel, config=gpt2_config, seed=101,
         store=torch.float32, config_format="native"),
    dict(name="pythia", cls=GPTNeoXForCausalLM, config=pythia_config, seed=202,
         store=torch.float32, config_format="legacy"),
    dict(name="pythia-sequential", cls=GPTNeoXForCausalLM, config=pythia_sequential_config,
         seed=303, store=torch.float32, config_format="native"),
    dict(name="llama-gqa", cls=LlamaForCausalLM, config=llama_gqa_config, seed=404,
         store=torch.float32, config_format="legacy"),
    dict(name="qwen2", cls=Qwen2ForCausalLM, config=qwen2_config, seed=505,
         store=torch.float32, config_format="legacy"),
    dict(name="mistral", cls=MistralForCausalLM, config=mistral_config, seed=606,
         store=torch.float32, config_format="native"),
    dict(name="llama-bf16", cls=LlamaForCausalLM, config=llama_mha_tied_config, seed=707,
         store=torch.bfloat16, config_format="native"),
    dict(name="llama-f16", cls=LlamaForCausalLM, config=llama_mha_tied_config, seed=808,
         store=torch.float16, config_format="native"),
    # issue 20: "long" adds a LONG_LEN sequence with logits at every position.
    dict(name="qwen2-window-off", cls=Qwen2ForCausalLM, config=qwen2_window_off_config, seed=909,
         store=torch.float32, config_format="legacy", long=True, legacy_extra={"sliding_window": 4}),
    dict(name="qwen2-window", cls=Qwen2ForCausalLM, config=qwen2_window_config, seed=1010,
         store=torch.float32, config_format="native", long=True),
    dict(name="rope-llama3", cls=LlamaForCausalLM, config=llama3_rope_config, seed=1111,
         store=torch.float32, config_format="native", long=True),
    dict(name="rope-llama3-legacy", cls=LlamaForCausalLM, config=llama3_rope_config, seed=1212,
         store=torch.float32, config_format="legacy", long=True),
    dict(name="rope-linear", cls=LlamaForCausalLM, config=linear_rope_config, seed=1313,
         store=torch.float32, config_format="legacy", long=True, legacy_type_key="type"),
    dict(name="rope-dynamic", cls=LlamaForCausalLM, config=dynamic_rope_config, seed=1414,
         store=torch.float32, config_format="native", long=True),
    dict(name="rope-yarn", cls=LlamaForCausalLM, config=yarn_rope_config, seed=1515,
         store=torch.float32, config_format="legacy", long=True, legacy_type_key="type"),
    dict(name="rope-yarn-explicit", cls=LlamaForCausalLM, config=yarn_rope_explicit_config, seed=1616,
         store=torch.float32, config_format="native", long=True),
    dict(name="qwen3", cls=Qwen3ForCausalLM, config=qwen3_config, seed=1717,
         store=torch.float32, config_format="native", long=True),
    dict(name="gemma2", cls=Gemma2ForCausalLM, config=gemma2_config, seed=1818,
         store=torch.float32, config_format="native", long=True),
    dict(name="gemma3", cls=Gemma3ForCausalLM, config=gemma3_config, seed=1919,
         store=torch.float32, config_format="native", long=True),
    dict(name="gemma3-legacy", cls=Gemma3ForCausalLM, config=gemma3_legacy_config, seed=2020,
         store=torch.float32, config_format="legacy", long=True),
    dict(name="olmo2", cls=Olmo2ForCausalLM, config=olmo2_config, seed=2121,
         store=torch.float32, config_format="native", long=True),
    dict(name="phi3", cls=Phi3ForCausalLM, config=phi3_config, seed=2222,
         store=torch.float32, config_format="native", long=True),
]
# "gpt2-noprefix" is derived from "gpt2" (same weights, OpenAI hub layout).


# --------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------


def round_sig(x):
    return float(format(float(x), f".{SIG_DIGITS}g"))


def to_list(t):
    """Nested Python lists of rounded floats (or ints) from a tensor."""
    t = t.detach().cpu()
    if t.dtype in (torch.int64, torch.int32, torch.bool):
        return t.tolist()
    t = t.to(torch.float32)
    if t.dim() == 0:
        return round_sig(t.item())
    if t.dim() == 1:
        return [round_sig(v) for v in t.tolist()]
    return [to_list(s) for s in t]


def dump_json(obj, indent=0):
    """Dicts one key per line (recursively), lists on a single compact line."""
    pad = " " * indent
    if isinstance(obj, dict):
        if not obj:
            return "{}"
        items = [
            f'{pad} {json.dumps(k)}: {dump_json(v, indent + 1)}' for k, v in obj.items()
        ]
        return "{\n" + ",\n".join(items) + "\n" + pad + "}"
    return json.dumps(obj, separators=(",", ":"))


def write_json(path, obj):
    with open(path, "w") as f:
        f.write(dump_json(obj))
        f.write("\n")


def is_norm(module):
    return isinstance(module, torch.nn.LayerNorm) or type(module).__name__.endswith("RMSNorm")


@torch.no_grad()
def reinit_(model, seed):
    """Re-initialise every parameter of `model` with non-trivial values."""
    g = torch.Generator().manual_seed(seed)
    done = set()

    def normal_(p, mean, std):
        if id(p) in done:  # tied parameters: initialise once
            return
        done.add(id(p))
        p.copy_(torch.randn(p.shape, generator=g, dtype=torch.float32) * std + mean)

    # Embeddings first, so that a tied unembedding gets the embedding init.
    modules = sorted(model.named_modules(), key=lambda kv: (not isinstance(kv[1], torch.nn.Embedding), kv[0]))
    for _, module in modules:
        own = dict(module.named_parameters(recurse=False))
        if not own:
            continue
        if is_norm(module):
            normal_(own["weight"], NORM_GAIN_MEAN, NORM_GAIN_STD)
            if own.get("bias") is not None:
                normal_(own["bias"], 0.0, STD_BIAS)
        elif isinstance(module, torch.nn.Embedding):
            normal_(own["weight"], 0.0, STD_EMBED)
        else:  # Linear, Conv1D
            for pname, p in sorted(own.items()):
                normal_(p, 0.0, STD_BIAS if pname == "bias" else STD_MATRIX)
    n_unique = len({id(p) for p in model.parameters()})
    assert len(done) == n_unique, (len(done), n_unique)


def make_inputs(vocab, seed):
    g = torch.Generator().manual_seed(seed)
    ids = torch.randint(1, vocab, (2, BATCH_LEN), generator=g)
    mask = torch.ones(2, BATCH_LEN, dtype=torch.long)
    ids[1, PADDED_LEN:] = PAD_ID
    mask[1, PADDED_LEN:] = 0
    single = torch.randint(1, vocab, (SINGLE_LEN,), generator=g)
    return ids, mask, single


def make_long(vocab, seed):
    g = torch.Generator().manual_seed(seed)
    return torch.randint(1, vocab, (LONG_LEN,), generator=g)


@torch.no_grad()
def run_long(model, long_ids):
    """Logits at every position of one unpadded LONG_LEN sequence (after the batch and
    single runs: transformers' dynamic rope keeps state, and grows to this length here)."""
    pos = torch.arange(long_ids.shape[0]).unsqueeze(0)
    return model(input_ids=long_ids.unsqueeze(0), position_ids=pos, use_cache=False).logits[0]


def decoder_layers(model):
    base = model.base_model
    for attr in ("h", "layers"):
        if hasattr(base, attr):
            return getattr(base, attr)
    raise RuntimeError("no decoder layers found")


@torch.no_grad()
def run_reference(model, ids, mask, single):
    n_layers = model.config.num_hidden_layers
    pos = torch.arange(ids.shape[1]).unsqueeze(0).expand(ids.shape[0], -1)

    captured = {}
    last = decoder_layers(model)[n_layers - 1]
    hook = last.register_forward_hook(
        lambda m, a, o: captured.__setitem__("resid_post", o[0] if isinstance(o, tuple) else o)
    )
    out = model(
        input_ids=ids,
        attention_mask=mask,
        position_ids=pos,
        output_hidden_states=True,
        output_attentions=True,
        use_cache=False,
    )
    hook.remove()

    hs = out.hidden_states
    att = out.attentions
    assert len(hs) == n_layers + 1 and len(att) == n_layers
    acts = {}
    for l in range(n_layers):
        acts[f"blocks.{l}.hook_resid_pre"] = to_list(hs[l])
    acts[f"blocks.{n_layers - 1}.hook_resid_post"] = to_list(captured["resid_post"])
    acts["final_hidden"] = to_list(hs[-1])
    for l in range(n_layers):
        acts[f"blocks.{l}.attn.hook_pattern"] = to_list(att[l])

    spos = torch.arange(single.shape[0]).unsqueeze(0)
    sout = model(input_ids=single.unsqueeze(0), position_ids=spos, use_cache=False)
    return out.logits, acts, sout.logits[0, -1]


def config_summary(model):
    c = model.config
    mt = c.model_type
    n_heads = c.num_attention_heads
    d_model = c.hidden_size
    d_head = getattr(c, "head_dim", None) or d_model // n_heads
    rope = getattr(c, "rope_parameters", None) or {}
    if mt == "gpt2":
        d_mlp = c.n_inner or 4 * d_model
        n_ctx = c.n_positions
        n_kv = n_heads
    else:
        d_mlp = c.intermediate_size
        n_ctx = c.max_position_embeddings
        n_kv = getattr(c, "num_key_value_heads", None) or n_heads
    summary = {
        "model_type": mt,
        "architecture": type(model).__name__,
        "n_layers": c.num_hidden_layers,
        "n_heads": n_heads,
        "n_kv_heads": n_kv,
        "d_model": d_model,
        "d_head": d_head,
        "d_mlp": d_mlp,
        "vocab": c.vocab_size,
        "n_ctx": n_ctx,
        "n_params": sum(p.numel() for p in model.parameters()),  # unique: tied counted once
        "tied_embeddings": bool(c.tie_word_embeddings),
    }
    if mt == "gpt2":
        summary.update(act_fn=c.activation_function, norm="LayerNorm", norm_eps=c.layer_norm_epsilon,
                       positional="learned")
    elif mt == "gpt_neox":
        frac = rope.get("partial_rotary_factor", 1.0)
        summary.update(act_fn=c.hidden_act, norm="LayerNorm", norm_eps=c.layer_norm_eps,
                       positional="rotary", rotary_dim=int(d_head * frac),
                       rope_theta=rope["rope_theta"], parallel_residual=bool(c.use_parallel_residual))
    elif mt in ("gemma2", "gemma3_text"):
        summary.update(act_fn=c.hidden_activation, norm="RMSNorm (1 + w)", norm_eps=c.rms_norm_eps,
                       positional="rotary", rotary_dim=d_head, rope_parameters=rope,
                       layer_types=list(c.layer_types), sliding_window=c.sliding_window,
                       query_pre_attn_scalar=c.query_pre_attn_scalar,
                       attn_logit_softcapping=c.attn_logit_softcapping,
                       final_logit_softcapping=c.final_logit_softcapping, parallel_residual=False)
    else:
        summary.update(act_fn=c.hidden_act, norm="RMSNorm", norm_eps=c.rms_norm_eps,
                       positional="rotary", rotary_dim=int(d_head * rope.get("partial_rotary_factor", 1.0)),
                       rope_theta=rope["rope_theta"], parallel_residual=False)
        if rope.get("rope_type", "default") != "default":
            summary["rope_parameters"] = rope
        if getattr(c, "layer_types", None):
            summary.update(layer_types=list(c.layer_types), sliding_window=c.sliding_window)
    return summary


def legacy_config(cfg_dict, fx):
    """Rewrite a transformers-5 config.json into the older hub layout.

    GPT-NeoX: rope_parameters -> rotary_pct + rotary_emb_base (EleutherAI/pythia-*).
    Llama/Qwen2: rope_parameters -> rope_theta + rope_scaling (null, or the scaling
    parameters as Llama-3.1 / Qwen2.5 hub configs write them; fx["legacy_type_key"]
    "type" uses the older key for the scaling type).
    Gemma-3: rope_parameters per layer type -> rope_theta, rope_local_base_freq and
    rope_scaling (Gemma-3-270M's layout), layer_types -> sliding_window_pattern.
    Qwen2: layer_types dropped (max_window_layers says it). dtype -> torch_dtype.
    fx["legacy_extra"] overrides keys afterwards. transformers 5 reads both layouts
    identically (checked by verify()).
    """
    d = dict(cfg_dict)
    rope = d.pop("rope_parameters")

    def scaling(params):
        params = {k: v for k, v in params.items() if k != "rope_theta"}
        if params.get("rope_type", "default") == "default":
            return None
        if fx.get("legacy_type_key") == "type":
            params["type"] = params.pop("rope_type")
        return params

    if d["model_type"] == "gpt_neox":
        assert rope.get("rope_type", "default") == "default", rope
        d["rotary_pct"] = rope.get("partial_rotary_factor", 1.0)
        d["rotary_emb_base"] = rope["rope_theta"]
    elif d["model_type"] == "gemma3_text":
        assert rope["sliding_attention"].get("rope_type", "default") == "default", rope
        d["rope_theta"] = rope["full_attention"]["rope_theta"]
        d["rope_local_base_freq"] = rope["sliding_attention"]["rope_theta"]
        d["rope_scaling"] = scaling(rope["full_attention"])
        types = d.pop("layer_types")
        pattern = types.index("full_attention") + 1
        assert types == ["sliding_attention" if (i + 1) % pattern else "full_attention" for i in range(len(types))]
        d["sliding_window_pattern"] = pattern
    else:
        d["rope_theta"] = rope["rope_theta"]
        d["rope_scaling"] = scaling(rope)
        if d["model_type"] == "qwen2":
            d.pop("layer_types", None)
    d["torch_dtype"] = d.pop("dtype")
    d.update(fx.get("legacy_extra", {}))
    return dict(sorted(d.items()))


VERSIONS = {
    "transformers_version": transformers.__version__,
    "torch_version": torch.__version__,
}

NOTE_POSITIONS = (
    "position_ids are passed explicitly as arange(0, seq_len) for every row, so right padding does "
    "not shift positions; padded tokens use id 0 and attention_mask 0. Only positions with "
    "attention_mask 1 are meaningful (logits/activations at padded positions are whatever HF "
    "computes and must not be compared)."
)
NOTE_HIDDEN = (
    "blocks.{l}.hook_resid_pre = HF output_hidden_states[l] (input of decoder layer l; for l=0 the "
    "embedding output: token embedding (+ learned position embedding for GPT-2), no scaling). "
    "blocks.{L-1}.hook_resid_post = output of the last decoder layer BEFORE the final norm "
    "(captured with a forward hook). final_hidden = HF output_hidden_states[-1], which in "
    "transformers 5 is the last_hidden_state, i.e. AFTER the final norm ({final_norm}), the "
    "input of the unembedding."
)
NOTE_PATTERN = (
    "blocks.{l}.attn.hook_pattern = HF output_attentions[l] (eager attention, post-softmax), shape "
    "[batch][head][query][key]; for GQA models there is one pattern per query head."
)


def final_norm_name(model):
    return {
        "gemma2": "model.norm, Gemma RMSNorm (1 + w)",
        "gemma3_text": "model.norm, Gemma RMSNorm (1 + w)",
        "gpt2": "transformer.ln_f, LayerNorm",
        "gpt_neox": "gpt_neox.final_layer_norm, LayerNorm",
    }.get(model.config.model_type, "model.norm, RMSNorm")


# --------------------------------------------------------------------------
# Generation
# --------------------------------------------------------------------------


def build_model(fx):
    torch.manual_seed(fx["seed"])
    cfg = fx["config"]()
    model = fx["cls"]._from_config(cfg, attn_implementation="eager", dtype=torch.float32)
    reinit_(model, fx["seed"] + 1)
    model.eval()
    return model


def save_model(model, out_dir, fx):
    os.makedirs(out_dir, exist_ok=True)
    model.save_pretrained(out_dir, safe_serialization=True)
    gen_cfg = os.path.join(out_dir, "generation_config.json")
    if os.path.exists(gen_cfg):
        os.remove(gen_cfg)
    cfg_path = os.path.join(out_dir, "config.json")
    with open(cfg_path) as f:
        cfg = json.load(f)
    if fx["config_format"] == "legacy":
        cfg = legacy_config(cfg, fx)
    with open(cfg_path, "w") as f:
        json.dump(cfg, f, indent=2, sort_keys=True)
        f.write("\n")


def make_fixture(fx):
    name = fx["name"]
    out_dir = os.path.join(OUT_ROOT, name)
    if os.path.isdir(out_dir):
        shutil.rmtree(out_dir)
    model = build_model(fx)
    store = fx["store"]

    if store == torch.float32:
        save_model(model, out_dir, fx)
        ref_model = model
    else:
        # Save in reduced precision, then load the stored weights back into a
        # fresh float32 model (non-persistent buffers such as the RoPE inv_freq
        # are recomputed in float32) and compute the reference in float32.
        save_model(model.to(store), out_dir, fx)
        ref_model = AutoModelForCausalLM.from_pretrained(
            out_dir, dtype=torch.float32, attn_implementation="eager"
        ).eval()
        for (n1, p1), (n2, p2) in zip(model.state_dict().items(), ref_model.state_dict().items()):
            assert n1 == n2 and p2.dtype == torch.float32 and torch.equal(p1.float(), p2), n1

    ids, mask, single = make_inputs(ref_model.config.vocab_size, fx["seed"] + 2)
    logits, acts, single_logits = run_reference(ref_model, ids, mask, single)

    notes = [NOTE_POSITIONS, NOTE_HIDDEN.replace("{final_norm}", final_norm_name(ref_model)), NOTE_PATTERN]
    if store != torch.float32:
        notes.append(
            f"Weights are stored as {str(store).replace('torch.', '')} in model.safetensors; the "
            "reference was computed by loading them into a float32 model (exact upcast) and running "
            "entirely in float32."
        )
    if fx["config_format"] == "legacy":
        notes.append(
            "config.json is written in the older hub layout (rope_parameters replaced by "
            + ("rotary_pct/rotary_emb_base" if ref_model.config.model_type == "gpt_neox"
               else "rope_theta/rope_scaling")
            + ", dtype -> torch_dtype); transformers 5 reads it identically."
        )
    else:
        notes.append("config.json is exactly as written by transformers "
                     f"{transformers.__version__} save_pretrained (generation_config.json removed).")

    ref = {
        "generated_by": GENERATED_BY,
        "fixture": name,
        **VERSIONS,
        "config_format": fx["config_format"],
        "storage_dtype": str(store).replace("torch.", ""),
        "compute_dtype": "float32",
        "attn_implementation": "eager",
        "config_summary": config_summary(ref_model),
        "notes": notes,
        "input_ids": to_list(ids),
        "attention_mask": to_list(mask),
        "position_ids": to_list(torch.arange(BATCH_LEN).unsqueeze(0).expand(2, -1)),
        "logits": to_list(logits),
        "activations": acts,
        "single": {"input_ids": to_list(single), "logits_last": to_list(single_logits)},
    }
    if fx.get("long"):
        long_ids = make_long(ref_model.config.vocab_size, fx["seed"] + 3)
        ref["long"] = {"input_ids": to_list(long_ids), "logits": to_list(run_long(ref_model, long_ids))}
        notes.append(f"long: one unpadded sequence of {LONG_LEN} tokens (past the sliding window / the "
                     "rotary scaling's original context), logits at every position, run after the batch "
                     "and single runs.")
    write_json(os.path.join(out_dir, "reference.json"), ref)
    return model, ref


def make_gpt2_noprefix(gpt2_model, gpt2_ref):
    """Same weights as `gpt2`, stored like OpenAI's original `gpt2` hub repo."""
    out_dir = os.path.join(OUT_ROOT, "gpt2-noprefix")
    if os.path.isdir(out_dir):
        shutil.rmtree(out_dir)
    os.makedirs(out_dir)
    cfg = gpt2_model.config
    n_ctx = cfg.n_positions
    tensors = {}
    for k, v in gpt2_model.state_dict().items():
        if k == "lm_head.weight":
            continue  # tied to wte, absent from the original checkpoint
        assert k.startswith("transformer."), k
        tensors[k[len("transformer."):]] = v.detach().to(torch.float32).contiguous().clone()
    causal = torch.tril(torch.ones(n_ctx, n_ctx, dtype=torch.float32)).view(1, 1, n_ctx, n_ctx)
    for l in range(cfg.n_layer):
        tensors[f"h.{l}.attn.bias"] = causal.clone()
        tensors[f"h.{l}.attn.masked_bias"] = torch.tensor(-1e4, dtype=torch.float32)
    save_file(tensors, os.path.join(out_dir, "model.safetensors"), metadata={"format": "pt"})
    shutil.copyfile(os.path.join(OUT_ROOT, "gpt2", "config.json"), os.path.join(out_dir, "config.json"))
    ref = dict(gpt2_ref)
    ref["fixture"] = "gpt2-noprefix"
    ref["notes"] = list(gpt2_ref["notes"]) + [
        "Same weights, config and numbers as fixture 'gpt2'. model.safetensors is written by hand in "
        "the layout of OpenAI's original gpt2 repository: no 'transformer.' prefix, no lm_head.weight "
        "(tied to wte.weight), plus the non-parameter buffers h.{l}.attn.bias (float32 "
        "[1,1,n_ctx,n_ctx] lower-triangular ones) and h.{l}.attn.masked_bias (float32 scalar -1e4), "
        "which a loader must ignore."
    ]
    write_json(os.path.join(out_dir, "reference.json"), ref)


# --------------------------------------------------------------------------
# Verification: reload every fixture with transformers and compare logits
# --------------------------------------------------------------------------


@torch.no_grad()
def verify(name):
    d = os.path.join(OUT_ROOT, name)
    with open(os.path.join(d, "reference.json")) as f:
        ref = json.load(f)
    model = AutoModelForCausalLM.from_pretrained(d, dtype=torch.float32, attn_implementation="eager").eval()
    ids = torch.tensor(ref["input_ids"])
    mask = torch.tensor(ref["attention_mask"])
    pos = torch.tensor(ref["position_ids"])
    out = model(input_ids=ids, attention_mask=mask, position_ids=pos, output_hidden_states=True,
                output_attentions=True, use_cache=False)
    m = mask.bool()
    ref_logits = torch.tensor(ref["logits"])
    err = (out.logits - ref_logits)[m].abs().max().item()
    single = torch.tensor(ref["single"]["input_ids"]).unsqueeze(0)
    sl = model(input_ids=single, position_ids=torch.arange(single.shape[1]).unsqueeze(0)).logits[0, -1]
    serr = (sl - torch.tensor(ref["single"]["logits_last"])).abs().max().item()
    n_layers = ref["config_summary"]["n_layers"]
    aerr = 0.0
    for l in range(n_layers):
        aerr = max(aerr, (out.hidden_states[l] - torch.tensor(
            ref["activations"][f"blocks.{l}.hook_resid_pre"]))[m].abs().max().item())
        aerr = max(aerr, (out.attentions[l] - torch.tensor(
            ref["activations"][f"blocks.{l}.attn.hook_pattern"])).abs().max().item())
    aerr = max(aerr, (out.hidden_states[-1] - torch.tensor(ref["activations"]["final_hidden"]))[m]
               .abs().max().item())
    n_params = sum(p.numel() for p in model.parameters())
    assert n_params == ref["config_summary"]["n_params"], (n_params, ref["config_summary"]["n_params"])
    # The batched (padded) run must agree with the unpadded run of row 1's prefix.
    row1 = model(input_ids=ids[1:, :PADDED_LEN], position_ids=pos[1:, :PADDED_LEN]).logits
    perr = (row1[0] - ref_logits[1, :PADDED_LEN]).abs().max().item()
    lerr = 0.0
    if "long" in ref:
        long_ids = torch.tensor(ref["long"]["input_ids"])
        lerr = (run_long(model, long_ids) - torch.tensor(ref["long"]["logits"])).abs().max().item()
    lstd = ref_logits[m].std().item()
    print(f"  verify {name:18s} reload max|dlogit|={err:.2e} single={serr:.2e} acts={aerr:.2e} "
          f"pad-vs-unpadded={perr:.2e} long={lerr:.2e} logit std={lstd:.2f}")
    ok = err <= 1e-5 and serr <= 1e-5 and aerr <= 1e-5 and perr <= 1e-4 and lerr <= 1e-5
    if not ok:
        print(f"  FAILED: {name}")
    return ok


def tensor_names(name):
    with safe_open(os.path.join(OUT_ROOT, name, "model.safetensors"), "pt") as f:
        return {k: (f.get_slice(k).get_dtype(), f.get_slice(k).get_shape()) for k in f.keys()}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--only", nargs="*", help="fixture names to (re)generate")
    ap.add_argument("--list-tensors", action="store_true", help="print stored tensor names")
    args = ap.parse_args()

    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    transformers.logging.set_verbosity_error()
    transformers.logging.disable_progress_bar()
    os.makedirs(OUT_ROOT, exist_ok=True)

    wanted = set(args.only) if args.only else None
    names = []
    for fx in FIXTURES:
        want_noprefix = fx["name"] == "gpt2" and (wanted is None or "gpt2-noprefix" in wanted)
        if wanted is not None and fx["name"] not in wanted and not want_noprefix:
            continue
        print(f"fixture {fx['name']}")
        model, ref = make_fixture(fx)
        names.append(fx["name"])
        if want_noprefix:
            print("fixture gpt2-noprefix")
            make_gpt2_noprefix(model, ref)
            names.append("gpt2-noprefix")

    ok = all([verify(n) for n in names])
    if args.list_tensors:
        for n in names:
            print(f"== {n}")
            for k, (dt, shape) in tensor_names(n).items():
                print(f"  {k} {dt} {shape}")
    if not ok:
        sys.exit(1)


if __name__ == "__main__":
    main()
