"""pandas extension types for addresses (``"ip"``) and networks (``"ipnet"``).

Values are numbers, not Python objects: ``hi``/``lo`` (uint64 halves of the
128-bit value; IPv4 lives in ``lo``), ``ver`` (0 missing, 4, 6) and, for
networks, ``plen`` (prefix length) -- 17 and 18 bytes a row.  IPv6 scope ids
(``fe80::1%eth0``) live in an object array that exists only when some row
has one.  A scalar read back is the standard library's own class
(``IPv4Address``, ``IPv6Network``...; :mod:`netbook.ip.scalars` adds only an
order across versions, IPv4 first), so everything ``ipaddress`` offers still
works on one value.  Comparisons (``<``...), ``searchsorted``, ``min``/``max``,
``quantile`` and sorting all use that one order; NA sorts last.
"""
from __future__ import annotations

import ipaddress
import numbers

import numpy as np
import pandas as pd
from pandas.api.extensions import ExtensionArray, ExtensionDtype, register_extension_dtype

from . import _kernels as K
from . import scalars as S
from . import arrow as _arrow  # noqa: F401  registers the Arrow extension types

__all__ = ["IPDtype", "IPNetDtype", "IPArray", "IPNetArray", "IPParseError"]

_U64 = np.uint64
_M64 = 0xFFFFFFFFFFFFFFFF

from ..errors import IPParseError  # noqa: E402


@register_extension_dtype
class IPDtype(ExtensionDtype):
    """IPv4 and IPv6 addresses in one column, stored as numbers."""

    name = "ip"
    type = ipaddress._BaseAddress
    kind = "O"
    na_value = pd.NA
    _is_numeric = False

    @classmethod
    def construct_array_type(cls):
        return IPArray

    def __from_arrow__(self, array):
        from .arrow import from_arrow

        return from_arrow(array, network=False)

    def __repr__(self):
        return "ip"


@register_extension_dtype
class IPNetDtype(ExtensionDtype):
    """IPv4 and IPv6 networks (address + prefix length) in one column."""

    name = "ipnet"
    type = ipaddress._BaseNetwork
    kind = "O"
    na_value = pd.NA
    _is_numeric = False

    @classmethod
    def construct_array_type(cls):
        return IPNetArray

    def __from_arrow__(self, array):
        from .arrow import from_arrow

        return from_arrow(array, network=True)

    def __repr__(self):
        return "ipnet"


def _as_obj(values) -> np.ndarray:
    if isinstance(values, pd.Series):
        values = values.array
    if isinstance(values, pd.arrays.NumpyExtensionArray):  # an object Series: no copy, no NA pass
        values = values.to_numpy()
    elif isinstance(values, ExtensionArray) and not isinstance(values, _Base):
        return np.asarray(values.to_numpy(dtype=object, na_value=None), dtype=object)
    if isinstance(values, np.ndarray) and values.dtype == object:
        return values
    if isinstance(values, np.ndarray) and values.dtype.kind in "US":
        return values.astype(object)
    out = np.empty(len(values), dtype=object)
    out[:] = list(values)
    return out


def _arrow_ext(values, network: bool):
    """An ``ip``/``ipnet`` array from a pandas ArrowDtype column of netbook's
    Arrow extension type (``read_parquet(dtype_backend="pyarrow")``), or None."""
    if isinstance(values, pd.Series):
        values = values.array
    pa_arr = getattr(values, "_pa_array", None)
    want = _arrow.IPNetType if network else _arrow.IPType
    if pa_arr is None or not isinstance(pa_arr.type, want):
        return None
    return _arrow.from_arrow(pa_arr, network=network)


def _arrow_strings(values):
    """The pyarrow string array behind a pandas ``str``/``string[pyarrow]``
    array (zero-copy), or None."""
    if not isinstance(values, ExtensionArray) or not isinstance(values.dtype, pd.StringDtype):
        return None
    if getattr(values.dtype, "storage", None) != "pyarrow":
        return None
    try:
        import pyarrow as pa
    except ImportError:  # pragma: no cover
        return None
    parr = pa.chunked_array(values._pa_array if hasattr(values, "_pa_array") else pa.array(values)).combine_chunks()
    if not (pa.types.is_string(parr.type) or pa.types.is_large_string(parr.type)):
        return None
    return parr


