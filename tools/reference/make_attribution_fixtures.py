#!/usr/bin/env python3
"""Reference EAP scores and exact node activation patching, from TransformerLens.

What it computes
----------------
For the tiny random GPT-2 fixture ``tests/data/models/gpt2`` (3 layers, 4 heads,
d_model 32, vocab 256) and the prompt pairs in
``tests/data/evaluate/gpt2-fixture-pairs.json`` it writes
``tests/data/attribution/gpt2-eap.json`` with:

* ``clean_metric`` / ``corrupted_metric``: the metric M on the clean and on the
  corrupted prompts.  M is the mean over pairs of the logit difference
  logit[answer] - logit[wrong_answer] at the last token of each prompt.
* ``eap``: the Edge Attribution Patching score matrix, ``n_senders`` rows by
  ``n_receivers`` columns, in EAP-IG's index layout (docs/design.md section 2):

      senders   input (0), then per layer l: a{l}.h{h} (1 + l(H+1) + h),
                m{l} (1 + l(H+1) + H)
      receivers per layer l: a{l}.h{h}<q> (l(3H+1) + h), <k> (l(3H+1) + H + h),
                <v> (l(3H+1) + 2H + h), m{l} (l(3H+1) + 3H); logits (L(3H+1))

      s(u, v) = (1/N) sum_pairs sum_positions (a_u^corrupted - a_u^clean) . dM_pair/d in_v

  with the gradient taken on the clean run.  Sender outputs are TransformerLens
  hooks: ``input`` = hook_embed + hook_pos_embed, a head = its slice of
  ``attn.hook_result`` (z_h @ W_O[h], without b_O), an MLP = ``hook_mlp_out``.
  Receiver inputs (residual stream before the receiver's LayerNorm) are
  ``hook_q_input`` / ``hook_k_input`` / ``hook_v_input`` (per head),
  ``hook_mlp_in`` and, for ``logits``, ``blocks.{L-1}.hook_resid_post``.
  Entries that are not edges (a sender computed after the receiver, or a head
  into its own layer's q/k/v) are 0.
* ``activation_patching``: for every sender u, the mean metric of a clean
  forward in which u's output (every position) is replaced by its output on the
  corrupted prompt, everything downstream recomputed, minus ``clean_metric``.
* ``senders`` / ``receivers``: the node names, in index order.

Each pair is run on its own (no padding, no BOS: the ids are the model input as
they are).  The model runs in float64 on the CPU; floats are written with
Python's shortest round-trip repr (full float64 precision).

Self-checks (asserted, not saved): TransformerLens logits equal Hugging Face's;
every receiver input equals the sum of the outputs of its senders plus the b_O
biases of earlier layers (the graph partition is exact); patching ``input``
alone reproduces the corrupted run; and the EAP score equals -dM/dm_uv of the
edge-masked forward of design.md section 3,

    in_v = sum_u [ m_uv a_u + (1 - m_uv) a_u^corrupted ] + constants,

computed by central finite differences at m = 1 (implemented with TL hooks),
within a relative error of 1e-3, for named edges into a q, a k and a v input,
MLPs and the logits, plus every 7th edge (``--fd-all``: all 262 edges; the
observed relative error is at most 1e-6).

Library versions used to generate the committed fixture: Python 3.11.7,
torch 2.13.0+cpu, transformer_lens 3.9.0 (the last release line that still has
HookedTransformer; 4.x only has TransformerBridge), transformers 5.23.0.
The versions are also recorded in the JSON.

Loading: the HF checkpoint is read with GPT2LMHeadModel.from_pretrained (eager
attention, float64); a HookedTransformerConfig is built by hand from its
config.json with the same fields as TransformerLens's own GPT-2 config
conversion, plus use_attn_result / use_split_qkv_input / use_hook_mlp_in; the
state dict comes from TransformerLens's ``convert_gpt2_weights`` and is loaded
with every weight processing step off (fold_ln, center_writing_weights,
center_unembed, fold_value_biases, refactor_factored_attn_matrices all False),
so activations equal Hugging Face's.

Run from anywhere (paths are relative to this file):

    pip install transformer_lens==3.9.0      # keep the installed torch
    python3 tools/reference/make_attribution_fixtures.py

The output is deterministic (single-threaded CPU float64).
"""

import argparse
import importlib.metadata
import json
import os
import sys

import torch
import transformers
from transformer_lens import HookedTransformer, HookedTransformerConfig
from transformer_lens.pretrained.weight_conversions import convert_gpt2_weights
from transformers import GPT2LMHeadModel

