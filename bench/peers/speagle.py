#!/usr/bin/env python3
"""SpEagle (Rayana & Akoglu, KDD 2015) from PyPI `ugfraud` on a ringwatch reviews file.

Usage: python3 bench/peers/speagle.py REVIEWS OUT.csv [--iters N] [--eps E]
REVIEWS: ringwatch's reviews import format (header `id,platform,author,product,rating,
created_at`; `.gz` accepted), as ../shared/datasets/yelpnyc/reviews.csv.gz.
OUT.csv: one row per account, `account,speagle,prior,reviews`: account as ringwatch names it
(`<platform>:<author>`), speagle = the user's belief P(spammer) after loopy belief
propagation, prior = the user's feature prior before it, reviews = the account's review count
(so a caller can compute the 1 / review-count baseline from the same file).
Measured on the whole yelpnyc set (359,052 reviews): user ROC AUC 0.641, AP 0.271 (prior alone
0.560; 1 / review count 0.608), 1,899 s at load ~20 on 2 cores (BP is pure Python).
Prints one JSON object to stdout: {users, products, reviews, rejected, iters, seconds:
{read, features, graph, bp, total}, versions, out}.

ugfraud 0.1.1.3 ships the SpEagle model and its BP (UGFraud.Detector.SpEagle) but not the
feature extraction or priors (its demo loads a precomputed priors.pkl for YelpChi). So the
priors are computed here, from the paper's text-less (behavioural) features, Table 2:
  user:    MNR, PR, NR, avgRD, WRD, BST (H), ERD, ETG (L)
  product: MNR, PR, NR, avgRD, WRD (H), ERD, ETG (L)
  review:  Rank (L), RD, EXT, DEV, ETF, ISR (H)
(H = high is suspicious, L = low is suspicious; the text features RL, ACS, MCS, PCW, PC, L,
PP1, RES, SW, OW, DL are left out: the data has no text.) Constants from the paper: WRD's
weight 1 / rank^1.5, BST's tau = 28 days, ETG's bins [0, .5, 1, 4, 7, 13, 33) days (gaps of 33
days or more are dropped), DEV's beta1 = 0.63, ETF's delta = 7 months (210 days) and beta3 =
0.69, EXT = 1 for ratings 4-5. Each feature value x becomes f(x) = the empirical probability of
a value at least as suspicious (P(X >= x) for H, P(X <= x) for L; for continuous features this
is the paper's 1 - P(X <= x) and P(X <= x), for tied / binary values it is the tail that
counts the ties, as the feature code in the UGFraud GitHub repository does; that code,
Utils/yelpFeatureExtraction.py, is not in the PyPI package), and a node's prior is
S = 1 - sqrt(sum_l f_l(x)^2 / F) (the paper's eq. 1).
Dates are days (the features are day-based; a time of day is ignored); review ranks by date,
tied days share a rank. A user reviewing one product twice is one review node (ugfraud's graph
is simple), its prior the higher of the two.

BP: ugfraud's SpEagle with the potentials and schedule of ugfraud's own demo
(Demo/eval_SpEagle.py): user-review eps 1e-5, review-product eps 0.1, BFS schedule, 2 BP
iterations, tolerance 1e-3. numpy, scipy, scikit-learn, networkx (imported by ugfraud) and
ugfraud itself are installed from PyPI with pip on first use.
"""
import argparse
import contextlib
import csv
import gzip
import json
import math
import sys
import time
from datetime import date

from ensure import ensure

UGFRAUD = "ugfraud==0.1.1.3"
REQUIRED = ["id", "platform", "author", "product", "rating", "created_at"]


def open_text(path):
    with open(path, "rb") as f:
        magic = f.read(2)
    if magic == b"\x1f\x8b":
        return gzip.open(path, "rt", encoding="utf-8", newline="")
    return open(path, "r", encoding="utf-8", newline="")


