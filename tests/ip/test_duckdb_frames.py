"""DuckDB over pandas frames holding ip/ipnet columns (issue 15): plain
``duckdb.sql`` refuses them; ``nb.ip.arrow.sql`` reads them through Arrow,
filters, groups, joins and sorts on the stored bytes, and ``to_pandas`` gives
addresses back.  Real DuckDB, no mocks."""
from __future__ import annotations

import gc
import ipaddress

import duckdb
import numpy as np
import pandas as pd
import pytest

import netbook as nb
from netbook.errors import IPSQLError
from netbook.ip import arrow as A
from netbook.ip.arrays import IPDtype, IPNetDtype

ADDRS = ["10.0.0.1", "2001:db8::1", None, "10.0.0.2", "fe80::1%eth0", "10.0.0.1", "192.168.1.7", "::ffff:1.2.3.4"]
NETS = ["10.0.0.0/8", None, "2001:db8::/32", "10.0.0.0/8", "fe80::%eth1/64", "192.168.1.0/24", "0.0.0.0/0", "::/0"]


def _frame() -> pd.DataFrame:
    return pd.DataFrame({
        "client": nb.ip.parse(ADDRS),
        "net": nb.ip.parse_network(NETS),
        "n": np.arange(len(ADDRS), dtype=np.int64),
        "path": ["/a", "/b", None, "/c", "/d", "/e", "/f", "/g"],
        "ms": [1.5, np.nan, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0],
    })


def _values(s: pd.Series) -> list:
    return [None if v is pd.NA or v is None or (isinstance(v, float) and np.isnan(v)) else v for v in s]


def test_plain_duckdb_sql_refuses_the_ip_dtype():
    # why nb.ip.arrow.sql exists: DuckDB's pandas scanner maps str(dtype) to a type and knows no "ip"
    df = _frame()  # noqa: F841  DuckDB finds it by name
    with pytest.raises(duckdb.NotImplementedException, match="Data type 'ip' not recognized"):
        duckdb.sql("select * from df")


def test_select_star_gives_every_column_back():
    df = _frame()
    rel = A.sql("select * from df")
    assert [str(t) for t in rel.types] == ["BLOB", "BLOB", "BIGINT", "VARCHAR", "DOUBLE"]
    out = A.to_pandas(rel)
    assert isinstance(out["client"].dtype, IPDtype) and isinstance(out["net"].dtype, IPNetDtype)
    for c in df:
        assert _values(out[c]) == _values(df[c]), c
    assert out["client"][4].scope_id == "eth0" and str(out["net"][4]) == "fe80::%eth1/64"
    assert out["client"].isna().tolist() == df["client"].isna().tolist()
    assert out["net"].isna().tolist() == df["net"].isna().tolist()


def test_filter_with_literals_and_parameters():
    df = _frame()
    want = sorted({a for a in df["client"].dropna() if a.version == 4 and a in ipaddress.ip_network("10.0.0.0/8")})
    q = (f"select distinct client from df where client between {A.sql_literal('10.0.0.0')} "
         f"and {A.sql_literal('10.255.255.255')} order by client")
    assert A.to_pandas(A.sql(q))["client"].tolist() == want
    lo, hi = ipaddress.ip_address("10.0.0.0"), ipaddress.ip_address("10.255.255.255")
    by_params = A.sql("select distinct client from df where client between ? and ? order by client", params=[lo, hi])
    assert A.to_pandas(by_params)["client"].tolist() == want
    named = A.sql("select n from df where net = $net order by n", params={"net": ipaddress.ip_network("10.0.0.0/8")})
    assert named.fetchall() == [(0,), (3,)]
    v6 = A.sql("select n from df where client = ?", params=[ipaddress.ip_address("2001:db8::1")])
    assert v6.fetchall() == [(1,)]


def test_group_and_order_on_ip_and_ipnet():
    df = _frame()
    got = A.to_pandas(A.sql("select client, count(*) as hits, sum(n) as n from df group by client order by client"))
    want = df.groupby("client", dropna=False).agg(hits=("n", "size"), n=("n", "sum"))
    valid = [a for a in got["client"] if a is not pd.NA]
    assert valid == sorted(valid, key=ipaddress.get_mixed_type_key)  # DuckDB's order is ipaddress' order
    assert got["client"].isna().tolist()[-1]  # NULLs last, as DuckDB orders them
    for a, hits, n in zip(got["client"], got["hits"], got["n"]):
        row = want.loc[a] if a is not pd.NA else want[want.index.isna()].iloc[0]
        assert (int(row["hits"]), int(row["n"])) == (hits, n)
    nets = A.to_pandas(A.sql("select net, count(*) as c from df where net is not null group by net order by net"))
    assert isinstance(nets["net"].dtype, IPNetDtype)
    assert nets["net"].tolist() == sorted(set(df["net"].dropna()), key=ipaddress.get_mixed_type_key)
    assert nets.set_index("net")["c"].to_dict()[ipaddress.ip_network("10.0.0.0/8")] == 2


