"""One order for ``ip``/``ipnet`` values, in the scalars and in the arrays.

The order is the one ``ipaddress.get_mixed_type_key`` gives and an ``ip``
column's ``sort_values`` uses: IPv4 before IPv6, then by number (networks
then by prefix length).  It is also the order of the Arrow/Parquet bytes.

A value read from a column is one of the classes here: the standard
library's class (``isinstance(v, ipaddress.IPv4Address)`` holds, equality,
hashing, ``repr`` and every method are the standard library's), except that
``<``/``>`` between an IPv4 and an IPv6 value answer by that order instead
of raising ``TypeError``.  That is what lets code that only compares values
-- Dask's partition boundaries (``set_index``, ``sort_values``),
``sorted()``, ``bisect`` -- work on a column that mixes versions.

The array side (:class:`OrderedArray`, which ``IPArray``/``IPNetArray``
inherit: comparisons, ``searchsorted``, ``quantile``; :func:`compare`,
:func:`ranks`) works on the numbers (``hi``/``lo``/``ver``/``plen``), never on
objects.
"""
from __future__ import annotations

import ipaddress
from typing import Any, cast

import numpy as np
import pandas as pd

__all__ = ["IPv4Address", "IPv6Address", "IPv4Network", "IPv6Network", "OrderedArray", "compare", "ip_address", "ip_network", "ranks"]


class _MixedOrder:
    """``<`` across versions: the lower version first (``_family`` is the
    standard library base the other operand must share)."""

    __slots__ = ()
    _family: type = object

    def __lt__(self, other: Any) -> Any:
        if isinstance(other, self._family) and other.version != self.version:  # type: ignore[attr-defined]
            return self.version < other.version  # type: ignore[attr-defined]
        return super().__lt__(other)  # type: ignore[misc]


_BaseAddress = ipaddress._BaseAddress


class _AddressOrder:
    """The four comparisons of two addresses, written out: Dask's division
    lookups (an object ``searchsorted``) call them millions of times, and the
    standard library's ``total_ordering`` versions cost several calls each.
    Same answers as the standard library within a version (``<=`` is ``<`` or
    ``==``, so scoped IPv6 addresses still compare as there)."""

    __slots__ = ()

    def __lt__(self, other: Any) -> Any:
        if not isinstance(other, _BaseAddress):
            return NotImplemented
        if self._version != other._version:  # type: ignore[attr-defined]
            return self._version < other._version  # type: ignore[attr-defined]
        return self._ip < other._ip  # type: ignore[attr-defined]

    def __gt__(self, other: Any) -> Any:
        if not isinstance(other, _BaseAddress):
            return NotImplemented
        if self._version != other._version:  # type: ignore[attr-defined]
            return self._version > other._version  # type: ignore[attr-defined]
        return self._ip > other._ip  # type: ignore[attr-defined]

    def __le__(self, other: Any) -> Any:
        r = self.__lt__(other)
        return r if r is NotImplemented else (r or self == other)

    def __ge__(self, other: Any) -> Any:
        r = self.__gt__(other)
        return r if r is NotImplemented else (r or self == other)


class IPv4Address(_AddressOrder, ipaddress.IPv4Address):
    """``ipaddress.IPv4Address`` that sorts before any IPv6 address."""

    __slots__ = ()


class IPv6Address(_AddressOrder, ipaddress.IPv6Address):
    """``ipaddress.IPv6Address`` that sorts after any IPv4 address."""

    __slots__ = ()


def v4(n: int) -> IPv4Address:
    """An :class:`IPv4Address` from a number known to be in range (no checks:
    the arrays' numbers are valid by construction)."""
    a = object.__new__(IPv4Address)
    a._ip = n  # type: ignore[attr-defined]
    return a


def v6(n: int) -> IPv6Address:
    """An :class:`IPv6Address` (no zone id) from a number known to be in range."""
    a = object.__new__(IPv6Address)
    a._ip = n  # type: ignore[attr-defined]
    a._scope_id = None  # type: ignore[attr-defined]
    return a


# For networks the standard library's total_ordering builds >, <= and >=
# from type(self).__lt__, so overriding __lt__ orders all four.
class IPv4Network(_MixedOrder, ipaddress.IPv4Network):
    """``ipaddress.IPv4Network`` that sorts before any IPv6 network."""

    _family = ipaddress._BaseNetwork


class IPv6Network(_MixedOrder, ipaddress.IPv6Network):
    """``ipaddress.IPv6Network`` that sorts after any IPv4 network."""

    _family = ipaddress._BaseNetwork


def ip_address(value: Any) -> IPv4Address | IPv6Address:
    """``ipaddress.ip_address`` giving this module's classes: a key for
    ``.loc`` on a Dask frame indexed by an ``ip`` column (its divisions
    compare with it across versions; a stdlib object on the left raises)."""
    a = ipaddress.ip_address(value)
    return IPv4Address(int(a)) if a.version == 4 else IPv6Address(str(a))


def ip_network(value: Any, strict: bool = True) -> IPv4Network | IPv6Network:
    """``ipaddress.ip_network`` giving this module's classes."""
    n = ipaddress.ip_network(value, strict=strict)
    return IPv4Network(str(n)) if n.version == 4 else IPv6Network(str(n))


def _fields(arr, na_last: bool = True) -> list[np.ndarray]:
    """The sort fields of an ip/ipnet array, most significant first; NA rows
    get a version above 6 so they rank last (``na_last``)."""
    ver = arr.ver
    if na_last:
        ver = np.where(ver == 0, np.uint8(255), ver)
    f = [ver, arr.hi, arr.lo]
    if hasattr(arr, "plen"):
        f.append(arr.plen)
    return f


