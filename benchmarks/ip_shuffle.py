"""Dask ``set_index`` keyed on an ``ip`` column against the alternative a user
would pick: the same addresses kept as text (``str``) -- which sorts as text,
not by number, and which Dask cannot use with missing values, so its rows
with NA are dropped first.

    python benchmarks/ip_shuffle.py            # 2M rows, 8 partitions
    python benchmarks/ip_shuffle.py --rows 500000

The frame is what access-log clients look like: IPv4 (70%), IPv6 (20%) and
host names (10%, NA in the ip column).  Dask runs its default local
scheduler (threads, "disk" shuffle).  Both sides are timed in the same run,
best of three, and the ratio is printed; so is the time with Dask's own row
placement (comparing scalars) instead of netbook.ip.dask's (by numbers).
"""
from __future__ import annotations

import argparse
import gc
import os
import sys
import tempfile
import time

import numpy as np
import pandas as pd

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

import netbook as nb  # noqa: E402


def timed(f, repeat=3):
    best, out = float("inf"), None
    for _ in range(repeat):
        gc.collect()
        t = time.perf_counter()
        out = f()
        best = min(best, time.perf_counter() - t)
    return best, out


def frame(n, rng):
    kind = rng.integers(0, 10, n)
    v4 = rng.integers(0, 2**32, n, dtype=np.uint64)
    v6 = rng.integers(0, 2**32, n, dtype=np.uint64)
    text = np.where(kind < 7, pd.Series(nb.ip.from_int(v4, version=4)).astype(str).to_numpy(dtype=object),
                    np.where(kind < 9, ["2001:db8::%x:%x" % (x >> 16, x & 0xFFFF) for x in v6.tolist()],
                             "host.example.net"))
    return pd.DataFrame({"addr": text, "ip": nb.ip.parse(text.tolist(), errors="coerce"), "v": np.arange(n)})


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=2_000_000)
    ap.add_argument("--partitions", type=int, default=8)
    args = ap.parse_args(argv)
    import dask
    import dask.dataframe as dd

    import netbook.ip.dask  # noqa: F401  Dask metadata for the types

    df = frame(args.rows, np.random.default_rng(1))
    print(f"Dask set_index on an ip column ({args.rows:,} rows, {args.partitions} partitions; "
          f"dask {dask.__version__}, pandas {pd.__version__})")
    with tempfile.TemporaryDirectory() as tmp, dask.config.set({"temporary-directory": tmp}):
        ddf = dd.from_pandas(df, npartitions=args.partitions)
        t_ip, out = timed(lambda: ddf.drop(columns="addr").set_index("ip").compute())
        assert out.index.tolist()[:1000] == df.ip.sort_values().tolist()[:1000] and out.index.isna().sum() == df.ip.isna().sum()
        from dask.dataframe.dask_expr._shuffle import _SetPartitionsPreSetIndex as P

        fast = P.operation
        P.operation = staticmethod(fast.args[0])  # Dask's own placement: comparing the scalars
        try:
            t_obj, out_o = timed(lambda: ddf.drop(columns="addr").set_index("ip").compute())
        finally:
            P.operation = fast
        assert out_o.index.equals(out.index)
        text = dd.from_pandas(df[df.ip.notna()].drop(columns="ip"), npartitions=args.partitions)
        t_str, out_s = timed(lambda: text.set_index("addr").compute())
        assert len(out_s) == df.ip.notna().sum()
    print(f"  set_index('ip')  (NA kept, numeric order) {t_ip:7.2f} s")
    print(f"    rows placed by comparing scalars        {t_obj:7.2f} s  ({t_obj / t_ip:.1f}x the time of netbook.ip.dask's placement)")
    print(f"  set_index('addr') (str, NA dropped)       {t_str:7.2f} s")
    print(f"  ratio str / ip: {t_str / t_ip:.2f}x")


if __name__ == "__main__":
    main()
