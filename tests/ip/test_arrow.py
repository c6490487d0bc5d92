"""ip/ipnet columns as Arrow extension types: Parquet, Feather, Arrow tables,
dtype_backend="pyarrow", readers without netbook, DuckDB."""
from __future__ import annotations

import ipaddress
import subprocess
import sys

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import netbook as nb
from netbook.ip import arrow as A

ADDRS = ["10.0.0.1", None, "2001:db8::1", "fe80::1%eth0", "::ffff:1.2.3.4", "0.0.0.0", "255.255.255.255",
         "::", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "192.168.1.10"]
NETS = ["10.0.0.0/8", "2001:db8::/32", None, "0.0.0.0/0", "fe80::%eth1/64", "192.168.1.0/24",
        "::/0", "10.0.0.0/9", "1.2.3.4/32", "2001:db8::/48"]


def _frame():
    return pd.DataFrame({"ip": nb.ip.parse(ADDRS), "net": nb.ip.parse_network(NETS), "n": np.arange(len(ADDRS))})


def _same(a: pd.DataFrame, b: pd.DataFrame):
    assert list(a.dtypes.astype(str)) == list(b.dtypes.astype(str))
    for c in a:
        assert a[c].tolist() == b[c].tolist() or all((x is pd.NA and y is pd.NA) or x == y for x, y in zip(a[c], b[c]))
    assert a.equals(b)


def test_arrow_table_round_trip():
    df = _frame()
    t = pa.Table.from_pandas(df)
    assert isinstance(t.schema.field("ip").type, A.IPType)
    assert isinstance(t.schema.field("net").type, A.IPNetType)
    assert t.column("ip").null_count == 1
    _same(t.to_pandas(), df)
    # the zone ids and IPv4-mapped IPv6 stay what they were
    back = t.to_pandas()
    assert back["ip"][3] == ipaddress.ip_address("fe80::1%eth0") and back["ip"][3].scope_id == "eth0"
    assert back["ip"][4].version == 6 and back["ip"][0].version == 4
    assert str(back["net"][4]) == "fe80::%eth1/64"


def test_parquet_and_feather(tmp_path):
    df = _frame()
    df.to_parquet(tmp_path / "a.parquet")
    _same(pd.read_parquet(tmp_path / "a.parquet"), df)
    df.to_feather(tmp_path / "a.feather")
    _same(pd.read_feather(tmp_path / "a.feather"), df)


def test_dtype_backend_pyarrow(tmp_path):
    df = _frame()
    df.to_parquet(tmp_path / "a.parquet")
    back = pd.read_parquet(tmp_path / "a.parquet", dtype_backend="pyarrow")
    # pandas maps every column to ArrowDtype there; ours keeps its extension type
    assert back["ip"].dtype == pd.ArrowDtype(A.IPType())
    assert back["ip"].tolist()[:3] == [ipaddress.ip_address("10.0.0.1"), pd.NA, ipaddress.ip_address("2001:db8::1")]
    assert back["ip"].astype("ip").equals(df["ip"])
    assert back["net"].astype("ipnet").equals(df["net"])
    assert nb.ip.parse(back["ip"]).equals(df["ip"])
    assert back["ip"].ip.is_private.tolist() == df["ip"].ip.is_private.tolist()


def test_byte_order_sorts_as_ipaddress():
    rng = np.random.default_rng(3)
    vals = [ipaddress.IPv4Address(int(x)) for x in rng.integers(0, 2**32, 200)]
    vals += [ipaddress.IPv6Address(int(x) << 64 | int(y)) for x, y in zip(rng.integers(0, 2**63, 200), rng.integers(0, 2**63, 200))]
    vals += [ipaddress.ip_address("::1"), ipaddress.ip_address("::ffff:1.2.3.4"), ipaddress.ip_address("0.0.0.0")]
    stored = A.encode(nb.ip.parse(vals).array).to_pylist()
    assert sorted(range(len(vals)), key=lambda i: stored[i]) == sorted(range(len(vals)), key=lambda i: ipaddress.get_mixed_type_key(vals[i]))
    nets = [ipaddress.ip_network(n) for n in NETS if n and "%" not in n] + [ipaddress.ip_network("10.0.0.0/7", strict=False)]
    snets = A.encode(nb.ip.parse_network(nets).array).to_pylist()
    assert sorted(range(len(nets)), key=lambda i: snets[i]) == sorted(range(len(nets)), key=lambda i: ipaddress.get_mixed_type_key(nets[i]))


def test_documented_layout_decodes_without_netbook(tmp_path):
    df = _frame()
    df.to_parquet(tmp_path / "a.parquet")
    # decode the storage with nothing but the README's description
    t = pq.read_table(tmp_path / "a.parquet")
    col = t.column("ip").combine_chunks()
    storage = col.storage if isinstance(col, pa.ExtensionArray) else col
    for b, want in zip(storage.to_pylist(), ADDRS):
        if b is None:
            assert want is None
            continue
        addr, zone = b[:17], b[18:].decode()  # version, 16 bytes big-endian, then "%zone"
        n = int.from_bytes(addr[1:], "big")
        got = ipaddress.IPv4Address(n) if addr[0] == 4 else ipaddress.IPv6Address(f"{ipaddress.IPv6Address(n)}" + (f"%{zone}" if zone else ""))
        assert got == ipaddress.ip_address(want)


