"""``nb.ipnet(...)``: a network, an address, a subnetting plan -- as a summary
plus Tables, computed by ``ipaddress``.

>>> r = nb.ipnet("192.168.0.0/22")            # summary + hosts (paged lazily)
>>> r = nb.ipnet("10.0.0.0/22", subnets=26)   # the subnet table + address map
>>> r = nb.ipnet("10.0.0.0/24", plan=[120, 60, 30, 10])   # VLSM
>>> r = nb.ipnet("10.0.0.0/8", exclude="10.1.0.0/16")
>>> r = nb.ipnet("10.0.0.5 - 10.0.0.20")      # summarize_address_range
>>> r = nb.ipnet("10.0.0.0/24 10.0.1.0/24")   # collapse_addresses
>>> r = nb.ipnet("10.1.2.3 in 10.0.0.0/8 192.168.0.0/16")   # membership
>>> r = nb.ipnet("10.1.2.3/24")               # an interface
"""
from __future__ import annotations

import html
import ipaddress
import re

from ..table.source import Column, Filter, LazySource, Page, make_sort
from .subnet import IPNetError, host_range, new_prefix, usable_hosts, vlsm

__all__ = ["ipnet", "IPNetResult", "HostsSource", "SubnetsSource", "IPNetError"]

FLAG_NAMES = ("is_private", "is_global", "is_multicast", "is_reserved", "is_loopback",
              "is_link_local", "is_unspecified", "is_site_local")
_MAP_CELLS = 64


# ---------------------------------------------------------------------------
# parsing the spec
# ---------------------------------------------------------------------------

def _address(text: str):
    try:
        return ipaddress.ip_address(text)
    except ValueError as e:
        raise IPNetError(f"{text!r} is not an IP address: {_why(text, e)}") from None


def _why(text, e) -> str:
    msg = str(e)
    if "does not appear to be an IPv4 or IPv6" in msg:
        try:
            (ipaddress.IPv6Address if ":" in text else ipaddress.IPv4Address)(text.split("/")[0])
        except ValueError as e2:
            return str(e2)
    return msg


def _network(text, strict: bool = True):
    if isinstance(text, (ipaddress.IPv4Network, ipaddress.IPv6Network)):
        return text
    text = str(text).strip()
    try:
        return ipaddress.ip_network(text, strict=strict)
    except ValueError as e:
        msg = str(e)
        if "has host bits set" in msg:
            loose = ipaddress.ip_network(text, strict=False)
            raise IPNetError(
                f"{text} has host bits set: its network is {loose}; use {loose}, or strict=False "
                f"(%ipnet ... --loose) to truncate"
            ) from None
        raise IPNetError(f"{text!r} is not an IP network: {_why(text, e)}") from None


_RANGE = re.compile(r"^\s*([^\s,]+)\s*-\s*([^\s,]+)\s*$")


