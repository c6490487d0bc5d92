"""``nb.uuid``: columns of UUIDs -- generate (v1, 3, 4, 5, 6, 7, 8) and inspect.

>>> import netbook as nb
>>> ids = nb.uuid.uuid7(5)                 # time-ordered, monotonic in the column
>>> nb.uuid.inspect(ids)[["version", "variant", "time"]]   # doctest: +SKIP

RFC 9562.  On Python 3.14+ the standard library's own ``uuid6``/``uuid7``/
``uuid8`` make each value; on older Pythons an equivalent vectorized
generator does (same bit layout as the 3.14 implementation: uuid7 uses a
42-bit counter seeded at random each millisecond, so a column is strictly
increasing).  ``uuid1``/``uuid3``/``uuid5`` are the standard library's,
row by row.  A column is a pandas ``str`` Series of canonical text.
"""
from __future__ import annotations

import os
import threading
import time as _time
import uuid as _uuid
from collections.abc import Iterable, Sequence
from typing import Any, TypeAlias

import numpy as np
import pandas as pd

from ._vector import HEXVAL as _HEXVAL
from .errors import UUIDParseError

__all__ = ["uuid1", "uuid3", "uuid4", "uuid5", "uuid6", "uuid7", "uuid8", "generate",
           "parse", "inspect", "UUIDParseError", "NAMESPACES"]

NAMESPACES = {"dns": _uuid.NAMESPACE_DNS, "url": _uuid.NAMESPACE_URL, "oid": _uuid.NAMESPACE_OID, "x500": _uuid.NAMESPACE_X500}
# a column of UUIDs: a Series (the index is kept), an array or a list of
# text / uuid.UUID / 16-byte values
UUIDs: TypeAlias = "pd.Series | np.ndarray | Sequence[Any]"

_GREGORIAN = 0x01B21DD213814000  # 100-ns ticks from 1582-10-15 to 1970-01-01
_LOCK = threading.Lock()
_STATE = {"v7_ms": None, "v7_counter": 0, "v6_ts": None}
_STD = {v: getattr(_uuid, f"uuid{v}", None) for v in (6, 7, 8)}  # Python 3.14+
_MAX_ROWS = 50_000_000


# ---------------------------------------------------------------------------
# bytes <-> text
# ---------------------------------------------------------------------------

_HEXCH = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)
_DASHES = (8, 13, 18, 23)
_HEXPOS = np.array([i for i in range(36) if i not in _DASHES])


_HEX2 = np.array([int.from_bytes(f"{i:02x}".encode(), "little") for i in range(256)], dtype="<u2")


def _to_text(b: np.ndarray) -> np.ndarray:
    """(n, 16) uint8 -> object array of canonical strings."""
    n = len(b)
    hexes = np.ascontiguousarray(_HEX2[b]).view(np.uint8).reshape(n, 32)
    out = np.full((n, 37), ord("-"), dtype=np.uint8)
    for src, dst, w in ((0, 0, 8), (8, 9, 4), (12, 14, 4), (16, 19, 4), (20, 24, 12)):
        out[:, dst:dst + w] = hexes[:, src:src + w]
    out[:, 36] = 10
    res = np.empty(n, dtype=object)
    if n:
        res[:] = out.tobytes().decode("ascii").split("\n")[:n]  # str.split: C speed
    return res


def _series(b: np.ndarray, name="uuid") -> pd.Series:
    return pd.Series(pd.array(_to_text(b), dtype="str"), name=name)


def _from_uuids(values) -> pd.Series:
    return pd.Series(pd.array([str(u) for u in values], dtype="str"), name="uuid")


def _check_n(n: int) -> int:
    n = int(n)
    if not 0 <= n <= _MAX_ROWS:
        raise ValueError(f"n must be 0..{_MAX_ROWS:,}")
    return n


def _set_version(b: np.ndarray, version: int) -> np.ndarray:
    b[:, 6] = (b[:, 6] & 0x0F) | (version << 4)
    b[:, 8] = (b[:, 8] & 0x3F) | 0x80
    return b


def _random(n: int) -> np.ndarray:
    return np.frombuffer(os.urandom(16 * n), dtype=np.uint8).reshape(n, 16).copy()


def _put_be(b: np.ndarray, col: int, width: int, values: np.ndarray) -> None:
    v = values.astype(np.uint64)
    for k in range(width):
        b[:, col + k] = ((v >> np.uint64(8 * (width - 1 - k))) & np.uint64(255)).astype(np.uint8)


