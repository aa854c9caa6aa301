#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Patchbay's EAP vs an EAP written on TransformerLens, same checkpoint, same prompt pairs.

Measures, on one machine and in one run:
  * time: `patchbay-cli attribute --method eap` (its own "seconds", and the wall time of the
    whole process) against EAP on TransformerLens's HookedTransformer (median of R runs);
  * peak memory: ru_maxrss of the TransformerLens process, `/usr/bin/time -v` of the CLI;
  * agreement of the 32,491 edge scores: max |Δ|, relative error on the large scores, Pearson r,
    overlap of the top-100 edges; optionally both against a float64 TransformerLens run.

Checkpoint: the GPT-2-small-shaped random-weight model of forward_vs_transformers.py (written once
to WORKDIR/gpt2-small-random, with GPT-2's vocab.json / merges.txt copied in so that Patchbay can
tokenize). Data: the first N rows of EAP-IG's IOI CSV, written to a temporary CSV with the same
header. No BOS on either side (GPT-2's tokenizer adds none), right padding, batches in file order.

The TransformerLens EAP is written the way EAP-IG's own code does it (one corrupted forward caching
the sender outputs, one clean forward + backward with gradient hooks on the receiver inputs, one
product per receiver hook into a [senders × receivers] matrix), with two things EAP-IG does not do,
so that it is the fastest reasonable version: the parameters are frozen (activation gradients
only) and, by default, the logits are computed at the answer position only (`--variant full`
also times the EAP-IG way: every position's logits). Definitions (senders, receivers, index layout,
metric) come from tools/reference/make_attribution_fixtures.py.

    python3 bench/eap_vs_transformerlens.py [--rows 100] [--batch-size 16] [--runs 3]
        [--workdir /tmp/pb-bench] [--variant fast|full|both] [--no-float64] [--json-out FILE]
    python3 bench/eap_vs_transformerlens.py --self-test   # tiny fixture model, seconds

See bench/README.md.
"""
import argparse
import csv
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEFAULT_DATA = Path("/work/shared/data/tasks/peer-formats/eap-ig_ioi_gpt2.csv")
DEFAULT_TOKENIZER = Path("/work/shared/data/gpt2-tokenizer")

sys.path.insert(0, str(REPO / "tools" / "reference"))
sys.path.insert(0, str(REPO / "bench"))


# --- TransformerLens side -----------------------------------------------------------------

def load_tl(model_dir, dtype):
    """HookedTransformer with the hooks EAP needs, weights unprocessed (== Hugging Face)."""
    import gc

    if str(model_dir).endswith(".gguf"):
        return load_tl_gguf(Path(model_dir), dtype)
    import make_attribution_fixtures as ref

    ref.DTYPE = dtype  # load_models reads the module's dtype
    hf, model = ref.load_models(str(model_dir))
    del hf
    gc.collect()
    return model, ref.Graph(model.cfg.n_layers, model.cfg.n_heads)


def hf_from_gguf(path):
    """transformers' own GGUF loading (dequantized with gguf-py, llama.cpp's Q/K permutation undone)."""
    from transformers import AutoModelForCausalLM, AutoTokenizer

    with tempfile.TemporaryDirectory() as tmp:
        os.symlink(path.resolve(), Path(tmp) / path.name)
        tok = AutoTokenizer.from_pretrained(tmp, gguf_file=path.name)
        import torch

        hf = AutoModelForCausalLM.from_pretrained(tmp, gguf_file=path.name, dtype=torch.float32,
                                                  attn_implementation="eager")
    return hf.eval(), tok


def gqa_graph(n_layers, n_heads, n_kv_heads):
    """Patchbay's grouped graph: q receivers per query head, k/v receivers per key/value head."""
    import make_attribution_fixtures as ref

    g = ref.Graph(n_layers, n_heads)
    if n_kv_heads == n_heads:
        return g
    g.receivers = []
    for l in range(n_layers):
        g.receivers += [(f"a{l}.h{h}<q>", "q", l, h) for h in range(n_heads)]
        for kv in "kv":
            g.receivers += [(f"a{l}.kv{h}<{kv}>", kv, l, h) for h in range(n_kv_heads)]
        g.receivers.append((f"m{l}", "mlp", l, None))
    g.receivers.append(("logits", "logits", n_layers, None))
    return g