def ipnet(spec, *, subnets: int | None = None, count: int | None = None, plan=None,
          exclude=None, strict: bool = True, rfc3021: bool = False) -> "IPNetResult":
    """A network view.  ``spec`` is a network (``"10.0.0.0/22"``), an
    address, an interface (``"10.1.2.3/24"``), a range (``"a - b"``), several
    networks (collapsed), or ``"ADDR in NET NET ..."`` (membership).

    ``subnets=26`` / ``count=8`` splits the network; ``plan=[120, 60]`` (or
    ``{"lab": 120, ...}``) allocates subnets largest first (VLSM);
    ``exclude="10.1.0.0/16"`` removes a subnet (``address_exclude``).
    ``strict=False`` accepts a network with host bits set by truncating it.
    ``rfc3021=True`` lets the plan give 2-host links a /31.
    """
    op = subnets is not None or count is not None or plan is not None or exclude is not None
    if isinstance(spec, (list, tuple)):
        return _collapse([str(s) for s in spec], strict)
    if isinstance(spec, (ipaddress.IPv4Address, ipaddress.IPv6Address)):
        return _address_view(spec)
    if isinstance(spec, (ipaddress.IPv4Interface, ipaddress.IPv6Interface)):
        return _interface_view(spec)
    text = str(spec).strip()
    if not text:
        raise IPNetError("nothing to show: give a network (10.0.0.0/24), an address, a range (a - b) or 'ADDR in NET ...'")
    if any(c in text for c in "\r\n\0"):
        raise IPNetError("a network spec is one line (CR/LF/NUL refused)")
    if len(text) > 10_000:
        raise IPNetError(f"spec of {len(text):,} characters is too long (at most 10,000)")
    if re.search(r"\sin\s", text):
        left, _, right = text.partition(" in ")
        return _membership(left, right)
    m = _RANGE.match(text)
    if m and "/" not in text:
        return _range(_address(m.group(1)), _address(m.group(2)))
    parts = [p for p in re.split(r"[\s,]+", text) if p]
    if len(parts) > 1:
        if op:
            raise IPNetError("subnets/plan/exclude work on one network; several networks are collapsed")
        return _collapse(parts, strict)
    if "/" not in text:
        if op:
            raise IPNetError(f"{text} is an address, not a network: give a prefix (e.g. {text}/24)")
        return _address_view(_address(text))
    try:
        net = ipaddress.ip_network(text, strict=True)
    except ValueError as e:
        if "has host bits set" in str(e) and not op and strict:
            return _interface_view(ipaddress.ip_interface(text))
        net = _network(text, strict=strict)
    if exclude is not None:
        return _exclude(net, _network(exclude))
    if plan is not None:
        return _plan(net, plan, rfc3021)
    if subnets is not None or count is not None:
        return _subnets(net, new_prefix(net, subnets, count))
    return _network_view(net)


# ---------------------------------------------------------------------------
# lazy sources: hosts and subnets of any size
# ---------------------------------------------------------------------------

def _bits(a) -> str:
    if a.version == 4:
        return ".".join(f"{b:08b}" for b in a.packed)
    return a.exploded


class HostsSource(LazySource):
    """The usable hosts of a network, computed per page (a /8 or an IPv6
    /32 pages as fast as a /30).  Sort by any column (they all follow
    address order); filter by an address, a subnet inside the network
    (``10.0.3.0/24``) or a range (``10.0.0.10 - 10.0.0.20``)."""

    sortable = True
    filterable = True

    def __init__(self, net, title: str = ""):
        self.net = net
        self.first, n = host_range(net)
        self._addr = ipaddress.IPv4Address if net.version == 4 else ipaddress.IPv6Address
        cols = [Column("host", "int"), Column("address", "str"), Column("integer", "int"),
                Column("binary" if net.version == 4 else "exploded", "str")]
        super().__init__(n, cols, self._fetch_rows, title=title or f"hosts of {net}")

    def _row(self, i: int):
        a = self._addr(self.first + i)
        return (i, str(a), int(a), _bits(a))

    def _fetch_rows(self, start, stop):
        return [self._row(i) for i in range(start, stop)]

    def window(self, flt) -> tuple[int, int]:
        """[lo, hi) host indices matching a filter (by address/subnet/range)."""
        texts = [flt.text] + [v for k, v in flt.columns if k in ("address", "host", "integer")]
        lo, hi = 0, self._length
        for t in texts:
            t = t.strip()
            if not t:
                continue
            a, b = self._span(t)
            lo, hi = max(lo, a), min(hi, b)
        return lo, max(lo, hi)

    def _span(self, t: str) -> tuple[int, int]:
        m = _RANGE.match(t)
        try:
            if m and "/" not in t:
                a, b = int(ipaddress.ip_address(m.group(1))), int(ipaddress.ip_address(m.group(2)))
            elif "/" in t:
                n = ipaddress.ip_network(t, strict=False)
                a, b = int(n.network_address), int(n.broadcast_address)
            elif t.isdigit():  # a host number
                i = int(t)
                return i, i + 1
            else:
                a = b = int(ipaddress.ip_address(t))
        except ValueError as e:
            raise ValueError(f"filter the hosts by an address, a subnet (a.b.c.d/nn), a range (a - b) or a host number: {e}") from None
        return a - self.first, b - self.first + 1

    def rows(self, start, stop, sort=(), filter=None) -> Page:
        sort = make_sort(sort)
        flt = Filter.make(filter)
        lo, hi = self.window(flt) if flt else (0, self._length)
        total = hi - lo
        start = max(0, min(int(start), total))
        stop = max(start, min(int(stop), total))
        desc = bool(sort) and not sort[0][1]
        idx = [hi - 1 - k for k in range(start, stop)] if desc else [lo + k for k in range(start, stop)]
        return Page(start, total, idx, [self._row(i) for i in idx])

    def rows_by_key(self, keys):
        return [self._row(int(k)) for k in keys]