def read_reviews(path):
    """[(account, product, rating, day)], rejected count. Bad rows are reported and skipped."""
    rows, rejected = [], 0
    with open_text(path) as f:
        reader = csv.reader(f)
        header = next(reader, None)
        if header is None:
            raise SystemExit(f"{path}: empty file; expected a header {','.join(REQUIRED)}")
        header = [h.strip() for h in header]
        missing = [c for c in REQUIRED if c not in header]
        if missing:
            raise SystemExit(f"{path}: header lacks column(s) {', '.join(missing)} (has: {', '.join(header)})")
        ix = {c: header.index(c) for c in REQUIRED}
        for line, rec in enumerate(reader, start=2):
            try:
                platform, author, product = (rec[ix[c]].strip() for c in ("platform", "author", "product"))
                if not platform or not author or not product:
                    raise ValueError("empty platform, author or product")
                rating = float(rec[ix["rating"]])
                if not 1 <= rating <= 5:
                    raise ValueError(f"rating {rating} outside 1-5")
                day = date.fromisoformat(rec[ix["created_at"]].strip()[:10]).toordinal()
            except (ValueError, IndexError) as e:
                rejected += 1
                if rejected <= 20:
                    print(f"{path}:{line}: skipped: {e}", file=sys.stderr)
                continue
            rows.append((f"{platform}:{author}", f"{platform}:{product}", rating, day))
    if rejected > 20:
        print(f"{path}: {rejected} rows skipped in all", file=sys.stderr)
    return rows, rejected


def entropy(counts):
    total = sum(counts)
    if total == 0:
        return 0.0
    return -sum(c / total * math.log2(c / total) for c in counts if c > 0)


ETG_EDGES = [0.5, 1, 4, 7, 13, 33]


def gap_entropy(days):
    """ETG: entropy of the gaps between consecutive reviews, binned; gaps >= 33 days dropped."""
    days = sorted(days)
    bins = [0] * len(ETG_EDGES)
    for a, b in zip(days, days[1:]):
        gap = b - a
        for k, edge in enumerate(ETG_EDGES):
            if gap < edge:
                bins[k] += 1
                break
    return entropy(bins)


def rating_entropy(ratings):
    counts = {}
    for r in ratings:
        counts[r] = counts.get(r, 0) + 1
    return entropy(list(counts.values()))


def tail_scores(np, values, high):
    """f(x) per the module header: empirical probability of a value at least as suspicious."""
    v = np.asarray(values, dtype=float)
    s = np.sort(v)
    n = len(v)
    if high:
        return (n - np.searchsorted(s, v, side="left")) / n
    return np.searchsorted(s, v, side="right") / n


def prior(np, features):
    """S = 1 - sqrt(mean_l f_l^2) over the (name, values, high) features of one node type."""
    f = np.vstack([tail_scores(np, vals, high) for _, vals, high in features])
    return 1.0 - np.sqrt((f**2).mean(axis=0))


def group_stats(np, keys, ratings, days, ranks, avg_of_product, products_of_rows):
    """MNR (unnormalised), PR, NR, avgRD, WRD, ERD, ETG, BST inputs for rows grouped by key."""
    groups = {}
    for i, k in enumerate(keys):
        groups.setdefault(k, []).append(i)
    ids = list(groups)
    out = {n: [] for n in ("MNR", "PR", "NR", "avgRD", "WRD", "ERD", "ETG", "span")}
    for k in ids:
        rows = groups[k]
        per_day = {}
        for i in rows:
            per_day[days[i]] = per_day.get(days[i], 0) + 1
        rs = [ratings[i] for i in rows]
        dev = [abs(ratings[i] - avg_of_product[products_of_rows[i]]) for i in rows]
        w = [ranks[i] ** -1.5 for i in rows]
        out["MNR"].append(max(per_day.values()))
        out["PR"].append(sum(1 for r in rs if r >= 4) / len(rs))
        out["NR"].append(sum(1 for r in rs if r <= 2) / len(rs))
        out["avgRD"].append(sum(dev) / len(dev))
        out["WRD"].append(sum(d * x for d, x in zip(dev, w)) / sum(w))
        out["ERD"].append(rating_entropy(rs))
        out["ETG"].append(gap_entropy([days[i] for i in rows]))
        out["span"].append(max(days[i] for i in rows) - min(days[i] for i in rows))
    mnr_max = max(out["MNR"])
    out["MNR"] = [m / mnr_max for m in out["MNR"]]
    return ids, groups, out


