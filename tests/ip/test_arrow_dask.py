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
        # set_index: Dask computes divisions by comparing values, which ipaddress
        # allows within one version and without NA (Dask's own limit on nulls)
        v4 = df[df.ip.ip.version.eq(4).fillna(False).astype(bool)]
        si = dd.from_pandas(v4, npartitions=4).set_index("ip").compute()
        assert si.index.dtype.name == "ip" and len(si) == len(v4) and si.index.is_monotonic_increasing


def test_dask_parquet_round_trip(client, tmp_path):
    df = _frame(5000)
    dd.from_pandas(df, npartitions=3).to_parquet(tmp_path / "p")
    back = dd.read_parquet(tmp_path / "p")
    assert back.dtypes["ip"].name == "ip" and back.dtypes["net"].name == "ipnet"
    got = back.compute().reset_index(drop=True)
    assert got.equals(df)
    # .ip works on the read-back Dask column
    assert back.ip.ip.is_private.sum().compute() == df.ip.ip.is_private.sum()