def test_renamed_and_aggregated_columns_decode():
    df = _frame()
    out = A.to_pandas(A.sql("select min(client) as first, max(client) as last, any_value(net) as some_net, "
                            "count(*) as n from df where client is not null"))
    valid = df["client"].dropna().tolist()
    assert out["first"][0] == min(valid, key=ipaddress.get_mixed_type_key)
    assert out["last"][0] == max(valid, key=ipaddress.get_mixed_type_key)
    assert isinstance(out["some_net"].dtype, IPNetDtype)


def test_join_frames_passed_by_keyword_and_local_variables():
    df = _frame()
    sites = pd.DataFrame({"addr": nb.ip.parse(["10.0.0.1", "2001:db8::1"]), "site": ["lab", "v6lab"]})
    got = A.to_pandas(A.sql("select l.client, s.site from logs l join sites s on l.client = s.addr order by l.n",
                            logs=df, sites=sites))
    assert got["client"].tolist() == [ipaddress.ip_address(a) for a in ("10.0.0.1", "2001:db8::1", "10.0.0.1")]
    assert got["site"].tolist() == ["lab", "v6lab", "lab"]

    def inner():
        local_frame = _frame()  # noqa: F841  found by name, as DuckDB finds it
        return A.sql("select client from local_frame where n < 2 order by n")

    rel = inner()
    gc.collect()
    for _ in range(2):  # the relation holds the table it read, whenever it runs
        assert A.to_pandas(rel)["client"].tolist() == [ipaddress.ip_address("10.0.0.1"), ipaddress.ip_address("2001:db8::1")]


def test_other_objects_and_connections_read_as_duckdb_reads_them():
    df = _frame()  # noqa: F841  found by name
    plain = pd.DataFrame({"n": [0, 1], "tag": ["x", "y"]})  # noqa: F841  no ip column: DuckDB's own pandas scan
    con = duckdb.connect()
    con.execute("create table owners as select * from (values (0, 'ann'), (7, 'bob')) t(n, owner)")
    got = A.to_pandas(A.sql("select d.client, p.tag, o.owner from df d left join plain p using (n) "
                            "left join owners o using (n) order by d.n", connection=con))
    assert got["tag"].tolist()[:2] == ["x", "y"] and got["owner"].tolist()[0] == "ann"
    assert got["client"].tolist()[0] == ipaddress.ip_address("10.0.0.1")


def test_to_pandas_leaves_other_bytes_alone():
    rel = duckdb.sql(r"select '\x01\x02'::BLOB as b, NULL::BLOB as nothing, "
                     f"{A.sql_literal('10.1.2.3')} as a, {A.sql_literal('2001:db8::/48')} as w, "
                     r"'\x04\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x01\x02\x03\x04'::BLOB as not_v4")
    out = A.to_pandas(rel)
    assert out["b"][0] == b"\x01\x02" and out["nothing"].isna().all()
    assert out["a"][0] == ipaddress.ip_address("10.1.2.3") and out["w"][0] == ipaddress.ip_network("2001:db8::/48")
    assert not isinstance(out["not_v4"].dtype, IPDtype)  # an IPv4 value with high bytes set is not one
    raw = A.to_pandas(rel, decode=False)
    assert isinstance(raw["a"][0], (bytes, bytearray))
    # a frame DuckDB already gave back (.df(): bytearrays) decodes the same way
    again = A.to_pandas(rel.df())
    assert again["a"][0] == ipaddress.ip_address("10.1.2.3") and again["b"][0] == b"\x01\x02"
    with pytest.raises(TypeError, match="DuckDB relation"):
        A.to_pandas([1, 2])


def test_a_frame_arrow_cannot_read_is_one_clear_error():
    bad = pd.DataFrame({"client": nb.ip.parse(["10.0.0.1", "10.0.0.2"]), "o": pd.Series([1, "x"], dtype=object)})  # noqa: F841
    with pytest.raises(IPSQLError, match="frame 'bad' cannot go to DuckDB through Arrow") as e:
        A.sql("select * from bad")
    assert "\n" not in str(e.value)


def test_pandas_behaviour_of_the_dtype_is_unchanged():
    df = _frame()
    before = df.copy()
    A.to_pandas(A.sql("select * from df"))
    assert df.equals(before)  # the frame was read, not converted
    assert str(df["client"].dtype) == "ip" and str(df["net"].dtype) == "ipnet"
    assert not isinstance(df["client"].dtype, pd.ArrowDtype)
    assert type(df["client"].array).__name__ == "IPArray"
    assert list(df.select_dtypes(include=[pd.ArrowDtype]).columns) == []
    merged = df.merge(df[["client", "n"]].rename(columns={"n": "m"}), on="client")
    assert len(merged) == 10  # 10.0.0.1 twice on both sides: 4, + 5 single addresses + NA with NA
    assert df.groupby("client").n.sum()[ipaddress.ip_address("10.0.0.1")] == 5
    assert pd.concat([df, df])["client"].dtype == df["client"].dtype
    assert A.stored("10.0.0.1") == b"\x04" + bytes(12) + bytes([10, 0, 0, 1])
    assert A.stored(ipaddress.ip_address("fe80::1%eth0")).endswith(b"%eth0")
