"""Access logs and ip columns as data: read_log, Parquet, and a Dask pipeline.

    python benchmarks/logs.py                     # read_log on 1M lines + Parquet of 10M ip values
    python benchmarks/logs.py --lines 200000 --parquet-rows 1000000     # quick
    python benchmarks/logs.py --pipeline --pipeline-lines 20000000      # + the Dask pipeline

1. ``nb.http.read_log`` on ``--lines`` combined lines beside what a user
   would write: ``read_csv`` of whole lines + ``str.extract`` with the usual
   combined regex (pandas), a per-line ``re.match`` loop, and the speed of a
   columnar reader reading the same file as a plain space-delimited file
   (DuckDB ``read_csv``, pyarrow ``read_csv``: they split fields, nothing more).
2. Parquet round trip of ``--parquet-rows`` addresses as an ``ip`` column
   beside the same addresses as strings: write + read time and file size.
3. ``--pipeline``: a multi-file log of ``--pipeline-lines`` lines on a
   ``distributed.LocalCluster`` (2 workers, ``--memory-limit`` each, smaller
   than the data): read_log by blocks -> lpm_join -> group by network and
   status -> to_parquet -> read back; plus a shuffle keyed on the ip column.

Timings are the best of ``--repeat`` runs, both sides in the same run.
"""
from __future__ import annotations

import argparse
import gc
import io
import os
import re
import sys
import tempfile
import time

import numpy as np
import pandas as pd

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

import netbook as nb

COMBINED_RE = (r'^(\S+) (\S+) (\S+) \[([^\]]+)\] "([A-Z]+) ([^ "]+)? ([^"]+)?" (\d{3}) (\d+|-) '
               r'"([^"]*)" "([^"]*)"$')


def timed(f, repeat):
    best, out = float("inf"), None
    for _ in range(repeat):
        gc.collect()
        t = time.perf_counter()
        out = f()
        best = min(best, time.perf_counter() - t)
    return best, out


def bench_read_log(path: str, lines: int, repeat: int) -> None:
    with open(path, "rb") as f:
        raw = f.read()
    print(f"\n== read_log: {lines:,} combined lines, {len(raw) / 2**20:.0f} MiB")
    t_nb, df = timed(lambda: nb.http.read_log(path), repeat)
    assert len(df) == lines and df.attrs["bad_line_count"] == 0

    def pandas_baseline():
        s = pd.read_csv(io.BytesIO(raw), sep="\x01", header=None, names=["line"], quoting=3, dtype=str)["line"]
        return s.str.extract(COMBINED_RE)

    def loop_baseline():
        rx = re.compile(COMBINED_RE)
        return [rx.match(x).groups() for x in raw.decode().splitlines()]

    t_pd, ex = timed(pandas_baseline, max(1, repeat - 1))
    assert ex[0].notna().all()
    t_loop, rows = timed(loop_baseline, max(1, repeat - 1))
    assert len(rows) == lines
    rows_out = [("nb.http.read_log (typed columns: ip, time, Int16, Int64, str)", t_nb)]
    rows_out += [("pandas read_csv(lines) + str.extract(combined regex)", t_pd), ("per-line re.match loop", t_loop)]
    try:
        import duckdb

        q = f"select * from read_csv('{path}', delim=' ', quote='\"', escape='\\', header=false, all_varchar=true)"
        t_duck, r = timed(lambda: duckdb.sql(q).to_arrow_table(), repeat)
        assert r.num_rows == lines
        rows_out.append(("DuckDB read_csv, space-delimited, all VARCHAR (columnar reader)", t_duck))
    except ImportError:
        t_duck = None
    import pyarrow as pa
    import pyarrow.csv as pcsv

    names = [f"c{i}" for i in range(10)]
    t_pa, _ = timed(lambda: pcsv.read_csv(pa.BufferReader(raw), read_options=pcsv.ReadOptions(column_names=names),
                                          parse_options=pcsv.ParseOptions(delimiter=" ", escape_char="\\"),
                                          convert_options=pcsv.ConvertOptions(column_types={n: pa.string() for n in names})),
                    repeat)
    rows_out.append(("pyarrow.csv.read_csv, space-delimited, all string (columnar reader)", t_pa))
    for name, t in rows_out:
        print(f"  {name:<70} {t:7.3f} s  {lines / t / 1e6:6.2f} M lines/s")
    print(f"  read_log vs pandas baseline: {t_pd / t_nb:5.1f}x faster   (target >= 5x)")
    print(f"  read_log vs re.match loop:   {t_loop / t_nb:5.1f}x faster   (target >= 3x)")
    if t_duck:
        print(f"  read_log / DuckDB plain read: {t_nb / t_duck:5.2f}x the time (aim <= 3x)")
    print(f"  read_log / pyarrow plain read: {t_nb / t_pa:5.2f}x the time")


