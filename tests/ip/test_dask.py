"""The column functions per partition on Dask, on a real distributed LocalCluster."""
from __future__ import annotations

import ipaddress
import pickle

import numpy as np
import pandas as pd
import pytest

import netbook as nb

dd = pytest.importorskip("dask.dataframe")
distributed = pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    from distributed import Client, LocalCluster

    # its scratch folder lives in pytest's temp tree, not as dask-scratch-space in /tmp forever
    import dask

    scratch = tmp_path_factory.mktemp("dask")
    with dask.config.set({"temporary-directory": str(scratch)}):
        cluster = LocalCluster(n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None,
                               local_directory=str(scratch))
        c = Client(cluster)
        yield c
        c.close()
        cluster.close()


def _frame(n=20_000, seed=7):
    rng = np.random.default_rng(seed)
    x = rng.integers(0, 2**32, n)
    x[: n // 4] = (10 << 24) | rng.integers(0, 2**24, n // 4)
    addrs = [str(ipaddress.IPv4Address(int(v))) for v in x]
    addrs[5] = "2001:db8::5"
    return pd.DataFrame({"addr": addrs, "bytes": rng.integers(0, 10_000, n)})


def test_arrays_pickle():
    s = nb.ip.parse(pd.Series(["10.0.0.1", "fe80::1%eth0", None]))
    back = pickle.loads(pickle.dumps(s))
    assert back.tolist() == s.tolist() and back.dtype == s.dtype


def test_dask_parse_flags_lpm(client):
    import netbook.ip.dask as nbd

    pdf = _frame()
    ddf = dd.from_pandas(pdf, npartitions=4)
    ddf["ip"] = nbd.parse(ddf["addr"])
    private = ddf["ip"].ip.is_private.sum().compute()
    ref = sum(ipaddress.ip_address(a).is_private for a in pdf["addr"])
    assert int(private) == ref
    per24 = ddf["ip"].ip.network(24).astype(str).value_counts().compute()
    assert per24.sum() == len(pdf)
    nets = pd.DataFrame({"network": ["10.0.0.0/8", "10.1.0.0/16", "0.0.0.0/0"], "label": ["ten", "ten-one", "any"]})
    joined = nbd.lpm_join(ddf, nets, on="ip").compute()
    exp = []
    for a in pdf["addr"]:
        ip = ipaddress.ip_address(a)
        best = None
        for n, lab in zip(nets["network"], nets["label"]):
            n = ipaddress.ip_network(n)
            if ip.version == n.version and ip in n and (best is None or n.prefixlen > best[0]):
                best = (n.prefixlen, lab)
        exp.append(best[1] if best else None)
    got = [None if pd.isna(v) else v for v in joined.sort_index()["label"]]
    assert got == exp
    assert client.status == "running"
