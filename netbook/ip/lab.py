"""Subnetting exercises with answers checked by ``ipaddress``.

>>> ex = nb.ip.lab.exercises(seed=1)
>>> ex[0]                       # the question
>>> ex[0].check(62)             # ✓ or ✗ with the worked answer
>>> ex[0].solution()            # the worked answer

Each exercise is generated from a seed (the same seed, the same sheet) and
its answer is computed by the standard library, never typed in.
"""
from __future__ import annotations

import ipaddress
import random

from ..checks import Check, Exercise, Sheet
from .subnet import host_range, vlsm

__all__ = ["Exercise", "Check", "exercises", "check_plan", "sheet"]


def _same_net(a, b):
    return ipaddress.ip_network(str(a).strip(), strict=True) == ipaddress.ip_network(str(b), strict=True)


def _same_addr(a, b):
    return ipaddress.ip_address(str(a).strip()) == ipaddress.ip_address(str(b))


def _same_int(a, b):
    return int(a) == int(b)


def _same_tuple_addr(a, b):
    return len(a) == len(b) and all(_same_addr(x, y) for x, y in zip(a, b))


def exercises(seed: int = 0) -> list[Exercise]:
    """A sheet of subnetting exercises (IPv4 and one IPv6), reproducible by seed."""
    rnd = random.Random(seed)
    out: list[Exercise] = []

    def add(q, a, e, same, hint="", **params):
        out.append(Exercise(len(out) + 1, q, a, explain=e, same=same, hint=hint, params=params))

    # 1. usable hosts
    p = rnd.randint(20, 29)
    start = rnd.choice([10 << 24, 172 << 24 | 16 << 16, 192 << 24 | 168 << 16])
    net = ipaddress.ip_network((start + (rnd.getrandbits(12) << (32 - p) & 0xFFFF), p), strict=False)
    first, n = host_range(net)
    add(f"How many usable hosts does {net} have?", n,
        f"a /{p} has 2**{32 - p} = {net.num_addresses:,} addresses; minus the network and broadcast addresses: {n:,}", _same_int,
        "2**(32 - prefix) addresses, less the network and the broadcast address; %ipnet NET shows it",
        network=str(net))
    # 2. network of an interface
    a = net.network_address + rnd.randint(1, net.num_addresses - 2)
    q = rnd.randint(22, 28)
    iface = ipaddress.ip_interface(f"{a}/{q}")
    add(f"Host {iface} -- what is its network (in CIDR form)?", str(iface.network),
        f"keep the first {q} bits of {a} (mask {iface.netmask}): {iface.network}", _same_net,
        "AND the address with the netmask; ipaddress.ip_interface(...).network", interface=str(iface))
    # 3. broadcast
    add(f"What is the broadcast address of {iface.network}?", str(iface.network.broadcast_address),
        f"set the {32 - q} host bits to 1 (hostmask {iface.hostmask}): {iface.network.broadcast_address}", _same_addr,
        "all host bits set to 1; .broadcast_address", network=str(iface.network))
    # 4. first and last usable host
    f4, n4 = host_range(iface.network)
    add(f"First and last usable host of {iface.network}? (a tuple of two addresses)",
        (str(ipaddress.ip_address(f4)), str(ipaddress.ip_address(f4 + n4 - 1))),
        "network address + 1 and broadcast address - 1", _same_tuple_addr,
        "the first host follows the network address, the last precedes the broadcast",
        network=str(iface.network))
    # 5. prefix for k subnets
    base = ipaddress.ip_network(f"10.{rnd.randint(0, 255)}.0.0/{rnd.randint(16, 22)}")
    k = rnd.choice([3, 4, 5, 6, 8, 10, 12, 16])
    bits = (k - 1).bit_length()
    add(f"{base} must be split into at least {k} equal subnets. Which prefix length do they get (a number)?",
        base.prefixlen + bits, f"{k} subnets need {bits} borrowed bits (2**{bits} = {2 ** bits} >= {k}): /{base.prefixlen} + {bits}", _same_int,
        "borrow b bits so that 2**b >= the number of subnets",
        network=str(base), subnets=k)
    # 6. which subnet holds an address
    sub = list(base.subnets(prefixlen_diff=bits))
    target = rnd.choice(sub)
    addr = target.network_address + rnd.randint(1, target.num_addresses - 2)
    add(f"Splitting {base} into /{base.prefixlen + bits} subnets: which one holds {addr}?", str(target),
        f"{addr} truncated to /{target.prefixlen}: {target} (subnet #{sub.index(target)})", _same_net,
        "truncate the address to the new prefix length",
        network=str(base), prefix=base.prefixlen + bits, address=str(addr))
    # 7. IPv6: how many /64s in a /48
    v6 = ipaddress.ip_network(f"2001:db8:{rnd.getrandbits(16):x}::/48")
    add(f"How many /64 subnets fit in {v6}?", 2 ** 16, "64 - 48 = 16 bits of subnet id: 2**16 = 65,536", _same_int,
        "every bit between /48 and /64 doubles the count", network=str(v6))
    # 8. VLSM
    needs = sorted(rnd.sample([100, 60, 50, 30, 25, 12, 10, 5, 2], 4), reverse=True)
    block = ipaddress.ip_network(f"192.168.{rnd.randint(0, 255)}.0/24")
    allocs, _ = vlsm(block, needs)
    answer = [str(x.network) for x in sorted(allocs, key=lambda x: -x.hosts)]
    out.append(Exercise(
        len(out) + 1,
        f"VLSM: allocate subnets for {', '.join(map(str, needs))} hosts from {block}, largest first, "
        "each the smallest that fits (a list of CIDRs, in the order of the host counts).",
        answer,
        explain="largest first, each at the next free aligned block: " + ", ".join(
            f"{h} hosts -> {n}" for h, n in zip(needs, answer)),
        same=lambda given, ans, block=block, needs=needs: bool(check_plan(block, needs, given)),
        hint="sort the needs largest first; each needs hosts + 2 addresses rounded up to a power of two; "
             "%ipnet BLOCK --plan a,b,c checks a plan",
        params={"block": str(block), "needs": needs},
    ))
    return out


def check_plan(block, needs, given) -> Check:
    """Check a hand-made VLSM plan: every subnet inside ``block``, none
    overlapping, each with room for its hosts (network and broadcast
    reserved) and the smallest that does."""
    block = ipaddress.ip_network(str(block))
    try:
        nets = [ipaddress.ip_network(str(g).strip()) for g in given]
    except ValueError as e:
        return Check(False, str(e))
    if len(nets) != len(needs):
        return Check(False, f"{len(needs)} subnets asked for, {len(nets)} given")
    for n, h in zip(nets, needs):
        if n.version != block.version or not n.subnet_of(block):
            return Check(False, f"{n} is not inside {block}")
        if n.num_addresses - 2 < h:
            return Check(False, f"{n} has {n.num_addresses - 2} usable hosts, {h} are needed")
        if (n.num_addresses // 2) - 2 >= h:
            return Check(False, f"{n} is larger than needed for {h} hosts (a /{n.prefixlen + 1} fits)")
    for i, a in enumerate(nets):
        for b in nets[i + 1:]:
            if a.overlaps(b):
                return Check(False, f"{a} and {b} overlap")
    return Check(True, "a valid plan: " + ", ".join(f"{h} hosts -> {n}" for h, n in zip(needs, nets)))


def sheet(seed: int = 0) -> Sheet:
    """The 04-ipnet sheet for ``nb.labs.exercises("ipnet", seed)`` (no server needed)."""
    return Sheet("ipnet", seed, exercises(seed))