class _Base(S.OrderedArray, ExtensionArray):
    _fields = ("hi", "lo", "ver")

    # -- construction -----------------------------------------------------
    def __init__(self, hi, lo, ver, scope=None, plen=None):
        self.hi = np.asarray(hi, dtype=_U64)
        self.lo = np.asarray(lo, dtype=_U64)
        self.ver = np.asarray(ver, dtype=np.uint8)
        self.scope = None if scope is None or not np.not_equal(scope, None).any() else np.asarray(scope, dtype=object)
        if plen is not None:
            self.plen = np.asarray(plen, dtype=np.uint8)

    @classmethod
    def _from_sequence(cls, scalars, *, dtype=None, copy=False):
        if isinstance(scalars, cls):
            return scalars.copy() if copy else scalars
        return cls._parse(scalars, errors="raise")[0]

    @classmethod
    def _from_sequence_of_strings(cls, strings, *, dtype=None, copy=False):
        return cls._from_sequence(strings, dtype=dtype, copy=copy)

    @classmethod
    def _empty(cls, shape, dtype):
        n = shape[0] if isinstance(shape, tuple) else shape
        return cls._from_parts(np.zeros(n, _U64), np.zeros(n, _U64), np.zeros(n, np.uint8))

    @classmethod
    def _from_parts(cls, hi, lo, ver, scope=None, plen=None):
        obj = cls.__new__(cls)
        _Base.__init__(obj, hi, lo, ver, scope, plen)
        return obj

    def _parts(self):
        return self.hi, self.lo, self.ver

    def _new(self, idx):
        out = type(self).__new__(type(self))
        out.hi, out.lo, out.ver = self.hi[idx], self.lo[idx], self.ver[idx]
        sc = None if self.scope is None else self.scope[idx]
        out.scope = sc if sc is not None and np.not_equal(sc, None).any() else None
        if hasattr(self, "plen"):
            out.plen = self.plen[idx]
        return out

    # -- the protocol -----------------------------------------------------
    def __len__(self):
        return len(self.ver)

    def __getitem__(self, item):
        if isinstance(item, (int, np.integer)):
            return self._scalar(int(item))
        if isinstance(item, tuple) and len(item) == 1:
            item = item[0]
        item = pd.api.indexers.check_array_indexer(self, item)
        return self._new(item)

    def __iter__(self):
        step = 1 << 16  # objects a chunk at a time: a loop that stops early builds few
        for start in range(0, len(self), step):
            yield from self._new(slice(start, start + step))._scalars()

    def isna(self):
        return self.ver == 0

    @property
    def nbytes(self):
        n = self.hi.nbytes + self.lo.nbytes + self.ver.nbytes + (self.plen.nbytes if hasattr(self, "plen") else 0)
        return n + (self.scope.nbytes if self.scope is not None else 0)

    def copy(self):
        return self._new(slice(None)).__deepcopy__()

    def __deepcopy__(self, memo=None):
        out = type(self).__new__(type(self))
        for f in ("hi", "lo", "ver", "plen", "scope"):
            v = getattr(self, f, None)
            if f == "plen" and not hasattr(self, "plen"):
                continue
            setattr(out, f, None if v is None else v.copy())
        return out

    def take(self, indices, *, allow_fill=False, fill_value=None):
        idx = np.asarray(indices, dtype=np.intp)
        if allow_fill:
            if fill_value is not None and not pd.isna(fill_value):
                raise ValueError("only NA can fill a take of an ip column")
            if (idx < -1).any():
                raise ValueError("invalid take index")
            miss = idx == -1
            if len(self) == 0:
                if not miss.all():
                    raise IndexError("cannot take from an empty array")
                return self._empty(len(idx), self.dtype)
            out = self._new(np.where(miss, 0, idx))
            out.ver = np.where(miss, 0, out.ver).astype(np.uint8)
            out.hi = np.where(miss, 0, out.hi).astype(_U64)
            out.lo = np.where(miss, 0, out.lo).astype(_U64)
            if out.scope is not None:
                out.scope = np.where(miss, None, out.scope)
            return out
        return self._new(idx)

    @classmethod
    def _concat_same_type(cls, to_concat):
        to_concat = list(to_concat)
        out = cls.__new__(cls)
        out.hi = np.concatenate([a.hi for a in to_concat])
        out.lo = np.concatenate([a.lo for a in to_concat])
        out.ver = np.concatenate([a.ver for a in to_concat])
        if any(a.scope is not None for a in to_concat):
            out.scope = np.concatenate([a.scope if a.scope is not None else np.full(len(a), None, object) for a in to_concat])
        else:
            out.scope = None
        if issubclass(cls, IPNetArray):
            out.plen = np.concatenate([a.plen for a in to_concat])
        return out

    def __setitem__(self, key, value):
        key = pd.api.indexers.check_array_indexer(self, key)
        if isinstance(value, type(self)):
            other = value
        elif pd.api.types.is_scalar(value) or isinstance(value, (ipaddress._BaseAddress, ipaddress._BaseNetwork)):
            if value is None or (pd.api.types.is_scalar(value) and pd.isna(value)):
                other = self._empty(1, self.dtype)
            else:
                other = self._parse([value], errors="raise")[0]
            n = np.size(np.arange(len(self))[key])
            other = other.take(np.zeros(n, dtype=np.intp))
            if np.ndim(np.arange(len(self))[key]) == 0:
                other = other._new(0)
        else:
            other = self._parse(list(value), errors="raise")[0]
        self.hi[key] = other.hi
        self.lo[key] = other.lo
        self.ver[key] = other.ver
        if hasattr(self, "plen"):
            self.plen[key] = other.plen
        if other.scope is not None or self.scope is not None:
            if self.scope is None:
                self.scope = np.full(len(self), None, dtype=object)
            self.scope[key] = other.scope if other.scope is not None else None

    def _key(self):
        """A sortable, hashable-by-np.unique key per row (NA rows excluded by the caller)."""
        if (self.hi == 0).all() and not hasattr(self, "plen") and self.scope is None and (self.ver != 6).all():
            return self.lo
        dt = [("v", "u1"), ("h", ">u8"), ("l", ">u8")] + ([("p", "u1")] if hasattr(self, "plen") else [])
        k = np.empty(len(self), dtype=dt)
        k["v"], k["h"], k["l"] = self.ver, self.hi, self.lo
        if hasattr(self, "plen"):
            k["p"] = self.plen
        return k

    def _values_for_argsort(self):
        return self._key()

    def argsort(self, *, ascending=True, kind="quicksort", na_position="last", **kwargs):
        keys = [self.lo, self.hi, self.ver]
        if hasattr(self, "plen"):
            keys.insert(0, self.plen)
        order = np.lexsort(keys)
        if not ascending:
            order = order[::-1]
        na = self.ver[order] == 0
        if na.any():
            order = np.concatenate([order[~na], order[na]]) if na_position == "last" else np.concatenate([order[na], order[~na]])
        return order

    def factorize(self, use_na_sentinel=True):
        valid = np.flatnonzero(self.ver != 0)
        key = self._key()[valid]
        if self.scope is not None:  # rare: fall back to objects for scope-carrying columns
            objs = np.array([self._scalar(i) for i in valid], dtype=object)
            codes_v, uniq_objs = pd.factorize(objs, sort=False)
            uniques = type(self)._from_sequence(list(uniq_objs))
        else:
            uk, first, inv = np.unique(key, return_index=True, return_inverse=True)
            codes_v = inv.ravel()
            uniques = self._new(valid[first])
        codes = np.full(len(self), -1, dtype=np.intp)
        codes[valid] = codes_v
        if not use_na_sentinel and len(valid) < len(self):
            codes[codes == -1] = len(uniques)
            uniques = type(self)._concat_same_type([uniques, self._empty(1, self.dtype)])
        return codes, uniques

    def unique(self):
        codes, uniques = self.factorize()
        # keep first-appearance order (pandas' convention for unique())
        valid = codes >= 0
        _, first = np.unique(codes[valid], return_index=True)
        order = codes[valid][np.sort(first)]
        out = uniques.take(order)
        if (~valid).any():
            out = type(self)._concat_same_type([out, self._empty(1, self.dtype)])
        return out

    def value_counts(self, dropna=True):
        codes, uniques = self.factorize()
        counts = np.bincount(codes[codes >= 0], minlength=len(uniques))
        idx = pd.Index(uniques)
        s = pd.Series(counts, index=idx, name="count")
        if not dropna and (codes < 0).any():
            s = pd.concat([s, pd.Series([(codes < 0).sum()], index=pd.Index(self._empty(1, self.dtype)), name="count")])
        return s

    def _values_for_factorize(self):
        return self.astype(str), None

    def __arrow_array__(self, type=None):
        """Arrow extension array (``netbook.ip``/``netbook.ipnet``): Parquet,
        Feather, DuckDB and Dask shuffles; see :mod:`netbook.ip.arrow`."""
        from .arrow import to_arrow

        return to_arrow(self, type)

    def _hash_pandas_object(self, *, encoding, hash_key, categorize):
        # row hashes from the numbers (Dask partitions by these), not from text
        from pandas.core.util.hashing import combine_hash_arrays, hash_array

        parts = [self.hi, self.lo, self.ver] + ([self.plen] if hasattr(self, "plen") else [])
        if self.scope is not None:
            parts.append(np.where(np.equal(self.scope, None), "", self.scope).astype(object))
        hashes = (hash_array(p, encoding=encoding, hash_key=hash_key, categorize=False) for p in parts)
        return combine_hash_arrays(hashes, len(parts))

    @classmethod
    def _from_factorized(cls, values, original):
        return cls._from_sequence(values)

    def _other(self, other, ordered=False):
        """``other`` of a comparison as an array of our type and length (None: NA)."""
        if isinstance(other, _Base):
            if ordered and type(other) is not type(self):
                raise TypeError(f"cannot order an {self.dtype.name} column against an {other.dtype.name} column")
            return other
        if pd.api.types.is_scalar(other) or isinstance(other, (ipaddress._BaseAddress, ipaddress._BaseNetwork)):
            if pd.isna(other) if pd.api.types.is_scalar(other) else False:
                return None
            return self._parse([other], errors="raise")[0].take(np.zeros(len(self), dtype=np.intp))
        o = self._parse(list(other), errors="raise")[0]
        if len(o) != len(self):
            raise ValueError(f"cannot compare {len(self)} values with {len(o)}")
        return o

    def __eq__(self, other):
        if isinstance(other, (pd.Series, pd.Index, pd.DataFrame)):
            return NotImplemented
        o = self._other(other)
        if o is None:
            return pd.array(np.zeros(len(self), bool), dtype="boolean") | pd.NA
        eq = (self.hi == o.hi) & (self.lo == o.lo) & (self.ver == o.ver)
        if hasattr(self, "plen") and hasattr(o, "plen"):
            eq &= self.plen == o.plen
        if self.scope is not None or o.scope is not None:
            s1 = self.scope if self.scope is not None else np.full(len(self), None, object)
            s2 = o.scope if o.scope is not None else np.full(len(o), None, object)
            eq &= np.array([a == b for a, b in zip(s1, s2)], dtype=bool)
        mask = (self.ver == 0) | (o.ver == 0)
        return pd.arrays.BooleanArray(eq & ~mask, mask)

    def __ne__(self, other):
        res = self.__eq__(other)
        if res is NotImplemented:
            return res
        return ~res

    def __array__(self, dtype=None, copy=None):
        out = np.empty(len(self), dtype=object)
        out[:] = self._scalars()
        return out

    def _scalars(self) -> list:
        return [self._scalar(i) for i in range(len(self))]

    def to_strings(self) -> np.ndarray:
        """The standard library's ``str()`` of each value (None where missing)."""
        s = K.format_addresses(self.hi, self.lo, self.ver, self.scope)
        if hasattr(self, "plen"):
            has = self.ver != 0
            s[has] = s[has] + "/" + self.plen[has].astype(str).astype(object)
        return s

    def astype(self, dtype, copy=True):
        if isinstance(dtype, type(self.dtype)) or (isinstance(dtype, str) and dtype == self.dtype.name):
            return self.copy() if copy else self
        dt = pd.api.types.pandas_dtype(dtype)
        if dt == np.dtype(object):
            return self.__array__()
        if isinstance(dt, pd.StringDtype) or dt == str or (isinstance(dtype, str) and dtype in ("str", "string")):  # noqa: E721 - NumPy dtype equality
            return pd.array(self.to_strings(), dtype=dt if isinstance(dt, pd.StringDtype) else "str")
        if dt.kind == "U":
            return np.where(self.isna(), "nan", self.to_strings()).astype(dt)
        return super().astype(dtype, copy=copy)

    def _formatter(self, boxed=False):
        return lambda v: "<NA>" if v is None or v is pd.NA else str(v)

    def __repr__(self):
        head = ", ".join(str(v) if v is not pd.NA else "<NA>" for v in self[:8])
        more = ", ..." if len(self) > 8 else ""
        return f"<{type(self).__name__} [{head}{more}] length {len(self)}>"

    def _reduce(self, name, *, skipna=True, keepdims=False, **kwargs):
        if name in ("min", "max"):
            valid = np.flatnonzero(self.ver != 0)
            if not len(valid) or (not skipna and len(valid) < len(self)):
                return pd.NA
            sub = self._new(valid)
            order = sub.argsort()
            return sub._scalar(int(order[0] if name == "min" else order[-1]))
        if name in ("any", "all", "count"):
            return super()._reduce(name, skipna=skipna, keepdims=keepdims, **kwargs)
        raise TypeError(f"cannot {name} an {self.dtype.name} column")

    # -- numbers ------------------------------------------------------------
    def to_ints(self) -> np.ndarray:
        """Python ints (object array; None where missing) -- 128-bit safe."""
        out = np.full(len(self), None, dtype=object)
        v = np.flatnonzero(self.ver != 0)
        if len(v):
            if (self.hi[v] == 0).all():
                out[v] = self.lo[v].astype(object)
            else:
                out[v] = self.hi[v].astype(object) * (1 << 64) + self.lo[v].astype(object)
        return out


