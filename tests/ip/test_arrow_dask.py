"""ip columns move between Dask worker processes (P2P shuffles go through
Arrow) and through Dask's Parquet reader/writer."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import netbook as nb
import netbook.ip.dask

dd = pytest.importorskip("dask.dataframe")
distributed = pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def client():
    from distributed import Client, LocalCluster

    cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None)
    c = Client(cluster)
    yield c
    c.close()
    cluster.close()


def _frame(n=20_000):
    rng = np.random.default_rng(5)
    addrs = [f"10.{i % 7}.{i % 50}.{i % 200}" for i in range(n)]
    addrs[3] = "2001:db8::3"
    addrs[4] = None
    return pd.DataFrame({"ip": nb.ip.parse(addrs), "net": nb.ip.parse_network([f"10.{i % 7}.0.0/16" for i in range(n)]),
                         "v": rng.integers(0, 1000, n)})


def test_p2p_shuffles_on_ip(client):
    import dask

    df = _frame()
    ddf = dd.from_pandas(df, npartitions=4)
    with dask.config.set({"dataframe.shuffle.method": "p2p"}):
        sh = ddf.shuffle("ip").compute()
        assert sh.dtypes["ip"].name == "ip" and sh.dtypes["net"].name == "ipnet"
        assert sorted(map(str, sh.ip.dropna())) == sorted(map(str, df.ip.dropna()))
        g = ddf.groupby("ip").v.sum(split_out=2).compute().sort_index()
        want = df.groupby("ip").v.sum().sort_index()
        assert g.index.dtype.name == "ip" and g.index.tolist() == want.index.tolist() and g.tolist() == want.tolist()
        first = df.dropna(subset=["ip"]).drop_duplicates("ip")[["ip", "v"]].rename(columns={"v": "first_v"})
        m = ddf.merge(dd.from_pandas(first, npartitions=2), on="ip").compute()
        assert len(m) == df.ip.notna().sum() and m.dtypes["ip"].name == "ip"
        assert m.set_index("ip").first_v.groupby(level=0).nunique().eq(1).all()
        ga = ddf.groupby("ip").apply(lambda p: p.v.sum(), meta=("v", "i8")).compute().sort_index()
        assert ga.tolist() == want.tolist()
        # set_index on this column (an IPv6 row, an NA row): more in the tests below
        si = ddf.set_index("ip")
        _check_sorted(si, df)


def _mixed(n=20_000, seed=11):
    """What access-log clients look like: IPv4 from a few ranges, IPv6, repeats,
    and host names (NA in the ip column)."""
    rng = np.random.default_rng(seed)
    kind = rng.integers(0, 20, n)
    a, b, c = rng.integers(0, 256, n), rng.integers(0, 256, n), rng.integers(0, 65536, n)
    addrs = np.where(kind < 8, [f"10.{x}.{y}.1" for x, y in zip(a, b)],
             np.where(kind < 11, [f"203.0.113.{x}" for x in a],
              np.where(kind < 15, [f"2001:db8::{z:x}" for z in c],
               np.where(kind < 17, [f"::ffff:{x}.{y}.0.1" for x, y in zip(a, b)],
                np.where(kind < 18, "fe80::1", [f"host{x}.example.net" for x in a])))))
    return pd.DataFrame({"ip": nb.ip.parse(addrs.tolist(), errors="coerce"), "v": np.arange(n)})


def _check_sorted(si, df, col="ip", val="v"):
    """``si`` (a Dask frame indexed by ``col``) holds df's rows in the order
    pandas' sort_values gives, NA last (in the last partition, as Dask does
    for float NaN), and each partition lies within its divisions."""
    import dask

    assert si.known_divisions and all(a <= b for a, b in zip(si.divisions, si.divisions[1:]))
    parts = dask.compute(*si.to_delayed())
    out = pd.concat(parts)
    want = df.sort_values(col, kind="stable")
    assert out.index.dtype.name == "ip" and out.index.tolist() == want[col].tolist()
    key = lambda ips, vs: sorted(zip(["" if x is pd.NA else str(x) for x in ips], pd.Series(vs).fillna(-1)))  # noqa: E731
    assert key(out.index, out[val]) == key(df[col], df[val])  # every row kept its values
    assert df[col].isna().sum() == parts[-1].index.isna().sum() > 0
    for i, p in enumerate(parts):
        have = p.index.dropna()
        if len(have):
            assert si.divisions[i] <= have.min() and have.max() <= si.divisions[i + 1]
            assert i == len(parts) - 1 or have.max() < si.divisions[i + 1]


@pytest.mark.parametrize("method", ["tasks", "p2p"])
def test_set_index_mixed_versions_and_na(client, method):
    import dask

    df = _mixed()
    ddf = dd.from_pandas(df, npartitions=4)
    with dask.config.set({"dataframe.shuffle.method": method}):
        si = ddf.set_index("ip", sorted=False)
        assert 2 <= si.npartitions <= 4 and si.divisions[0] == df.ip.min() and si.divisions[-1] == df.ip.max()
        assert {d.version for d in si.divisions} == {4, 6}
        _check_sorted(si, df)
        # already sorted (NA last): Dask sees it from the partitions' min/max and does not shuffle
        pre = dd.from_pandas(df.sort_values("ip"), npartitions=4, sort=False)
        _check_sorted(pre.set_index("ip"), df)
        _check_sorted(pre.set_index("ip", sorted=True), df)  # the user says so: divisions from min/max
        # two frames indexed by ip join partition by partition
        firsts = df.dropna().drop_duplicates("ip").rename(columns={"v": "first"})
        j = si.join(dd.from_pandas(firsts, npartitions=3).set_index("ip"), how="inner").compute()
        got = j.groupby(level=0)["first"].agg(["min", "max"])
        want = df.dropna().groupby("ip").v.first()
        assert len(j) == df.ip.notna().sum() and got.index.tolist() == want.index.tolist()
        assert got["min"].tolist() == got["max"].tolist() == want.tolist()


@pytest.mark.parametrize("method,fast", [("disk", True), ("tasks", True), ("tasks", False)])
def test_set_index_default_scheduler(method, fast, tmp_path, monkeypatch):
    """Without a distributed client Dask runs threads and shuffles through
    partd files ("disk").  ``fast``: netbook.ip.dask's placement of rows by
    numbers; without it the scalars' own order gives the same result."""
    import dask
    from dask.dataframe.dask_expr._shuffle import _SetPartitionsPreSetIndex

    op = _SetPartitionsPreSetIndex.operation
    assert op.func is netbook.ip.dask._set_partitions_pre
    if not fast:
        monkeypatch.setattr(_SetPartitionsPreSetIndex, "operation", staticmethod(op.args[0]))
    df = _mixed(8000, seed=3)
    with dask.config.set({"scheduler": "threads", "dataframe.shuffle.method": method, "temporary-directory": str(tmp_path)}):
        _check_sorted(dd.from_pandas(df, npartitions=4).set_index("ip"), df)
        got = dd.from_pandas(df, npartitions=4).sort_values("ip").compute()
        assert got.ip.tolist() == df.sort_values("ip", kind="stable").ip.tolist()