class SubnetsSource(LazySource):
    """The subnets of a network at a longer prefix, computed per page."""

    def __init__(self, net, prefix: int):
        self.net, self.prefix = net, prefix
        self.size = 1 << (net.max_prefixlen - prefix)
        self._cls = type(net)
        cols = [Column("subnet", "int"), Column("network", "str"), Column("first host", "str"),
                Column("last host", "str"), Column("broadcast" if net.version == 4 else "last address", "str"),
                Column("usable hosts", "int")]
        super().__init__(1 << (prefix - net.prefixlen), cols, self._fetch_rows, title=f"/{prefix} subnets of {net}")

    def subnet(self, i: int):
        return self._cls((int(self.net.network_address) + i * self.size, self.prefix))

    def _fetch_rows(self, start, stop):
        out = []
        for i in range(start, stop):
            s = self.subnet(i)
            f, n = host_range(s)
            addr = type(s.network_address)
            out.append((i, str(s), str(addr(f)) if n else "", str(addr(f + n - 1)) if n else "",
                        str(s.broadcast_address), n))
        return out


# ---------------------------------------------------------------------------
# the result object
# ---------------------------------------------------------------------------

class IPNetResult:
    """What ``nb.ipnet`` returns: ``.summary`` (dict), ``.tables`` (name ->
    Source), ``.to_frame()`` (the main table), ``.hosts`` / ``.subnets``
    where they apply; shown as a summary, an address map and Table(s)."""

    def __init__(self, kind: str, title: str, summary: dict, tables: dict, segments=None, note: str = ""):
        self.kind, self.title, self.summary, self.tables = kind, title, summary, tables
        self.segments = segments or []  # (label, size, css class)
        self.note = note

    # data
    @property
    def hosts(self):
        return self.tables.get("hosts")

    @property
    def subnets(self):
        return self.tables.get("subnets")

    def to_frame(self, limit: int | None = None):
        """The main table as a DataFrame (``limit`` rows of a huge one);
        the summary (field, value) when there is no table but hosts."""
        import pandas as pd

        main = [k for k in self.tables if k != "hosts"]
        if main:
            src = self.tables[main[0]]
            if isinstance(src, LazySource) and limit is None and src.length > 1_000_000:
                raise ValueError(f"{src.length:,} rows is too many to materialise; pass limit=")
            return src.to_frame(limit)
        return pd.DataFrame({"field": list(self.summary), "value": [str(v) for v in self.summary.values()]})

    def __getitem__(self, key):
        return self.summary[key]

    # views
    COMPACT = 6  # summary rows shown before "all properties"
    KEY_FACTS = ("interface", "address", "network", "netmask", "first usable host", "last usable host", "usable hosts",
                 "broadcast")

    def _rows_html(self, items) -> str:
        return "".join(
            f"<tr><th style='text-align:left;padding:1px 10px 1px 0;font-weight:normal;color:#555'>{html.escape(str(k))}</th>"
            f"<td style='font-family:monospace'>{html.escape(_fmt(v))}</td></tr>" for k, v in items
        )

    def summary_html(self) -> str:
        """The title, the first few facts in two columns, the flags that hold
        as chips; every property in a collapsed section below."""
        items = [(k, v) for k, v in self.summary.items() if k not in FLAG_NAMES]
        flags = [k for k, v in self.summary.items() if k in FLAG_NAMES and v is True]
        # what a student looks for first, where the summary has it; then the summary's own order
        first = [kv for key in self.KEY_FACTS for kv in items if kv[0] == key]
        head = (first + [kv for kv in items if kv not in first])[: self.COMPACT]
        more = [kv for kv in items if kv not in head]
        half = (len(head) + 1) // 2
        cols = "".join(f"<table style='font-size:12px;border-collapse:collapse;margin-right:24px'>{self._rows_html(part)}</table>"
                       for part in (head[:half], head[half:]) if part)
        chips = "".join(f"<span style='border:1px solid #bcd;border-radius:8px;padding:0 6px;margin-right:4px;font-size:11px'>"
                        f"{html.escape(f.replace('is_', ''))}</span>" for f in flags)
        note = f"<div style='color:#8a6d3b'>{html.escape(self.note)}</div>" if self.note else ""
        details = (f"<details style='font-size:12px'><summary style='cursor:pointer;color:#555'>all {len(self.summary)} properties"
                   f"</summary><table style='font-size:12px;border-collapse:collapse'>"
                   f"{self._rows_html(self.summary.items())}</table></details>") if more or flags else ""
        return (f"<div class='netbook-ipnet'><b>{html.escape(self.title)}</b> {chips}{note}"
                f"<div style='display:flex;flex-wrap:wrap'>{cols}</div>{details}</div>")

    def map_html(self) -> str:
        """The address space as a bar: one cell per subnet/allocation, width
        proportional to its size; a label is written in its cell only where it
        fits, and every cell is named in the legend below."""
        if not self.segments:
            return ""
        total = sum(s for _, s, _ in self.segments) or 1
        colors = {"used": "#4c9be8", "free": "#e8e8e8", "excluded": "#e8a24c", "alt": "#7fb8ef", "in": "#5cb85c", "out": "#eee"}
        cells, legend = [], []
        for label, size, cls in self.segments:
            w = max(100.0 * size / total, 0.4)
            fits = len(label) * 6.2 + 6 <= w * 9  # px of text vs. px of a cell in a 900 px bar
            cells.append(
                f"<div title='{html.escape(label)}' style='flex:0 0 {w:.3f}%;background:{colors.get(cls, '#ccc')};"
                f"border-right:1px solid #fff;overflow:hidden;font-size:10px;white-space:nowrap;"
                f"padding:2px 0 2px 2px;box-sizing:border-box'>{html.escape(label) if fits else '&nbsp;'}</div>"
            )
            if len(legend) < 64:
                legend.append(f"<span style='margin-right:12px;white-space:nowrap'><span style='display:inline-block;width:9px;"
                              f"height:9px;background:{colors.get(cls, '#ccc')};border:1px solid #bbb;margin-right:3px'></span>"
                              f"{html.escape(label)} <span style='color:#888'>({size:,})</span></span>")
        more = len(self.segments) - len(legend)
        tail = f"<span style='color:#888'>… {more:,} more</span>" if more > 0 else ""
        return ("<div class='netbook-ipmap' style='display:flex;width:100%;max-width:900px;border:1px solid #ccc;"
                f"margin:6px 0 2px 0'>{''.join(cells)}</div>"
                f"<div class='netbook-iplegend' style='font-size:11px;max-width:900px;display:flex;flex-wrap:wrap'>{''.join(legend)}{tail}</div>")

    def _repr_html_(self) -> str:
        from ..table.static import static_html

        parts = [self.summary_html(), self.map_html()]
        for name, src in self.tables.items():
            parts.append(static_html(src, rows=10, title=src.title or name))
        return "".join(parts)

    def __repr__(self) -> str:
        from ..table.static import static_text

        lines = [self.title] + ([self.note] if self.note else [])
        w = max((len(str(k)) for k in self.summary), default=0)
        lines += [f"  {str(k).ljust(w)}  {_fmt(v)}" for k, v in self.summary.items()]
        for name, src in self.tables.items():
            lines.append(static_text(src, rows=5, title=src.title or name, width=40))
        return "\n".join(lines)

    def widget(self):
        """ipywidgets: the summary and map over a Table (tabs when several)."""
        import ipywidgets as W

        from ..table.widget import Table

        head = W.HTML(self.summary_html() + self.map_html())
        tables = [(name, Table(src, title=src.title or name, page_size=10)) for name, src in self.tables.items()]
        if not tables:
            return W.VBox([head])
        if len(tables) == 1:
            return W.VBox([head, tables[0][1]])
        tabs = W.Tab(children=[t for _, t in tables])
        for i, (name, _) in enumerate(tables):
            tabs.set_title(i, name)
        return W.VBox([head, tabs])

    def _repr_mimebundle_(self, include=None, exclude=None):
        bundle = {}
        try:
            res = self.widget()._repr_mimebundle_()
            data = res[0] if isinstance(res, tuple) else res
            bundle.update(data or {})
        except Exception:  # no widget front-end: static views only
            pass
        bundle["text/html"] = self._repr_html_()
        bundle["text/plain"] = repr(self)
        return bundle


