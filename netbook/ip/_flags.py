"""The ``is_*`` flags as interval tables built from ``ipaddress`` itself.

Every flag of an address is decided by membership in the networks of
``ipaddress``'s own IANA tables (``_IPv4Constants`` / ``_IPv6Constants``, as
the running Python has them -- they differ between 3.11 and 3.13), plus the
IPv4-mapped block whose flags recent Pythons take from the IPv4 address.
Cutting the address space at every boundary of those networks gives
intervals on which each flag is constant; the flag of each interval is read
from the standard library at the interval's ends (and bisected should the
ends disagree), so a lookup is one ``searchsorted`` and the answer is
whatever ``ipaddress`` answers, on every Python.
"""
from __future__ import annotations

import functools
import ipaddress

import numpy as np

FLAGS = (
    "is_private", "is_global", "is_multicast", "is_reserved", "is_loopback",
    "is_link_local", "is_unspecified", "is_site_local",
)

_MAPPED = 0xFFFF << 32


def _networks(consts) -> list:
    out = []
    for v in vars(consts).values():
        items = v if isinstance(v, (list, tuple, set, frozenset)) else [v]
        for x in items:
            if isinstance(x, (ipaddress.IPv4Network, ipaddress.IPv6Network)):
                out.append(x)
            elif isinstance(x, (ipaddress.IPv4Address, ipaddress.IPv6Address)):
                out.append(ipaddress.ip_network(x))
    return out


def _flag(cls, value: int, name: str):
    return getattr(cls(value), name, None)


def _build(version: int):
    cls = ipaddress.IPv4Address if version == 4 else ipaddress.IPv6Address
    top = 1 << (32 if version == 4 else 128)
    cuts = {0, top, 1, 2}
    v4nets = _networks(ipaddress.IPv4Address._constants) + [ipaddress.ip_network("100.64.0.0/10")]
    if version == 4:
        nets = v4nets
    else:
        nets = _networks(ipaddress.IPv6Address._constants) + [
            ipaddress.ip_network(n) for n in ("::ffff:0:0/96", "2002::/16", "2001::/32", "64:ff9b::/96", "::/128", "::1/128")
        ]
        for n in v4nets:  # IPv4-mapped addresses may answer for their IPv4 address
            cuts.add(_MAPPED | int(n.network_address))
            cuts.add(_MAPPED | (int(n.broadcast_address) + 1))
        cuts.update({_MAPPED, _MAPPED | 1, _MAPPED | 2, _MAPPED + (1 << 32)})
    for n in nets:
        cuts.add(int(n.network_address))
        cuts.add(int(n.broadcast_address) + 1)
    names = [f for f in FLAGS if hasattr(cls, f)]
    pts = sorted(c for c in cuts if c <= top)
    starts, values = [], []

    def flags(x):
        return tuple(_flag(cls, x, f) for f in names)

    def add(a, b):  # interval [a, b)
        fa, fb = flags(a), flags(b - 1)
        if fa == fb or b - a <= 1:
            starts.append(a)
            values.append(fa)
            return
        mid = (a + b) // 2  # the ends disagree: a boundary we did not know of
        add(a, mid)
        add(mid, b)

    for a, b in zip(pts, pts[1:]):
        add(a, b)
    # merge neighbours with equal flags
    ms, mv = [], []
    for s, v in zip(starts, values):
        if mv and mv[-1] == v:
            continue
        ms.append(s)
        mv.append(v)
    table = {f: np.array([v[i] for v in mv], dtype=bool) for i, f in enumerate(names)}
    return ms, table


@functools.lru_cache(maxsize=None)
def tables(version: int):
    """(starts, {flag: bool array}) for version 4 (starts as uint64) or 6
    (starts as (hi, lo) uint64 arrays)."""
    starts, table = _build(version)
    if version == 4:
        return np.array(starts, dtype=np.uint64), table
    hi = np.array([s >> 64 for s in starts], dtype=np.uint64)
    lo = np.array([s & 0xFFFFFFFFFFFFFFFF for s in starts], dtype=np.uint64)
    return (hi, lo), table
