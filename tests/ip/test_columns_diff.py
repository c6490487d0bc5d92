"""Differential tests: every vectorized operation equals ipaddress row by row."""
from __future__ import annotations

import ipaddress

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

import netbook as nb
from netbook.ip.columns import FLAGS

SET = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

v4_ints = st.integers(0, 2**32 - 1)
v6_ints = st.one_of(
    st.integers(0, 2**128 - 1),
    st.integers(0, 2**32 - 1).map(lambda x: (0xFFFF << 32) | x),          # mapped
    st.integers(0, 2**32 - 1).map(lambda x: x),                            # compat / ::1
    st.integers(0, 2**80 - 1).map(lambda x: (0x2002 << 112) | x),          # 6to4
    st.integers(0, 2**96 - 1).map(lambda x: (0x20010000 << 96) | x),       # teredo
    st.sampled_from([0, 1, 2, (0xFE80 << 112) | 1, (0xFC00 << 112), (0xFF02 << 112) | 1, (0x64FF9B << 96) | 0x08080808]),
)
# interesting IPv4 values: every boundary of the IANA tables
_EDGES4 = sorted({int(n.network_address) + d for n in ipaddress.IPv4Address._constants._private_networks for d in (-1, 0)} |
                 {int(n.broadcast_address) + d for n in ipaddress.IPv4Address._constants._private_networks for d in (0, 1)})
_EDGES4 = [x for x in _EDGES4 if 0 <= x < 2**32]
v4_edge = st.one_of(v4_ints, st.sampled_from(_EDGES4))


def text_variants(x: int, v: int):
    a = ipaddress.ip_address(x) if v == 4 else ipaddress.IPv6Address(x)
    out = [str(a)]
    if v == 6:
        out += [a.exploded, a.exploded.upper(), str(a).upper()]
    return out


junk = st.one_of(
    st.text(alphabet="0123456789abcdefABCDEF.:%/ -x\n", max_size=45),
    st.text(max_size=12),
    st.builds(lambda a, b, c, d: f"{a}.{b}.{c}.{d}", *[st.sampled_from(["0", "00", "01", "1", "255", "256", "999", "", "1a", "0x1", " 1"])] * 4),
    st.builds(lambda parts: ":".join(parts),
              st.lists(st.sampled_from(["", "0", "ffff", "12345", "g", "1", "abcd", "1.2.3.4"]), min_size=1, max_size=10)),
)


def stdlib_or_none(s):
    try:
        return ipaddress.ip_address(s)
    except ValueError:
        return None


@SET
@given(st.lists(st.one_of(v4_edge.map(lambda x: (x, 4)), v6_ints.map(lambda x: (x, 6))), min_size=1, max_size=40), st.data())
def test_parse_and_format_valid(pairs, data):
    texts = [data.draw(st.sampled_from(text_variants(x, v))) for x, v in pairs]
    s = nb.ip.parse(pd.Series(texts))
    ref = [ipaddress.ip_address(t) for t in texts]
    assert list(s) == ref
    assert nb.ip.to_str(s).tolist() == [str(r) for r in ref]
    assert nb.ip.version(s).tolist() == [r.version for r in ref]
    assert nb.ip.exploded(s).tolist() == [r.exploded for r in ref]
    ints = nb.ip.to_int(s).tolist()
    assert [int(i) for i in ints] == [int(r) for r in ref]


@SET
@given(st.lists(junk, min_size=1, max_size=40))
def test_parse_acceptance_equals_stdlib(texts):
    df = nb.ip.parse(pd.Series(texts, dtype=object), errors="coerce", reasons=True)
    for t, got, why in zip(texts, df["ip"], df["reason"]):
        ref = stdlib_or_none(t)
        if ref is None:
            assert got is pd.NA and isinstance(why, str) and why, t
        else:
            assert got == ref and str(got) == str(ref), t


@SET
@given(st.lists(st.one_of(v4_edge.map(ipaddress.IPv4Address), v6_ints.map(ipaddress.IPv6Address)), min_size=1, max_size=60))
def test_flags_equal_stdlib(addrs):
    s = nb.ip.parse(pd.Series([str(a) for a in addrs]))
    for f in FLAGS:
        got = getattr(s.ip, f).tolist()
        ref = [getattr(a, f, pd.NA) for a in addrs]
        assert got == ref, f


@SET
@given(st.lists(st.one_of(v4_ints.map(ipaddress.IPv4Address), v6_ints.map(ipaddress.IPv6Address)), min_size=1, max_size=30),
       st.integers(0, 32), st.integers(0, 128))