# ---------------------------------------------------------------------------
# generators
# ---------------------------------------------------------------------------

def uuid1(n: int, node: int | None = None, clock_seq: int | None = None) -> pd.Series:
    """``uuid.uuid1`` n times (the standard library's, row by row)."""
    return _from_uuids(_uuid.uuid1(node, clock_seq) for _ in range(_check_n(n)))


def _namespace(ns):
    if isinstance(ns, _uuid.UUID):
        return ns
    if isinstance(ns, str) and ns.lower() in NAMESPACES:
        return NAMESPACES[ns.lower()]
    return _uuid.UUID(str(ns))


def uuid3(namespace: str | _uuid.UUID, names: Iterable[Any]) -> pd.Series:
    """``uuid.uuid3(namespace, name)`` per name (``namespace``: "dns",
    "url", "oid", "x500" or a UUID)."""
    ns = _namespace(namespace)
    out = _from_uuids(_uuid.uuid3(ns, str(x)) for x in names)
    if isinstance(names, pd.Series):
        out.index = names.index
    return out


def uuid5(namespace: str | _uuid.UUID, names: Iterable[Any]) -> pd.Series:
    """``uuid.uuid5(namespace, name)`` per name."""
    ns = _namespace(namespace)
    out = _from_uuids(_uuid.uuid5(ns, str(x)) for x in names)
    if isinstance(names, pd.Series):
        out.index = names.index
    return out


def uuid4(n: int) -> pd.Series:
    """n random UUIDs (``os.urandom``, like ``uuid.uuid4``), vectorized."""
    return _series(_set_version(_random(_check_n(n)), 4))


def uuid6(n: int, node: int | None = None, clock_seq: int | None = None) -> pd.Series:
    """RFC 9562 version 6: the v1 timestamp reordered so text sorts by time;
    strictly increasing timestamps within the column (and across calls)."""
    n = _check_n(n)
    if _STD[6] is not None:
        return _from_uuids(_STD[6](node, clock_seq) for _ in range(n))
    with _LOCK:
        ts = _time.time_ns() // 100 + _GREGORIAN
        last = _STATE["v6_ts"]
        if last is not None and ts <= last:
            ts = last + 1
        _STATE["v6_ts"] = ts + max(n - 1, 0)
    stamps = np.uint64(ts) + np.arange(n, dtype=np.uint64)
    if clock_seq is None:
        cs = np.frombuffer(os.urandom(2 * n), dtype=">u2").astype(np.uint64) & np.uint64(0x3FFF) if n else np.zeros(0, np.uint64)
    else:
        cs = np.full(n, clock_seq & 0x3FFF, dtype=np.uint64)
    node = _uuid.getnode() if node is None else node
    b = np.zeros((n, 16), dtype=np.uint8)
    _put_be(b, 0, 6, (stamps >> np.uint64(12)) & np.uint64(0xFFFFFFFFFFFF))
    _put_be(b, 6, 2, stamps & np.uint64(0x0FFF))
    _put_be(b, 8, 2, cs)
    _put_be(b, 10, 6, np.full(n, node & 0xFFFFFFFFFFFF, dtype=np.uint64))
    return _series(_set_version(b, 6))


def uuid7(n: int) -> pd.Series:
    """RFC 9562 version 7: 48-bit Unix milliseconds, a 42-bit counter
    (random start each millisecond, +1 per row) and 32 random bits -- the
    layout of Python 3.14's ``uuid.uuid7``.  Strictly increasing within the
    column and across calls in this process."""
    n = _check_n(n)
    if _STD[7] is not None:
        return _from_uuids(_STD[7]() for _ in range(n))
    with _LOCK:
        ms = _time.time_ns() // 1_000_000
        last = _STATE["v7_ms"]
        if last is None or ms > last:
            counter = int.from_bytes(os.urandom(6), "big") >> 7 & 0x1FF_FFFF_FFFF  # 41 bits: MSB clear
        else:
            ms = last
            counter = _STATE["v7_counter"] + 1
        if counter + n - 1 > 0x3FF_FFFF_FFFF:  # the counter would overflow: next millisecond
            ms += 1
            counter = int.from_bytes(os.urandom(6), "big") >> 7 & 0x1FF_FFFF_FFFF
        _STATE["v7_ms"], _STATE["v7_counter"] = ms, counter + max(n - 1, 0)
    counters = np.uint64(counter) + np.arange(n, dtype=np.uint64)
    b = np.zeros((n, 16), dtype=np.uint8)
    _put_be(b, 0, 6, np.full(n, ms & 0xFFFFFFFFFFFF, dtype=np.uint64))
    _put_be(b, 6, 2, (counters >> np.uint64(30)) & np.uint64(0xFFF))
    _put_be(b, 8, 4, counters & np.uint64(0x3FFFFFFF))
    b[:, 12:16] = _random(n)[:, :4] if n else b[:, 12:16]
    return _series(_set_version(b, 7))


