#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Agreement of two native circuit files' edge scores (the same method on CPU and on CUDA).

Prints one JSON line: edges, max |delta|, max |delta| / max |score|, Pearson r, Spearman rho,
overlap of the top-100 edges by |score|. Exit status 1 when the relative difference exceeds
--max-rel (default 1e-3: float32 on two devices sums in different orders).

    python3 tools/gpu/compare_scores.py A.json B.json [--max-rel 1e-3]
"""
import argparse
import json
import math
import sys


def scores(path):
    with open(path) as f:
        edges = json.load(f)["edges"]
    return {name: float(e["score"]) for name, e in edges.items()}


def ranks(values):
    order = sorted(range(len(values)), key=lambda i: values[i])
    r = [0.0] * len(values)
    i = 0
    while i < len(order):  # average ranks over ties
        j = i
        while j + 1 < len(order) and values[order[j + 1]] == values[order[i]]:
            j += 1
        for k in range(i, j + 1):
            r[order[k]] = (i + j) / 2.0
        i = j + 1
    return r


def pearson(x, y):
    n = len(x)
    mx, my = sum(x) / n, sum(y) / n
    sxy = sum((a - mx) * (b - my) for a, b in zip(x, y))
    sxx = sum((a - mx) ** 2 for a in x)
    syy = sum((b - my) ** 2 for b in y)
    return sxy / math.sqrt(sxx * syy) if sxx > 0 and syy > 0 else float("nan")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("a")
    ap.add_argument("b")
    ap.add_argument("--max-rel", type=float, default=1e-3)
    ap.add_argument("--label", default="", help="printed as the line's \"agreement\" field")
    args = ap.parse_args()
    a, b = scores(args.a), scores(args.b)
    if a.keys() != b.keys():
        sys.exit(f"the files name different edges ({len(a)} and {len(b)})")
    if not a:
        sys.exit("no edges in " + args.a)
    if any(math.isnan(v) for v in list(a.values()) + list(b.values())):
        sys.exit("NaN scores in " + (args.a if any(math.isnan(v) for v in a.values()) else args.b))
    names = sorted(a)
    x, y = [a[n] for n in names], [b[n] for n in names]
    delta = max(abs(p - q) for p, q in zip(x, y))
    scale = max(abs(p) for p in x) or 1.0
    top = lambda s: set(sorted(names, key=lambda n: -abs(s[n]))[:100])
    out = {"agreement": args.label, "edges": len(names), "max_abs_delta": delta, "max_rel_delta": delta / scale,
           "pearson": pearson(x, y), "spearman": pearson(ranks(x), ranks(y)),
           "top100_shared": len(top(a) & top(b))}
    print(json.dumps(out))
    sys.exit(0 if out["max_rel_delta"] <= args.max_rel else 1)


if __name__ == "__main__":
    main()