REPO_ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
MODEL_REL = "tests/data/models/gpt2"
DATASET_REL = "tests/data/evaluate/gpt2-fixture-pairs.json"
OUT_REL = "tests/data/attribution/gpt2-eap.json"
GENERATED_BY = "tools/reference/make_attribution_fixtures.py"

DTYPE = torch.float64
FD_EPS = 1e-4  # central finite-difference step on the edge mask
FD_RTOL = 1e-3


# ----------------------------------------------------------------------------
# Model
# ----------------------------------------------------------------------------


def load_models(model_dir):
    hf = GPT2LMHeadModel.from_pretrained(model_dir, attn_implementation="eager")
    hf = hf.to(DTYPE).eval()
    c = hf.config
    d_mlp = c.n_inner if c.n_inner is not None else 4 * c.n_embd
    cfg = HookedTransformerConfig(
        # Same fields as transformer_lens.loading_from_pretrained for GPT2LMHeadModel.
        d_model=c.n_embd,
        d_head=c.n_embd // c.n_head,
        n_heads=c.n_head,
        d_mlp=d_mlp,
        n_layers=c.n_layer,
        n_ctx=c.n_positions,
        eps=c.layer_norm_epsilon,
        d_vocab=c.vocab_size,
        act_fn=c.activation_function,
        use_attn_scale=c.scale_attn_weights,
        use_local_attn=False,
        scale_attn_by_inverse_layer_idx=c.scale_attn_by_inverse_layer_idx,
        normalization_type="LN",
        positional_embedding_type="standard",
        original_architecture="GPT2LMHeadModel",
        tokenizer_name=None,
        default_prepend_bos=False,
        init_weights=False,
        device="cpu",
        dtype=DTYPE,
        # Hooks needed for the edge graph.
        use_attn_result=True,
        use_split_qkv_input=True,
        use_hook_mlp_in=True,
    )
    model = HookedTransformer(cfg)
    state_dict = convert_gpt2_weights(hf, cfg)
    model.load_and_process_state_dict(
        state_dict,
        fold_ln=False,
        center_writing_weights=False,
        center_unembed=False,
        fold_value_biases=False,
        refactor_factored_attn_matrices=False,
    )
    model = model.to(DTYPE).eval()
    for p in model.parameters():
        p.requires_grad_(False)
    return hf, model


# ----------------------------------------------------------------------------
# Graph
# ----------------------------------------------------------------------------


class Graph:
    def __init__(self, n_layers, n_heads):
        L, H = n_layers, n_heads
        self.L, self.H = L, H
        # senders: (name, kind, layer, head)
        self.senders = [("input", "input", -1, None)]
        for l in range(L):
            for h in range(H):
                self.senders.append((f"a{l}.h{h}", "head", l, h))
            self.senders.append((f"m{l}", "mlp", l, None))
        # receivers: (name, kind, layer, head)
        self.receivers = []
        for l in range(L):
            for qkv in "qkv":
                for h in range(H):
                    self.receivers.append((f"a{l}.h{h}<{qkv}>", qkv, l, h))
            self.receivers.append((f"m{l}", "mlp", l, None))
        self.receivers.append(("logits", "logits", L, None))
        assert len(self.senders) == 1 + L * (H + 1)
        assert len(self.receivers) == L * (3 * H + 1) + 1
        for l in range(L):
            for h in range(H):
                assert self.sender_index(f"a{l}.h{h}") == 1 + l * (H + 1) + h
                for i, qkv in enumerate("qkv"):
                    assert self.receiver_index(f"a{l}.h{h}<{qkv}>") == l * (3 * H + 1) + i * H + h
            assert self.sender_index(f"m{l}") == 1 + l * (H + 1) + H
            assert self.receiver_index(f"m{l}") == l * (3 * H + 1) + 3 * H
        assert self.receiver_index("logits") == L * (3 * H + 1)

    def sender_index(self, name):
        return [s[0] for s in self.senders].index(name)

    def receiver_index(self, name):
        return [r[0] for r in self.receivers].index(name)

    def is_edge(self, si, ri):
        _, skind, sl, _ = self.senders[si]
        _, rkind, rl, _ = self.receivers[ri]
        if skind == "input":
            return True
        if rkind == "logits":
            return True
        if skind == "head":
            # A head feeds its own layer's MLP (sequential block) and later layers.
            return rl > sl or (rl == sl and rkind == "mlp")
        # MLP: later layers only.
        return rl > sl