def load_tl_gguf(path, dtype):
    """A Llama-architecture GGUF (SmolLM2) as a HookedTransformer, built as TransformerLens builds a
    LlamaForCausalLM, from transformers' dequantized weights."""
    import gc

    import torch
    from transformer_lens import HookedTransformer, HookedTransformerConfig
    from transformer_lens.pretrained.weight_conversions import convert_llama_weights

    hf, _ = hf_from_gguf(path)
    c = hf.config
    if c.model_type != "llama":
        sys.exit(f"{path}: only Llama-architecture GGUF files are compared here (this is {c.model_type})")
    kv = c.num_key_value_heads
    cfg = HookedTransformerConfig(
        # The fields transformer_lens.loading_from_pretrained sets for LlamaForCausalLM.
        d_model=c.hidden_size, d_head=c.hidden_size // c.num_attention_heads,
        n_heads=c.num_attention_heads, d_mlp=c.intermediate_size, n_layers=c.num_hidden_layers,
        n_ctx=min(c.max_position_embeddings, 2048), eps=c.rms_norm_eps, d_vocab=c.vocab_size,
        act_fn=c.hidden_act, n_key_value_heads=kv if kv != c.num_attention_heads else None,
        normalization_type="RMS", positional_embedding_type="rotary", rotary_adjacent_pairs=False,
        rotary_dim=c.hidden_size // c.num_attention_heads,
        rotary_base=float(c.rope_parameters["rope_theta"] if getattr(c, "rope_parameters", None)
                          else c.rope_theta),
        final_rms=True, gated_mlp=True, original_architecture="LlamaForCausalLM",
        tokenizer_name=None, default_prepend_bos=False, init_weights=False, device="cpu", dtype=dtype,
        use_attn_result=True, use_split_qkv_input=True, use_hook_mlp_in=True)
    model = HookedTransformer(cfg)
    model.load_and_process_state_dict(convert_llama_weights(hf, cfg), fold_ln=False,
                                      center_writing_weights=False, center_unembed=False,
                                      fold_value_biases=False, refactor_factored_attn_matrices=False)
    model = model.to(dtype).eval()
    for p in model.parameters():
        p.requires_grad_(False)
    # The conversion is checked, not assumed: same logits as transformers on one prompt.
    ids = torch.tensor([[504, 3458, 5307, 10185, 28, 260, 3458, 5307]])
    with torch.no_grad():
        d = (model(ids).double() - hf.to(dtype)(ids).logits.double()).abs().max().item()
    # transformers keeps rotary tables, RMSNorm and softmax in float32 even in float64: 1e-4 there.
    if d > (1e-3 if dtype == torch.float32 else 1e-4):
        sys.exit(f"TransformerLens and transformers disagree on {path.name}: max |Δlogit| {d:.3g}")
    del hf
    gc.collect()
    return model, gqa_graph(cfg.n_layers, cfg.n_heads, kv)


def make_batches(pairs, batch_size, pad_id=0):
    """pairs: (clean_ids, corrupted_ids, answer, wrong). Right-padded batches in order."""
    import torch

    batches = []
    for first in range(0, len(pairs), batch_size):
        chunk = pairs[first:first + batch_size]
        P = max(len(c) for c, _, _, _ in chunk)
        B = len(chunk)
        clean = torch.full((B, P), pad_id, dtype=torch.long)
        corr = torch.full((B, P), pad_id, dtype=torch.long)
        mask = torch.zeros((B, P), dtype=torch.long)
        for b, (c, k, _, _) in enumerate(chunk):
            assert len(c) == len(k), "clean and corrupted prompts must have the same length"
            clean[b, :len(c)] = torch.tensor(c)
            corr[b, :len(k)] = torch.tensor(k)
            mask[b, :len(c)] = 1
        last = mask.sum(1) - 1
        ans = torch.tensor([a for _, _, a, _ in chunk])
        wrong = torch.tensor([w for _, _, _, w in chunk])
        batches.append(dict(clean=clean, corr=corr, mask=mask, last=last, ans=ans, wrong=wrong))
    return batches


