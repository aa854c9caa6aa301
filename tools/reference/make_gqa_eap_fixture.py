#!/usr/bin/env python3
"""Reference EAP scores of a grouped-query model on both of its graphs, from TransformerLens.

For the tiny random Llama fixture ``tests/data/models/llama-gqa`` (3 layers, 4 query heads,
2 key/value heads, d_model 32) and the prompt pairs of
``tests/data/evaluate/gpt2-fixture-pairs.json`` (ids below 256 fit its vocabulary) it
writes ``tests/data/attribution/llama-gqa-eap.json`` with the EAP score matrix

    s(u, v) = (1/N) sum_pairs sum_positions (a_u^corrupted - a_u^clean) . dM/d in_v

(M = logit[answer] - logit[wrong] at the last token, gradient on the clean run) twice:

* ``grouped``: TransformerLens as it runs a grouped-query model: one key/value input per
  key/value head (``hook_k_input`` is [batch, pos, n_kv_heads, d_model]); receivers
  named ``a{l}.kv{g}<k>`` as Patchbay's grouped graph names them;
* ``ungrouped``: ``cfg.ungroup_grouped_query_attention = True``, as MIB and EAP-IG run
  Qwen-2.5, Gemma-2 and Llama-3.1: every query head has its own key/value input
  (``hook_k_input`` is [batch, pos, n_heads, d_model]), receivers ``a{l}.h{h}<k>``.

Each has ``senders``, ``receivers`` (Patchbay's index layout, docs/design.md section 2)
and ``eap`` [senders][receivers] (0 where (u, v) is not an edge). Senders are
``hook_embed`` (rotary: no position embedding), each head's slice of
``attn.hook_result`` and ``hook_mlp_out``; receivers ``hook_{q,k,v}_input``,
``hook_mlp_in`` and the last ``hook_resid_post``. TransformerLens's logits are checked
against Hugging Face's first. Float64, one thread, each pair on its own (no padding).

    pip install transformer_lens==3.9.0      # keep the installed torch
    python3 tools/reference/make_gqa_eap_fixture.py
"""

import importlib.metadata
import json
import os

import torch
import transformers
from transformer_lens import HookedTransformer, HookedTransformerConfig
from transformer_lens.pretrained.weight_conversions import convert_llama_weights
from transformers import LlamaForCausalLM

REPO_ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
MODEL = os.path.join(REPO_ROOT, "tests/data/models/llama-gqa")
PAIRS = os.path.join(REPO_ROOT, "tests/data/evaluate/gpt2-fixture-pairs.json")
OUT = os.path.join(REPO_ROOT, "tests/data/attribution/llama-gqa-eap.json")
DTYPE = torch.float64


def load(hf, ungroup):
    c = hf.config
    cfg = HookedTransformerConfig(
        # The fields transformer_lens.loading_from_pretrained sets for LlamaForCausalLM.
        d_model=c.hidden_size, d_head=c.head_dim, n_heads=c.num_attention_heads, d_mlp=c.intermediate_size,
        n_layers=c.num_hidden_layers, n_ctx=c.max_position_embeddings, eps=c.rms_norm_eps, d_vocab=c.vocab_size,
        act_fn=c.hidden_act, n_key_value_heads=c.num_key_value_heads, normalization_type="RMS",
        positional_embedding_type="rotary", rotary_adjacent_pairs=False, rotary_dim=c.head_dim,
        rotary_base=float(c.rope_parameters["rope_theta"] if getattr(c, "rope_parameters", None) else c.rope_theta),
        final_rms=True, gated_mlp=True, original_architecture="LlamaForCausalLM", tokenizer_name=None,
        default_prepend_bos=False, init_weights=False, device="cpu", dtype=DTYPE,
        use_attn_result=True, use_split_qkv_input=True, use_hook_mlp_in=True,
        ungroup_grouped_query_attention=ungroup)
    model = HookedTransformer(cfg)
    model.load_and_process_state_dict(convert_llama_weights(hf, cfg), fold_ln=False, center_writing_weights=False,
                                      center_unembed=False, fold_value_biases=False,
                                      refactor_factored_attn_matrices=False)
    model = model.to(DTYPE).eval()
    for p in model.parameters():
        p.requires_grad_(False)
    return model


def graph(L, H, kv_receivers, grouped):
    senders = ["input"]
    for l in range(L):
        senders += [f"a{l}.h{h}" for h in range(H)] + [f"m{l}"]
    receivers = []
    for l in range(L):
        receivers += [f"a{l}.h{h}<q>" for h in range(H)]
        for port in "kv":
            receivers += [f"a{l}.{'kv' if grouped else 'h'}{g}<{port}>" for g in range(kv_receivers)]
        receivers.append(f"m{l}")
    receivers.append("logits")
    return senders, receivers


