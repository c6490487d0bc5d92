"""A log pipeline on a real Dask cluster (2 worker processes): read_log by
blocks -> ip column -> lpm_join -> group by network and status -> Parquet ->
read back with the dtypes intact; a shuffle keyed on the ip column."""
from __future__ import annotations

import pandas as pd
import pytest

import netbook as nb

dd = pytest.importorskip("dask.dataframe")
distributed = pytest.importorskip("distributed")
hd = pytest.importorskip("netbook.http.dask")

NETS = pd.DataFrame({
    "network": nb.ip.parse_network(["10.0.0.0/8", "10.0.0.0/24", "192.168.0.0/16", "93.184.216.0/24", "2001:db8::/32"]),
    "site": ["corp", "corp-lab", "home", "example", "doc-v6"],
})


@pytest.fixture(scope="module")
def client():
    from distributed import Client, LocalCluster

    cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, memory_limit="1GiB",
                           dashboard_address=None)
    c = Client(cluster)
    yield c
    c.close()
    cluster.close()


def test_log_pipeline(client, tmp_path):
    files = nb.http.sample_log(tmp_path / "logs", lines=60_000, files=3, seed=4)
    (tmp_path / "logs" / "access-000.log").open("a").write("a broken line\n")
    ddf = hd.read_log(str(tmp_path / "logs" / "*.log"), blocksize="1MiB")
    assert ddf.npartitions > len(files)  # blocks, not files
    full = pd.concat([nb.http.read_log(f) for f in files], ignore_index=True)
    got = ddf.compute().reset_index(drop=True)
    assert len(got) == len(full) == 60_000 and got.client.dtype.name == "ip"
    assert got.astype(full.dtypes).equals(full)
    bad = hd.bad_lines(str(tmp_path / "logs" / "*.log"), blocksize="1MiB").compute()
    assert bad.text.tolist() == ["a broken line"] and bad.path.iloc[0].endswith("access-000.log")

    joined = nb.ip.dask.lpm_join(ddf, NETS, on="client")
    summary = joined.groupby(["site", "status"]).bytes.sum().compute().sort_index()
    want = nb.ip.lpm_join(full, NETS, on="client").groupby(["site", "status"]).bytes.sum().sort_index()
    assert summary.equals(want) and len(summary) > 10

    joined.to_parquet(tmp_path / "out")
    back = dd.read_parquet(tmp_path / "out")
    assert back.dtypes["client"].name == "ip" and back.dtypes["network"].name == "ipnet"
    assert str(back.dtypes["time"]) == "datetime64[ns, UTC]"
    b = back.compute().reset_index(drop=True)
    assert b.client.equals(full.client) and b.network.tolist() == nb.ip.lpm_join(full, NETS, on="client").network.tolist()

    # shuffles keyed on the ip column: groupby with split_out, merge
    top = joined.groupby("client").bytes.sum(split_out=2).compute().sort_index()
    assert top.equals(full.groupby("client").bytes.sum().sort_index())
    per = ddf.groupby("client").size().rename("n").reset_index()
    m = ddf.merge(per, on="client", shuffle_method="p2p").compute()
    assert len(m) == len(full) and m.client.dtype.name == "ip"

    # .url on a Dask Series
    paths = ddf.url.url.path.value_counts().compute()
    assert paths.sum() == len(full) and paths.index.str.startswith("/").all()