def sender_hook_names(model):
    names = ["hook_embed", "hook_pos_embed"]
    for l in range(model.cfg.n_layers):
        names += [f"blocks.{l}.attn.hook_result", f"blocks.{l}.hook_mlp_out"]
    return names


def receiver_hook_name(graph, ri):
    _, kind, l, _ = graph.receivers[ri]
    if kind in ("q", "k", "v"):
        return f"blocks.{l}.hook_{kind}_input"
    if kind == "mlp":
        return f"blocks.{l}.hook_mlp_in"
    return f"blocks.{graph.L - 1}.hook_resid_post"


def sender_outputs(graph, acts):
    """Stack the sender outputs [S, pos, d_model] from a dict hook name -> [1, pos, ...]."""
    outs = []
    for _, kind, l, h in graph.senders:
        if kind == "input":
            outs.append(acts["hook_embed"][0] + acts["hook_pos_embed"][0])
        elif kind == "head":
            outs.append(acts[f"blocks.{l}.attn.hook_result"][0, :, h])
        else:
            outs.append(acts[f"blocks.{l}.hook_mlp_out"][0])
    return torch.stack(outs)


def receiver_slice(graph, ri, tensor):
    """The [pos, d_model] slice of a receiver hook tensor [1, pos, (head,) d_model]."""
    _, kind, _, h = graph.receivers[ri]
    if kind in ("q", "k", "v"):
        return tensor[0, :, h]
    return tensor[0]


# ----------------------------------------------------------------------------
# Runs
# ----------------------------------------------------------------------------


def logit_diff(logits, answer, wrong):
    return logits[0, -1, answer] - logits[0, -1, wrong]


def run_cache(model, tokens, names):
    acts = {}

    def save(t, hook):
        acts[hook.name] = t.detach().clone()

    logits = model.run_with_hooks(tokens, fwd_hooks=[(n, save) for n in names])
    return logits, acts


def clean_gradients(model, graph, tokens, answer, wrong):
    """Metric on the clean run and dM/d in_v for every receiver ([R, pos, d_model])."""
    saved = {}

    def keep(t, hook):
        t.requires_grad_(True)
        t.retain_grad()
        saved[hook.name] = t
        return t

    names = sorted({receiver_hook_name(graph, ri) for ri in range(len(graph.receivers))})
    with torch.enable_grad():
        # Let autograd track from the first receiver on: make the embeddings a leaf
        # that requires grad (parameters are frozen).
        def leaf(t, hook):
            return t.detach().requires_grad_(True)

        logits = model.run_with_hooks(
            tokens,
            fwd_hooks=[("hook_embed", leaf)] + [(n, keep) for n in names],
        )
        metric = logit_diff(logits, answer, wrong)
        metric.backward()
    grads = torch.stack(
        [
            receiver_slice(graph, ri, saved[receiver_hook_name(graph, ri)].grad)
            for ri in range(len(graph.receivers))
        ]
    )
    return metric.item(), grads


def patched_metric(model, tokens, answer, wrong, graph, si, corrupted_acts):
    """Clean forward with sender si's output replaced by its corrupted output."""
    _, kind, l, h = graph.senders[si]
    hooks = []
    if kind == "input":
        for n in ("hook_embed", "hook_pos_embed"):
            hooks.append((n, lambda t, hook: corrupted_acts[hook.name].clone()))
    elif kind == "head":

        def patch_head(t, hook, h=h):
            t = t.clone()
            t[:, :, h] = corrupted_acts[hook.name][:, :, h]
            return t

        hooks.append((f"blocks.{l}.attn.hook_result", patch_head))
    else:
        hooks.append(
            (f"blocks.{l}.hook_mlp_out", lambda t, hook: corrupted_acts[hook.name].clone())
        )
    logits = model.run_with_hooks(tokens, fwd_hooks=hooks)
    return logit_diff(logits, answer, wrong).item()


def edge_masked_metric(model, tokens, answer, wrong, graph, si, ri, mask, corrupted_out):
    """Forward on the clean prompt with edge si->ri's mask set to `mask` (all others 1).

    in_v = in_v(this run) + (1 - mask) * (a_u^corrupted - a_u(this run)); a_u(this
    run) is captured from the sender's hooks earlier in the same forward.
    """
    current = {}

    def save(t, hook):
        current[hook.name] = t

    def correct(t, hook):
        acts = {k: v.detach() for k, v in current.items()}
        a_u = sender_outputs_one(graph, si, acts)
        delta = (1.0 - mask) * (corrupted_out[si] - a_u)
        t = t.clone()
        _, kind, _, h = graph.receivers[ri]
        if kind in ("q", "k", "v"):
            t[0, :, h] = t[0, :, h] + delta
        else:
            t[0] = t[0] + delta
        return t

    hooks = [(n, save) for n in sender_hook_names(model)]
    hooks.append((receiver_hook_name(graph, ri), correct))
    logits = model.run_with_hooks(tokens, fwd_hooks=hooks)
    return logit_diff(logits, answer, wrong).item()


