"""nb.url.split on 1M log URLs against a per-row urlsplit loop.

Logs repeat URLs: 1,000,000 rows drawn (seeded) from 20,000 distinct URLs
with query strings, ports, fragments.  The loop is what a user writes by
hand: urlsplit per row, then .hostname/.port/... into columns.

    PYTHONPATH=$PWD /tmp/v311/bin/python benchmarks/url.py [ROWS] [DISTINCT]
"""
from __future__ import annotations

import os
import sys
import time
from urllib.parse import urlsplit

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

import netbook as nb  # noqa: E402

ROWS = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
DISTINCT = int(sys.argv[2]) if len(sys.argv) > 2 else 20_000


def make_urls(rows: int, distinct: int) -> pd.Series:
    rng = np.random.default_rng(7)
    hosts = [f"{'www.' if i % 3 else ''}site{i}.example.{('com', 'org', 'net')[i % 3]}" for i in range(200)]
    pool = []
    for i in range(distinct):
        h = hosts[rng.integers(len(hosts))]
        port = f":{8000 + i % 50}" if i % 7 == 0 else ""
        q = f"?utm_source=src{i % 13}&id={i}" if i % 2 else ""
        frag = "#top" if i % 11 == 0 else ""
        pool.append(f"https://{h}{port}/path/{i % 97}/item{i}.html{q}{frag}")
    return pd.Series(np.array(pool, dtype=object)[rng.integers(distinct, size=rows)], name="url")


def loop(s: pd.Series) -> pd.DataFrame:
    rows = []
    for u in s:
        p = urlsplit(u)
        rows.append((p.scheme, p.username, p.password, p.hostname, p.port, p.path, p.query, p.fragment))
    return pd.DataFrame(rows, columns=["scheme", "username", "password", "host", "port", "path", "query", "fragment"])


def main():
    s = make_urls(ROWS, DISTINCT)
    t = time.perf_counter()
    fast = nb.url.split(s)
    t_fast = time.perf_counter() - t
    t = time.perf_counter()
    slow = loop(s)
    t_loop = time.perf_counter() - t
    assert (fast["host"].to_numpy() == slow["host"].to_numpy()).all()
    assert (fast["query"].to_numpy() == slow["query"].to_numpy()).all()
    print(f"{ROWS:,} URLs ({DISTINCT:,} distinct)")
    print(f"  nb.url.split        {t_fast:6.2f} s  {ROWS / t_fast:>12,.0f} rows/s")
    print(f"  per-row urlsplit    {t_loop:6.2f} s  {ROWS / t_loop:>12,.0f} rows/s")
    print(f"  speed-up            {t_loop / t_fast:6.1f}x")


if __name__ == "__main__":
    main()
