"""nb.uuid: generation per RFC 9562 and inspection, against the uuid module."""
from __future__ import annotations

import datetime as dt
import time
import uuid

import pandas as pd
import pytest
from hypothesis import given, settings, strategies as st

import netbook as nb


@pytest.mark.parametrize("version", [1, 4, 6, 7, 8])
def test_generated_versions(version):
    s = nb.uuid.generate(version, 500)
    assert len(s) == 500 and s.is_unique
    for t in s:
        u = uuid.UUID(t)
        assert u.version == version and u.variant == uuid.RFC_4122 and str(u) == t


def test_uuid7_monotonic_and_time():
    before = time.time()
    a = nb.uuid.uuid7(50_000)
    b = nb.uuid.uuid7(10)
    after = time.time()
    assert a.is_monotonic_increasing and a.is_unique and a.iloc[-1] < b.iloc[0]
    t = nb.uuid.inspect(b)["time"]
    assert (t >= pd.Timestamp(before - 1, unit="s", tz="UTC")).all() and (t <= pd.Timestamp(after + 1, unit="s", tz="UTC")).all()


def test_uuid6_sorts_by_time_and_has_node():
    s = nb.uuid.uuid6(1000, node=0x123456789ABC, clock_seq=0x1234)
    assert s.is_monotonic_increasing and s.is_unique
    info = nb.uuid.inspect(s)
    assert (info["node"] == 0x123456789ABC).all() and (info["clock_seq"] == 0x1234).all()
    assert abs(info["time"].iloc[0] - pd.Timestamp.now(tz="UTC")) < pd.Timedelta(minutes=5)


def test_uuid3_uuid5_equal_stdlib():
    names = pd.Series(["python.org", "example.com", "ünïcode"])
    assert nb.uuid.uuid3("dns", names).tolist() == [str(uuid.uuid3(uuid.NAMESPACE_DNS, n)) for n in names]
    assert nb.uuid.uuid5(uuid.NAMESPACE_URL, names).tolist() == [str(uuid.uuid5(uuid.NAMESPACE_URL, n)) for n in names]


def test_uuid8_fields():
    s = nb.uuid.uuid8(3, a=0xABCDEF012345, b=0x678, c=0x123456789ABCDEF)
    u = uuid.UUID(s.iloc[0])
    assert u.int >> 80 == 0xABCDEF012345 and (u.int >> 64) & 0xFFF == 0x678 and u.int & 0x3FFF_FFFF_FFFF_FFFF == 0x123456789ABCDEF


def test_inspect_v1_equals_stdlib():
    us = [uuid.uuid1() for _ in range(20)]
    info = nb.uuid.inspect(pd.Series([str(u) for u in us]))
    assert info["node"].tolist() == [u.node for u in us]
    assert info["clock_seq"].tolist() == [u.clock_seq for u in us]
    for u, t in zip(us, info["time"]):
        ref = dt.datetime(1582, 10, 15, tzinfo=dt.timezone.utc) + dt.timedelta(microseconds=u.time // 10)
        assert t.to_pydatetime() == ref


@settings(max_examples=80, deadline=None)
@given(st.lists(st.one_of(
    st.integers(0, 2**128 - 1).map(lambda i: str(uuid.UUID(int=i))),
    st.integers(0, 2**128 - 1).map(lambda i: uuid.UUID(int=i).hex.upper()),
    st.integers(0, 2**128 - 1).map(lambda i: "{" + str(uuid.UUID(int=i)) + "}"),
    st.integers(0, 2**128 - 1).map(lambda i: "urn:uuid:" + str(uuid.UUID(int=i))),
    st.text(alphabet="0123456789abcdefg-{}:urn ", min_size=30, max_size=40),
    st.text(max_size=40),
), min_size=1, max_size=30))
def test_inspect_equals_stdlib(texts):
    info = nb.uuid.inspect(pd.Series(texts, dtype=object))
    for t, row in zip(texts, info.itertuples()):
        try:
            u = uuid.UUID(t)
        except ValueError:
            assert pd.isna(row.uuid) and isinstance(row.reason, str)
            continue
        assert row.uuid == str(u) and row.variant == u.variant
        assert (pd.isna(row.version) and u.version is None) or row.version == u.version


def test_parse_errors():
    with pytest.raises(nb.uuid.UUIDParseError, match="row 1: 'nope' is not a UUID"):
        nb.uuid.parse(pd.Series([str(uuid.uuid4()), "nope"]))
    out = nb.uuid.parse(pd.Series(["nope", "{12345678-1234-5678-1234-567812345678}"]), errors="coerce")
    assert out.isna().tolist() == [True, False] and out.iloc[1] == "12345678-1234-5678-1234-567812345678"


def test_accessor():
    s = nb.uuid.uuid7(3)
    assert s.uuid.version.tolist() == [7, 7, 7]
    assert s.uuid.inspect()["variant"].tolist() == [uuid.RFC_4122] * 3
