"""nb.ipnet and %ipnet: summaries, lazy hosts/subnets, VLSM, errors."""
from __future__ import annotations

import ipaddress

import pytest
from hypothesis import given, settings, strategies as st

import netbook as nb
from netbook.ip.subnet import IPNetError, vlsm
from netbook.ip.view import HostsSource


@settings(max_examples=80, deadline=None)
@given(st.one_of(
    st.tuples(st.integers(0, 2**32 - 1), st.integers(22, 32)).map(lambda t: ipaddress.IPv4Network(t, strict=False)),
    st.tuples(st.integers(0, 2**128 - 1), st.integers(118, 128)).map(lambda t: ipaddress.IPv6Network(t, strict=False)),
))
def test_hosts_equal_stdlib(net):
    ref = list(net.hosts())
    src = HostsSource(net)
    assert src.length == len(ref)
    assert [r[1] for r in src.rows(0, len(ref)).rows] == [str(a) for a in ref]
    r = nb.ipnet(str(net))
    assert r["usable hosts"] == len(ref)
    assert r["first usable host"] == str(ref[0]) and r["last usable host"] == str(ref[-1])
    for f in ("is_private", "is_global", "is_multicast", "is_reserved", "is_loopback", "is_link_local", "is_unspecified"):
        assert r[f] == getattr(net, f)


def test_huge_networks_page_lazily():
    r = nb.ipnet("10.0.0.0/8")
    assert r.hosts.length == 2**24 - 2
    last = r.hosts.rows(2**24 - 3, 2**24 + 10)
    assert last.rows[-1][1] == "10.255.255.254" and len(last.rows) == 1
    v6 = nb.ipnet("2001:db8::/32")
    assert v6.hosts.length == 2**96 - 1 > 2**64
    page = v6.hosts.rows(2**96 - 3, 2**96)
    assert [row[1] for row in page.rows] == ["2001:db8:ffff:ffff:ffff:ffff:ffff:fffe", "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff"]
    # the Table widget sends offsets as decimal strings
    t = nb.Table(v6.hosts)
    t.query = {**t.query, "start": str(2**95)}
    assert t.error == "" and int(t.start) == 2**95 and t.rows[0][1] == str(ipaddress.ip_address("2001:db8::") + 2**95 + 1)
    with pytest.raises(ValueError):
        v6.hosts.to_frame()
    assert len(v6.hosts.to_frame(limit=5)) == 5


def test_hosts_filter_and_sort():
    h = nb.ipnet("192.168.0.0/22").hosts
    assert h.rows(0, 5, filter="192.168.2.7").rows[0][1] == "192.168.2.7"
    sub = h.rows(0, 300, filter="192.168.1.0/24")
    assert sub.total == 256 and sub.rows[0][1] == "192.168.1.0" and sub.rows[-1][1] == "192.168.1.255"
    rng = h.rows(0, 50, filter="192.168.0.10 - 192.168.0.20")
    assert rng.total == 11
    desc = h.rows(0, 2, sort=[("address", False)])
    assert [r[1] for r in desc.rows] == ["192.168.3.254", "192.168.3.253"]
    assert h.rows(0, 5, filter="10.0.0.1").total == 0
    with pytest.raises(ValueError, match="filter the hosts"):
        h.rows(0, 5, filter="nonsense")


def test_subnets_and_count():
    r = nb.ipnet("10.0.0.0/22", subnets=26)
    df = r.to_frame()
    ref = list(ipaddress.ip_network("10.0.0.0/22").subnets(new_prefix=26))
    assert df["network"].tolist() == [str(n) for n in ref]
    assert df["usable hosts"].tolist() == [62] * 16
    assert nb.ipnet("10.0.0.0/22", count=8).subnets.length == 8
    assert nb.ipnet("10.0.0.0/22", count=5).subnets.length == 8
    big = nb.ipnet("2001:db8::/32", subnets=64)
    assert big.subnets.length == 2**32
    assert big.subnets.rows(2**32 - 1, 2**32).rows[0][1] == "2001:db8:ffff:ffff::/64"
    assert "netbook-ipmap" in r._repr_html_()


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(1, 200), min_size=1, max_size=6))
def test_vlsm_plan_is_valid(needs):
    net = ipaddress.ip_network("10.0.0.0/22")
    try:
        allocs, free = vlsm(net, needs)
    except IPNetError:
        # it really does not fit: the sizes add up to more than the block
        sizes = [2 ** (32 - max(p for p in range(33) if 2 ** (32 - p) - 2 >= h)) for h in needs]
        assert sum(sizes) > net.num_addresses
        return
    nets = [a.network for a in allocs]
    for a in allocs:
        assert a.network.subnet_of(net) and a.network.num_addresses - 2 >= a.hosts
        assert a.network.num_addresses // 2 - 2 < a.hosts  # the smallest subnet that fits
    for x in nets + free:
        for y in nets + free:
            assert x is y or not x.overlaps(y)
    assert sum(n.num_addresses for n in nets + free) == net.num_addresses