def bench_parquet(rows: int, repeat: int, tmp: str) -> None:
    print(f"\n== Parquet round trip: {rows:,} addresses (90% IPv4, 10% IPv6, 1% NA)")
    rng = np.random.default_rng(0)
    v4 = rng.integers(0, 2**32, rows, dtype=np.uint64)
    ip = pd.Series(nb.ip.arrays.IPArray.from_ints(v4))
    six = rng.random(rows) < 0.10
    ip.array.ver[six] = 6
    ip.array.hi[six] = np.uint64(0x20010DB800000000)
    ip.array.lo[six] = rng.integers(0, 2**63, int(six.sum()), dtype=np.int64).astype(np.uint64)
    na = rng.random(rows) < 0.01
    ip.array.ver[na] = 0
    ip.array.hi[na] = 0
    ip.array.lo[na] = 0
    as_ip = pd.DataFrame({"client": ip})
    as_str = pd.DataFrame({"client": ip.astype("str")})
    out = []
    for label, frame in (("ip column (netbook.ip extension type)", as_ip), ("the same addresses as strings", as_str)):
        p = os.path.join(tmp, f"col-{label[:2]}.parquet")
        tw, _ = timed(lambda frame=frame, p=p: frame.to_parquet(p), repeat)
        tr, back = timed(lambda p=p: pd.read_parquet(p), repeat)
        assert back.client.dtype == frame.client.dtype and len(back) == rows
        out.append((label, tw, tr, os.path.getsize(p)))
    for label, tw, tr, size in out:
        print(f"  {label:<40} write {tw:6.2f} s  read {tr:6.2f} s  total {tw + tr:6.2f} s  {size / 2**20:7.1f} MiB")
    (_, w1, r1, s1), (_, w2, r2, s2) = out
    print(f"  ip vs strings: {(w2 + r2) / (w1 + r1):4.1f}x faster round trip, {s2 / s1:4.2f}x smaller file")


def bench_pipeline(lines: int, files: int, memory_limit: str, tmp: str) -> None:
    import dask
    import dask.dataframe as dd
    from distributed import Client, LocalCluster

    import netbook.http.dask as hd
    import netbook.http.loggen as loggen

    logdir = os.path.join(tmp, "logs")
    print(f"\n== Dask pipeline: {lines:,} lines in {files} files, LocalCluster 2 workers x {memory_limit}")
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, memory_limit=memory_limit,
                      dashboard_address=None) as cluster, Client(cluster) as client:
        t = time.perf_counter()
        per = -(-lines // files)
        futs = client.map(lambda k: nb.http.sample_log(os.path.join(logdir, f"access-{k:03d}.log"), per, seed=k),
                          range(files), pure=False) if os.makedirs(logdir, exist_ok=True) is None else []
        client.gather(futs)
        size = sum(os.path.getsize(os.path.join(logdir, f)) for f in os.listdir(logdir))
        print(f"  generated {size / 2**30:.2f} GiB in {time.perf_counter() - t:.1f} s "
              f"(data {size / 2**20:.0f} MiB > memory limit per worker {memory_limit})")
        nets = pd.DataFrame({"network": nb.ip.parse_network([n for n, _ in loggen.NETWORKS]),
                             "name": [n for n, _ in loggen.NETWORKS]})
        t = time.perf_counter()
        ddf = hd.read_log(os.path.join(logdir, "*.log"), blocksize="16MiB")
        joined = nb.ip.dask.lpm_join(ddf, nets, on="client")
        joined.to_parquet(os.path.join(tmp, "joined"))
        t_write = time.perf_counter() - t
        t = time.perf_counter()
        back = dd.read_parquet(os.path.join(tmp, "joined"))
        summary = back.groupby(["name", "status"]).bytes.sum().compute()
        t_group = time.perf_counter() - t
        assert back.dtypes["client"].name == "ip" and back.dtypes["network"].name == "ipnet"
        print(f"  read_log -> lpm_join -> to_parquet: {t_write:6.1f} s ({lines / t_write / 1e6:.2f} M lines/s), "
              f"{ddf.npartitions} partitions")
        print(f"  read_parquet -> group by network, status: {t_group:6.1f} s, {len(summary)} groups, dtypes intact")
        t = time.perf_counter()
        with dask.config.set({"dataframe.shuffle.method": "p2p"}):
            top = back.groupby("client").bytes.sum(split_out=4).nlargest(5).compute()
        print(f"  P2P shuffle on the ip column (groupby client, split_out=4): {time.perf_counter() - t:6.1f} s; "
              f"top client {top.index[0]}")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--lines", type=int, default=1_000_000, help="lines for the read_log comparison")
    ap.add_argument("--parquet-rows", type=int, default=10_000_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--pipeline", action="store_true", help="also run the Dask pipeline")
    ap.add_argument("--pipeline-lines", type=int, default=20_000_000)
    ap.add_argument("--pipeline-files", type=int, default=8)
    ap.add_argument("--memory-limit", default="1GiB", help="per Dask worker")
    ap.add_argument("--skip-read", action="store_true")
    ap.add_argument("--skip-parquet", action="store_true")
    a = ap.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="nb-logs-") as tmp:
        if not a.skip_read:
            path = os.path.join(tmp, "access.log")
            nb.http.sample_log(path, a.lines, seed=1)
            bench_read_log(path, a.lines, a.repeat)
        if not a.skip_parquet:
            bench_parquet(a.parquet_rows, a.repeat, tmp)
        if a.pipeline:
            bench_pipeline(a.pipeline_lines, a.pipeline_files, a.memory_limit, tmp)


if __name__ == "__main__":
    main()