def _fmt(v) -> str:
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, int):
        return f"{v:,}"
    if v is None:
        return "—"
    return str(v)


def _flags(obj) -> dict:
    return {f: getattr(obj, f) for f in FLAG_NAMES if hasattr(obj, f)}


def _net_summary(net) -> dict:
    first, n = host_range(net)
    addr = type(net.network_address)
    try:
        sup = str(net.supernet())
    except ValueError:
        sup = None
    s = {
        "network": str(net),
        "version": net.version,
        "prefix length": net.prefixlen,
        "netmask": str(net.netmask),
        "hostmask": str(net.hostmask),
        "network address": str(net.network_address),
        ("broadcast" if net.version == 4 else "last address"): str(net.broadcast_address),
        "first usable host": str(addr(first)) if n else None,
        "last usable host": str(addr(first + n - 1)) if n else None,
        "addresses": net.num_addresses,
        "usable hosts": n,
        "supernet": sup,
        "reverse pointer": net.network_address.reverse_pointer,
    }
    s.update(_flags(net))
    return s


def _network_view(net) -> IPNetResult:
    return IPNetResult("network", f"IPv{net.version} network {net}", _net_summary(net), {"hosts": HostsSource(net)})


def _interface_view(iface) -> IPNetResult:
    net = iface.network
    s = {
        "interface": str(iface),
        "address": str(iface.ip),
        "with netmask": iface.with_netmask,
        "with hostmask": iface.with_hostmask,
    }
    s.update(_net_summary(net))
    note = f"{iface} has host bits set: shown as an interface on {net} (as a network: {net}, or strict=False)"
    return IPNetResult("interface", f"IPv{net.version} interface {iface}", s, {"hosts": HostsSource(net)}, note=note)