def test_plan_view_and_leftover():
    r = nb.ipnet("192.168.10.0/24", plan={"sales": 100, "dev": 50, "ops": 20, "wan": 2})
    df = r.to_frame()
    assert df[df["name"] == "sales"]["network"].item() == "192.168.10.0/25"
    assert df[df["name"] == "dev"]["network"].item() == "192.168.10.128/26"
    assert df[df["name"] == "ops"]["network"].item() == "192.168.10.192/27"
    assert df[df["name"] == "wan"]["network"].item() == "192.168.10.224/30"
    assert set(df[df["name"] == "(free)"]["network"]) == {"192.168.10.228/30", "192.168.10.232/29", "192.168.10.240/28"}
    with pytest.raises(IPNetError, match="does not fit"):
        nb.ipnet("192.168.10.0/24", plan=[200, 100])
    p2p = nb.ipnet("192.168.10.0/24", plan={"wan": 2}, rfc3021=True).to_frame()
    assert p2p[p2p["name"] == "wan"]["network"].item() == "192.168.10.0/31"


def test_exclude_range_collapse_membership_interface():
    r = nb.ipnet("10.0.0.0/8", exclude="10.1.0.0/16")
    kept = r.to_frame().query("kind == 'kept'")["network"].tolist()
    assert kept == [str(n) for n in sorted(ipaddress.ip_network("10.0.0.0/8").address_exclude(ipaddress.ip_network("10.1.0.0/16")))]
    rg = nb.ipnet("10.0.0.5 - 10.0.0.20").to_frame()["network"].tolist()
    assert rg == [str(n) for n in ipaddress.summarize_address_range(ipaddress.ip_address("10.0.0.5"), ipaddress.ip_address("10.0.0.20"))]
    col = nb.ipnet(["10.0.0.0/24", "10.0.1.0/24", "10.0.3.0/24"]).to_frame()["network"].tolist()
    assert col == ["10.0.0.0/23", "10.0.3.0/24"]
    m = nb.ipnet("10.1.2.3 in 10.0.0.0/8 192.168.0.0/16")
    assert m.to_frame()["in"].tolist() == [True, False] and m["10.1.2.3"] == "in 10.0.0.0/8"
    i = nb.ipnet("10.1.2.3/24")
    assert i.kind == "interface" and i["network"] == "10.1.2.0/24" and "host bits set" in i.note
    a = nb.ipnet("2002:c000:204::1")
    assert a["6to4 (sixtofour)"] == "192.0.2.4"
    t = nb.ipnet("2001:0:4136:e378:8000:63bf:3fff:fdd2")
    assert t["teredo (server, client)"] == "65.54.227.120, 192.0.2.45"
    assert nb.ipnet("::ffff:10.0.0.1")["ipv4 mapped"] == "10.0.0.1"
    assert nb.ipnet("fe80::1%eth0")["scope id"] == "eth0"


@pytest.mark.parametrize("spec,kw,msg", [
    ("10.1.2.3/24", {"subnets": 26}, "has host bits set: its network is 10.1.2.0/24.*strict=False"),
    ("1.2.3.04", {}, "Leading zeros are not permitted"),
    ("10.0.0.0/33", {}, "not an IP network"),
    ("10.0.0.0/24", {"subnets": 20}, "shorter than"),
    ("10.0.0.0/24", {"exclude": "10.1.0.0/24"}, "not inside"),
    ("10.0.0.9 - 10.0.0.1", {}, "runs backwards"),
    ("10.0.0.1 - ::1", {}, "different IP versions"),
    ("10.0.0.0/24\r\nX", {}, "CR/LF"),
    ("", {}, "nothing to show"),
    ("x" * 20000, {}, "too long"),
])
def test_errors_are_one_line(spec, kw, msg):
    with pytest.raises(IPNetError, match=msg) as ei:
        nb.ipnet(spec, **kw)
    assert "\n" not in str(ei.value)
    assert ei.value._render_traceback_() == [f"IPNetError: {ei.value}"]


def test_loose_truncates():
    assert nb.ipnet("10.1.2.3/24", subnets=26, strict=False).subnets.length == 4


