"""Sets of networks as sorted, disjoint address intervals.

Membership, longest-prefix match and collapsing are one ``searchsorted``
(a 128-bit one for IPv6) over a table built once:

* ``collapse=True`` merges the networks into disjoint ranges (membership,
  ``collapse_addresses``);
* ``collapse=False`` cuts the space into segments each owned by its most
  specific network (networks nest or are disjoint, so one vectorized sweep
  over the start/end events finds it) -- the longest-prefix-match table.
"""
from __future__ import annotations

import ipaddress

import numpy as np

from . import _kernels as K

_U64 = np.uint64
_M64 = 0xFFFFFFFFFFFFFFFF


class Intervals:
    """Per version: sorted starts, ends and the owning row of each segment."""

    def __init__(self):
        self.tables = {}  # version -> (starts list/arrays, ends, owner array)

    @classmethod
    def from_networks(cls, nets, collapse: bool) -> "Intervals":
        self = cls()
        h0, l0, h1, l1 = nets.bounds()
        for v in (4, 6):
            rows = np.flatnonzero(nets.ver == v)
            if not len(rows):
                continue
            if v == 4:
                s = l0[rows].astype(np.int64)
                e = l1[rows].astype(np.int64)
                if collapse:
                    segs = _merge_np(s, e)
                else:
                    P, k, own = _nest_ranked(s, e + 1, rows)
                    segs = (P[k], P[k + 1] - 1, own)
            else:
                if collapse:
                    s = [(int(a) << 64) | int(b) for a, b in zip(h0[rows], l0[rows])]
                    e = [(int(a) << 64) | int(b) for a, b in zip(h1[rows], l1[rows])]
                    segs = _merge_py(s, e)
                else:
                    segs = _nest_v6(h0[rows], l0[rows], h1[rows], l1[rows], rows)
            self.tables[v] = segs
        return self

    def locate(self, hi, lo, ver) -> np.ndarray:
        """Owner (row of the network table, or segment number when
        collapsed) of each address; -1 where no network holds it."""
        out = np.full(len(ver), -1, dtype=np.int64)
        for v, (st, en, own) in self.tables.items():
            rows = np.flatnonzero(ver == v)
            if not len(rows) or not len(own):
                continue
            if v == 4:
                x = lo[rows].astype(np.int64)
                i = np.searchsorted(st, x, side="right") - 1
                ok = (i >= 0) & (x <= en[np.maximum(i, 0)])
            else:
                (shi, slo), (ehi, elo) = st, en
                i = K.locate128(shi, slo, hi[rows], lo[rows])
                j = np.maximum(i, 0)
                ok = (i >= 0) & ((hi[rows] < ehi[j]) | ((hi[rows] == ehi[j]) & (lo[rows] <= elo[j])))
            out[rows[ok]] = own[i[ok]]
        return out

    def ranges(self):
        """(version, first int, last int) of each segment, in order."""
        for v in (4, 6):
            if v not in self.tables:
                continue
            st, en, own = self.tables[v]
            if v == 4:
                for a, b in zip(st.tolist(), en.tolist()):
                    yield v, a, b
            else:
                (shi, slo), (ehi, elo) = st, en
                for a, b, c, d in zip(shi.tolist(), slo.tolist(), ehi.tolist(), elo.tolist()):
                    yield v, (a << 64) | b, (c << 64) | d

    def to_networks(self):
        """The fewest networks covering the segments (collapse_addresses)."""
        from .arrays import IPNetArray

        nets = []
        for v, a, b in self.ranges():
            cls = ipaddress.IPv4Address if v == 4 else ipaddress.IPv6Address
            nets.extend(ipaddress.summarize_address_range(cls(a), cls(b)))
        return IPNetArray._parse(nets)[0] if nets else IPNetArray._empty(0, None)


def _merge_np(s, e):
    order = np.lexsort((e, s))
    s, e = s[order], e[order]
    run_end = np.maximum.accumulate(e)
    new = np.ones(len(s), dtype=bool)
    new[1:] = s[1:] > run_end[:-1] + 1
    gid = np.cumsum(new) - 1
    starts = s[new]
    ends = np.zeros(len(starts), dtype=np.int64)
    np.maximum.at(ends, gid, e)
    return starts, ends, np.arange(len(starts))