def uuid8(n: int, a: int | None = None, b: int | None = None, c: int | None = None) -> pd.Series:
    """RFC 9562 version 8 (custom): 48 bits ``a``, 12 bits ``b``, 62 bits
    ``c``; random where not given (like Python 3.14's ``uuid.uuid8``)."""
    n = _check_n(n)
    if _STD[8] is not None:
        return _from_uuids(_STD[8](a, b, c) for _ in range(n))
    m = _random(n)
    if a is not None:
        _put_be(m, 0, 6, np.full(n, a & 0xFFFFFFFFFFFF, dtype=np.uint64))
    if b is not None:
        _put_be(m, 6, 2, np.full(n, b & 0xFFF, dtype=np.uint64))
    if c is not None:
        _put_be(m, 8, 8, np.full(n, c & 0x3FFF_FFFF_FFFF_FFFF, dtype=np.uint64))
    return _series(_set_version(m, 8))


def generate(version: int, n: int | None = None, **kwargs: Any) -> pd.Series:
    """``generate(7, 1000)``; v3/v5 take ``namespace=`` and ``names=``."""
    f = {1: uuid1, 3: uuid3, 4: uuid4, 5: uuid5, 6: uuid6, 7: uuid7, 8: uuid8}.get(version)
    if f is None:
        raise ValueError("UUID versions are 1, 3, 4, 5, 6, 7, 8")
    if version in (3, 5):
        return f(kwargs["namespace"], kwargs["names"])
    return f(n, **kwargs)


# ---------------------------------------------------------------------------
# parse and inspect
# ---------------------------------------------------------------------------

def _parse_bytes(values):
    """(n,16) uint8, ok mask, reasons.  Canonical 36-character text is
    parsed vectorized; everything else by ``uuid.UUID`` itself."""
    arr = values.to_numpy(dtype=object, na_value=None) if isinstance(values, pd.Series) else np.asarray(values, dtype=object)
    n = len(arr)
    out = np.zeros((n, 16), dtype=np.uint8)
    ok = np.zeros(n, dtype=bool)
    reasons = np.full(n, None, dtype=object)
    missing = np.asarray(pd.isna(arr), dtype=bool) if n else np.zeros(0, bool)
    isstr = np.fromiter((isinstance(v, str) and len(v) == 36 for v in arr), dtype=bool, count=n)
    idx = np.flatnonzero(isstr)
    if len(idx):
        try:
            m = np.frombuffer("".join(arr[idx].tolist()).encode("ascii"), dtype=np.uint8).reshape(len(idx), 36)
        except UnicodeEncodeError:
            m = None
        if m is not None:
            dash = (m[:, list(_DASHES)] == ord("-")).all(axis=1)
            hv = _HEXVAL[m[:, _HEXPOS]]
            good = dash & (hv < 16).all(axis=1)
            gi = idx[good]
            out[gi] = (hv[good, 0::2] << 4) | hv[good, 1::2]
            ok[gi] = True
    for i in np.flatnonzero(~ok & ~missing):
        v = arr[i]
        try:
            u = v if isinstance(v, _uuid.UUID) else (_uuid.UUID(bytes=v) if isinstance(v, bytes) else _uuid.UUID(v))
        except (ValueError, TypeError, AttributeError) as e:
            msg = str(e) or type(e).__name__
            reasons[i] = msg if len(msg) <= 200 else msg[:199] + "…"
            continue
        out[i] = np.frombuffer(u.bytes, dtype=np.uint8)
        ok[i] = True
    return out, ok, reasons