def _safe(f):
    try:
        return f()
    except ValueError:  # Python < 3.12 cannot explode/reverse a scoped IPv6 address
        return None


def _address_view(a) -> IPNetResult:
    s = {
        "address": str(a),
        "version": a.version,
        "integer": int(a),
        "hex": f"0x{int(a):0{a.max_prefixlen // 4}x}",
        "exploded": _safe(lambda: a.exploded),
        "packed": a.packed.hex(" "),
        "binary": _bits(a) if a.version == 4 else format(int(a), "0128b"),
    }
    s["reverse pointer"] = _safe(lambda: a.reverse_pointer)
    s.update(_flags(a))
    if a.version == 6:
        s["scope id"] = a.scope_id
        s["ipv4 mapped"] = str(a.ipv4_mapped) if a.ipv4_mapped else None
        s["6to4 (sixtofour)"] = str(a.sixtofour) if a.sixtofour else None
        s["teredo (server, client)"] = f"{a.teredo[0]}, {a.teredo[1]}" if a.teredo else None
    return IPNetResult("address", f"IPv{a.version} address {a}", s, {})


def _subnets(net, prefix: int) -> IPNetResult:
    src = SubnetsSource(net, prefix)
    s = {
        "network": str(net),
        "subnet prefix": f"/{prefix}",
        "subnet netmask": str(type(net)((0, prefix)).netmask),
        "subnets": src.length,
        "addresses per subnet": src.size,
        "usable hosts per subnet": usable_hosts(src.subnet(0)),
        "borrowed bits": prefix - net.prefixlen,
    }
    n = src.length
    if n <= _MAP_CELLS:
        segs = [(str(src.subnet(i)), 1, "used" if i % 2 == 0 else "alt") for i in range(n)]
    else:
        per = n // _MAP_CELLS
        segs = [(f"{src.subnet(i * per)} … ({per:,} subnets)", 1, "used" if i % 2 == 0 else "alt") for i in range(_MAP_CELLS)]
    return IPNetResult("subnets", f"{net} in /{prefix} subnets", s, {"subnets": src, "hosts": HostsSource(net)}, segs)


