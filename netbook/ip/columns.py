"""``nb.ip``: vectorized IP address and network columns for pandas.

>>> import netbook as nb, pandas as pd
>>> s = nb.ip.parse(pd.Series(["10.1.2.3", "8.8.8.8", "2001:db8::1", None]))
>>> s.ip.is_private.tolist()
[True, False, True, <NA>]
>>> s.ip.network(24).astype(str).tolist()[:2]
['10.1.2.0/24', '8.8.8.0/24']

Every function equals the standard library row by row (the tests check it
with hypothesis); the work is done on NumPy arrays of numbers.  A Series of
strings can be given anywhere a column is expected (it is parsed first).
The ``.ip`` accessor offers the same functions as methods.
"""
from __future__ import annotations

import ipaddress

import numpy as np
import pandas as pd

from . import _flags, _kernels as K
from .arrays import IPArray, IPDtype, IPNetArray, IPNetDtype, IPParseError, _hostmask
from .intervals import Intervals

__all__ = [
    "parse", "parse_network", "from_int", "to_int", "to_str", "version",
    "FLAGS", "flag", "network", "in_networks", "lookup", "lpm_join",
    "collapse", "summarize", "contained_by", "contained_by_or_equal",
    "contains", "contains_or_equal", "overlaps", "ipv4_mapped",
    "sixtofour", "teredo_server", "teredo_client", "reverse_pointer", "exploded",
    "IPDtype", "IPNetDtype", "IPArray", "IPNetArray", "IPParseError",
]

FLAGS = _flags.FLAGS
_U64 = np.uint64


def _series(values, name=None, index=None):
    if isinstance(values, pd.Series):
        return values
    return pd.Series(values, index=index, name=name)


def _wrap(arr, like, name=None, copy=None):
    """A Series of ``arr`` shaped like ``like``; ``copy=False`` when ``arr``
    is new and nobody else's (pandas 3 copies an array otherwise)."""
    if isinstance(like, pd.Series):
        return pd.Series(arr, index=like.index, name=name if name is not None else like.name, copy=copy)
    return pd.Series(arr, name=name, copy=copy)


def _addresses(values) -> IPArray:
    a = values.array if isinstance(values, (pd.Series, pd.Index)) else values
    if isinstance(a, IPArray):
        return a
    if isinstance(a, IPNetArray):
        raise IPParseError("this is a network column; use .ip.network_address or the network functions")
    return IPArray._parse(a, errors="raise")[0]


def _networks(values, strict=True) -> IPNetArray:
    a = values.array if isinstance(values, (pd.Series, pd.Index)) else values
    if isinstance(a, IPNetArray):
        return a
    if isinstance(a, (str, ipaddress._BaseNetwork, ipaddress._BaseAddress)):
        a = [a]
    if isinstance(a, IPArray):
        plen = np.where(a.ver == 4, 32, 128).astype(np.uint8)
        return IPNetArray._from_parts(a.hi, a.lo, a.ver, a.scope, plen)
    return IPNetArray._parse(a, errors="raise", strict=strict)[0]


# ---------------------------------------------------------------------------
# parse / format
# ---------------------------------------------------------------------------

def parse(values, errors: str = "raise", reasons: bool = False):
    """Addresses from strings, ints or address objects: exactly what
    ``ipaddress.ip_address`` accepts (leading zeros refused, scope ids kept).

    ``errors="raise"``: the first bad row is a one-line :class:`IPParseError`.
    ``errors="coerce"``: bad rows become NA; with ``reasons=True`` the result
    is a DataFrame with the column ``ip`` and the standard library's message
    per bad row in ``reason``.
    """
    if errors not in ("raise", "coerce"):
        raise ValueError("errors must be 'raise' or 'coerce'")
    src = values.array if isinstance(values, pd.Series) else values
    arr, why = IPArray._parse(src, errors=errors)
    out = _wrap(arr, values, copy=None if arr is src else False)
    if reasons:
        return pd.DataFrame({"ip": out, "reason": pd.Series(why, index=out.index, dtype="str")})
    return out