def test_network_truncation(addrs, p4, p6):
    s = nb.ip.parse(pd.Series(addrs, dtype=object))
    got = s.ip.network(p4, v6=p6).tolist()
    ref = [ipaddress.ip_network(f"{a}/{p4 if a.version == 4 else p6}", strict=False) for a in addrs]
    assert got == ref
    assert s.ip.network(p4, v6=p6).astype(str).tolist() == [str(r) for r in ref]


def _net(draw_int, maxp):
    return st.tuples(draw_int, st.integers(0, maxp)).map(
        lambda t: ipaddress.ip_network((t[0], t[1]), strict=False) if maxp == 32 else ipaddress.IPv6Network((t[0], t[1]), strict=False)
    )


nets4 = _net(v4_ints, 32)
nets6 = _net(v6_ints, 128)


@SET
@given(st.lists(st.one_of(nets4, nets6), min_size=1, max_size=25),
       st.lists(st.one_of(v4_ints.map(ipaddress.IPv4Address), v6_ints.map(ipaddress.IPv6Address)), min_size=1, max_size=40),
       st.data())
def test_membership_lpm_collapse(nets, addrs, data):
    # addresses inside some of the networks too
    for n in nets[:5]:
        off = data.draw(st.integers(0, n.num_addresses - 1))
        addrs.append(n.network_address + off)
    s = nb.ip.parse(pd.Series([str(a) for a in addrs]))
    got = s.ip.in_networks([str(n) for n in nets]).tolist()
    assert got == [any(a in n for n in nets) for a in addrs]
    table = pd.DataFrame({"network": [str(n) for n in nets], "row": range(len(nets))})
    found = s.ip.lookup(table)
    for a, row in zip(addrs, found["row"]):
        cands = [(n.prefixlen, -i) for i, n in enumerate(nets) if a in n]
        if not cands:
            assert pd.isna(row)
        else:
            assert int(row) == -max(cands)[1], (a, nets)
    col = nb.ip.collapse(pd.Series([str(n) for n in nets]))
    ref = list(ipaddress.collapse_addresses([n for n in nets if n.version == 4])) + \
        list(ipaddress.collapse_addresses([n for n in nets if n.version == 6]))
    assert col.tolist() == ref


@SET
@given(st.lists(st.tuples(st.one_of(nets4, nets6), st.one_of(nets4, nets6)), min_size=1, max_size=30))
def test_containment_ops(pairs):
    left = nb.ip.parse_network(pd.Series([str(a) for a, _ in pairs]))
    right = nb.ip.parse_network(pd.Series([str(b) for _, b in pairs]))
    def ref(op):
        out = []
        for a, b in pairs:
            if a.version != b.version:
                out.append(False)
            elif op == "<<":
                out.append(a.subnet_of(b) and a != b)
            elif op == "<<=":
                out.append(a.subnet_of(b))
            elif op == ">>":
                out.append(a.supernet_of(b) and a != b)
            elif op == ">>=":
                out.append(a.supernet_of(b))
            else:
                out.append(a.overlaps(b))
        return out
    assert left.ip.contained_by(right).tolist() == ref("<<")
    assert left.ip.contained_by_or_equal(right).tolist() == ref("<<=")
    assert left.ip.contains(right).tolist() == ref(">>")
    assert left.ip.contains_or_equal(right).tolist() == ref(">>=")
    assert left.ip.overlaps(right).tolist() == ref("&&")


@SET
@given(st.lists(v6_ints.map(ipaddress.IPv6Address), min_size=1, max_size=30))
def test_embeddings(addrs):
    s = nb.ip.parse(pd.Series([str(a) for a in addrs]))
    assert s.ip.ipv4_mapped.tolist() == [a.ipv4_mapped if a.ipv4_mapped else pd.NA for a in addrs]
    assert s.ip.sixtofour.tolist() == [a.sixtofour if a.sixtofour else pd.NA for a in addrs]
    assert s.ip.teredo_server.tolist() == [a.teredo[0] if a.teredo else pd.NA for a in addrs]
    assert s.ip.teredo_client.tolist() == [a.teredo[1] if a.teredo else pd.NA for a in addrs]
    assert s.ip.reverse_pointer.tolist() == [a.reverse_pointer for a in addrs]


@SET
@given(st.lists(st.one_of(v4_ints.map(ipaddress.IPv4Address), v6_ints.map(ipaddress.IPv6Address)), min_size=1, max_size=40))
def test_sort_numeric(addrs):
    s = nb.ip.parse(pd.Series([str(a) for a in addrs] + [None]))
    got = s.sort_values().tolist()
    assert got[:-1] == sorted(addrs, key=ipaddress.get_mixed_type_key) and got[-1] is pd.NA
    assert s.ip.reverse_pointer.iloc[:-1].tolist() == [a.reverse_pointer for a in addrs]