def eap(model, pairs, grouped):
    c = model.cfg
    L, H = c.n_layers, c.n_heads
    KV = c.n_key_value_heads if grouped else H
    senders, receivers = graph(L, H, KV, grouped)
    S, R = len(senders), len(receivers)
    per_layer = H + 2 * KV + 1
    scores = torch.zeros(S, R, dtype=DTYPE)
    N = len(pairs)

    def sender_outputs(acts):
        outs = [acts["hook_embed"][0]]
        for l in range(L):
            outs += [acts[f"blocks.{l}.attn.hook_result"][0, :, h] for h in range(H)]
            outs.append(acts[f"blocks.{l}.hook_mlp_out"][0])
        return torch.stack(outs)  # [S, pos, d]

    names = ["hook_embed"] + [f"blocks.{l}.{n}" for l in range(L) for n in ("attn.hook_result", "hook_mlp_out")]
    for p in pairs:
        clean, corrupted = torch.tensor([p["clean_ids"]]), torch.tensor([p["corrupted_ids"]])
        answer, wrong = p["answer_ids"][0], p["wrong_answer_ids"][0]
        acts = {}

        def save(t, hook):
            acts[hook.name] = t.detach().clone()

        with torch.no_grad():
            model.run_with_hooks(corrupted, fwd_hooks=[(n, save) for n in names])
        corr = sender_outputs(acts)
        acts.clear()
        grads = {}

        def keep(t, hook):
            t.register_hook(lambda g, name=hook.name: grads.__setitem__(name, g.detach().clone()))

        receiver_hooks = [f"blocks.{l}.hook_{x}_input" for l in range(L) for x in "qkv"]
        receiver_hooks += [f"blocks.{l}.hook_mlp_in" for l in range(L)] + [f"blocks.{L - 1}.hook_resid_post"]

        def leaf(t, hook):  # the embedding is where the graph starts: make it a leaf with grad
            save(t, hook)
            return t.detach().requires_grad_(True)

        hooks = [("hook_embed", leaf)] + [(n, save) for n in names[1:]] + [(n, keep) for n in receiver_hooks]
        with torch.enable_grad():
            logits = model.run_with_hooks(clean, fwd_hooks=hooks)
            (logits[0, -1, answer] - logits[0, -1, wrong]).backward()
        diff = corr - sender_outputs(acts)  # [S, pos, d]
        for l in range(L):
            base = l * per_layer
            before = 1 + l * (H + 1)
            for i, x in enumerate("qkv"):
                g = grads[f"blocks.{l}.hook_{x}_input"][0]  # [pos, n, d]
                first, n = (base, H) if x == "q" else (base + H + (i - 1) * KV, KV)
                assert g.shape[1] == n, (x, g.shape, n)
                scores[:before, first:first + n] += torch.einsum("spd,pnd->sn", diff[:before], g) / N
            g = grads[f"blocks.{l}.hook_mlp_in"][0]
            scores[:before + H, base + per_layer - 1] += torch.einsum("spd,pd->s", diff[:before + H], g) / N
        g = grads[f"blocks.{L - 1}.hook_resid_post"][0]
        scores[:, R - 1] += torch.einsum("spd,pd->s", diff, g) / N
    return {"senders": senders, "receivers": receivers, "eap": scores.tolist()}


def main():
    torch.set_num_threads(1)
    hf = LlamaForCausalLM.from_pretrained(MODEL, attn_implementation="eager", dtype=torch.float32).to(DTYPE).eval()
    with open(PAIRS) as f:
        pairs = json.load(f)["pairs"]
    out = {"generator": "tools/reference/make_gqa_eap_fixture.py", "model": "tests/data/models/llama-gqa",
           "pairs": "tests/data/evaluate/gpt2-fixture-pairs.json", "metric": "logit-diff",
           "torch": torch.__version__, "transformers": transformers.__version__,
           "transformer_lens": importlib.metadata.version("transformer_lens")}
    for grouped in (True, False):
        model = load(hf, ungroup=not grouped)
        with torch.no_grad():
            ids = torch.tensor([pairs[0]["clean_ids"]])
            # transformers keeps rotary tables and RMSNorm in float32 even in float64.
            err = (model(ids) - hf(ids).logits).abs().max().item()
            assert err < 1e-5, f"TransformerLens vs transformers logits differ by {err}"
        out["grouped" if grouped else "ungrouped"] = eap(model, pairs, grouped)
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w") as f:
        json.dump(out, f)
        f.write("\n")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
