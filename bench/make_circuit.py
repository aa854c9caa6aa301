#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Writes a synthetic circuit file in EAP-IG/MIB JSON for a model shape, for bench_canvas.

    python3 bench/make_circuit.py --layers 32 --heads 32 --out /tmp/llama8b.json   # ~1.59 M edges

Edges are those of Patchbay's graph for a sequential model with as many key/value heads as
heads (MIB's ungrouped graphs have this many edges): every sender computed before a
receiver feeds it. Scores are heavy-tailed random numbers (seeded); the top --kept by
|score| are in the circuit. Not a model's circuit: a file of the right size and shape.
"""
import argparse
import json
import random


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--layers", type=int, required=True)
    ap.add_argument("--heads", type=int, required=True)
    ap.add_argument("--kept", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    rng = random.Random(a.seed)
    L, H = a.layers, a.heads
    senders = ["input"]
    edges = []
    for l in range(L):
        before = list(senders)
        for h in range(H):
            for port in "qkv":
                edges += [f"{s}->a{l}.h{h}<{port}>" for s in before]
        heads = [f"a{l}.h{h}" for h in range(H)]
        edges += [f"{s}->m{l}" for s in before + heads]
        senders += heads + [f"m{l}"]
    edges += [f"{s}->logits" for s in senders]
    scores = [rng.paretovariate(1.5) * (1 if rng.random() < 0.5 else -1) * 1e-3 for _ in edges]
    kept = set(sorted(range(len(edges)), key=lambda i: -abs(scores[i]))[: a.kept])
    with open(a.out, "w") as f:
        f.write(json.dumps({"cfg": {"n_layers": L, "n_heads": H, "parallel_attn_mlp": False}})[:-1])
        f.write(', "nodes": ' + json.dumps({n: {"in_graph": True} for n in senders + ["logits"]}))
        f.write(', "edges": {')
        f.write(", ".join(f'"{e}": {{"score": {s:.6g}, "in_graph": {"true" if i in kept else "false"}}}'
                          for i, (e, s) in enumerate(zip(edges, scores))))
        f.write("}}\n")
    print(f"{a.out}: {len(edges)} edges, {len(kept)} in the circuit")


if __name__ == "__main__":
    main()
