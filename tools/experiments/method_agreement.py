#!/usr/bin/env python3
"""Issue 22.2: how well the edge attribution methods recover exact edge patching on a real model.

For one model and task: generate N pairs (seed 1), score every edge with EAP, EAP-IG (inputs),
EAP-IG (activations) and clean-corrupted, then measure a shortlist exactly (`attribute --method
exact --edges FILE`): the union of each method's top K edges by |score| and R edges drawn at
random (seed 0) from the rest, so that both the edges a circuit would keep and ordinary edges are
represented. Prints, per method, Spearman's rank correlation with the exact effects over the
shortlist, sign agreement, top-k overlap (k = 50, 200, among the shortlist) and the same broken
down by the receiver's port (q, k, v, mlp, logits), the sender's kind (input, head, mlp) and the
sender's third of the layers; and the node level: activation patching against each method's
node sums (the sum of a node's out-edge scores).

  python3 tools/experiments/method_agreement.py [--cli build/app/cli/patchbay-cli] \
      [--model smollm2|gemma3] [--task ioi] [--n 20] [--top 200] [--random 200] [--out DIR]

Needs the real models (tools/fetch-models.sh), a built CLI and numpy. Takes ~15 min for SmolLM2
(70,651 edges, shortlist ~600) on a 2-core machine.
"""

import argparse
import collections
import json
import os
import random
import subprocess
import sys
import tempfile

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
CACHE = os.environ.get("PATCHBAY_MODELS", os.path.expanduser("~/.cache/patchbay/models"))
MODELS = {"smollm2": os.path.join(CACHE, "smollm2", "SmolLM2-135M-Instruct.Q4_1.gguf"),
          "gemma3": os.path.join(CACHE, "gemma3-270m", "gemma-3-270m-q4_k_m.gguf")}
METHODS = ["eap", "eap-ig", "eap-ig-activations", "clean-corrupted"]


def run(cmd):
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"{' '.join(cmd)}: {r.stderr}")
    return r.stdout


def spearman(a, b):
    if len(a) < 3:
        return float("nan")
    ra = np.argsort(np.argsort(a))
    rb = np.argsort(np.argsort(b))
    return float(np.corrcoef(ra, rb)[0, 1])


def port(edge):
    receiver = edge.split("->")[1]
    if receiver == "logits":
        return "logits"
    if "<" in receiver:
        return receiver[receiver.index("<") + 1:-1]
    return "mlp"


def sender_kind(edge):
    s = edge.split("->")[0]
    return "input" if s == "input" else ("head" if ".h" in s or ".kv" in s else "mlp")