def parse(values: UUIDs, errors: str = "raise") -> pd.Series:
    """Canonical text of each UUID (``uuid.UUID`` accepts braces, ``urn:uuid:``,
    no dashes...).  ``errors="coerce"``: NA for bad rows."""
    if errors not in ("raise", "coerce"):
        raise ValueError("errors must be 'raise' or 'coerce'")
    b, ok, reasons = _parse_bytes(values)
    bad = np.flatnonzero(np.not_equal(reasons, None))
    if len(bad) and errors == "raise":
        i = int(bad[0])
        shown = repr(np.asarray(values, dtype=object)[i])
        shown = shown if len(shown) <= 60 else shown[:59] + "…"
        raise UUIDParseError(f"row {i}: {shown} is not a UUID: {reasons[i]}; errors='coerce' gives NA")
    text = _to_text(b)
    text[~ok] = None
    out = pd.Series(pd.array(text, dtype="str"), name="uuid")
    if isinstance(values, pd.Series):
        out.index = values.index
    return out


_VARIANTS = np.array([_uuid.RESERVED_NCS, _uuid.RFC_4122, _uuid.RESERVED_MICROSOFT, _uuid.RESERVED_FUTURE], dtype=object)


def inspect(values: UUIDs, errors: str = "coerce") -> pd.DataFrame:
    """A table of a UUID column: ``uuid`` (canonical), ``version``,
    ``variant``, ``time`` (UTC datetime64 for v1/v6/v7), ``node`` and
    ``clock_seq`` (v1/v6), and ``reason`` for rows that are not UUIDs."""
    b, ok, reasons = _parse_bytes(values)
    if errors == "raise" and np.not_equal(reasons, None).any():
        i = int(np.flatnonzero(np.not_equal(reasons, None))[0])
        raise UUIDParseError(f"row {i}: not a UUID: {reasons[i]}")
    n = len(b)
    v8 = b[:, 8]
    variant_code = np.where(v8 & 0x80 == 0, 0, np.where(v8 & 0x40 == 0, 1, np.where(v8 & 0x20 == 0, 2, 3)))
    rfc = (variant_code == 1) & ok
    ver = (b[:, 6] >> 4).astype(np.int8)
    version = pd.arrays.IntegerArray(ver, ~rfc)

    def be(cols):
        v = np.zeros(n, dtype=np.uint64)
        for c in cols:
            v = (v << np.uint64(8)) | b[:, c].astype(np.uint64)
        return v

    t1 = ((be([6, 7]) & np.uint64(0x0FFF)) << np.uint64(48)) | (be([4, 5]) << np.uint64(32)) | be([0, 1, 2, 3])
    t6 = (be([0, 1, 2, 3]) << np.uint64(28)) | (be([4, 5]) << np.uint64(12)) | (be([6, 7]) & np.uint64(0x0FFF))
    ms7 = be([0, 1, 2, 3, 4, 5])
    greg = np.where(ver == 1, t1, t6).astype(np.int64) - _GREGORIAN  # 100-ns ticks since 1970
    us = np.where(ver == 7, ms7.astype(np.int64) * 1000, greg // 10)
    has_time = rfc & np.isin(ver, [1, 6, 7])
    time = pd.arrays.DatetimeArray._from_sequence(np.where(has_time, us, 0).astype("datetime64[us]"), dtype="datetime64[us]")
    time = pd.Series(time).dt.tz_localize("UTC").where(has_time)
    node_clock = rfc & np.isin(ver, [1, 6])
    node = pd.arrays.IntegerArray(be(range(10, 16)).astype(np.int64), ~node_clock)
    cs = ((b[:, 8].astype(np.int64) & 0x3F) << 8) | b[:, 9]
    text = _to_text(b)
    text[~ok] = None
    df = pd.DataFrame({
        "uuid": pd.array(text, dtype="str"),
        "version": version,
        "variant": pd.array(np.where(ok, _VARIANTS[variant_code], None), dtype="str"),
        "time": time,
        "node": node,
        "clock_seq": pd.arrays.IntegerArray(cs, ~node_clock),
        "reason": pd.array(reasons, dtype="str"),
    })
    if isinstance(values, pd.Series):
        df.index = values.index
    return df


class UUIDAccessor:
    """``series.uuid``: ``.inspect()``, ``.version``, ``.variant``, ``.time``,
    ``.node``, ``.clock_seq``, ``.canonical``."""

    def __init__(self, s: pd.Series):
        self._s = s

    def inspect(self, errors: str = "coerce") -> pd.DataFrame:
        return inspect(self._s, errors=errors)

    def canonical(self, errors: str = "raise") -> pd.Series:
        return parse(self._s, errors=errors)

    def __getattr__(self, name):
        if name in ("version", "variant", "time", "node", "clock_seq", "reason"):
            return inspect(self._s)[name].rename(name)
        raise AttributeError(name)
