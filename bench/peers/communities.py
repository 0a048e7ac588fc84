#!/usr/bin/env python3
"""Times peer community detectors on one weighted edge list (bench/detect.ts).

Usage: python3 bench/peers/communities.py EDGELIST [MEMBERSHIP]
EDGELIST: one undirected edge per line, "source target weight", nodes as integer
indices 0..n-1. MEMBERSHIP (optional): our partition, one community id per line for
nodes 0..n-1, scored with the same modularity function as the peers. Prints one JSON
object: {"nodes", "edges", "ours": {modularity, communities} | null, "peers": [{name,
version, seconds, modularity, communities}], "errors": [...]}. igraph runs are timed
REPS times (median; they are milliseconds), networkx once. Missing packages (igraph, networkx)
are installed from PyPI with pip on first use. Every peer's modularity is computed by
igraph's g.modularity with the same weights, so all are measured one way.
"""
import json
import sys
import time

from ensure import ensure


def read_edges(path):
    edges, weights, n = [], [], 0
    with open(path) as f:
        for line in f:
            parts = line.split()
            if len(parts) != 3:
                continue
            a, b, w = int(parts[0]), int(parts[1]), float(parts[2])
            edges.append((a, b))
            weights.append(w)
            n = max(n, a + 1, b + 1)
    return n, edges, weights


def timed(fn):
    t = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t


REPS = 3


def timed_median(fn):
    runs = [timed(fn) for _ in range(REPS)]
    runs.sort(key=lambda r: r[1])
    return runs[len(runs) // 2]


def main():
    if len(sys.argv) not in (2, 3):
        print("usage: communities.py EDGELIST [MEMBERSHIP]", file=sys.stderr)
        return 2
    n, edges, weights = read_edges(sys.argv[1])
    ours = None
    if len(sys.argv) == 3:
        with open(sys.argv[2]) as f:
            ours = [int(x) for x in f.read().split()]
        n = max(n, len(ours))
    out = {"nodes": n, "edges": len(edges), "ours": None, "peers": [], "errors": []}
    try:
        ig = ensure("igraph", "igraph")
    except Exception as e:  # no igraph: no common modularity either, so no peers at all
        out["errors"].append(f"igraph unavailable: {e}")
        print(json.dumps(out))
        return 0
    g = ig.Graph(n=n, edges=edges, directed=False)
    g.es["weight"] = weights

    def add(name, version, membership, seconds):
        out["peers"].append({
            "name": name,
            "version": version,
            "seconds": seconds,
            "modularity": g.modularity(membership, weights="weight"),
            "communities": len(set(membership)),
        })

    if ours is not None:
        out["ours"] = {"modularity": g.modularity(ours, weights="weight"), "communities": len(set(ours))}

    part, s = timed_median(lambda: g.community_multilevel(weights="weight"))
    add("igraph community_multilevel", ig.__version__, part.membership, s)
    part, s = timed_median(lambda: g.community_leiden(objective_function="modularity", weights="weight"))
    add("igraph community_leiden", ig.__version__, part.membership, s)

    try:
        nx = ensure("networkx", "networkx")
        G = nx.Graph()
        G.add_nodes_from(range(n))
        G.add_weighted_edges_from((a, b, w) for (a, b), w in zip(edges, weights))
        comms, s = timed(lambda: nx.community.louvain_communities(G, weight="weight", seed=1))
        membership = [0] * n
        for i, c in enumerate(comms):
            for v in c:
                membership[v] = i
        add("networkx louvain_communities", nx.__version__, membership, s)
    except Exception as e:
        out["errors"].append(f"networkx unavailable: {e}")
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