def test_views_escape_and_bundle():
    r = nb.ipnet("10.0.0.0/30")
    b = r._repr_mimebundle_()
    assert "text/plain" in b and "text/html" in b
    assert "application/vnd.jupyter.widget-view+json" in b
    assert "10.0.0.1" in b["text/html"] and "10.0.0.1" in b["text/plain"]
    # hostile text only ever reaches the page escaped
    from netbook.ip.view import IPNetResult
    evil = IPNetResult("address", "<script>x</script>", {"<b>": "<img src=x onerror=alert(1)>"}, {}, [("<i>", 1, "used")])
    h = evil._repr_html_()
    assert "<script>" not in h and "<img" not in h and "&lt;img" in h


def test_magic(ipython):
    ip = ipython  # the shared test shell (tests/conftest.py)
    import sys
    assert "netbook.ip.columns" in sys.modules and "netbook.uuids" in sys.modules   # .ip/.uuid accessors registered
    ip.user_ns["block"] = "10.0.0.0/24"
    r = ip.run_line_magic("ipnet", "{block} --plan 100,50,20 -o plan")
    assert r.kind == "plan" and ip.user_ns["plan"] is r
    assert ip.run_line_magic("ipnet", "10.0.0.0/22 --subnets /26").subnets.length == 16
    assert ip.run_line_magic("ipnet", "10.0.0.0/22 --count=4").subnets.length == 4
    assert ip.run_line_magic("ipnet", "10.0.0.0/8 --exclude 10.1.0.0/16").kind == "exclude"
    assert ip.run_line_magic("ipnet", "10.1.2.3 in 10.0.0.0/8 192.168.0.0/16").kind == "membership"
    assert ip.run_line_magic("ipnet", "10.1.2.3/24 --subnets 26 --loose").subnets.length == 4
    assert ip.run_line_magic("ipnet", "10.0.0.0/24 --count 2  # a comment").subnets.length == 2
    ip.user_ns["evil"] = "10.0.0.0/24\r\nQUIT"
    from netbook.errors import InjectionError
    with pytest.raises(InjectionError):
        ip.run_line_magic("ipnet", "{evil}")
    from IPython.core.error import UsageError
    with pytest.raises(UsageError, match="unrecognized arguments: --bogus"):
        ip.run_line_magic("ipnet", "10.0.0.0/24 --bogus")
    with pytest.raises(UsageError, match="--subnets: takes a number"):
        ip.run_line_magic("ipnet", "10.0.0.0/24 --subnets many")


def test_lab_exercises_check_with_ipaddress():
    ex = nb.ip.lab.exercises(seed=4)
    assert len(ex) == 8 and nb.ip.lab.exercises(seed=4)[0].question == ex[0].question
    for e in ex:
        assert e.check(e.answer), e
    assert not ex[0].check(ex[0].answer + 1)
    assert "is not it" in repr(ex[2].check("0.0.0.0"))
    assert not ex[1].check("not a network")
    net = ipaddress.ip_network(ex[1].answer)
    assert ex[2].answer == str(net.broadcast_address)
    plan = nb.ip.lab.check_plan("192.168.0.0/24", [100, 50], ["192.168.0.0/25", "192.168.0.128/26"])
    assert plan and "valid plan" in repr(plan)
    assert not nb.ip.lab.check_plan("192.168.0.0/24", [100, 50], ["192.168.0.0/25", "192.168.0.64/26"])   # overlap
    assert not nb.ip.lab.check_plan("192.168.0.0/24", [20], ["192.168.0.0/25"])                          # wasteful
    assert "<b>✗</b>" in ex[0].check(-1)._repr_html_()


def test_summary_is_compact_with_details_on_request():
    import re

    import netbook as nb

    r = nb.ipnet("10.0.0.0/22")
    h = r.summary_html()
    shown, _, hidden = h.partition("<details")
    assert len(re.findall("<tr>", shown)) == 6  # the first facts, in two columns
    assert "all " in hidden and len(re.findall("<tr>", hidden)) == len(r.summary)  # everything, collapsed
    assert ">private</span>" in shown  # flags that hold are chips
    w = r.widget()
    assert w.children[1].page_size == 10


def test_map_labels_fit_or_go_to_the_legend_and_spare_hosts_come_early():
    import netbook as nb

    r = nb.ipnet("192.168.0.0/24", plan=[100, 50, 10, 2])
    m = r.map_html()
    bar, _, legend = m.partition("netbook-iplegend")
    for label, size, _ in r.segments:
        assert label in legend and f"({size:,})" in legend
    assert "text-overflow:ellipsis" not in bar  # no label is cut: it is written whole or left to the legend
    cols = list(r.to_frame().columns)
    assert cols.index("spare hosts") < 5 and cols[:2] == ["name", "network"]