def sender_outputs_one(graph, si, acts):
    _, kind, l, h = graph.senders[si]
    if kind == "input":
        return acts["hook_embed"][0] + acts["hook_pos_embed"][0]
    if kind == "head":
        return acts[f"blocks.{l}.attn.hook_result"][0, :, h]
    return acts[f"blocks.{l}.hook_mlp_out"][0]


# ----------------------------------------------------------------------------
# Main
# ----------------------------------------------------------------------------


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", default=os.path.join(REPO_ROOT, OUT_REL))
    parser.add_argument(
        "--fd-all",
        action="store_true",
        help="finite-difference check of every edge (default: a fixed set plus every 7th edge)",
    )
    args = parser.parse_args()

    torch.set_num_threads(1)
    torch.manual_seed(0)

    hf, model = load_models(os.path.join(REPO_ROOT, MODEL_REL))
    graph = Graph(model.cfg.n_layers, model.cfg.n_heads)
    S, R = len(graph.senders), len(graph.receivers)

    with open(os.path.join(REPO_ROOT, DATASET_REL)) as f:
        pairs = json.load(f)["pairs"]
    N = len(pairs)

    cache_names = sender_hook_names(model) + sorted(
        {receiver_hook_name(graph, ri) for ri in range(R)}
    )
    edge = torch.tensor([[graph.is_edge(si, ri) for ri in range(R)] for si in range(S)])

    eap = torch.zeros(S, R, dtype=DTYPE)
    patching = torch.zeros(S, dtype=DTYPE)
    clean_metric = 0.0
    corrupted_metric = 0.0
    per_pair = []
    for p in pairs:
        clean = torch.tensor([p["clean_ids"]])
        corrupted = torch.tensor([p["corrupted_ids"]])
        assert clean.shape == corrupted.shape
        assert len(p["answer_ids"]) == 1 and len(p["wrong_answer_ids"]) == 1
        answer, wrong = p["answer_ids"][0], p["wrong_answer_ids"][0]

        with torch.no_grad():
            # TransformerLens == Hugging Face.
            hf_clean = hf(clean).logits
            hf_corr = hf(corrupted).logits
            clean_logits, clean_acts = run_cache(model, clean, cache_names)
            corr_logits, corr_acts = run_cache(model, corrupted, cache_names)
            for a, b in ((hf_clean, clean_logits), (hf_corr, corr_logits)):
                err = (a - b).abs().max().item()
                assert err < 1e-10, f"TL vs HF logits differ by {err}"

            # The graph partitions every receiver input: in_v = sum of its senders
            # plus the b_O of earlier layers (b_O belongs to no node).
            for acts in (clean_acts, corr_acts):
                outs = sender_outputs(graph, acts)
                for ri in range(R):
                    _, _, rl, _ = graph.receivers[ri]
                    total = (outs * edge[:, ri, None, None]).sum(0)
                    for l in range(min(rl, graph.L)):
                        total = total + model.blocks[l].attn.b_O
                    if graph.receivers[ri][1] == "mlp":
                        total = total + model.blocks[rl].attn.b_O
                    got = receiver_slice(graph, ri, acts[receiver_hook_name(graph, ri)])
                    err = (got - total).abs().max().item()
                    assert err < 1e-10, f"receiver {graph.receivers[ri][0]}: {err}"

        m_clean = logit_diff(clean_logits, answer, wrong).item()
        m_corr = logit_diff(corr_logits, answer, wrong).item()

        m_grad, grads = clean_gradients(model, graph, clean, answer, wrong)
        assert abs(m_grad - m_clean) < 1e-12

        clean_out = sender_outputs(graph, clean_acts)
        corr_out = sender_outputs(graph, corr_acts)
        diff = corr_out - clean_out  # [S, pos, d]
        scores = torch.einsum("spd,rpd->sr", diff, grads) * edge
        eap += scores / N

        with torch.no_grad():
            ap = torch.tensor(
                [
                    patched_metric(model, clean, answer, wrong, graph, si, corr_acts) - m_clean
                    for si in range(S)
                ],
                dtype=DTYPE,
            )
        # Patching the input alone (everything downstream recomputed) is the corrupted run.
        assert abs(ap[0].item() - (m_corr - m_clean)) < 1e-10
        patching += ap / N
        clean_metric += m_clean / N
        corrupted_metric += m_corr / N
        per_pair.append(dict(clean=clean, answer=answer, wrong=wrong, corr_out=corr_out))

    # Finite-difference check: s(u, v) == -dM/dm_uv at m = 1.
    named = [
        ("input", "a0.h1<q>"),
        ("a0.h2", "a1.h0<q>"),
        ("m0", "a2.h3<k>"),
        ("a1.h1", "a2.h2<v>"),
        ("a0.h3", "m0"),
        ("a1.h0", "m2"),
        ("m2", "logits"),
        ("a2.h1", "logits"),
        ("a0.h0", "logits"),
    ]
    checks = [(graph.sender_index(u), graph.receiver_index(v)) for u, v in named]
    all_edges = [(si, ri) for si in range(S) for ri in range(R) if edge[si, ri]]
    checks += all_edges if args.fd_all else all_edges[::7]
    scale = eap.abs().max().item()
    worst_named = 0.0
    worst = 0.0
    with torch.no_grad():
        for k, (si, ri) in enumerate(checks):
            assert edge[si, ri]
            dm = 0.0
            for q in per_pair:
                mp = edge_masked_metric(
                    model, q["clean"], q["answer"], q["wrong"], graph, si, ri,
                    1.0 + FD_EPS, q["corr_out"],
                )
                mm = edge_masked_metric(
                    model, q["clean"], q["answer"], q["wrong"], graph, si, ri,
                    1.0 - FD_EPS, q["corr_out"],
                )
                dm += (mp - mm) / (2 * FD_EPS) / N
            fd = -dm
            s = eap[si, ri].item()
            rel = abs(fd - s) / max(abs(s), 1e-12)
            name = f"{graph.senders[si][0]}->{graph.receivers[ri][0]}"
            if k < len(named):
                worst_named = max(worst_named, rel)
                print(f"  FD {name:20s} eap {s:+.12e}  -dM/dm {fd:+.12e}  rel {rel:.2e}")
                assert rel <= FD_RTOL, f"{name}: EAP {s} vs finite difference {fd}"
            if abs(s) > 1e-6 * scale:
                worst = max(worst, rel)
                assert rel <= FD_RTOL, f"{name}: EAP {s} vs finite difference {fd}"
            else:
                assert abs(fd - s) <= 1e-9 * scale, f"{name}: EAP {s} vs finite difference {fd}"
    print(
        f"finite differences: {len(checks)} edges, max rel error {worst:.2e} "
        f"(named edges {worst_named:.2e})"
    )

    out = {
        "generator": GENERATED_BY,
        "transformer_lens": importlib.metadata.version("transformer_lens"),
        "torch": torch.__version__,
        "transformers": transformers.__version__,
        "model": MODEL_REL,
        "dataset": DATASET_REL,
        "metric": "logit-diff",
        "dtype": "float64",
        "clean_metric": clean_metric,
        "corrupted_metric": corrupted_metric,
        "n_senders": S,
        "n_receivers": R,
        "senders": [s[0] for s in graph.senders],
        "receivers": [r[0] for r in graph.receivers],
        "eap": [[float(x) for x in row] for row in eap.tolist()],
        "activation_patching": [float(x) for x in patching.tolist()],
    }
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    with open(args.out, "w") as f:
        f.write("{\n")
        items = list(out.items())
        for i, (k, v) in enumerate(items):
            sep = "," if i + 1 < len(items) else ""
            if k == "eap":
                rows = ",\n  ".join(json.dumps(r) for r in v)
                f.write(f' "{k}": [\n  {rows}\n ]{sep}\n')
            else:
                f.write(f" {json.dumps(k)}: {json.dumps(v)}{sep}\n")
        f.write("}\n")
    # The file is valid JSON and round-trips exactly.
    with open(args.out) as f:
        back = json.load(f)
    assert back["eap"] == out["eap"] and back["activation_patching"] == out["activation_patching"]

    ai = eap.abs().argmax().item()
    si, ri = divmod(ai, R)
    print(f"clean metric     {clean_metric!r}")
    print(f"corrupted metric {corrupted_metric!r}")
    print(
        f"largest |EAP|    {eap[si, ri].item()!r} "
        f"({graph.senders[si][0]}->{graph.receivers[ri][0]})"
    )
    print(f"wrote {os.path.relpath(args.out, REPO_ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