def features_and_priors(np, rows):
    users = [r[0] for r in rows]
    prods = [r[1] for r in rows]
    ratings = [r[2] for r in rows]
    days = [r[3] for r in rows]
    n = len(rows)

    by_product = {}
    for i, p in enumerate(prods):
        by_product.setdefault(p, []).append(i)
    avg = {p: sum(ratings[i] for i in ix) / len(ix) for p, ix in by_product.items()}
    first = {p: min(days[i] for i in ix) for p, ix in by_product.items()}
    ranks = [0] * n
    for ix in by_product.values():
        # rank by date, 1 = earliest; reviews on the same day share the rank (ties are ties)
        ix.sort(key=lambda i: days[i])
        for pos, i in enumerate(ix):
            ranks[i] = pos + 1 if pos == 0 or days[ix[pos - 1]] != days[i] else ranks[ix[pos - 1]]

    u_ids, u_groups, uf = group_stats(np, users, ratings, days, ranks, avg, prods)
    bst = [0.0 if s > 28 else 1.0 - s / 28 for s in uf["span"]]
    u_prior = prior(np, [
        ("MNR", uf["MNR"], True), ("PR", uf["PR"], True), ("NR", uf["NR"], True),
        ("avgRD", uf["avgRD"], True), ("WRD", uf["WRD"], True), ("BST", bst, True),
        ("ERD", uf["ERD"], False), ("ETG", uf["ETG"], False),
    ])
    p_ids, _, pf = group_stats(np, prods, ratings, days, ranks, avg, prods)
    p_prior = prior(np, [
        ("MNR", pf["MNR"], True), ("PR", pf["PR"], True), ("NR", pf["NR"], True),
        ("avgRD", pf["avgRD"], True), ("WRD", pf["WRD"], True),
        ("ERD", pf["ERD"], False), ("ETG", pf["ETG"], False),
    ])

    user_reviews = {u: len(ix) for u, ix in u_groups.items()}
    # the date of the user's last review of the product (ETF's T_ij)
    last = {}
    for i in range(n):
        key = (users[i], prods[i])
        last[key] = max(last.get(key, days[i]), days[i])
    rd = [abs(ratings[i] - avg[prods[i]]) for i in range(n)]
    ext = [1.0 if ratings[i] >= 4 else 0.0 for i in range(n)]
    dev = [1.0 if rd[i] / 4 > 0.63 else 0.0 for i in range(n)]
    etf = []
    for i in range(n):
        elapsed = last[(users[i], prods[i])] - first[prods[i]]
        etf_prime = 0.0 if elapsed > 210 else 1.0 - elapsed / 210
        etf.append(1.0 if etf_prime > 0.69 else 0.0)
    isr = [1.0 if user_reviews[users[i]] == 1 else 0.0 for i in range(n)]
    r_prior = prior(np, [
        ("Rank", ranks, False), ("RD", rd, True), ("EXT", ext, True),
        ("DEV", dev, True), ("ETF", etf, True), ("ISR", isr, True),
    ])
    review_prior = {}
    for i in range(n):
        key = (users[i], prods[i])
        review_prior[key] = max(review_prior.get(key, 0.0), float(r_prior[i]))
    return (
        dict(zip(u_ids, map(float, u_prior))),
        dict(zip(p_ids, map(float, p_prior))),
        review_prior,
        user_reviews,
    )


