"""nb.ip against the per-row ``ipaddress`` loop a user would write.

    python benchmarks/ip.py            # 1M and 10M addresses
    python benchmarks/ip.py --quick    # 1M only

Each vectorized operation runs on the whole column; the per-row loop runs
on a sample (``--sample`` rows, default 100,000) and is scaled linearly to
the column size (a per-row loop is linear; running it on 10M rows would take
minutes).  Every timing is the best of three runs, for both sides.  Both are measured in the same run on the same machine, so the
ratios hold even when the machine is busy.  Targets (issue 4): parse >= 30x,
the 1M x 100k longest-prefix join < 2 s, <= 24 bytes per address.
"""
from __future__ import annotations

import argparse
import gc
import ipaddress
import os
import sys
import time

import numpy as np
import pandas as pd

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

import netbook as nb  # noqa: E402
from netbook.ip import _kernels as K  # noqa: E402


def timed(f, repeat=3):
    best = float("inf")
    out = None
    for _ in range(repeat):
        gc.collect()
        t = time.perf_counter()
        out = f()
        best = min(best, time.perf_counter() - t)
    return best, out


def make_addresses(n, rng):
    x = rng.integers(0, 2**32, n, dtype=np.uint64)
    private = rng.random(n) < 0.3
    x[private] = np.uint64(10 << 24) | (x[private] & np.uint64(0xFFFFFF))
    return K.format_v4(x).tolist()


def make_networks(k, rng):
    plen = rng.integers(8, 29, k)
    x = rng.integers(0, 2**32, k, dtype=np.uint64)
    mask = (np.uint64(0xFFFFFFFF) << (np.uint64(32) - plen.astype(np.uint64))) & np.uint64(0xFFFFFFFF)
    base = K.format_v4(x & mask)
    return pd.DataFrame({"network": [f"{a}/{p}" for a, p in zip(base, plen)], "asn": np.arange(k)})


def row(name, n, vec, per_row, target=None):
    ratio = per_row / vec if vec else float("inf")
    mark = ""
    if target is not None:
        mark = "  (target >= %dx: %s)" % (target, "met" if ratio >= target else "NOT met")
    print(f"  {name:<34} {vec:8.3f} s   per-row loop {per_row:9.1f} s (est.)   {ratio:7.1f}x{mark}")


def bench(n, sample, rng, k_nets=100_000):
    print(f"\n== {n:,} addresses ==")
    t_gen, strs = timed(lambda: make_addresses(n, rng), repeat=1)
    series = pd.Series(strs, dtype=object)
    sub = strs[:sample]
    scale = n / len(sub)

    t_vec, s = timed(lambda: nb.ip.parse(series))
    t_row, objs = timed(lambda: [ipaddress.ip_address(v) for v in sub])
    row("parse (object column of str)", n, t_vec, t_row * scale, target=30)
    try:
        arrow = pd.Series(strs, dtype="string[pyarrow]")
    except ImportError:
        arrow = None
    if arrow is not None:
        t_vec2, s2 = timed(lambda: nb.ip.parse(arrow))
        row("parse (pandas str[pyarrow] column)", n, t_vec2, t_row * scale, target=30)
        del arrow, s2
    print(f"  {'memory per address':<34} {s.array.nbytes / n:8.1f} bytes (target <= 24: {'met' if s.array.nbytes / n <= 24 else 'NOT met'})")

    t_vec, _ = timed(lambda: s.ip.is_private)
    t_row, _ = timed(lambda: [a.is_private for a in objs])
    row("is_private (parsed column)", n, t_vec, t_row * scale)

    t_vec, _ = timed(lambda: s.ip.network(24))
    t_row, _ = timed(lambda: [ipaddress.ip_network((a, 24), strict=False) for a in objs[: sample // 4]])
    row("truncate to /24", n, t_vec, t_row * scale * 4)

    nets100 = [str(ipaddress.ip_network((int(x), int(p)), strict=False)) for x, p in
               zip(rng.integers(0, 2**32, 100), rng.integers(8, 25, 100))]
    net_objs = [ipaddress.ip_network(x) for x in nets100]
    t_vec, _ = timed(lambda: s.ip.in_networks(nets100))
    few = objs[: sample // 20]
    t_row, _ = timed(lambda: [any(a in net for net in net_objs) for a in few])
    row("membership in 100 networks", n, t_vec, t_row * scale * 20)

    if n <= 1_000_000 or k_nets:
        nets = make_networks(k_nets, rng)
        t_vec, joined = timed(lambda: s.ip.lookup(nets))
        # the per-row loop a careful user writes: a dict per prefix length, longest first
        parsed = [ipaddress.ip_network(x) for x in nets["network"]]
        by_len = {}
        for i, net in enumerate(parsed):
            by_len.setdefault(net.prefixlen, {}).setdefault(int(net.network_address) >> (32 - net.prefixlen), i)
        lens = sorted(by_len, reverse=True)

        def lpm_one(a):
            x = int(a)
            for p in lens:
                hit = by_len[p].get(x >> (32 - p))
                if hit is not None:
                    return hit
            return None

        few = objs[: sample // 4]
        t_row, ref = timed(lambda: [lpm_one(a) for a in few])
        got = joined["asn"].iloc[: len(few)].tolist()
        assert [None if pd.isna(g) else int(g) for g in got] == ref, "LPM mismatch"
        row(f"longest-prefix join x {k_nets:,} nets", n, t_vec, t_row * scale * 4)
        if n == 1_000_000:
            print(f"  {'':<34} 1M x 100k join target < 2 s: {'met' if t_vec < 2 else 'NOT met'} ({t_vec:.2f} s)")


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="1M addresses only")
    ap.add_argument("--sample", type=int, default=100_000)
    args = ap.parse_args(argv)
    rng = np.random.default_rng(2024)
    print(f"nb.ip benchmark (python {sys.version.split()[0]}, numpy {np.__version__}, pandas {pd.__version__}, "
          f"{os.cpu_count()} cores, load {os.getloadavg()[0]:.1f})")
    for n in ([1_000_000] if args.quick else [1_000_000, 10_000_000]):
        bench(n, min(args.sample, n), rng)


if __name__ == "__main__":
    main()