def _plan(net, needs, rfc3021: bool = False) -> IPNetResult:
    import pandas as pd

    from ..table.source import DataFrameSource

    if isinstance(needs, str):
        needs = [int(x) for x in re.split(r"[\s,]+", needs.strip()) if x]
    if len(needs) > 10_000:
        raise IPNetError(f"a plan of {len(needs):,} subnets is too many for a view (at most 10,000)")
    allocs, free = vlsm(net, needs, rfc3021)
    rows = []
    for a in allocs:
        f, n = host_range(a.network)
        addr = type(a.network.network_address)
        # the counts first: a narrow view shows what was asked and what is spare
        rows.append({"name": a.name, "network": str(a.network), "hosts needed": a.hosts, "usable hosts": n,
                     "spare hosts": n - a.hosts, "first host": str(addr(f)), "last host": str(addr(f + n - 1)),
                     "broadcast": str(a.network.broadcast_address), "prefix": a.network.prefixlen})
    for fnet in free:
        rows.append({"name": "(free)", "network": str(fnet), "hosts needed": 0, "usable hosts": usable_hosts(fnet),
                     "spare hosts": usable_hosts(fnet), "first host": "", "last host": "",
                     "broadcast": str(fnet.broadcast_address), "prefix": fnet.prefixlen})
    df = pd.DataFrame(rows)
    df = df.iloc[sorted(range(len(df)), key=lambda i: int(ipaddress.ip_network(df["network"].iloc[i]).network_address))].reset_index(drop=True)
    used = sum(a.network.num_addresses for a in allocs)
    s = {"network": str(net), "subnets allocated": len(allocs), "addresses allocated": used,
         "addresses free": net.num_addresses - used, "free networks": ", ".join(str(f) for f in free) or None,
         "utilisation": f"{100 * sum(a.hosts for a in allocs) / max(1, sum(a.usable for a in allocs)):.1f}% of allocated hosts used"}
    segs = [(f"{r['name']} {r['network']}", ipaddress.ip_network(r["network"]).num_addresses,
             "free" if r["name"] == "(free)" else "used") for r in rows]
    segs.sort(key=lambda t: int(ipaddress.ip_network(t[0].split()[-1]).network_address))
    return IPNetResult("plan", f"VLSM plan for {net}", s, {"plan": DataFrameSource(df, title=f"VLSM plan for {net}")}, segs)


def _exclude(net, ex) -> IPNetResult:
    import pandas as pd

    from ..table.source import DataFrameSource

    if ex.version != net.version or not ex.subnet_of(net):
        raise IPNetError(f"{ex} is not inside {net}: address_exclude removes a subnet of the network")
    rest = sorted(net.address_exclude(ex))
    rows = [{"network": str(n), "first": str(n.network_address), "last": str(n.broadcast_address),
             "addresses": n.num_addresses, "kind": "kept"} for n in rest]
    rows.append({"network": str(ex), "first": str(ex.network_address), "last": str(ex.broadcast_address),
                 "addresses": ex.num_addresses, "kind": "excluded"})
    df = pd.DataFrame(rows).sort_values("first", key=lambda c: c.map(lambda x: int(ipaddress.ip_address(x)))).reset_index(drop=True)
    s = {"network": str(net), "excluded": str(ex), "networks left": len(rest),
         "addresses left": net.num_addresses - ex.num_addresses}
    segs = [(r["network"], r["addresses"], "excluded" if r["kind"] == "excluded" else "used") for r in df.to_dict("records")]
    return IPNetResult("exclude", f"{net} without {ex}", s, {"networks": DataFrameSource(df, title=f"{net} without {ex}")}, segs)