def run_speagle(np, nx, SpEagle, u_prior, p_prior, r_prior, iters, eps):
    # ugfraud keys nodes by string and tells users from products by its own 'u' / 'p' prefix,
    # so names are indices; users are added first so every edge is reported as (user, product),
    # the orientation SpEagle looks review priors up by.
    u_names = {u: str(i) for i, u in enumerate(u_prior)}
    p_names = {p: str(len(u_names) + j) for j, p in enumerate(p_prior)}
    g = nx.Graph()
    g.add_nodes_from((u_names[u], {"types": "user", "prior": v}) for u, v in u_prior.items())
    g.add_nodes_from((p_names[p], {"types": "prod", "prior": v}) for p, v in p_prior.items())
    g.add_edges_from((u_names[u], p_names[p], {"types": "review", "prior": v}) for (u, p), v in r_prior.items())
    numerical_eps = 1e-5
    u_r = np.log(np.array([[1 - numerical_eps, numerical_eps], [numerical_eps, 1 - numerical_eps]]))
    r_p = np.log(np.array([[1 - eps, eps], [eps, 1 - eps]]))
    potentials = {"u_r": u_r, "r_u": u_r, "r_p": r_p, "p_r": r_p}
    t = time.perf_counter()
    with contextlib.redirect_stdout(sys.stderr):  # ugfraud prints its timings
        model = SpEagle(g, potentials, message=None, max_iters=iters)
        t_graph = time.perf_counter() - t
        model.schedule(schedule_type="bfs")
        model.run_bp(start_iter=0, max_iters=iters, tol=1e-3)
        user_belief, _, _ = model.classify()
    by_name = {v: u for u, v in u_names.items()}
    return {by_name[k]: float(v) for k, v in user_belief.items()}, t_graph, time.perf_counter() - t - t_graph


def main():
    ap = argparse.ArgumentParser(description="SpEagle (ugfraud) user scores for a ringwatch reviews file.")
    ap.add_argument("reviews")
    ap.add_argument("out")
    ap.add_argument("--iters", type=int, default=2, help="BP iterations (ugfraud's demo: 2)")
    ap.add_argument("--eps", type=float, default=0.1, help="review-product potential eps (ugfraud's demo: 0.1)")
    args = ap.parse_args()
    t0 = time.perf_counter()
    np = ensure("numpy", "numpy")
    ensure("scipy", "scipy")
    ensure("sklearn", "scikit-learn")
    nx = ensure("networkx", "networkx")
    SpEagle = ensure("UGFraud.Detector.SpEagle", UGFRAUD).SpEagle
    t_setup = time.perf_counter()
    rows, rejected = read_reviews(args.reviews)
    if not rows:
        raise SystemExit(f"{args.reviews}: no usable review rows")
    t_read = time.perf_counter()
    u_prior, p_prior, r_prior, counts = features_and_priors(np, rows)
    t_feat = time.perf_counter()
    belief, t_graph, t_bp = run_speagle(np, nx, SpEagle, u_prior, p_prior, r_prior, args.iters, args.eps)
    with open(args.out, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["account", "speagle", "prior", "reviews"])
        for u, p in u_prior.items():
            w.writerow([u, repr(belief[u]), repr(p), counts[u]])
    t_end = time.perf_counter()
    from importlib.metadata import version

    print(json.dumps({
        "users": len(u_prior), "products": len(p_prior), "reviews": len(rows), "rejected": rejected,
        "iters": args.iters,
        "seconds": {
            "read": round(t_read - t_setup, 2), "features": round(t_feat - t_read, 2),
            "graph": round(t_graph, 2), "bp": round(t_bp, 2), "total": round(t_end - t_setup, 2),
        },
        "versions": {"ugfraud": version("ugfraud"), "networkx": nx.__version__, "numpy": np.__version__},
        "out": args.out,
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