def _merge_py(s, e):
    items = sorted(zip(s, e))
    ms, me = [], []
    for a, b in items:
        if ms and a <= me[-1] + 1:
            if b > me[-1]:
                me[-1] = b
        else:
            ms.append(a)
            me.append(b)
    return _as128(ms), _as128(me), np.arange(len(ms))


def _nest_ranked(spos, epos, owner):
    """Vectorized nesting: ``spos``/``epos`` are int64 positions (ranks) of
    each range's start and end+1.  Returns (P, k, owners): the sorted unique
    positions, the indices k of those starting a covered segment
    [P[k], P[k+1]) and the owner of each (the innermost range; the first
    row among identical ranges).

    Sweep the start/end events in order: the depth after an opening is the
    range's nesting level; at a position of depth d the innermost range is
    the last one opened at level d (ranges nest or are disjoint).
    """
    m = len(spos)
    pos = np.concatenate([spos, epos])
    delta = np.concatenate([np.ones(m, np.int64), -np.ones(m, np.int64)])
    sec = np.concatenate([-epos, np.zeros(m, np.int64)])      # opens: larger range first
    ter = np.concatenate([-np.asarray(owner, np.int64), np.zeros(m, np.int64)])  # equal ranges: first row innermost
    order = np.lexsort((ter, sec, delta, pos))                 # at one position closes come first
    pos_o, delta_o = pos[order], delta[order]
    depth = np.cumsum(delta_o)
    is_open = delta_o == 1
    own_all = np.concatenate([np.asarray(owner, np.int64), np.full(m, -1, np.int64)])[order]
    open_pos, open_level, open_owner = pos_o[is_open], depth[is_open], own_all[is_open]
    last = np.flatnonzero(np.r_[pos_o[1:] != pos_o[:-1], True])
    P = pos_o[last]
    dP = depth[last]
    seg_owner = np.full(len(P), -1, dtype=np.int64)
    for L in np.unique(dP[dP > 0]):
        sel = np.flatnonzero(dP == L)
        lev = open_level == L
        i = np.searchsorted(open_pos[lev], P[sel], side="right") - 1
        seg_owner[sel] = open_owner[lev][i]
    k = np.flatnonzero(dP > 0)
    return P, k, seg_owner[k]


def _nest_v6(h0, l0, h1, l1, owner):
    """:func:`_nest_ranked` over 128-bit bounds (end+1 may be 2**128)."""
    m = len(h0)
    # end + 1 with carry; "top" marks 2**128
    l1p = l1 + _U64(1)
    carry = l1p == 0
    h1p = h1 + carry.astype(_U64)
    top = carry & (h1p == 0)
    key = np.empty(2 * m, dtype=[("t", "u1"), ("h", "u8"), ("l", "u8")])
    key["t"] = np.concatenate([np.zeros(m, np.uint8), top.astype(np.uint8)])
    key["h"] = np.concatenate([h0, h1p])
    key["l"] = np.concatenate([l0, l1p])
    order = np.lexsort((key["l"], key["h"], key["t"]))
    sk = key[order]
    new = np.r_[True, (sk["t"][1:] != sk["t"][:-1]) | (sk["h"][1:] != sk["h"][:-1]) | (sk["l"][1:] != sk["l"][:-1])]
    rank_sorted = np.cumsum(new) - 1
    rank = np.empty(2 * m, dtype=np.int64)
    rank[order] = rank_sorted
    uniq = sk[new]
    P, k, own = _nest_ranked(rank[:m], rank[m:], owner)
    sh, sl = uniq["h"][P[k]], uniq["l"][P[k]]
    nh, nl = uniq["h"][P[k + 1]], uniq["l"][P[k + 1]]  # next start; end = next - 1 (borrow)
    el = nl - _U64(1)
    eh = nh - (nl == 0).astype(_U64)
    return (sh, sl), (eh, el), own


def _as128(vals):
    return (np.array([v >> 64 for v in vals], dtype=_U64), np.array([v & _M64 for v in vals], dtype=_U64))