def parse_network(values, strict: bool = True, errors: str = "raise", reasons: bool = False):
    """Networks, as ``ipaddress.ip_network(v, strict)`` accepts them
    (``"10.0.0.0/8"``, ``"10.0.0.0/255.0.0.0"``, a bare address is a /32 or /128).
    Host bits set are refused unless ``strict=False`` (which truncates)."""
    if errors not in ("raise", "coerce"):
        raise ValueError("errors must be 'raise' or 'coerce'")
    arr, why = IPNetArray._parse(values.array if isinstance(values, pd.Series) else values, errors=errors, strict=strict)
    out = _wrap(arr, values)
    if reasons:
        return pd.DataFrame({"network": out, "reason": pd.Series(why, index=out.index, dtype="str")})
    return out


def from_int(values, version: int | None = None):
    """Addresses from integers (IPv4 below 2**32 unless ``version=6``)."""
    arr = values.to_numpy() if isinstance(values, pd.Series) else values
    return _wrap(IPArray.from_ints(arr, version), values)


def to_int(values):
    """Integers: ``UInt32`` for an IPv4-only column, Python ints otherwise."""
    a = _addresses(values)
    if (a.ver != 6).all():
        out = pd.arrays.IntegerArray(a.lo.astype(np.uint32), a.ver == 0)
    else:
        out = a.to_ints()
    return _wrap(out, values)


def to_str(values):
    """The standard library's ``str()`` of each value (pandas ``str`` dtype)."""
    a = values.array if isinstance(getattr(values, "array", None), (IPArray, IPNetArray)) else _addresses(values)
    return _wrap(pd.array(a.to_strings(), dtype="str"), values)


def exploded(values):
    """``.exploded``: IPv4 as is, IPv6 with every hextet in four digits."""
    a = _addresses(values)
    out = a.to_strings()
    v6 = np.flatnonzero(a.ver == 6)
    if len(v6):
        tab = _hex4()
        parts = [tab[((h >> _U64(s)) & _U64(0xFFFF)).astype(np.intp)] for h in (a.hi[v6], a.lo[v6]) for s in (48, 32, 16, 0)]
        s = parts[0]
        for p in parts[1:]:
            s = np.char.add(np.char.add(s, ":"), p)
        s = s.astype(object)
        if K._MAPPED_EXPLODED_DOTTED:
            mapped = (a.hi[v6] == 0) & ((a.lo[v6] >> _U64(32)) == _U64(0xFFFF))
            if mapped.any():
                s[mapped] = "0000:0000:0000:0000:0000:ffff:" + K.format_v4(a.lo[v6][mapped] & _U64(0xFFFFFFFF))
        out[v6] = s
        if a.scope is not None:  # the standard library's own answer (older ones raise: NA)
            for i in np.flatnonzero(np.not_equal(a.scope, None)):
                try:
                    out[i] = a._scalar(int(i)).exploded
                except ValueError:
                    out[i] = None
    return _wrap(pd.array(out, dtype="str"), values)


_HEX4 = None


def _hex4():
    global _HEX4
    if _HEX4 is None:
        _HEX4 = np.array([f"{i:04x}" for i in range(65536)], dtype="U4")
    return _HEX4


def version(values):
    """4 or 6 (``Int8``, NA where missing)."""
    a = values.array if isinstance(getattr(values, "array", None), (IPArray, IPNetArray)) else _addresses(values)
    return _wrap(pd.arrays.IntegerArray(a.ver.astype(np.int8), a.ver == 0), values)