def test_parquet_statistics_are_meaningful(tmp_path):
    s = nb.ip.parse([f"10.0.{i // 256}.{i % 256}" for i in range(4096)] + ["192.168.0.1"])
    pd.DataFrame({"ip": s}).to_parquet(tmp_path / "s.parquet", row_group_size=1024)
    md = pq.ParquetFile(tmp_path / "s.parquet").metadata
    first = md.row_group(0).column(0).statistics
    assert A.decode([first.min]).iloc[0] == ipaddress.ip_address("10.0.0.0")
    assert A.decode([first.max]).iloc[0] == ipaddress.ip_address("10.0.3.255")
    last = md.row_group(md.num_row_groups - 1).column(0).statistics
    assert A.decode([last.max]).iloc[0] == ipaddress.ip_address("192.168.0.1")
    # the range filter over the stored column is in test_duckdb_filters_and_groups


def test_read_without_netbook_gives_storage(tmp_path):
    _frame().to_parquet(tmp_path / "a.parquet")
    _frame().to_feather(tmp_path / "a.feather")
    code = (
        "import sys, pandas as pd\n"
        f"df = pd.read_parquet({str(tmp_path / 'a.parquet')!r})\n"
        f"fe = pd.read_feather({str(tmp_path / 'a.feather')!r})\n"
        "assert 'netbook' not in sys.modules\n"
        "print(type(df['ip'][0]).__name__, len(df['ip'][0]), df['ip'][0][0], df['ip'].isna().sum(), len(fe['net'][0]))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.split() == ["bytes", "17", "4", "1", "18"]


def test_large_column_fast_path_and_chunks(monkeypatch):
    n = 100_000
    from netbook.ip.arrays import IPArray

    arr = IPArray.from_ints(np.arange(n, dtype=np.uint64) + (10 << 24))
    monkeypatch.setattr(A, "_CHUNK_ROWS", 30_000)
    out = A.to_arrow(arr)
    assert isinstance(out, pa.ChunkedArray) and out.num_chunks == 4
    back = pd.Series(A.from_arrow(out, network=False))
    assert back.equals(pd.Series(arr))


def test_type_errors_are_clear():
    with pytest.raises(TypeError, match="converts to"):
        pa.array(nb.ip.parse(["10.0.0.1"]).array, type=pa.string())
    with pytest.raises(ValueError, match="not a stored address"):
        A.decode([b"\x04\x00"])


def test_duckdb_filters_and_groups(tmp_path):
    duckdb = pytest.importorskip("duckdb")
    rng = np.random.default_rng(1)
    ips = nb.ip.parse([f"10.0.0.{i}" for i in rng.integers(0, 8, 500)] + ["2001:db8::1"] * 20 + [None] * 5)
    df = pd.DataFrame({"client": ips, "bytes": rng.integers(0, 100, len(ips))})
    df.to_parquet(tmp_path / "c.parquet")
    want = df[df.client.ip.in_networks(["10.0.0.0/30"]).fillna(False).astype(bool)].groupby("client").bytes.sum()
    q = (f"select client, sum(bytes) as bytes from {{src}} where client between {A.sql_literal('10.0.0.0')} "
         f"and {A.sql_literal('10.0.0.3')} group by client order by client")
    from_file = duckdb.sql(q.format(src=f"'{tmp_path / 'c.parquet'}'")).df()
    adf = A.arrow_backed(df)  # noqa: F841  DuckDB finds it by name
    from_frame = duckdb.sql(q.format(src="adf")).df()
    for got in (from_file, from_frame):
        got = got.assign(client=A.decode(got.client))
        assert got.client.tolist() == list(want.index) and got.bytes.astype(int).tolist() == want.tolist()
    # sorting in DuckDB is the ipaddress order
    order = duckdb.sql(f"select client from '{tmp_path / 'c.parquet'}' where client is not null order by client").df()
    dec = A.decode(order.client)
    assert dec.tolist() == sorted(dec.tolist(), key=ipaddress.get_mixed_type_key)


def test_after_a_restart_import_netbook_is_enough(tmp_path):
    _frame().to_parquet(tmp_path / "a.parquet")
    code = (
        "import sys, netbook\n"
        "assert 'pyarrow' not in sys.modules\n"
        "import pandas as pd\n"
        f"df = pd.read_parquet({str(tmp_path / 'a.parquet')!r})\n"
        "print(df['ip'].dtype, df['net'].dtype, df['ip'][3])\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.split() == ["ip", "ipnet", "fe80::1%eth0"]