class IPArray(_Base):
    """An ``ip`` column: IPv4 and IPv6 addresses with missing values."""

    @property
    def dtype(self):
        return IPDtype()

    def _scalar(self, i: int):
        v = self.ver[i]
        if v == 0:
            return pd.NA
        if v == 4:
            return S.v4(int(self.lo[i]))
        a = S.v6((int(self.hi[i]) << 64) | int(self.lo[i]))
        if self.scope is not None and self.scope[i] is not None:
            a = S.IPv6Address(f"{a}%{self.scope[i]}")
        return a

    def _scalars(self) -> list:
        """Every value (``tolist``, iteration, ``np.asarray``) without a
        per-row ``_scalar`` call."""
        if self.scope is not None:
            return super()._scalars()
        na, v4, v6 = pd.NA, S.v4, S.v6
        return [v4(lo) if v == 4 else v6((hi << 64) | lo) if v == 6 else na
                for v, hi, lo in zip(self.ver.tolist(), self.hi.tolist(), self.lo.tolist())]

    @classmethod
    def _parse(cls, values, errors="raise"):
        """(IPArray, reasons) -- see :func:`netbook.ip.columns.parse`."""
        if isinstance(values, IPArray):
            return values, np.full(len(values), None, object)
        ext = _arrow_ext(values, network=False)
        if ext is not None:
            return ext, np.full(len(ext), None, object)
        if isinstance(values, pd.Series):
            values = values.array
        parr = _arrow_strings(values)
        if parr is not None:
            hi, lo, ver, scope, reasons = K.parse_addresses_arrow(parr)
            arr = values
        else:
            arr = _as_obj(values)
            hi, lo, ver, scope, reasons = K.parse_addresses(arr)
        bad = K.bad_rows(reasons)
        if len(bad) and errors == "raise":
            i = int(bad[0])
            more = f" (and {len(bad) - 1:,} more rows)" if len(bad) > 1 else ""
            raise IPParseError(f"row {i}: {K._short(repr(arr[i]), 60)} is not an IP address: {reasons[i]}{more}; errors='coerce' gives NA instead")
        return cls._from_parts(hi, lo, ver, scope), np.asarray(reasons)

    @classmethod
    def from_ints(cls, values, version=None):
        """From integers (Python ints for IPv6); ``version`` 4/6 or by size."""
        arr = _as_obj(values) if not (isinstance(values, np.ndarray) and values.dtype.kind in "iu") else values
        if isinstance(arr, np.ndarray) and arr.dtype.kind in "iu":
            if (arr < 0).any():
                raise IPParseError("negative integers are not addresses")
            v = np.full(len(arr), 4 if version in (None, 4) else 6, dtype=np.uint8)
            if version is None:
                v[arr.astype(_U64) > _U64(0xFFFFFFFF)] = 6
            return cls._from_parts(np.zeros(len(arr), _U64), arr.astype(_U64), v)
        n = len(arr)
        hi, lo, ver = np.zeros(n, _U64), np.zeros(n, _U64), np.zeros(n, np.uint8)
        for i, x in enumerate(arr):
            if x is None or (not isinstance(x, numbers.Integral) and pd.isna(x)):
                continue
            x = int(x)
            vv = version or (4 if 0 <= x < 2**32 else 6)
            try:
                ipaddress.ip_address(x) if version is None else (ipaddress.IPv4Address if vv == 4 else ipaddress.IPv6Address)(x)
            except ValueError as e:
                raise IPParseError(f"row {i}: {e}") from None
            hi[i], lo[i], ver[i] = x >> 64, x & _M64, vv
        return cls._from_parts(hi, lo, ver)