def reverse_pointer(values):
    """``.reverse_pointer`` (``4.3.2.1.in-addr.arpa``, nibbles for IPv6)."""
    a = _addresses(values)
    out = np.full(len(a), None, dtype=object)
    v4 = np.flatnonzero(a.ver == 4)
    if len(v4):
        x = a.lo[v4]
        sw = ((x & _U64(255)) << _U64(24)) | (((x >> _U64(8)) & _U64(255)) << _U64(16)) | (((x >> _U64(16)) & _U64(255)) << _U64(8)) | (x >> _U64(24))
        out[v4] = K.format_v4(sw) + ".in-addr.arpa"
    for i in np.flatnonzero(a.ver == 6):
        try:
            out[i] = a._scalar(int(i)).reverse_pointer
        except ValueError:  # Python < 3.12 cannot reverse a scoped address
            out[i] = None
    return _wrap(pd.array(out, dtype="str"), values)


# ---------------------------------------------------------------------------
# flags
# ---------------------------------------------------------------------------

def flag(values, name: str):
    """One ``is_*`` flag as a nullable boolean column (NA where missing, and
    for ``is_site_local`` on IPv4 rows, which have no such property)."""
    if name not in FLAGS:
        raise ValueError(f"unknown flag {name!r}; flags are {', '.join(FLAGS)}")
    arr = values.array if isinstance(values, pd.Series) else values
    if isinstance(arr, IPNetArray):
        return _net_flag(arr, name, values)
    a = _addresses(values)
    out = np.zeros(len(a), dtype=bool)
    mask = a.ver == 0
    v4 = np.flatnonzero(a.ver == 4)
    if len(v4):
        starts, table = _flags.tables(4)
        if name in table:
            out[v4] = table[name][np.searchsorted(starts, a.lo[v4], side="right") - 1]
        else:
            mask[v4] = True
    v6 = np.flatnonzero(a.ver == 6)
    if len(v6):
        (shi, slo), table = _flags.tables(6)
        out[v6] = table[name][K.locate128(shi, slo, a.hi[v6], a.lo[v6])]
    return _wrap(pd.arrays.BooleanArray(out, mask), values, name=name)


def _net_flag(arr: IPNetArray, name, like):
    codes, uniq = arr.factorize()
    vals = np.array([getattr(uniq._scalar(i), name, None) for i in range(len(uniq))], dtype=object)
    res = np.zeros(len(arr), dtype=bool)
    mask = codes < 0
    if len(uniq):
        v = vals[np.maximum(codes, 0)]
        mask |= np.equal(v, None)
        res = np.where(mask, False, v).astype(bool)
    return _wrap(pd.arrays.BooleanArray(res, mask), like, name=name)


def _make_flag(name):
    def f(values):
        return flag(values, name)

    f.__name__ = name
    f.__doc__ = f"``ipaddress``'s ``{name}`` for each row (nullable boolean)."
    return f


for _f in FLAGS:
    globals()[_f] = _make_flag(_f)
    __all__.append(_f)


# ---------------------------------------------------------------------------
# networks
# ---------------------------------------------------------------------------

def network(values, prefix: int, v6: int | None = None):
    """Truncate addresses to a prefix (``s.ip.network(24)`` for grouping):
    an ``ipnet`` column.  ``v6`` is the prefix for IPv6 rows (default: the
    same number)."""
    a = _addresses(values)
    p6 = prefix if v6 is None else v6
    if not 0 <= prefix <= 32 or not 0 <= p6 <= 128:
        raise ValueError("prefix must be 0..32 for IPv4 (0..128 for IPv6)")
    plen = np.where(a.ver == 4, prefix, np.where(a.ver == 6, p6, 0)).astype(np.uint8)
    hm_hi, hm_lo = _hostmask(plen, a.ver)
    out = IPNetArray._from_parts(a.hi & ~hm_hi, a.lo & ~hm_lo, a.ver, None, plen)
    return _wrap(out, values)


def network_address(values):
    """The network address of each network (an ``ip`` column)."""
    n = _networks(values)
    return _wrap(IPArray._from_parts(n.hi, n.lo, n.ver, n.scope), values)


def broadcast_address(values):
    """The last address of each network (an ``ip`` column)."""
    n = _networks(values)
    _, _, h, l_ = n.bounds()
    return _wrap(IPArray._from_parts(h, l_, n.ver, n.scope), values)