@SET
@given(st.lists(st.one_of(nets4.map(str), nets6.map(str), st.sampled_from(
    ["10.0.0.1/24", "10.0.0.0/255.255.255.0", "10.0.0.0/0.0.0.255", "10.0.0.0/033", "10.0.0.0/08", "::/129", "fe80::%eth0/64", "1.2.3.4", "x/8"])),
    min_size=1, max_size=30), st.booleans())
def test_parse_network_equals_stdlib(texts, strict):
    df = nb.ip.parse_network(pd.Series(texts), strict=strict, errors="coerce", reasons=True)
    for t, got, why in zip(texts, df["network"], df["reason"]):
        try:
            ref = ipaddress.ip_network(t, strict=strict)
        except ValueError:
            assert got is pd.NA and why, t
        else:
            assert got == ref and str(got) == str(ref), t


def test_edge_inputs():
    vals = ["1.2.3.04", "1.2.3.4 ", " 1.2.3.4", "1.2.3.4\n", "1.2.3.4\x00", "::1%", "::1%%a", "::1%eth0", "٣.1.1.1",
            "1.2.3.4/32", "::ffff:1.2.3.4", "1::2::3", "1:2:3:4:5:6:7:8:9", ":::", "::", "0.0.0.0", "255.255.255.255",
            3232235777, 2**32, b"\x7f\x00\x00\x01", ipaddress.IPv4Address("1.1.1.1"), None, float("nan"), -1, 2**128]
    df = nb.ip.parse(pd.Series(vals, dtype=object), errors="coerce", reasons=True)
    for v, got in zip(vals, df["ip"]):
        if v is None or (isinstance(v, float)):
            assert got is pd.NA
            continue
        ref = stdlib_or_none(v)
        if ref is None:
            assert got is pd.NA, v
        else:
            assert got == ref and str(got) == str(ref), v
    assert df["reason"].iloc[0] == "Leading zeros are not permitted in '04' in '1.2.3.04'"


def test_raise_is_one_line():
    with pytest.raises(nb.ip.IPParseError, match=r"row 1: '1\.2\.3\.04'.*Leading zeros.*errors='coerce'"):
        nb.ip.parse(pd.Series(["1.2.3.4", "1.2.3.04"]))
    with pytest.raises(nb.ip.IPParseError, match="host bits set; strict=False"):
        nb.ip.parse_network(pd.Series(["10.0.0.1/24"]))


def test_memory_per_address():
    s = nb.ip.parse(pd.Series(["10.0.0.1", "2001:db8::1"] * 5000))
    assert s.array.nbytes / len(s) <= 24
    assert s.memory_usage(index=False) / len(s) <= 24


def test_pandas_integration():
    s = nb.ip.parse(pd.Series(["10.0.0.2", "10.0.0.1", None, "10.0.0.1"]))
    assert s.value_counts().to_dict() == {ipaddress.ip_address("10.0.0.1"): 2, ipaddress.ip_address("10.0.0.2"): 1}
    assert s.isna().tolist() == [False, False, True, False]
    assert (s == "10.0.0.1").tolist() == [False, True, pd.NA, True]
    assert s.min() == ipaddress.ip_address("10.0.0.1")
    df = pd.DataFrame({"a": s, "n": [1, 2, 3, 4]})
    g = df.groupby(df["a"].ip.network(24))["n"].sum()
    assert g.to_dict() == {ipaddress.ip_network("10.0.0.0/24"): 7}
    assert pd.concat([s, s]).shape == (8,)
    assert s.astype("ip").dtype == s.dtype
    assert pd.Series(["1.2.3.4"]).astype("ip").iloc[0] == ipaddress.ip_address("1.2.3.4")
    assert s.unique().tolist()[:2] == [ipaddress.ip_address("10.0.0.2"), ipaddress.ip_address("10.0.0.1")]
    s2 = s.copy()
    s2.iloc[0] = "192.168.0.1"
    assert s2.iloc[0] == ipaddress.ip_address("192.168.0.1") and s.iloc[0] != s2.iloc[0]
    assert s.fillna("0.0.0.0").isna().sum() == 0
    assert "10.0.0.2" in repr(s)


