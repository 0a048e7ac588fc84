#!/usr/bin/env python3
"""The QUT coordination-network-toolkit's co-link network on a co-action file (bench/coshare.ts).

Usage: python3 bench/peers/coshare.py POSTS_CSV[.gz] WORKDIR [TIME_WINDOW_S] [MIN_EDGE_WEIGHT]

POSTS_CSV: ringwatch's multi-object co-action form (account_id, post_id, timestamp and
object columns *_id, as german-elections-2021), or CooRTweet's (object_id, account_id,
content_id, timestamp_share; epoch seconds). Rows of one post are merged and each
object becomes "<kind>:<id>" (url_id -> url:<id>, object_id -> object:<id>), the same
names ringwatch's import gives them; the toolkit's CSV puts them in its space-separated
`urls` field, so its co_link network is a co-share network over every object kind. Posts
sharing nothing are left out (the toolkit's co_link never reads them). The toolkit (PyPI
coordination-network-toolkit 1.5.2) is installed with pip on first use. Its own steps
are timed: preprocess (CSV into its SQLite database) and compute (the co_link query,
n_cpus = the machine's cores); the conversion is timed apart.

Prints one JSON object: {"version", "time_window", "min_edge_weight", "n_cpus", "seconds":
{"convert", "preprocess", "compute"}, "messages", "edges" (undirected, no self loops),
"accounts": [user ids in the network]}.
"""
import contextlib
import csv
import gzip
import importlib
import importlib.metadata
import json
import os
import sys
import time

from ensure import ensure

PACKAGE = "coordination-network-toolkit==1.5.2"


def convert(src, dst):
    """Merges a post's rows; writes the toolkit's CSV (message_id, user_id, username,
    repost_id, reply_id, message, timestamp, urls). Returns the number of messages."""
    opener = gzip.open if src.endswith(".gz") else open
    posts = {}
    with opener(src, "rt", newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        object_cols = [c for c in reader.fieldnames if c.endswith("_id") and c not in ("account_id", "post_id", "content_id")]
        # CooRTweet's schema names the post content_id and its time timestamp_share.
        post_col = "post_id" if "post_id" in reader.fieldnames else "content_id"
        time_col = "timestamp" if "timestamp" in reader.fieldnames else "timestamp_share"
        for r in reader:
            pid = r[post_col]
            if not pid or not r["account_id"]:
                continue
            objs = [f"{c[:-3]}:{r[c]}" for c in object_cols if r[c]]
            p = posts.get(pid)
            if p is None:
                posts[pid] = (r["account_id"], int(float(r[time_col])), set(objs))
            else:
                p[2].update(objs)
    n = 0
    with open(dst, "w", newline="", encoding="utf-8") as out:
        w = csv.writer(out)
        w.writerow(["message_id", "user_id", "username", "repost_id", "reply_id", "message", "timestamp", "urls"])
        for pid, (acc, ts, objs) in posts.items():
            if not objs:
                continue
            n += 1
            w.writerow([pid, acc, acc, "", "", "", ts, " ".join(sorted(objs))])
    return n


def main():
    if len(sys.argv) not in (3, 4, 5):
        print(__doc__, file=sys.stderr)
        return 2
    src, work = sys.argv[1], sys.argv[2]
    time_window = int(sys.argv[3]) if len(sys.argv) > 3 else 10
    min_edge_weight = int(sys.argv[4]) if len(sys.argv) > 4 else 2
    ensure("coordination_network_toolkit", PACKAGE)
    from coordination_network_toolkit.compute_networks import compute_co_link_network
    from coordination_network_toolkit.preprocess import preprocess_csv_files

    os.makedirs(work, exist_ok=True)
    messages_csv = os.path.join(work, "messages.csv")
    db = os.path.join(work, "toolkit.db")
    for f in (db, db + "-wal", db + "-shm"):
        if os.path.exists(f):
            os.remove(f)
    seconds = {}
    t = time.perf_counter()
    messages = convert(src, messages_csv)
    seconds["convert"] = time.perf_counter() - t
    n_cpus = os.cpu_count() or 1
    # The toolkit prints progress on stdout; ours is the JSON line.
    with contextlib.redirect_stdout(sys.stderr):
        t = time.perf_counter()
        preprocess_csv_files(db, [messages_csv])
        seconds["preprocess"] = time.perf_counter() - t
        t = time.perf_counter()
        compute_co_link_network(db, time_window, n_threads=n_cpus, min_edge_weight=min_edge_weight)
        seconds["compute"] = time.perf_counter() - t

    import sqlite3

    con = sqlite3.connect(db)
    pairs, accounts = set(), set()
    for a, b in con.execute("select user_1, user_2 from co_link_network where user_1 != user_2"):
        pairs.add((min(a, b), max(a, b)))
        accounts.update((a, b))
    con.close()
    version = importlib.metadata.version("coordination-network-toolkit")
    print(json.dumps({
        "version": version, "time_window": time_window, "min_edge_weight": min_edge_weight, "n_cpus": n_cpus,
        "seconds": seconds, "messages": messages, "edges": len(pairs), "accounts": sorted(accounts),
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