def prefixlen(values):
    n = _networks(values)
    return _wrap(pd.arrays.IntegerArray(n.plen.astype(np.int16), n.ver == 0), values)


def num_addresses(values):
    """Addresses per network (Python ints: an IPv6 /0 has 2**128)."""
    n = _networks(values)
    width = np.where(n.ver == 4, 32, 128)
    out = np.full(len(n), None, dtype=object)
    for i in np.flatnonzero(n.ver != 0):
        out[i] = 1 << int(width[i] - n.plen[i])
    return _wrap(out, values)


def in_networks(values, networks):
    """Membership: is each address in any of ``networks`` (a list, a Series or
    an ``ipnet`` column)?  Nullable boolean, NA where missing."""
    a = _addresses(values)
    iv = Intervals.from_networks(_networks(networks), collapse=True)
    idx = iv.locate(a.hi, a.lo, a.ver)
    return _wrap(pd.arrays.BooleanArray(idx >= 0, a.ver == 0), values)


def lookup(values, networks: pd.DataFrame, network: str = "network", strict: bool = True):
    """Longest-prefix match: for each address, the row of ``networks`` whose
    network holds it most specifically (GeoIP style).  Returns a DataFrame
    aligned with ``values``: the matched ``network`` and the payload
    columns, NA where no network holds the address.  Equal networks: the
    first row wins."""
    a = _addresses(values)
    nets = _networks(networks[network], strict=strict)
    iv = Intervals.from_networks(nets, collapse=False)
    idx = iv.locate(a.hi, a.lo, a.ver)
    out = networks.reset_index(drop=True).take(np.maximum(idx, 0))
    out = out.reset_index(drop=True)
    if (idx < 0).any():
        out = _mask_rows(out, networks, idx < 0)
    if isinstance(values, pd.Series):
        out.index = values.index
    return out


def _mask_rows(out: pd.DataFrame, like: pd.DataFrame, miss: np.ndarray) -> pd.DataFrame:
    cols = {}
    for c in out.columns:
        col = out[c]
        arr = col.array
        if isinstance(arr, (IPArray, IPNetArray)):
            taken = arr.take(np.where(miss, -1, np.arange(len(arr))), allow_fill=True)
            cols[c] = pd.Series(taken, index=out.index)
        else:
            cols[c] = col.where(~miss)
    return pd.DataFrame(cols, index=out.index)


def lpm_join(df: pd.DataFrame, networks: pd.DataFrame, on: str, network: str = "network",
             suffix: str = "_net", strict: bool = True) -> pd.DataFrame:
    """``df`` left-joined with ``networks`` by longest-prefix match of
    ``df[on]`` against ``networks[network]`` (most specific network wins).
    Column name clashes get ``suffix``."""
    found = lookup(df[on], networks, network=network, strict=strict)
    found.columns = [c if c not in df.columns else f"{c}{suffix}" for c in found.columns]
    found.index = df.index
    return pd.concat([df, found], axis=1)


def collapse(values) -> pd.Series:
    """``ipaddress.collapse_addresses`` of a column of addresses and/or
    networks: the fewest networks covering exactly the same addresses (an
    ``ipnet`` column, sorted).  Use it in ``.agg`` / ``groupby().agg``."""
    arr = values.array if isinstance(values, pd.Series) else values
    nets = _networks(arr if isinstance(arr, (IPArray, IPNetArray)) else
                     (_addresses(arr) if not _looks_like_networks(arr) else arr))
    iv = Intervals.from_networks(nets, collapse=True)
    return pd.Series(iv.to_networks(), name="network")


def _looks_like_networks(arr) -> bool:
    for v in arr:
        if isinstance(v, str):
            return "/" in v
        if isinstance(v, ipaddress._BaseNetwork):
            return True
        if v is not None and not (isinstance(v, float) and np.isnan(v)):
            return False
    return False