def _range(a, b) -> IPNetResult:
    import pandas as pd

    from ..table.source import DataFrameSource

    if a.version != b.version:
        raise IPNetError(f"{a} and {b} are different IP versions")
    if int(b) < int(a):
        raise IPNetError(f"the range {a} - {b} runs backwards: give the lower address first")
    nets = list(ipaddress.summarize_address_range(a, b))
    df = pd.DataFrame({"network": [str(n) for n in nets], "first": [str(n.network_address) for n in nets],
                       "last": [str(n.broadcast_address) for n in nets], "addresses": [n.num_addresses for n in nets]})
    s = {"first": str(a), "last": str(b), "addresses": int(b) - int(a) + 1, "networks": len(nets)}
    segs = [(str(n), n.num_addresses, "used" if i % 2 == 0 else "alt") for i, n in enumerate(nets)]
    return IPNetResult("range", f"{a} - {b} as CIDR networks", s, {"networks": DataFrameSource(df, title=f"{a} - {b}")}, segs)


def _collapse(parts, strict) -> IPNetResult:
    import pandas as pd

    from ..table.source import DataFrameSource

    if len(parts) > 100_000:
        raise IPNetError(f"{len(parts):,} networks is too many for a view; use nb.ip.collapse on a column")
    nets = [_network(p, strict=strict) for p in parts]
    out = []
    for v in (4, 6):
        out += list(ipaddress.collapse_addresses([n for n in nets if n.version == v]))
    df = pd.DataFrame({"network": [str(n) for n in out], "first": [str(n.network_address) for n in out],
                       "last": [str(n.broadcast_address) for n in out], "addresses": [n.num_addresses for n in out]})
    s = {"networks given": len(nets), "networks after collapsing": len(out),
         "addresses": sum(n.num_addresses for n in out)}
    return IPNetResult("collapse", f"{len(nets)} networks collapsed to {len(out)}", s,
                       {"collapsed": DataFrameSource(df, title="collapse_addresses")})


def _membership(left: str, right: str) -> IPNetResult:
    import pandas as pd

    from ..table.source import DataFrameSource

    addrs = [_address(x) if "/" not in x else _network(x, strict=False) for x in re.split(r"[\s,]+", left.strip()) if x]
    nets = [_network(x, strict=False) for x in re.split(r"[\s,]+", right.strip()) if x]
    if not addrs or not nets:
        raise IPNetError("membership is 'ADDRESS in NETWORK [NETWORK ...]'")
    if len(addrs) * len(nets) > 100_000:
        raise IPNetError(f"{len(addrs):,} addresses x {len(nets):,} networks is too many for a view; use s.ip.in_networks(...) on a column")
    rows = []
    for a in addrs:
        for n in nets:
            if isinstance(a, (ipaddress.IPv4Network, ipaddress.IPv6Network)):
                inside = a.version == n.version and a.subnet_of(n)
            else:
                inside = a in n
            rows.append({"address": str(a), "network": str(n), "in": inside})
    df = pd.DataFrame(rows)
    s = {}
    for a in addrs:
        hits = [r["network"] for r in rows if r["address"] == str(a) and r["in"]]
        s[str(a)] = ("in " + ", ".join(hits)) if hits else "in none of them"
    segs = [(f"{r['address']} in {r['network']}" if r["in"] else f"not {r['network']}", 1, "in" if r["in"] else "out") for r in rows]
    return IPNetResult("membership", f"{left.strip()} in {right.strip()}", s, {"membership": DataFrameSource(df, title="membership")}, segs)