def test_aggregations():
    df = pd.DataFrame({"site": ["a", "a", "a", "b", "b"],
                       "ip": nb.ip.parse(pd.Series(["10.0.0.1", "10.0.0.0", "10.0.0.2", "10.0.0.3", "192.168.0.1"]))})
    col = df.groupby("site")["ip"].apply(nb.ip.collapse)
    assert [str(n) for n in col.loc["a"]] == ["10.0.0.0/31", "10.0.0.2/32"]
    mm = df.groupby("site")["ip"].agg(["min", "max"])
    assert str(mm.loc["b", "max"]) == "192.168.0.1" and str(mm.loc["a", "min"]) == "10.0.0.0"
    assert nb.ip.summarize("10.0.0.5", "10.0.0.20").astype(str).tolist() == [
        str(n) for n in ipaddress.summarize_address_range(ipaddress.ip_address("10.0.0.5"), ipaddress.ip_address("10.0.0.20"))]


def test_oversized_input_gives_short_reasons():
    junk = "9" * 1_000_000
    df = nb.ip.parse(pd.Series(["10.0.0.1", junk, "1.2.3.4\r\nX"]), errors="coerce", reasons=True)
    assert df["ip"].isna().tolist() == [False, True, True]
    assert all(len(r) <= 200 and "\n" not in r for r in df["reason"].iloc[1:])
    with pytest.raises(nb.ip.IPParseError) as ei:
        nb.ip.parse(pd.Series([junk]))
    assert len(str(ei.value)) < 400 and "\n" not in str(ei.value)


@SET
@given(st.lists(st.one_of(junk, v4_ints.map(lambda x: str(ipaddress.IPv4Address(x))),
                          v6_ints.map(lambda x: str(ipaddress.IPv6Address(x))), st.none()), min_size=1, max_size=60))
def test_parse_in_many_chunks_on_threads(texts):
    from netbook.ip import _kernels as K

    old = K.CHUNK, K.THREADS
    K.CHUNK, K.THREADS = 4, 2  # many chunks: the threaded path and the per-chunk fallbacks
    try:
        obj = nb.ip.parse(pd.Series(texts, dtype=object), errors="coerce")
        arrow = nb.ip.parse(pd.Series(texts, dtype="string[pyarrow]"), errors="coerce")
    finally:
        K.CHUNK, K.THREADS = old
    for t, a, b in zip(texts, obj, arrow):
        ref = None if t is None else stdlib_or_none(t)
        if ref is None:
            assert a is pd.NA and b is pd.NA, t
        else:
            assert a == ref and b == ref and str(a) == str(ref), t


# dotted quads bent one byte at a time: the window kernel must refuse what
# ipaddress refuses (lengths 15/16/17, a 5th octet, leading zeros, NUL, non-ASCII
# digits, dots at the edges) and accept the rest, whatever the row before it
def _bend(parts, at, ch, op):
    q = ".".join(parts)
    at %= len(q) + 1
    return q if op == 0 else q[:at] + ch + q[at + (op == 2):]  # op 1 inserts, op 2 replaces


_bent_quad = st.builds(
    _bend,
    st.lists(st.sampled_from(["0", "1", "9", "10", "99", "100", "199", "249", "255", "256", "300", "999", "00", "01", "1000", ""]),
             min_size=3, max_size=5),
    st.integers(0, 20), st.sampled_from(list("0123456789.:x /\x00\u0663é")), st.integers(0, 2))


@SET
@given(st.lists(st.one_of(_bent_quad, v4_ints.map(lambda x: str(ipaddress.IPv4Address(x))),
                          v6_ints.map(lambda x: str(ipaddress.IPv6Address(x))), st.none()), min_size=1, max_size=60),
       st.integers(0, 5))
def test_dotted_quad_kernel_equals_stdlib(texts, cut):
    from netbook.ip import _kernels as K

    obj = nb.ip.parse(pd.Series(texts, dtype=object), errors="coerce", reasons=True)
    arrow_full = pd.Series([None] * cut + texts, dtype="string[pyarrow]")
    arrow = nb.ip.parse(arrow_full.iloc[cut:].reset_index(drop=True), errors="coerce")  # an arrow slice: offset != 0
    for t, a, why, b in zip(texts, obj["ip"], obj["reason"], arrow):
        ref = None if t is None else stdlib_or_none(t)
        if ref is None:
            assert a is pd.NA and b is pd.NA, t
            if t is not None:  # the reason is the message of the stdlib class the text names
                try:
                    (ipaddress.IPv6Address if ":" in t else ipaddress.IPv4Address)(t)
                except ValueError as e:
                    assert why == K._short(str(e)), t
        else:
            assert a == ref and b == ref and str(a) == str(ref), t