def summarize(first, last) -> pd.Series:
    """``ipaddress.summarize_address_range(first, last)`` as an ``ipnet`` column."""
    a = ipaddress.ip_address(first) if not isinstance(first, ipaddress._BaseAddress) else first
    b = ipaddress.ip_address(last) if not isinstance(last, ipaddress._BaseAddress) else last
    nets = list(ipaddress.summarize_address_range(a, b))
    return pd.Series(IPNetArray._parse(nets)[0], name="network")


# ---------------------------------------------------------------------------
# PostgreSQL-style containment:  << <<= >> >>= &&
# ---------------------------------------------------------------------------

def _bounds_any(values):
    arr = values.array if isinstance(values, pd.Series) else values
    if isinstance(arr, IPArray):
        return arr.hi, arr.lo, arr.hi, arr.lo, arr.ver, np.where(arr.ver == 4, 32, 128)
    if isinstance(arr, (str, ipaddress._BaseNetwork, ipaddress._BaseAddress)):
        arr = [arr]
    n = _networks(arr)
    h0, l0, h1, l1 = n.bounds()
    return h0, l0, h1, l1, n.ver, n.plen.astype(np.int64)


def _le(ah, al, bh, bl):
    return (ah < bh) | ((ah == bh) & (al <= bl))


def _relation(left, right, op):
    lh0, ll0, lh1, ll1, lv, lp = _bounds_any(left)
    rh0, rl0, rh1, rl1, rv, rp = _bounds_any(right)
    same = lv == rv
    if op == "&&":
        res = _le(lh0, ll0, rh1, rl1) & _le(rh0, rl0, lh1, ll1)
    else:
        if op in (">>", ">>="):  # left contains right
            lh0, ll0, lh1, ll1, lp, rh0, rl0, rh1, rl1, rp = rh0, rl0, rh1, rl1, rp, lh0, ll0, lh1, ll1, lp
        inside = _le(rh0, rl0, lh0, ll0) & _le(lh1, ll1, rh1, rl1)
        res = inside & (lp > rp) if op in ("<<", ">>") else inside & (lp >= rp)
    mask = (lv == 0) | (rv == 0)
    like = left if isinstance(left, pd.Series) else right
    return _wrap(pd.arrays.BooleanArray(np.asarray(res & same & ~mask, bool), np.asarray(mask, bool)), like if isinstance(like, pd.Series) else None)


def contained_by(left, right):
    """``left << right``: strictly inside (PostgreSQL ``inet <<``)."""
    return _relation(left, right, "<<")


def contained_by_or_equal(left, right):
    """``left <<= right``: inside or equal."""
    return _relation(left, right, "<<=")


def contains(left, right):
    """``left >> right``: strictly contains."""
    return _relation(left, right, ">>")


def contains_or_equal(left, right):
    """``left >>= right``: contains or equals."""
    return _relation(left, right, ">>=")


def overlaps(left, right):
    """``left && right``: share at least one address."""
    return _relation(left, right, "&&")


# ---------------------------------------------------------------------------
# IPv6 embeddings
# ---------------------------------------------------------------------------

def _embedded(values, cond, lo_of):
    a = _addresses(values)
    sel = (a.ver == 6) & cond(a)
    lo = np.where(sel, lo_of(a), 0).astype(_U64)
    return _wrap(IPArray._from_parts(np.zeros(len(a), _U64), lo, np.where(sel, 4, 0).astype(np.uint8)), values)


def ipv4_mapped(values):
    """``.ipv4_mapped``: the IPv4 address of ``::ffff:a.b.c.d`` rows, else NA."""
    return _embedded(values, lambda a: (a.hi == 0) & ((a.lo >> _U64(32)) == _U64(0xFFFF)), lambda a: a.lo & _U64(0xFFFFFFFF))


def sixtofour(values):
    """``.sixtofour``: the IPv4 address inside ``2002::/16`` rows, else NA."""
    return _embedded(values, lambda a: (a.hi >> _U64(48)) == _U64(0x2002), lambda a: (a.hi >> _U64(16)) & _U64(0xFFFFFFFF))