def sender_layer(edge):
    s = edge.split("->")[0]
    return -1 if s == "input" else int(s[1:].split(".")[0])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cli", default=os.path.join(ROOT, "build", "app", "cli", "patchbay-cli"))
    ap.add_argument("--model", default="smollm2")
    ap.add_argument("--task", default="ioi")
    ap.add_argument("--n", type=int, default=20)
    ap.add_argument("--top", type=int, default=200)
    ap.add_argument("--random", type=int, default=200)
    ap.add_argument("--out", default=None)
    args = ap.parse_args()
    out = args.out or tempfile.mkdtemp()
    os.makedirs(out, exist_ok=True)
    model = MODELS[args.model]
    data = os.path.join(out, f"{args.model}-{args.task}.csv")
    if not os.path.exists(data):
        run([args.cli, "generate-task", args.task, "--tokenizer", model, "--n", str(args.n), "--seed", "1", "--out", data])
    scores = {}
    for m in METHODS + ["activation-patching"]:
        f = os.path.join(out, f"{args.model}-{args.task}-{m}.json")
        if not os.path.exists(f):
            run([args.cli, "attribute", "--model", model, "--data", data, "--method", m, "--out", f, "--format", "native"])
        j = json.load(open(f))
        scores[m] = {k: v["score"] for k, v in j.get("edges", {}).items()} if m != "activation-patching" else \
            {k: v["score"] for k, v in j.get("nodes", {}).items() if isinstance(v, dict) and v.get("score") is not None}
    edges = list(scores["eap"])
    shortlist = set()
    for m in METHODS:
        shortlist |= set(sorted(edges, key=lambda e: -abs(scores[m][e]))[: args.top])
    rest = [e for e in edges if e not in shortlist]
    random.Random(0).shuffle(rest)
    shortlist |= set(rest[: args.random])
    shortlist = sorted(shortlist)
    listfile = os.path.join(out, f"{args.model}-{args.task}-shortlist.txt")
    open(listfile, "w").write("\n".join(shortlist) + "\n")
    exact_file = os.path.join(out, f"{args.model}-{args.task}-exact.json")
    if not os.path.exists(exact_file):
        run([args.cli, "attribute", "--model", model, "--data", data, "--method", "exact", "--edges", listfile,
             "--out", exact_file, "--format", "native"])
    exact = {k: v["score"] for k, v in json.load(open(exact_file))["edges"].items() if k in set(shortlist)}
    print(f"{args.model} {args.task}: {len(edges)} edges, {args.n} pairs; shortlist {len(shortlist)} "
          f"(top {args.top} of each method by |score| + {args.random} random)")

    def agreement(names, m):
        a = [scores[m][e] for e in names]
        b = [exact[e] for e in names]
        sign = sum((x > 0) == (y > 0) for x, y in zip(a, b)) / max(1, len(a))
        return spearman(a, b), sign

    def overlap(m, k):
        top_m = set(sorted(shortlist, key=lambda e: -abs(scores[m][e]))[:k])
        top_x = set(sorted(shortlist, key=lambda e: -abs(exact[e]))[:k])
        return len(top_m & top_x)

    print(f"{'method':20s} {'spearman':>8s} {'signs':>6s} {'top50':>6s} {'top200':>7s}  {'sum est/exact':>13s}")
    for m in METHODS:
        s, g = agreement(shortlist, m)
        ratio = sum(scores[m][e] for e in shortlist) / sum(exact[e] for e in shortlist)
        print(f"{m:20s} {s:8.3f} {g:6.2f} {overlap(m, 50):6d} {overlap(m, 200):7d}  {ratio:13.2f}")
    groups = collections.OrderedDict()
    for e in shortlist:
        groups.setdefault(("port", port(e)), []).append(e)
        groups.setdefault(("sender", sender_kind(e)), []).append(e)
    layers = max(sender_layer(e) for e in edges) + 1
    for e in shortlist:
        t = 3 * sender_layer(e) // layers
        third = "input" if sender_layer(e) < 0 else f"{t * layers // 3}-{(t + 1) * layers // 3 - 1}"
        groups.setdefault(("sender layer", third), []).append(e)
    print("\nSpearman by group (n edges): " + ", ".join(METHODS))
    for (kind, name), names in sorted(groups.items()):
        row = " ".join(f"{agreement(names, m)[0]:7.3f}" for m in METHODS)
        mean_exact = np.mean([abs(exact[e]) for e in names])
        print(f"  {kind:12s} {name:10s} n={len(names):4d} mean|exact| {mean_exact:7.4f}  {row}")
    ap_nodes = scores["activation-patching"]
    print("\nnode level: activation patching vs each method's node sums (sum of out-edge scores)")
    for m in METHODS:
        sums = collections.defaultdict(float)
        for e, v in scores[m].items():
            sums[e.split("->")[0]] += v
        common = [n for n in ap_nodes if n in sums and n != "input"]
        a = [ap_nodes[n] for n in common]
        b = [sums[n] for n in common]
        top = lambda d: set(sorted(common, key=lambda n: -abs(d[n]))[:10])
        print(f"  {m:20s} nodes {len(common)} spearman {spearman(a, b):.3f} "
              f"signs {sum((x > 0) == (y > 0) for x, y in zip(a, b)) / len(a):.2f} top-10 overlap {len(top(ap_nodes) & top(sums))}")


if __name__ == "__main__":
    main()