def compare(a, b) -> np.ndarray:
    """int8 per row: -1, 0 or 1 as row ``i`` of ``a`` sorts before, with or
    after row ``i`` of ``b`` (NA rows compare as 0; callers mask them)."""
    fa, fb = _fields(a, na_last=False), _fields(b, na_last=False)
    out = np.zeros(len(a), dtype=np.int8)
    for x, y in zip(reversed(fa), reversed(fb)):  # least significant first, overridden by the more significant
        out = np.where(x != y, np.where(x < y, np.int8(-1), np.int8(1)), out)
    return out


def ranks(arr) -> np.ndarray:
    """int64 per row: its rank among the distinct values of ``arr`` in the
    column order (equal values share a rank, NA ranks above every value)."""
    n = len(arr)
    fields = _fields(arr)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    order = np.lexsort(fields[::-1])
    new = np.zeros(n, dtype=bool)
    for f in fields:
        s = f[order]
        new[1:] |= s[1:] != s[:-1]
    out = np.empty(n, dtype=np.int64)
    out[order] = np.cumsum(new)
    return out


def quantile_positions(n: int, qs: np.ndarray, interpolation: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(lower, upper, fraction) positions into ``n`` sorted values for each
    quantile, as NumPy's ``quantile`` places them."""
    if interpolation not in ("linear", "lower", "higher", "nearest", "midpoint"):
        raise ValueError(f"interpolation must be linear, lower, higher, nearest or midpoint, not {interpolation!r}")
    qs = np.asarray(qs, dtype=np.float64)
    if interpolation in ("lower", "higher", "nearest"):
        pos = np.quantile(np.arange(n), qs, method=cast(Any, interpolation)).astype(np.int64)
        return pos, pos, np.zeros(len(qs))
    exact = qs * (n - 1)
    lower = np.floor(exact).astype(np.int64)
    if interpolation == "midpoint":
        upper = np.ceil(exact).astype(np.int64)
        frac = np.full(len(qs), 0.5)
    else:
        upper = np.minimum(lower + 1, n - 1)
        frac = exact - lower
    return lower, upper, np.where(upper == lower, 0.0, frac)


class OrderedArray:
    """The ordering half of ``IPArray``/``IPNetArray`` (``netbook.ip.arrays``):
    ``<``, ``<=``, ``>``, ``>=``, ``searchsorted`` and ``quantile`` by the
    numbers, in the order above."""

    def _ordered(self, other, test):
        """``<``, ``<=``, ``>``, ``>=``: the column order (see :mod:`netbook.ip.scalars`), NA where either side is."""
        if isinstance(other, (pd.Series, pd.Index, pd.DataFrame)):
            return NotImplemented
        o = self._other(other, ordered=True)
        if o is None:
            return pd.array(np.zeros(len(self), bool), dtype="boolean") | pd.NA
        res = test(compare(self, o))
        return pd.arrays.BooleanArray(res & (self.ver != 0) & (o.ver != 0), (self.ver == 0) | (o.ver == 0))

    def __lt__(self, other):
        return self._ordered(other, lambda c: c < 0)

    def __le__(self, other):
        return self._ordered(other, lambda c: c <= 0)

    def __gt__(self, other):
        return self._ordered(other, lambda c: c > 0)

    def __ge__(self, other):
        return self._ordered(other, lambda c: c >= 0)

    def searchsorted(self, value, side="left", sorter=None):
        """Where ``value`` would go in this (sorted) array, in the column order; NA goes last."""
        if isinstance(value, (pd.Series, pd.Index)):
            value = value.array
        scalar = pd.api.types.is_scalar(value) or isinstance(value, (ipaddress._BaseAddress, ipaddress._BaseNetwork))
        if pd.api.types.is_scalar(value) and pd.isna(value):
            o = self._empty(1, self.dtype)
        else:
            o = value if isinstance(value, OrderedArray) else self._parse([value] if scalar else list(value), errors="raise")[0]
        r = ranks(type(self)._concat_same_type([self, o]))
        pos = np.searchsorted(r[:len(self)], r[len(self):], side=side, sorter=sorter)
        return pos[0] if scalar else pos

    def _quantile(self, qs, interpolation):
        """``Series.quantile``: positions among the non-NA values in the column
        order (all NA: NA).  ``linear``/``midpoint`` interpolate the number
        between two addresses of one version; across the IPv4/IPv6 boundary,
        and for networks, they take the nearer of the two values."""
        valid = np.flatnonzero(self.ver != 0)
        qs = np.asarray(qs, dtype=np.float64)
        if not len(valid):
            return self._empty(len(qs), self.dtype)
        sub = self._new(valid)
        srt = sub._new(sub.argsort())
        lower, upper, frac = quantile_positions(len(srt), qs, interpolation)
        out = srt._new(np.where(frac > 0.5, upper, lower))
        mid = np.flatnonzero((frac > 0) & (srt.ver[lower] == srt.ver[upper]))
        if len(mid) and not hasattr(self, "plen"):
            out.scope = None if out.scope is None else out.scope.copy()
            for i in mid.tolist():
                a = (int(srt.hi[lower[i]]) << 64) | int(srt.lo[lower[i]])
                b = (int(srt.hi[upper[i]]) << 64) | int(srt.lo[upper[i]])
                x = a + (((b - a) * int(round(frac[i] * (1 << 53)))) >> 53)
                out.hi[i], out.lo[i], out.ver[i] = x >> 64, x & 0xFFFFFFFFFFFFFFFF, srt.ver[lower[i]]
                if out.scope is not None:
                    out.scope[i] = None
        return out
