#!/usr/bin/env python3
"""MIB's circuit selection on a real circuit file, as the fixture for the sweep tests.

MIB's faithfulness protocol (MIB-circuit-track, MIB_circuit_track/evaluation.py with
EAP-IG's Graph.apply_topn and Graph.prune) keeps, for each circuit size p:
  n = int(p * edges)                      (p = 0.001 ... 1, no 0 point)
  the n edges with the largest score      (absolute=True: |score|, for CMD;
                                           absolute=False: the signed score, for CPR)
then prunes to a fixpoint: a node stays only while it has a kept outgoing edge and a kept
incoming edge (input always counts as fed); an edge stays only while its sender and its
receiver's node stay (logits always stays).

This script re-expresses those rules on the edge names of an EAP-IG/MIB JSON file with
plain Python (no torch, no EAP-IG import) and writes, for each ranking and size, the
selected count, the score at the cut and the names of the selected edges that pruning
removed. It refuses a cut that falls inside a run of equal scores (MIB's argsort breaks
such ties arbitrarily, so no implementation could be checked there).

Usage: make_mib_selection_fixture.py CIRCUIT.json OUT.json
"""
import json
import sys

PERCENTAGES = (0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1)


def parse(name):
    sender, receiver = name.split("->")
    node = receiver.split("<")[0]
    return sender, node


def prune(kept, edges):
    """MIB's fixpoint on node presence; returns the kept edge names."""
    kept = set(kept)
    while True:
        has_out, has_in = set(), {"input"}
        for e in kept:
            s, r = edges[e]
            has_out.add(s)
            has_in.add(r)
        alive = has_out & has_in  # logits is never a sender: handled below
        alive.add("logits")
        nxt = {e for e in kept if edges[e][0] in alive and edges[e][1] in alive}
        if nxt == kept:
            return kept
        kept = nxt


def main(src, out):
    data = json.load(open(src))
    names = list(data["edges"])
    scores = {n: float(data["edges"][n]["score"]) for n in names}
    edges = {n: parse(n) for n in names}
    result = {"source": src.split("/")[-1], "edges": len(names), "percentages": PERCENTAGES, "curves": {}}
    for absolute in (True, False):
        key = (lambda n: abs(scores[n])) if absolute else (lambda n: scores[n])
        ranked = sorted(names, key=key, reverse=True)
        points = []
        for p in PERCENTAGES:
            n = int(p * len(names))
            if 0 < n < len(names) and key(ranked[n - 1]) == key(ranked[n]):
                raise SystemExit(f"tie at the cut for p={p}, absolute={absolute}")
            selected = ranked[:n]
            kept = prune(selected, edges)
            points.append({
                "percentage": p,
                "selected": n,
                "kept": len(kept),
                "cut_score": key(ranked[n - 1]) if n else None,
                "pruned": sorted(set(selected) - kept),
            })
        result["curves"]["magnitude" if absolute else "signed"] = points
    with open(out, "w") as f:
        json.dump(result, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