def test_sort_values_mixed_versions_and_na(client):
    df = _mixed()
    ddf = dd.from_pandas(df, npartitions=4)
    for asc in (True, False):
        got = ddf.sort_values("ip", ascending=asc).compute()
        want = df.sort_values("ip", ascending=asc, kind="stable")
        assert got.ip.tolist() == want.ip.tolist() and sorted(got.v) == sorted(df.v)


def test_set_index_after_read_parquet(client, tmp_path):
    df = _mixed(10_000, seed=5)
    dd.from_pandas(df, npartitions=4).to_parquet(tmp_path / "p")
    back = dd.read_parquet(tmp_path / "p")
    assert back.dtypes["ip"].name == "ip"
    si = back.set_index("ip")
    _check_sorted(si, df)
    # .loc compares a value read from the column with the divisions, across versions
    for x in (df.ip[df.ip.ip.version == 4].iloc[0], df.ip[df.ip.ip.version == 6].iloc[0]):
        assert sorted(si.loc[x].compute().v) == sorted(df.v[df.ip == x]) != []
        assert sorted(si.loc[nb.ip.scalars.ip_address(str(x))].compute().v) == sorted(df.v[df.ip == x])
    # a slice (pandas needs a monotonic index to slice by missing labels: NA, only
    # in the last partition, makes that one non-monotonic, as NaN does for floats)
    lo, hi = nb.ip.scalars.ip_address("10.100.0.0"), nb.ip.scalars.ip_address("::ffff:1.0.0.0")
    assert hi < si.divisions[-2]
    want = df.v[((df.ip >= lo) & (df.ip <= hi)).fillna(False).astype(bool)]
    assert sorted(si.loc[lo:hi].compute().v) == sorted(want) and len(want) > 1000


def test_dask_parquet_round_trip(client, tmp_path):
    df = _frame(5000)
    dd.from_pandas(df, npartitions=3).to_parquet(tmp_path / "p")
    back = dd.read_parquet(tmp_path / "p")
    assert back.dtypes["ip"].name == "ip" and back.dtypes["net"].name == "ipnet"
    got = back.compute().reset_index(drop=True)
    assert got.equals(df)
    # .ip works on the read-back Dask column
    assert back.ip.ip.is_private.sum().compute() == df.ip.ip.is_private.sum()


def test_log_clients_set_index(client, tmp_path):
    """The analyst's pipeline: access logs whose clients mix IPv4, IPv6 and
    host names (NA) -> Dask frame indexed by client -> per-client work
    partition by partition (each client in one partition)."""
    hd = pytest.importorskip("netbook.http.dask")
    files = nb.http.sample_log(tmp_path / "logs", lines=30_000, files=2, seed=8)
    lines = open(files[0]).read().splitlines()
    with open(files[0], "a") as f:
        for i, line in enumerate(lines[:300]):
            f.write(f"crawl-{i % 7}.example.net {line.split(' ', 1)[1]}\n")
    ddf = hd.read_log(str(tmp_path / "logs" / "*.log"), blocksize="512KiB")
    assert ddf.npartitions >= 3
    full = pd.concat([nb.http.read_log(f) for f in files], ignore_index=True)
    assert full.client.isna().sum() == 300 and set(full.client.dropna().map(lambda a: a.version)) == {4, 6}
    by = ddf.set_index("client")
    _check_sorted(by, full, col="client", val="bytes")
    per = by.map_partitions(lambda p: p.groupby(level=0).bytes.sum()).compute()
    assert per.index.is_unique  # no client spans two partitions
    want = full.groupby("client").bytes.sum()
    assert per.sort_index().tolist() == want.sort_index().tolist() and per.index.tolist() == want.index.tolist()