class TLEap:
    """EAP with TransformerLens hooks, batched, in EAP-IG's [senders × receivers] layout."""

    def __init__(self, model, graph):
        self.model, self.graph = model, graph
        c = model.cfg
        self.L, self.H, self.d = c.n_layers, c.n_heads, c.d_model
        self.S, self.R = len(graph.senders), len(graph.receivers)
        # first column of each receiver hook: q/k/v per layer (k/v per key/value head on a GQA graph)
        first = {}
        for i, (_, kind, l, _) in enumerate(graph.receivers):
            first.setdefault((l, kind), i)
        self.col = first
        self.pos = c.positional_embedding_type == "standard"  # rotary models have no hook_pos_embed

    # sender slots: input 0, heads of layer l at 1 + l(H+1) + h, MLP l at 1 + l(H+1) + H
    def head0(self, l):
        return 1 + l * (self.H + 1)

    def readout(self, tokens, mask, last, full):
        """Logits [B, vocab] at each row's last real token."""
        import torch

        B = tokens.shape[0]
        rows = torch.arange(B)
        if full:  # EAP-IG: every position's logits
            return self.model(tokens, attention_mask=mask)[rows, last]
        resid = self.model(tokens, attention_mask=mask, stop_at_layer=self.L)
        x = resid[rows, last].unsqueeze(1)  # [B, 1, d]
        return self.model.unembed(self.model.ln_final(x))[:, 0]

    def run(self, batches, n_total, full=False, steps=0):
        """Scores [S, R] (mean over pairs), metrics, and the time split. steps > 0: EAP-IG (inputs)
        as EAP-IG's code computes it: the input node's output set to e_corrupted + (k/steps)(e_clean -
        e_corrupted), k = 0 .. steps-1, one forward + backward of the clean tokens each, the receiver
        gradients averaged over the steps (docs/design.md section 3)."""
        import torch

        m, L, H, S = self.model, self.L, self.H, self.S
        dtype = m.cfg.dtype
        scores = torch.zeros(S, self.R, dtype=dtype)
        t_corr = t_clean = 0.0
        clean_sum = corr_sum = 0.0
        for bt in batches:
            B, P = bt["clean"].shape
            t0 = time.perf_counter()
            diff = torch.empty(S, B, P, self.d, dtype=dtype)  # a_corrupted - a_clean

            # 1. corrupted forward: diff = sender outputs
            def put(sl):
                def hook(t, hook):
                    diff[sl].copy_(t.permute(2, 0, 1, 3) if t.dim() == 4 else t)
                return hook

            def add_pos(t, hook):
                diff[0].add_(t)

            fwd = [("hook_embed", put(0))] + ([("hook_pos_embed", add_pos)] if self.pos else [])
            for l in range(L):
                h0 = self.head0(l)
                fwd.append((f"blocks.{l}.attn.hook_result", put(slice(h0, h0 + H))))
                fwd.append((f"blocks.{l}.hook_mlp_out", put(h0 + H)))
            with torch.no_grad(), m.hooks(fwd_hooks=fwd):
                logits = self.readout(bt["corr"], bt["mask"], bt["last"], full)
            rows = torch.arange(B)
            corr_sum += (logits[rows, bt["ans"]] - logits[rows, bt["wrong"]]).sum().item()
            t1 = time.perf_counter()

            if steps:
                clean_sum += self.integrated(bt, diff, scores, n_total, steps, full)
                del diff
                t2 = time.perf_counter()
                t_corr += t1 - t0
                t_clean += t2 - t1
                continue

            # 2. clean forward + backward: diff -= clean sender outputs; receiver gradients
            def sub(sl):
                def hook(t, hook):
                    diff[sl].sub_(t.detach().permute(2, 0, 1, 3) if t.dim() == 4 else t.detach())
                return hook

            def embed_leaf(t, hook):
                diff[0].sub_(t)
                return t.detach().requires_grad_(True)

            def sub_pos(t, hook):
                diff[0].sub_(t.detach())

            fwd = [("hook_embed", embed_leaf)] + ([("hook_pos_embed", sub_pos)] if self.pos else [])
            for l in range(L):
                h0 = self.head0(l)
                fwd.append((f"blocks.{l}.attn.hook_result", sub(slice(h0, h0 + H))))
                fwd.append((f"blocks.{l}.hook_mlp_out", sub(h0 + H)))
            fwd += self.gradient_hooks(diff, scores)
            with torch.enable_grad(), m.hooks(fwd_hooks=fwd):
                logits = self.readout(bt["clean"], bt["mask"], bt["last"], full)
                ld = logits[rows, bt["ans"]] - logits[rows, bt["wrong"]]
                (ld.sum() / n_total).backward()
            clean_sum += ld.sum().item()
            del diff
            t2 = time.perf_counter()
            t_corr += t1 - t0
            t_clean += t2 - t1
        return scores, dict(clean_metric=clean_sum / n_total, corrupted_metric=corr_sum / n_total,
                            seconds=t_corr + t_clean, corrupted_seconds=t_corr, clean_seconds=t_clean)


    def gradient_hooks(self, diff, scores):
        """Hooks on every receiver input: one product per hook, [senders upstream, B·P·d] @ [B·P·d, (H)],
        added to scores when the backward pass reaches it."""
        L = self.L

        def on_grad(n_up, col, per_head):
            def tensor_hook(g):
                up = diff[:n_up].reshape(n_up, -1)
                if per_head:  # g [B, P, heads, d] -> [heads, B·P·d]; heads = H, or KV for k/v
                    n = g.shape[2]
                    scores[:n_up, col:col + n] += up @ g.permute(2, 0, 1, 3).reshape(n, -1).T
                else:
                    scores[:n_up, col] += up @ g.reshape(-1)

            def hook(t, hook):
                t.register_hook(tensor_hook)
            return hook

        hooks = []
        for l in range(L):
            h0 = self.head0(l)
            for qkv in "qkv":
                hooks.append((f"blocks.{l}.hook_{qkv}_input", on_grad(h0, self.col[(l, qkv)], True)))
            hooks.append((f"blocks.{l}.hook_mlp_in", on_grad(h0 + self.H, self.col[(l, "mlp")], False)))
        hooks.append((f"blocks.{L - 1}.hook_resid_post", on_grad(self.S, self.col[(L, "logits")], False)))
        return hooks

    def integrated(self, bt, diff, scores, n_total, steps, full):
        """EAP-IG's clean pass and its steps for one batch whose diff holds the corrupted sender
        outputs; returns the batch's summed clean metric."""
        import torch

        L, H = self.L, self.H
        rows = torch.arange(bt["clean"].shape[0])
        embed = {}

        def sub(sl):
            def hook(t, hook):
                diff[sl].sub_(t.permute(2, 0, 1, 3) if t.dim() == 4 else t)
            return hook

        def keep_embed(t, hook):
            embed["clean"] = t.clone()
            diff[0].sub_(t)

        def sub_pos(t, hook):
            diff[0].sub_(t)

        # The token embeddings are interpolated; the position embedding (GPT-2) is the same in both
        # prompts, so the input node's interpolation leaves it as it is.
        with torch.no_grad():
            embed["corr"] = self.model.embed(bt["corr"])
        fwd = [("hook_embed", keep_embed)] + ([("hook_pos_embed", sub_pos)] if self.pos else [])
        for l in range(L):
            h0 = self.head0(l)
            fwd.append((f"blocks.{l}.attn.hook_result", sub(slice(h0, h0 + H))))
            fwd.append((f"blocks.{l}.hook_mlp_out", sub(h0 + H)))
        with torch.no_grad(), self.model.hooks(fwd_hooks=fwd):
            logits = self.readout(bt["clean"], bt["mask"], bt["last"], full)
        clean = (logits[rows, bt["ans"]] - logits[rows, bt["wrong"]]).sum().item()

        for k in range(steps):
            def interpolate(t, hook, a=k / steps):
                x = embed["corr"] + a * (embed["clean"] - embed["corr"])
                return x.requires_grad_(True)

            with torch.enable_grad(), self.model.hooks(fwd_hooks=[("hook_embed", interpolate)]
                                                       + self.gradient_hooks(diff, scores)):
                logits = self.readout(bt["clean"], bt["mask"], bt["last"], full)
                ld = logits[rows, bt["ans"]] - logits[rows, bt["wrong"]]
                (ld.sum() / (n_total * steps)).backward()
        return clean