def _prefix_parts(arr: np.ndarray):
    """Split "addr/prefix" strings; returns (addr strs, prefix strs or None, ok mask)."""
    addr = np.empty(len(arr), dtype=object)
    pref = np.empty(len(arr), dtype=object)
    for i, s in enumerate(arr):
        if isinstance(s, str):
            a, sep, p = s.partition("/")
            addr[i] = a
            pref[i] = p if sep else None
        else:
            addr[i] = None
            pref[i] = None
    return addr, pref


class IPNetArray(_Base):
    """An ``ipnet`` column: networks (address + prefix length)."""

    @property
    def dtype(self):
        return IPNetDtype()

    @classmethod
    def _empty(cls, shape, dtype):
        n = shape[0] if isinstance(shape, tuple) else shape
        return cls._from_parts(np.zeros(n, _U64), np.zeros(n, _U64), np.zeros(n, np.uint8), plen=np.zeros(n, np.uint8))

    def _scalar(self, i: int):
        v = self.ver[i]
        if v == 0:
            return pd.NA
        n = (int(self.hi[i]) << 64) | int(self.lo[i])
        if v == 4:
            return S.IPv4Network((n, int(self.plen[i])))
        if self.scope is not None and self.scope[i] is not None:
            return S.IPv6Network(f"{ipaddress.IPv6Address(n)}%{self.scope[i]}/{int(self.plen[i])}")
        return S.IPv6Network((n, int(self.plen[i])))

    @classmethod
    def _parse(cls, values, errors="raise", strict=True):
        """(IPNetArray, reasons): what ``ipaddress.ip_network(v, strict)`` accepts."""
        if isinstance(values, IPNetArray):
            return values, np.full(len(values), None, object)
        ext = _arrow_ext(values, network=True)
        if ext is not None:
            return ext, np.full(len(ext), None, object)
        arr = _as_obj(values)
        n = len(arr)
        fast = K.parse_networks_fast(arr.tolist()) if n and pd.api.types.infer_dtype(arr, skipna=False) == "string" else None
        if fast is not None:
            hi, lo, ver, plen, ok = fast
            scope = None
            slow = ~ok
        else:
            hi, lo, ver, plen, scope, slow = cls._parse_rows(arr)
        # host bits: strict refuses, loose truncates
        hm_hi, hm_lo = _hostmask(plen, ver)
        host = ((hi & hm_hi) | (lo & hm_lo)) != 0
        if strict:
            slow |= host & (ver != 0)
        else:
            hi &= ~hm_hi
            lo &= ~hm_lo
        reasons = np.full(n, None, dtype=object)
        missing = np.asarray(pd.isna(arr), dtype=bool)
        for i in np.flatnonzero((slow | (ver == 0)) & ~missing):
            v = arr[i]
            try:
                net = ipaddress.ip_network(v, strict=strict)
            except (ValueError, TypeError) as e:
                hi[i] = lo[i] = plen[i] = ver[i] = 0
                reasons[i] = K._short(str(e))
                continue
            x = int(net.network_address)
            hi[i], lo[i], ver[i], plen[i] = x >> 64, x & _M64, net.version, net.prefixlen
            sid = getattr(net.network_address, "scope_id", None)
            if sid is not None:
                if scope is None:
                    scope = np.full(n, None, dtype=object)
                scope[i] = sid
            elif scope is not None:
                scope[i] = None
        bad = np.flatnonzero(np.not_equal(reasons, None))
        if len(bad) and errors == "raise":
            i = int(bad[0])
            more = f" (and {len(bad) - 1:,} more rows)" if len(bad) > 1 else ""
            hint = "; strict=False truncates to the network" if "host bits" in reasons[i] else ""
            raise IPParseError(f"row {i}: {K._short(repr(arr[i]), 60)}: {reasons[i]}{hint}{more}; errors='coerce' gives NA instead")
        return cls._from_parts(hi, lo, ver, scope, plen), reasons

    @staticmethod
    def _parse_rows(arr):
        n = len(arr)
        addr, pref = _prefix_parts(arr)
        hi, lo, ver, scope, reasons = K.parse_addresses(addr)
        plen = np.zeros(n, dtype=np.uint8)
        slow = np.zeros(n, dtype=bool)
        cache: dict = {}
        for i in range(n):
            p = pref[i]
            if ver[i] == 0 or (scope is not None and scope[i] is not None):
                slow[i] = True
                continue
            maxp = 32 if ver[i] == 4 else 128
            if p is None:
                plen[i] = maxp
                continue
            k = cache.get(p)
            if k is None:
                k = int(p) if p.isascii() and p.isdigit() and len(p) <= 3 else -1
                cache[p] = k
            if 0 <= k <= maxp:
                plen[i] = k
            else:
                slow[i] = True
        return hi, lo, ver, plen, scope, slow

    # network numbers
    def bounds(self):
        """(first_hi, first_lo, last_hi, last_lo) of each network."""
        hm_hi, hm_lo = _hostmask(self.plen, self.ver)
        return self.hi, self.lo, self.hi | hm_hi, self.lo | hm_lo


def _hostmask(plen, ver):
    """uint64 halves of the host mask for each (prefix, version)."""
    plen = np.asarray(plen, dtype=np.int64)
    width = np.where(ver == 4, 32, 128)
    hostbits = np.where(ver == 0, 0, width - plen)  # 0..128
    lo_bits = np.minimum(hostbits, 64)
    hi_bits = np.maximum(hostbits - 64, 0)

    def ones(k):
        k = k.astype(_U64)
        full = k >= _U64(64)
        res = np.where(full, _U64(_M64), (_U64(1) << np.minimum(k, _U64(63))) - _U64(1))
        return res.astype(_U64)

    return ones(hi_bits), ones(lo_bits)