def teredo_server(values):
    """``.teredo[0]``: the Teredo server of ``2001::/32`` rows, else NA."""
    return _embedded(values, lambda a: (a.hi >> _U64(32)) == _U64(0x20010000), lambda a: a.hi & _U64(0xFFFFFFFF))


def teredo_client(values):
    """``.teredo[1]``: the Teredo client of ``2001::/32`` rows, else NA."""
    return _embedded(values, lambda a: (a.hi >> _U64(32)) == _U64(0x20010000), lambda a: ~a.lo & _U64(0xFFFFFFFF))


# ---------------------------------------------------------------------------
# the .ip accessor
# ---------------------------------------------------------------------------

class IPAccessor:
    """``series.ip``: the column functions of :mod:`netbook.ip.columns` as
    methods/properties.  A Series of strings is parsed (errors raise)."""

    def __init__(self, s: pd.Series):
        self._s = s

    def _col(self):
        arr = self._s.array
        if isinstance(arr, (IPArray, IPNetArray)):
            return self._s
        if _looks_like_networks(arr):
            return pd.Series(_networks(arr), index=self._s.index, name=self._s.name)
        return pd.Series(_addresses(arr), index=self._s.index, name=self._s.name)

    # conversions
    def to_int(self):
        return to_int(self._col())

    def to_str(self):
        return to_str(self._col())

    @property
    def version(self):
        return version(self._col())

    @property
    def exploded(self):
        return exploded(self._col())

    @property
    def reverse_pointer(self):
        return reverse_pointer(self._col())

    def flags(self) -> pd.DataFrame:
        """Every ``is_*`` flag as columns."""
        c = self._col()
        return pd.DataFrame({f: flag(c, f) for f in FLAGS}, index=self._s.index)

    # networks
    def network(self, prefix: int, v6: int | None = None):
        return network(self._col(), prefix, v6)

    @property
    def network_address(self):
        return network_address(self._col())

    @property
    def broadcast_address(self):
        return broadcast_address(self._col())

    @property
    def prefixlen(self):
        return prefixlen(self._col())

    @property
    def num_addresses(self):
        return num_addresses(self._col())

    def in_networks(self, networks):
        return in_networks(self._col(), networks)

    isin_networks = in_networks

    def lookup(self, networks: pd.DataFrame, network: str = "network"):
        return lookup(self._col(), networks, network=network)

    def sorted(self, ascending: bool = True):
        """Sorted in numeric order (IPv4 before IPv6, NA last)."""
        return self._col().sort_values(ascending=ascending)

    def collapse(self):
        return collapse(self._col())

    # containment
    def contained_by(self, other):
        return contained_by(self._col(), other)

    def contained_by_or_equal(self, other):
        return contained_by_or_equal(self._col(), other)

    def contains(self, other):
        return contains(self._col(), other)

    def contains_or_equal(self, other):
        return contains_or_equal(self._col(), other)

    def overlaps(self, other):
        return overlaps(self._col(), other)

    # IPv6 embeddings
    @property
    def ipv4_mapped(self):
        return ipv4_mapped(self._col())

    @property
    def sixtofour(self):
        return sixtofour(self._col())

    @property
    def teredo_server(self):
        return teredo_server(self._col())

    @property
    def teredo_client(self):
        return teredo_client(self._col())


def _add_flag_props():
    for f in FLAGS:
        setattr(IPAccessor, f, property(lambda self, f=f: flag(self._col(), f), doc=f"``{f}`` per row"))


_add_flag_props()


def __getattr__(name):
    import importlib

    if name in ("dask", "lab", "view", "subnet"):  # nb.ip.lab, nb.ip.dask, ...
        return importlib.import_module(f"netbook.ip.{name}")
    if name in ("IPNetError", "ipnet", "IPNetResult"):
        return getattr(importlib.import_module("netbook.ip.view"), name)
    raise AttributeError(f"module 'netbook.ip' has no attribute {name!r}")