def cpu_busy_seconds():
    """CPU time the whole machine spent busy (all cores), from /proc/stat."""
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    user, nice, system, idle, iowait, irq, softirq = v[:7]
    return (user + nice + system + irq + softirq) / os.sysconf("SC_CLK_TCK")


def own_cpu_seconds(who):
    import resource

    r = resource.getrusage(who)
    return r.ru_utime + r.ru_stime


def rss_mib():
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def tl_worker(args):
    t0 = time.perf_counter()
    import torch
    import transformer_lens
    import transformers
    from transformers import GPT2TokenizerFast

    import_s = time.perf_counter() - t0
    torch.set_num_threads(args.threads)
    dtype = {"float32": torch.float32, "float64": torch.float64}[args.dtype]
    t0 = time.perf_counter()
    model, graph = load_tl(args.model, dtype)
    load_s = time.perf_counter() - t0
    rss_load = rss_mib()

    t0 = time.perf_counter()
    if str(args.model).endswith(".gguf"):
        # transformers' converted GGUF tokenizer drops llama.cpp's pre-tokenizer name (digits split one by
        # one for SmolLM2): the same ids as Patchbay's for text without digits, checked per prompt below.
        _, tok = hf_from_gguf(Path(args.model))
    else:
        tok = GPT2TokenizerFast.from_pretrained(str(args.tokenizer))
    pairs = []
    with open(args.data, newline="") as f:
        for row in csv.DictReader(f):
            c = tok(row["clean"], add_special_tokens=False)["input_ids"]
            k = tok(row["corrupted"], add_special_tokens=False)["input_ids"]
            if str(args.model).endswith(".gguf") and re.search(r"\d", row["clean"] + row["corrupted"]):
                sys.exit(f"{args.data}: a prompt with digits, where transformers' GGUF tokenizer and "
                         f"Patchbay's differ: {row['clean']!r}")
            pairs.append((c, k, int(row["correct_idx"]), int(row["incorrect_idx"])))
    batches = make_batches(pairs, args.batch_size)
    tokenize_s = time.perf_counter() - t0
    N = len(pairs)
    eap = TLEap(model, graph)

    out = dict(dtype=args.dtype, threads=torch.get_num_threads(), torch=torch.__version__,
               transformer_lens=transformer_lens.__version__ if hasattr(transformer_lens, "__version__") else None,
               transformers=transformers.__version__, examples=N, batches=len(batches),
               lengths=sorted({len(c) for c, _, _, _ in pairs}),
               import_seconds=import_s, load_seconds=load_s, tokenize_seconds=tokenize_s,
               maxrss_after_load_mib=rss_load)
    try:
        import importlib.metadata

        out["transformer_lens"] = importlib.metadata.version("transformer_lens")
    except Exception:
        pass

    if args.check_padding:
        # The first batch, padded, against each of its pairs run alone (no padding).
        first = pairs[:args.batch_size]
        padded, _ = eap.run(make_batches(first, args.batch_size), len(first), steps=args.steps)
        alone = torch.zeros_like(padded)
        for p in first:
            s, _ = eap.run(make_batches([p], 1), len(first), steps=args.steps)
            alone += s
        out["padding_check"] = dict(pairs=len(first),
                                    lengths=sorted({len(p[0]) for p in first}),
                                    max_abs_diff=(padded - alone).abs().max().item(),
                                    max_abs_score=alone.abs().max().item())

    variants = {"fast": [False], "full": [True], "both": [False, True]}[args.variant]
    saved = None
    for full in variants:
        runs = []
        for r in range(args.runs):
            import resource

            busy0, own0 = cpu_busy_seconds(), own_cpu_seconds(resource.RUSAGE_SELF)
            scores, info = eap.run(batches, N, full=full, steps=args.steps)
            # CPU time other processes used during the run: the noise indicator.
            info["other_cpu_seconds"] = (cpu_busy_seconds() - busy0) - (own_cpu_seconds(resource.RUSAGE_SELF) - own0)
            runs.append(info)
            print(f"  TL {args.dtype} {'full' if full else 'fast'} run {r + 1}: "
                  f"{info['seconds']:.2f} s (corrupted {info['corrupted_seconds']:.2f}, "
                  f"clean+backward+products {info['clean_seconds']:.2f}; other processes' CPU "
                  f"{info['other_cpu_seconds']:.1f} s)", file=sys.stderr)
            if saved is None:
                saved = scores.clone()
            else:
                out.setdefault("max_abs_diff_between_runs", 0.0)
                out["max_abs_diff_between_runs"] = max(out["max_abs_diff_between_runs"],
                                                       (scores - saved).abs().max().item())
        key = "full_logits" if full else "answer_logits"
        out[key] = dict(runs=runs,
                        seconds_median=statistics.median(r["seconds"] for r in runs),
                        corrupted_seconds_median=statistics.median(r["corrupted_seconds"] for r in runs),
                        clean_seconds_median=statistics.median(r["clean_seconds"] for r in runs))
        out["clean_metric"], out["corrupted_metric"] = runs[0]["clean_metric"], runs[0]["corrupted_metric"]
    out["maxrss_mib"] = rss_mib()
    torch.save(saved.to(torch.float64), args.scores_out)
    out["senders"] = [s[0] for s in graph.senders]
    out["receivers"] = [r[0] for r in graph.receivers]
    out["edge_mask"] = [[graph.is_edge(si, ri) for ri in range(len(graph.receivers))]
                        for si in range(len(graph.senders))]
    Path(args.json_out).write_text(json.dumps(out))
    return 0


