"""Subnetting arithmetic on ``ipaddress`` networks: usable hosts, subnets,
VLSM plans.  Everything here is exact integer arithmetic checked against
``ipaddress`` (``hosts()``, ``subnets()``) in the tests; nothing is
materialised, so a /8 or an IPv6 /32 costs the same as a /30."""
from __future__ import annotations

import ipaddress
import math
from dataclasses import dataclass

from ..errors import IPNetError

__all__ = ["IPNetError", "host_range", "usable_hosts", "prefix_for_hosts", "vlsm", "Allocation"]


def host_range(net) -> tuple[int, int]:
    """(first usable host as int, number of usable hosts) -- what
    ``net.hosts()`` yields: IPv4 drops the network and broadcast addresses
    (not in a /31 or /32), IPv6 drops the Subnet-Router anycast address
    (not in a /127 or /128)."""
    first = int(net.network_address)
    n = net.num_addresses
    if net.version == 4:
        if net.prefixlen >= 31:
            return first, n
        return first + 1, n - 2
    if net.prefixlen >= 127:
        return first, n
    return first + 1, n - 1


def usable_hosts(net) -> int:
    return host_range(net)[1]


def prefix_for_hosts(hosts: int, version: int = 4, rfc3021: bool = False) -> int:
    """The longest prefix whose network has room for ``hosts`` hosts.

    The classic rule reserves the network and broadcast addresses (IPv4:
    ``hosts + 2 <= size``; IPv6: the Subnet-Router anycast, ``hosts + 1``);
    ``rfc3021=True`` counts hosts as ``ipaddress``'s ``hosts()`` does, so a
    2-host link gets a /31 (RFC 3021; /127 for IPv6, RFC 6164)."""
    width = 32 if version == 4 else 128
    if hosts < 1:
        raise IPNetError(f"a subnet needs at least 1 host (got {hosts})")
    cls = ipaddress.IPv4Network if version == 4 else ipaddress.IPv6Network
    reserved = 2 if version == 4 else 1
    for p in range(width, -1, -1):
        room = usable_hosts(cls((0, p))) if rfc3021 else (1 << (width - p)) - reserved
        if room >= hosts:
            return p
    raise IPNetError(f"{hosts:,} hosts do not fit in any IPv{version} network")


def new_prefix(net, prefix: int | None = None, count: int | None = None) -> int:
    """The subnet prefix for ``--subnets PREFIX`` or ``--count N``."""
    if prefix is not None and count is not None:
        raise IPNetError("give either a subnet prefix or a count of subnets, not both")
    if count is not None:
        if count < 1:
            raise IPNetError("--count needs at least 1 subnet")
        prefix = net.prefixlen + math.ceil(math.log2(count)) if count > 1 else net.prefixlen
    if prefix is None:
        raise IPNetError("give a subnet prefix (--subnets 26) or a count (--count 8)")
    if prefix < net.prefixlen:
        raise IPNetError(f"/{prefix} is shorter than {net}: subnets must be longer than /{net.prefixlen} "
                         f"(supernet: {net.supernet(new_prefix=prefix)})")
    if prefix > net.max_prefixlen:
        raise IPNetError(f"/{prefix} is longer than an IPv{net.version} address (at most /{net.max_prefixlen})")
    return prefix


@dataclass
class Allocation:
    name: str
    hosts: int          # hosts asked for (0 for free space)
    network: object     # ipaddress network

    @property
    def usable(self) -> int:
        return usable_hosts(self.network)


def vlsm(net, needs, rfc3021: bool = False) -> tuple[list[Allocation], list]:
    """Allocate subnets for host counts from ``net``, largest first (VLSM).

    ``needs``: a list of host counts or a dict ``{name: hosts}``.  Returns
    the allocations (in address order) and the free networks left over.
    ``rfc3021``: see :func:`prefix_for_hosts`.
    """
    items = list(needs.items()) if isinstance(needs, dict) else [(f"net{i + 1}", h) for i, h in enumerate(needs)]
    items = [(str(n), int(h)) for n, h in items]
    order = sorted(range(len(items)), key=lambda i: -items[i][1])  # stable: ties keep their order
    cur = int(net.network_address)
    end = int(net.broadcast_address)
    cls = type(net)
    out = []
    for i in order:
        name, hosts = items[i]
        p = prefix_for_hosts(hosts, net.version, rfc3021)
        if p < net.prefixlen:
            raise IPNetError(f"{name} needs {hosts:,} hosts: that is a /{p}, larger than all of {net}")
        size = 1 << (net.max_prefixlen - p)
        start = (cur + size - 1) // size * size  # aligned (largest first keeps it aligned)
        if start + size - 1 > end:
            used = sum(a.network.num_addresses for a in out)
            raise IPNetError(
                f"{name} ({hosts:,} hosts, a /{p} of {size:,} addresses) does not fit: "
                f"{net} has {net.num_addresses - used:,} of {net.num_addresses:,} addresses left"
            )
        out.append(Allocation(name, hosts, cls((start, p))))
        cur = start + size
    out.sort(key=lambda a: int(a.network.network_address))
    taken = [a.network for a in out]
    free = _free_space(net, taken)
    return out, free


def _free_space(net, taken) -> list:
    free = []
    pos = int(net.network_address)
    addr = ipaddress.IPv4Address if net.version == 4 else ipaddress.IPv6Address
    for t in sorted(taken, key=lambda n: int(n.network_address)):
        a = int(t.network_address)
        if a > pos:
            free.extend(ipaddress.summarize_address_range(addr(pos), addr(a - 1)))
        pos = max(pos, int(t.broadcast_address) + 1)
    if pos <= int(net.broadcast_address):
        free.extend(ipaddress.summarize_address_range(addr(pos), net.broadcast_address))
    return free
