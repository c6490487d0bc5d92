"""One order for ip/ipnet values (IPv4 before IPv6, then by number; NA last):
the scalars a column hands out, comparisons, searchsorted, min/max and
quantile all agree with sort_values and with ipaddress.get_mixed_type_key."""
from __future__ import annotations

import bisect
import ipaddress
import pickle

import numpy as np
import pandas as pd
import pytest

import netbook as nb

VALUES = ["10.0.0.2", "2001:db8::1", None, "10.0.0.1", "::1", "host.example", "255.255.255.255", "0.0.0.0",
          "::ffff:10.0.0.1", "fe80::1%eth0", "10.0.0.1", "2001:db8::"]


def _col():
    return nb.ip.parse(VALUES, errors="coerce")


def _key(a):
    return ipaddress.get_mixed_type_key(a)


def test_scalars_are_stdlib_classes_that_order_across_versions():
    s = _col()
    v4, v6 = s[0], s[1]
    assert isinstance(v4, ipaddress.IPv4Address) and isinstance(v6, ipaddress.IPv6Address)
    assert repr(v4) == "IPv4Address('10.0.0.2')" and v4 == ipaddress.ip_address("10.0.0.2")
    assert hash(v4) == hash(ipaddress.ip_address("10.0.0.2")) and {v4} == {ipaddress.ip_address("10.0.0.2")}
    assert v4 < v6 and v6 > v4 and v4 <= v6 and v6 >= v4 and not v6 < v4
    assert v4 + 1 == ipaddress.ip_address("10.0.0.3") and v4 in ipaddress.ip_network("10.0.0.0/8")
    back = pickle.loads(pickle.dumps(v6))
    assert back == v6 and type(back) is type(v6) and back > v4
    scoped = s[9]
    assert scoped.scope_id == "eth0" and pickle.loads(pickle.dumps(scoped)).scope_id == "eth0"
    # within one version it is the standard library's order, against its own objects too
    assert v4 > ipaddress.ip_address("10.0.0.1") and ipaddress.ip_address("10.0.0.1") < v4
    # the same (version, number) order the stdlib uses as a sort key
    vals = s.dropna().tolist()
    assert sorted(vals) == sorted(vals, key=_key) == s.sort_values().dropna().tolist()
    divs = sorted(set(vals))
    assert bisect.bisect_left(divs, s[4]) == divs.index(s[4])
    # networks too
    n = nb.ip.parse_network(["2001:db8::/32", "10.0.0.0/16", None, "10.0.0.0/8"])
    assert sorted(n.dropna().tolist()) == sorted(n.dropna().tolist(), key=_key) == n.sort_values().dropna().tolist()
    assert n[1] < n[0] and isinstance(n[0], ipaddress.IPv6Network)
    # the same classes from text
    from netbook.ip.scalars import ip_address, ip_network

    assert ip_address("::1") > v4 and ip_address("::1") == ipaddress.ip_address("::1") and ip_address("fe80::1%eth0").scope_id == "eth0"
    assert ip_network("10.0.0.0/8") < ip_network("::/0") and ip_network("10.0.0.1/8", strict=False) == ipaddress.ip_network("10.0.0.0/8")


def test_array_comparisons_follow_the_order():
    s = _col()
    valid = s.notna()
    for other in ("10.0.0.1", "::1", s[6], ipaddress.ip_address("2001:db8::")):
        o = ipaddress.ip_address(other) if isinstance(other, str) else other
        lt = s < other
        assert lt.dtype == "boolean" and lt[~valid].isna().all()
        assert lt[valid].tolist() == [_key(a) < _key(o) for a in s[valid]]
        assert (s >= other)[valid].tolist() == [_key(a) >= _key(o) for a in s[valid]]
        assert (s > other)[valid].tolist() == [_key(a) > _key(o) for a in s[valid]]
        assert (s <= other)[valid].tolist() == [_key(a) <= _key(o) for a in s[valid]]
    rev = s[::-1].reset_index(drop=True)
    both = valid & rev.notna()
    assert (s < rev)[both].tolist() == [_key(a) < _key(b) for a, b in zip(s[both], rev[both])]
    assert (s < pd.NA).isna().all()
    assert s[s.between("10.0.0.0", "10.255.255.255")].tolist() == [s[0], s[3], s[10]]


def test_searchsorted_min_max():
    s = _col()
    srt = s.sort_values().array
    ref = s.sort_values().dropna().tolist()
    for v in s.dropna():
        assert srt.searchsorted(v) == bisect.bisect_left(ref, v)
        assert srt.searchsorted(v, side="right") == bisect.bisect_right(ref, v)
    assert srt.searchsorted(s.array).tolist()[:2] == [bisect.bisect_left(ref, s[0]), bisect.bisect_left(ref, s[1])]
    assert srt.searchsorted("1.2.3.4") == 1 and srt.searchsorted("ffff::") == len(ref)
    assert srt.searchsorted(pd.NA) == len(ref)  # NA sorts last
    assert s.min() == ipaddress.ip_address("0.0.0.0") and s.max() == ipaddress.ip_address("fe80::1%eth0")
    assert pd.isna(s.min(skipna=False))


def test_quantile():
    s = _col()
    ref = s.sort_values().dropna().tolist()  # 10 values
    for how in ("lower", "higher", "nearest"):
        qs = np.linspace(0, 1, 11)
        pos = np.quantile(np.arange(len(ref)), qs, method=how).astype(int)
        assert s.quantile(qs, interpolation=how).tolist() == [ref[i] for i in pos]
    # linear interpolates the number between two addresses of one version ...
    two = nb.ip.parse(["10.0.0.0", None, "10.0.0.10"])
    assert two.quantile(0.5) == ipaddress.ip_address("10.0.0.5") and two.quantile(0.25) == ipaddress.ip_address("10.0.0.2")
    big = nb.ip.parse(["::", "ffff::"])
    assert big.quantile(0.5) == ipaddress.ip_address("7fff:8000::")
    # ... and takes the nearer value across the IPv4/IPv6 boundary
    mixed = nb.ip.parse(["255.255.255.255", "::"])
    assert mixed.quantile(0.4) == mixed[0] and mixed.quantile(0.6) == mixed[1]
    assert pd.isna(nb.ip.parse([None, None]).quantile(0.5))
    # networks are positional
    n = nb.ip.parse_network(["10.0.0.0/8", "2001:db8::/32", None])
    assert n.quantile(0.3) == n[0] and n.quantile(0.7) == n[1]
    with pytest.raises(ValueError, match="interpolation"):
        s.quantile(0.5, interpolation="cubic")