# --- driver -------------------------------------------------------------------------------

def run_tl(args, model_dir, csv_path, tmp, dtype, runs, variant, check_padding):
    scores = Path(tmp) / f"tl-{dtype}.pt"
    js = Path(tmp) / f"tl-{dtype}.json"
    cmd = [sys.executable, __file__, "--tl-worker", "--model", str(model_dir), "--data", str(csv_path),
           "--tokenizer", str(args.tokenizer), "--batch-size", str(args.batch_size),
           "--threads", str(args.threads), "--dtype", dtype, "--runs", str(runs), "--variant", variant,
           "--scores-out", str(scores), "--json-out", str(js),
           "--steps", str(args.steps if args.method == "eap-ig" else 0)]
    if check_padding:
        cmd.append("--check-padding")
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True)
    wall = time.perf_counter() - t0
    info = json.loads(js.read_text())
    info["process_wall_seconds"] = wall
    import torch

    return info, torch.load(scores)


def parse_time_v(text):
    rss = re.search(r"Maximum resident set size \(kbytes\): (\d+)", text)
    return int(rss.group(1)) / 1024.0 if rss else None


def run_cli(args, model_dir, csv_path, out_json):
    cmd = ["/usr/bin/time", "-v", str(args.cli_binary), "attribute", "--model", str(model_dir),
           "--data", str(csv_path), "--method", args.method, "--out", str(out_json),
           "--batch-size", str(args.batch_size)]
    if args.method == "eap-ig":
        cmd += ["--steps", str(args.steps)]
    import resource

    busy0, own0 = cpu_busy_seconds(), own_cpu_seconds(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    p = subprocess.run(cmd, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    others = (cpu_busy_seconds() - busy0) - (own_cpu_seconds(resource.RUSAGE_CHILDREN) - own0)
    if p.returncode != 0:
        sys.exit(f"patchbay-cli failed ({p.returncode}):\n{p.stdout}\n{p.stderr}")
    out = json.loads(p.stdout)
    return dict(seconds=out["seconds"], wall_seconds=wall, other_cpu_seconds=others,
                maxrss_mib=parse_time_v(p.stderr),
                clean_metric=out["clean_metric"], reference_metric=out["reference_metric"],
                examples=out["examples"])


def patchbay_scores(path, senders, receivers):
    import torch

    si = {n: i for i, n in enumerate(senders)}
    ri = {n: i for i, n in enumerate(receivers)}
    m = torch.zeros(len(senders), len(receivers), dtype=torch.float64)
    present = torch.zeros_like(m, dtype=torch.bool)
    for name, e in json.loads(Path(path).read_text())["edges"].items():
        u, v = name.split("->")
        m[si[u], ri[v]] = e["score"]
        present[si[u], ri[v]] = True
    return m, present


def agreement(a, b, mask, top=100):
    """a: the one compared, b: the reference. Only entries where mask is set (the edges)."""
    import torch

    x, y = a[mask], b[mask]
    d = (x - y).abs()
    big = y.abs() > 0.01 * y.abs().max()
    rel = d[big] / y[big].abs()
    xc, yc = x - x.mean(), y - y.mean()
    pearson = (xc @ yc / (xc.norm() * yc.norm())).item()
    k = min(top, len(x))
    ta = set(torch.topk(x.abs(), k).indices.tolist())
    tb = set(torch.topk(y.abs(), k).indices.tolist())
    return dict(edges=int(mask.sum()), max_abs_diff=d.max().item(), max_abs_score=y.abs().max().item(),
                large_edges=int(big.sum()), max_rel_err_large=rel.max().item(),
                median_rel_err_large=rel.median().item(), pearson=pearson,
                top100_overlap=len(ta & tb), sign_agree_large=int(((x[big] > 0) == (y[big] > 0)).sum()))


def loadavg():
    try:
        return os.getloadavg()[0]
    except OSError:
        return None


def self_test(args):
    """Tiny fixture model, float64: batched+padded TL EAP and Patchbay vs the committed reference;
    TL EAP-IG batched vs pair by pair, and Patchbay's EAP-IG against it."""
    import torch

    fixture = json.loads((REPO / "tests/data/attribution/gpt2-eap.json").read_text())
    data = REPO / "tests/data/evaluate/gpt2-fixture-pairs.json"
    pairs = [(p["clean_ids"], p["corrupted_ids"], p["answer_ids"][0], p["wrong_answer_ids"][0])
             for p in json.loads(data.read_text())["pairs"]]
    torch.set_num_threads(1)
    model, graph = load_tl(REPO / "tests/data/models/gpt2", torch.float64)
    eap = TLEap(model, graph)
    want = torch.tensor(fixture["eap"], dtype=torch.float64)
    res = {}
    for full in (False, True):
        s, info = eap.run(make_batches(pairs, len(pairs)), len(pairs), full=full)
        res["tl_full" if full else "tl_fast"] = dict(max_abs_diff=(s - want).abs().max().item(),
                                                     clean_metric_diff=info["clean_metric"] - fixture["clean_metric"],
                                                     corrupted_metric_diff=info["corrupted_metric"] - fixture["corrupted_metric"])
    if args.cli_binary.exists():
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "pb.json"
            subprocess.run([str(args.cli_binary), "attribute", "--model", str(REPO / "tests/data/models/gpt2"),
                            "--data", str(data), "--method", "eap", "--out", str(out), "--batch-size", "3"],
                           check=True, capture_output=True)
            pb, present = patchbay_scores(out, fixture["senders"], fixture["receivers"])
            edge = torch.tensor([[graph.is_edge(si, ri) for ri in range(len(graph.receivers))]
                                 for si in range(len(graph.senders))])
            res["patchbay_float32"] = dict(max_abs_diff=(pb - want).abs().max().item(),
                                           edges_written=int(present.sum()), edges=int(edge.sum()),
                                           same_edge_set=bool((present == edge).all()))
    res["max_abs_score"] = want.abs().max().item()

    # EAP-IG (5 steps): batched and padded against each pair alone, and Patchbay's against it.
    ig, _ = eap.run(make_batches(pairs, len(pairs)), len(pairs), steps=5)
    alone = sum(eap.run(make_batches([p], 1), len(pairs), steps=5)[0] for p in pairs)
    res["tl_eap_ig_padding"] = dict(max_abs_diff=(ig - alone).abs().max().item(),
                                    max_abs_score=ig.abs().max().item(),
                                    max_abs_diff_from_eap=(ig - want).abs().max().item())
    ok_pb = True
    if args.cli_binary.exists():
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "pb-ig.json"
            subprocess.run([str(args.cli_binary), "attribute", "--model", str(REPO / "tests/data/models/gpt2"),
                            "--data", str(data), "--method", "eap-ig", "--steps", "5", "--out", str(out),
                            "--batch-size", "3"], check=True, capture_output=True)
            pb, _ = patchbay_scores(out, fixture["senders"], fixture["receivers"])
            res["patchbay_eap_ig_float32"] = dict(max_abs_diff=(pb - ig).abs().max().item())
            ok_pb = res["patchbay_eap_ig_float32"]["max_abs_diff"] < 1e-4 * max(1.0, ig.abs().max().item())
    print(json.dumps(res))
    ok = (res["tl_fast"]["max_abs_diff"] < 1e-10 and res["tl_full"]["max_abs_diff"] < 1e-10
          and res["tl_eap_ig_padding"]["max_abs_diff"] < 1e-10 and ok_pb)
    return 0 if ok else 1


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rows", type=int, default=100)
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--tokenizer", type=Path, default=DEFAULT_TOKENIZER)
    ap.add_argument("--batch-size", type=int, default=16)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--variant", choices=["fast", "full", "both"], default="both",
                    help="TL readout: logits at the answer position only (fast), every position (full, "
                         "as EAP-IG), or both; the scores compared are the first variant's")
    ap.add_argument("--no-float64", action="store_true", help="skip the float64 TransformerLens reference run")
    ap.add_argument("--method", choices=["eap", "eap-ig"], default="eap",
                    help="EAP, or EAP-IG (inputs) with --steps interpolation steps, on both sides")
    ap.add_argument("--steps", type=int, default=5, help="EAP-IG's steps (default 5, Patchbay's default)")
    ap.add_argument("--gguf", type=Path,
                    help="a Llama-architecture GGUF (SmolLM2 from tools/fetch-models.sh) instead of the random "
                         "GPT-2-small checkpoint; --data then is any prompt-pair file Patchbay reads")
    ap.add_argument("--workdir", type=Path, default=Path("/tmp/pb-bench"))
    ap.add_argument("--cli-binary", type=Path, default=REPO / "build/app/cli/patchbay-cli")
    ap.add_argument("--json-out", type=Path)
    ap.add_argument("--self-test", action="store_true")
    # worker
    ap.add_argument("--tl-worker", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--model", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--dtype", default="float32", help=argparse.SUPPRESS)
    ap.add_argument("--scores-out", help=argparse.SUPPRESS)
    ap.add_argument("--check-padding", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()

    if args.tl_worker:
        return tl_worker(args)
    if args.self_test:
        return self_test(args)

    if not args.cli_binary.exists():
        sys.exit(f"{args.cli_binary} does not exist: cmake --build build --target patchbay-cli")
    if args.gguf:
        model_dir = args.gguf
    else:
        from forward_vs_transformers import make_checkpoint

        args.workdir.mkdir(parents=True, exist_ok=True)
        model_dir = make_checkpoint(args.workdir)
        for f in ("vocab.json", "merges.txt"):  # so that Patchbay can tokenize the text prompts
            if not (model_dir / f).exists():
                shutil.copy(args.tokenizer / f, model_dir / f)

    load_start = loadavg()
    with tempfile.TemporaryDirectory() as tmp:
        csv_path = Path(tmp) / "ioi-first.csv"
        data = args.data
        if args.gguf:  # answers as token ids of the model's tokenizer: EAP-IG's CSV, written by Patchbay
            data = Path(tmp) / "eap-ig.csv"
            subprocess.run([str(args.cli_binary), "dataset", "convert", "--in", str(args.data), "--out", str(data),
                            "--format", "eap-ig-csv", "--tokenizer", str(args.gguf)], check=True,
                           capture_output=True)
        with open(data, newline="") as f:
            rows = list(csv.reader(f))
        with open(csv_path, "w", newline="") as f:
            csv.writer(f).writerows(rows[:1 + args.rows])

        print("TransformerLens float32 ...", file=sys.stderr)
        tl, tl_scores = run_tl(args, model_dir, csv_path, tmp, "float32", args.runs, args.variant, True)
        pb_runs = []
        for r in range(args.runs):
            print(f"patchbay-cli run {r + 1} ...", file=sys.stderr)
            pb_runs.append(run_cli(args, model_dir, csv_path, Path(tmp) / "pb.json"))
            print("  " + json.dumps(pb_runs[-1]), file=sys.stderr)
        ref64 = None
        if not args.no_float64:
            print("TransformerLens float64 (reference for agreement, not timed) ...", file=sys.stderr)
            ref64, ref64_scores = run_tl(args, model_dir, csv_path, tmp, "float64", 1, "fast", False)
        import torch

        edge = torch.tensor(tl["edge_mask"])
        pb_scores, present = patchbay_scores(Path(tmp) / "pb.json", tl["senders"], tl["receivers"])
    load_end = loadavg()

    fast = tl.get("answer_logits") or tl["full_logits"]
    pb_sec = statistics.median(r["seconds"] for r in pb_runs)
    pb_wall = statistics.median(r["wall_seconds"] for r in pb_runs)
    tl_e2e = tl["import_seconds"] + tl["load_seconds"] + tl["tokenize_seconds"] + fast["seconds_median"]
    summary = {
        "method": args.method, "steps": args.steps if args.method == "eap-ig" else None,
        "examples": tl["examples"], "batch_size": args.batch_size, "batches": tl["batches"],
        "prompt_lengths": tl["lengths"], "threads": tl["threads"], "dtype": "float32",
        "patchbay": {
            "seconds_median": pb_sec, "wall_seconds_median": pb_wall,
            "seconds_runs": [r["seconds"] for r in pb_runs], "wall_seconds_runs": [r["wall_seconds"] for r in pb_runs],
            "maxrss_mib": max(r["maxrss_mib"] for r in pb_runs),
            "other_cpu_seconds_runs": [round(r["other_cpu_seconds"], 1) for r in pb_runs],
            "clean_metric": pb_runs[0]["clean_metric"], "corrupted_metric": pb_runs[0]["reference_metric"],
        },
        "tl": {
            "seconds_median": fast["seconds_median"],
            "corrupted_seconds_median": fast["corrupted_seconds_median"],
            "clean_backward_products_seconds_median": fast["clean_seconds_median"],
            "seconds_runs": [r["seconds"] for r in fast["runs"]],
            "other_cpu_seconds_runs": [round(r["other_cpu_seconds"], 1) for r in fast["runs"]],
            "full_logits_seconds_median": tl["full_logits"]["seconds_median"] if "full_logits" in tl else None,
            "full_logits_clean_backward_products_seconds_median":
                tl["full_logits"]["clean_seconds_median"] if "full_logits" in tl else None,
            "full_logits_seconds_runs": [r["seconds"] for r in tl["full_logits"]["runs"]] if "full_logits" in tl else None,
            "full_logits_other_cpu_seconds_runs":
                [round(r["other_cpu_seconds"], 1) for r in tl["full_logits"]["runs"]] if "full_logits" in tl else None,
            "import_seconds": tl["import_seconds"], "load_seconds": tl["load_seconds"],
            "tokenize_seconds": tl["tokenize_seconds"], "end_to_end_seconds_estimate": tl_e2e,
            "maxrss_mib": tl["maxrss_mib"], "maxrss_after_load_mib": tl["maxrss_after_load_mib"],
            "clean_metric": tl["clean_metric"], "corrupted_metric": tl["corrupted_metric"],
            "padding_check": tl.get("padding_check"),
            "max_abs_diff_between_runs": tl.get("max_abs_diff_between_runs"),
            "torch": tl["torch"], "transformer_lens": tl["transformer_lens"],
        },
        # below 1: Patchbay is faster
        "ratio_pb_seconds_over_tl_seconds": pb_sec / fast["seconds_median"],
        "ratio_pb_seconds_over_tl_clean_part": pb_sec / fast["clean_seconds_median"],
        "ratio_pb_wall_over_tl_end_to_end": pb_wall / tl_e2e,
        "edges_written_by_patchbay": int(present.sum()),
        "same_edge_set": bool((present == edge).all()),
        "agreement_pb_vs_tl32": agreement(pb_scores, tl_scores, edge),
        "loadavg_start": load_start, "loadavg_end": load_end,
        # Other processes used more than 5% of the machine during some timed run: the times are suspect.
        "noisy": any(r["other_cpu_seconds"] > 0.05 * (os.cpu_count() or 1) * w
                     for r, w in [(r, r["wall_seconds"]) for r in pb_runs]
                     + [(r, r["seconds"]) for v in ("answer_logits", "full_logits") if v in tl for r in tl[v]["runs"]]),
        "checkpoint": args.gguf.name if args.gguf else "GPT-2 small shape, random init seed 1234",
        "data": f"first {args.rows} rows of {args.data.name}",
    }
    if "full_logits" in tl:
        summary["ratio_pb_seconds_over_tl_full_logits"] = pb_sec / tl["full_logits"]["seconds_median"]
    if ref64 is not None:
        summary["agreement_pb_vs_tl64"] = agreement(pb_scores, ref64_scores, edge)
        summary["agreement_tl32_vs_tl64"] = agreement(tl_scores, ref64_scores, edge)
        summary["tl64_clean_metric"] = ref64["clean_metric"]
        summary["tl64_corrupted_metric"] = ref64["corrupted_metric"]
    line = json.dumps(summary)
    print(line)
    if args.json_out:
        args.json_out.write_text(line + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
