"""NumPy kernels for IP addresses: parse, format, 128-bit search.

An address is three numbers: ``hi`` and ``lo`` (uint64 halves of the
128-bit value; IPv4 lives in ``lo``) and ``ver`` (uint8: 0 missing, 4, 6).
IPv6 scope ids, when a column has any, live in an optional object array.

Parsing is vectorized over the bytes of all strings joined into one buffer
(or, for pandas' arrow-backed strings, over the arrow data buffer and its
offsets).  Dotted quads are read first, a whole row at a time, from the 16
bytes that end where the row ends (``_v4_windows``); the rows left go to the
per-token kernel (``_fast_buffer``: IPv6 hextets with at most one ``::``).
The fast paths accept only certainly valid spellings; every other row goes
to the standard library itself, so acceptance and error messages are
exactly ``ipaddress``'s.
"""
from __future__ import annotations

import ipaddress
import os

import numpy as np


__all__ = ["parse_addresses", "format_addresses", "locate128", "CHUNK"]

CHUNK = 1 << 14  # rows per kernel call: the buffers stay in cache (16K measured best for 16-byte windows)
_U64 = np.uint64
_I16 = np.int64(16)


def _short(msg: str, limit: int = 200) -> str:
    """A reason stays one short line even for a megabyte of junk input."""
    msg = msg.replace("\r", "\\r").replace("\n", "\\n")
    return msg if len(msg) <= limit else msg[: limit - 1] + "…"


def _stdlib_one(value):
    """(hi, lo, ver, scope, reason) for one value, by the standard library."""
    r = _stdlib_one_(value)
    return r if r[4] is None else r[:4] + (_short(r[4]),)


def _stdlib_one_(value):
    if isinstance(value, str):
        if ":" in value:
            cls = ipaddress.IPv6Address
        else:
            cls = ipaddress.IPv4Address
        try:
            a = cls(value)
        except ValueError as e:
            return 0, 0, 0, None, str(e)
    else:
        try:
            a = value if isinstance(value, (ipaddress.IPv4Address, ipaddress.IPv6Address)) else ipaddress.ip_address(value)
        except (ValueError, TypeError) as e:
            return 0, 0, 0, None, str(e)
    n = int(a)
    return n >> 64, n & 0xFFFFFFFFFFFFFFFF, a.version, getattr(a, "scope_id", None), None


_OCTET_TABLE = None


def _octet_table() -> np.ndarray:
    """int16[2**24]: the little-endian bytes of a decimal octet ("0".."255",
    no leading zeros) -> its value; every other key -> -1."""
    global _OCTET_TABLE
    if _OCTET_TABLE is None:
        t = np.full(1 << 24, -1, dtype=np.int16)
        for i in range(256):
            t[int.from_bytes(str(i).encode(), "little")] = i
        _OCTET_TABLE = t
    return _OCTET_TABLE


_QUAD_TABLE = None


def _quad_table() -> np.ndarray:
    """int16[2**24]: three little-endian bytes of a dotted quad -> the value
    of the decimal octet ("0".."255", no leading zeros) they hold; every
    other key -> -1.  Two spellings share the table (no key is in both):
    an octet read from its first byte (``b"7.1"``, ``b"42."``, ``b"255"``:
    the dot is part of the key), and the last octet of a row read
    right-aligned, each byte XOR 0x80 (``b"1.7"``, ``b".42"``, ``b"255"``)."""
    global _QUAD_TABLE
    if _QUAD_TABLE is None:
        t = np.full(1 << 24, -1, dtype=np.int16)
        # after a one-digit octet "7." comes the next octet's first byte (or
        # nothing, read as 0), before a last "7" the third octet's last byte:
        # any byte, which the lookup of that other octet judges
        anyb = np.arange(256, dtype=np.int64)
        for i in range(256):
            d = str(i).encode()
            if len(d) == 1:
                t[d[0] | (46 << 8) | (anyb << 16)] = i
                t[(anyb ^ 0x80) | ((46 ^ 0x80) << 8) | ((d[0] ^ 0x80) << 16)] = i
            else:
                t[int.from_bytes(d.ljust(3, b"."), "little")] = i
                t[int.from_bytes(d.rjust(3, b"."), "little") ^ 0x808080] = i
        _QUAD_TABLE = t
    return _QUAD_TABLE


# ---- IPv4 over right-aligned 16-byte windows --------------------------------
#
# Every row is read as the 16 bytes that end where it ends (window bytes
# 16 - len .. 15 are the row).  The positions of its dots (one bitmask per
# row) and its length pick one of the 81 shapes a dotted quad can have
# (octets of 1-3 digits); the shape says where each octet starts, and each
# octet's bytes up to its dot are read as one key of the quad table, which
# refuses everything the standard library refuses (non-digits, leading
# zeros, values above 255).  The last octet, which always ends the window,
# is read right-aligned.

_MAGIC = _U64(0x0102040810204080)  # gathers the low bit of 8 bytes into one byte
_V4_SHAPES = None


def _v4_shapes() -> np.ndarray:
    """uint64[2**16]: key (dot bits | bit before the row) -> four packed
    shifts (octet 0 from A or C, octet 1 from C, octet 2 from B); all 255
    (every read gives 0, a key the quad table refuses) if no dotted quad."""
    global _V4_SHAPES
    if _V4_SHAPES is None:
        t = np.full(1 << 16, 0xFFFFFFFF, dtype=_U64)
        for l0 in (1, 2, 3):
            for l1 in (1, 2, 3):
                for l2 in (1, 2, 3):
                    for l3 in (1, 2, 3):
                        s0 = 16 - (l0 + l1 + l2 + l3 + 3)
                        s1 = s0 + l0 + 1
                        s2 = s1 + l1 + 1
                        key = (1 << (s0 - 1)) | (1 << (s1 - 1)) | (1 << (s2 - 1)) | (1 << (s2 + l2))
                        a0, c0 = (8 * s0, 255) if s0 <= 4 else (255, 8 * (s0 - 5))
                        t[key] = a0 | (c0 << 8) | (8 * (s1 - 5) << 16) | (8 * (s2 - 8) << 24)
        _V4_SHAPES = t
    return _V4_SHAPES


def _v4_windows(b: np.ndarray, ends: np.ndarray, lens: np.ndarray, out=None):
    """Dotted quads: (value, ok bool) for the rows ``b[end - len:end]``.

    ``b`` has at least 16 bytes before the first row.  ``ok`` is True exactly
    where the row is an IPv4 address the standard library accepts; ``value``
    (uint32, or written into the integer array ``out``) is 0 elsewhere.
    """
    n = len(ends)
    W = np.ndarray(shape=(len(b) - 15,), dtype="V16", buffer=b, strides=(1,))[ends - 16]
    M = W.view(np.uint8).reshape(n, 16)
    m = ((M == 46).view("<u8") * _MAGIC) >> _U64(56)
    dots = m[:, 0] | (m[:, 1] << _U64(8))
    t = (_I16 - lens).view(_U64)  # a length over 16 wraps: every shift gives 0 (16: see ok)
    key = ((dots >> t) << t) | ((_U64(1) << t) >> _U64(1))
    P = _v4_shapes().take(key.view(np.int64))
    AB = W.view("<u8").reshape(n, 2)
    A, B = AB[:, 0], AB[:, 1]
    C = (A >> _U64(40)) | (B << _U64(24))  # window bytes 5..12
    m8, m24 = _U64(0xFF), _U64(0xFFFFFF)
    T = _quad_table()
    v = np.empty((n, 4), dtype=np.int16)
    f = ((A >> (P & m8)) | (C >> ((P >> _U64(8)) & m8))) & m24
    v[:, 0] = T.take(f.view(np.int64))
    f = (C >> ((P >> _U64(16)) & m8)) & m24
    v[:, 1] = T.take(f.view(np.int64))
    f = (B >> (P >> _U64(24))) & m24
    v[:, 2] = T.take(f.view(np.int64))
    f = (B >> _U64(40)) ^ _U64(0x808080)
    v[:, 3] = T.take(f.view(np.int64))
    # no shape: every shift was 255, every key 0, which the table refuses
    ok = ((v.view("<u8").ravel() & _U64(0x8000800080008000)) == 0) & (lens < 16)
    val = v.astype(np.uint8).view(">u4").ravel()
    if out is None:
        out = np.empty(n, dtype=np.uint32)
    np.multiply(val, ok, out=out)
    return out, ok


_LENMASK = np.array([0, 0xFF, 0xFFFF, 0xFFFFFF, 0], dtype=np.uint32)
_TAILMASK = np.array([0, 0xFF000000, 0xFFFF0000, 0xFFFFFF00, 0xFFFFFFFF], dtype=np.uint32)  # last n bytes of a word
_HEXPAIRS = None


def _hexpair_table() -> np.ndarray:
    """int16[65536]: two bytes (first in the low byte) read as two hex
    digits -> 0..255, or -1."""
    global _HEXPAIRS
    if _HEXPAIRS is None:
        digit = np.full(256, -1, dtype=np.int16)
        for i, ch in enumerate(b"0123456789abcdef"):
            digit[ch] = i
        for i, ch in enumerate(b"ABCDEF"):
            digit[ch] = 10 + i
        lo, hi = np.meshgrid(np.arange(256), np.arange(256))  # word = lo | hi << 8
        first, second = digit[lo], digit[hi]
        _HEXPAIRS = np.where((first >= 0) & (second >= 0), first * 16 + second, -1).astype(np.int16).ravel()
    return _HEXPAIRS


def _u32_at(b: np.ndarray) -> np.ndarray:
    """A uint32 view starting at every byte offset of ``b`` (unaligned)."""
    return np.ndarray(shape=(len(b) - 3,), dtype="<u4", buffer=b, offset=0, strides=(1,))


def _fast_buffer(b: np.ndarray, n: int):
    """Vectorized parse of ``n`` newline-terminated values in ``b`` (uint8).

    Returns hi, lo, ver, ok -- or None when the newlines do not split the
    buffer into ``n`` values (a value holds a newline).
    """
    # ``b`` ends with "\n" and four NUL bytes of room for 4-byte reads
    nd = np.flatnonzero((b - np.uint8(48)) > 9)  # every non-decimal byte
    nd = nd[: len(nd) - 4]
    dch = b[nd]
    nl_idx = np.flatnonzero(dch == 10)
    if len(nl_idx) != n:
        return None
    nlpos = nd[nl_idx]
    starts = np.empty(n, dtype=np.int64)
    starts[0] = 0
    starts[1:] = nlpos[:-1] + 1
    cnt = np.diff(nl_idx, prepend=-1)  # non-decimal bytes per row, newline included
    first_d = nl_idx - cnt + 1

    hi = np.zeros(n, dtype=_U64)
    lo = np.zeros(n, dtype=_U64)
    ver = np.zeros(n, dtype=np.uint8)

    # ---- IPv4: four decimal octets, three dots --------------------------------
    if len(nd) == 4 * n and (dch.view("<u4") == 0x0A2E2E2E).all():  # every row: "." "." "." "\n"
        cand4 = np.arange(n)
        ends = nd.reshape(n, 4)
    else:
        cand4 = np.flatnonzero(cnt == 4)
        fd = first_d[cand4]
        dots = (dch[fd] == 46) & (dch[fd + 1] == 46) & (dch[fd + 2] == 46)
        cand4, fd = cand4[dots], fd[dots]
        ends = nd[fd[:, None] + np.arange(4)[None, :]]
    if len(cand4):
        # all four octets at once: (m, 4) token starts and lengths, one table
        # lookup per token, and the four octet bytes read as one big-endian uint32
        beg = np.empty(ends.shape, dtype=np.int64)
        beg[:, 0] = starts[cand4]
        beg[:, 1:] = ends[:, :3] + 1
        ln = np.minimum(ends - beg, 4)
        v = _octet_table()[_u32_at(b)[beg] & _LENMASK[ln]]
        ok = (v.view("<u8").ravel() & _U64(0x8000800080008000)) == 0  # no octet is -1
        val = v.astype(np.uint8).view(">u4").ravel()
        good = cand4[ok]
        lo[good] = val[ok]
        ver[good] = 4

    if not (dch == 58).any():
        return hi, lo, ver, ver != 0
    # every byte that is not a hex digit (arithmetic: a table lookup per byte is slower)
    delims = np.flatnonzero(((b - np.uint8(48)) > 9) & (((b | np.uint8(0x20)) - np.uint8(97)) > 5))
    delims = delims[: len(delims) - 4]
    dch = b[delims]
    nl_idx = np.flatnonzero(dch == 10)
    cnt = np.diff(nl_idx, prepend=-1)
    first_d = nl_idx - cnt + 1

    # ---- IPv6: hextets, at most one "::", no embedded IPv4, no scope ---------
    notcol = np.cumsum((dch != 58) & (dch != 10))
    bad = notcol[nl_idx] - np.where(first_d > 0, notcol[np.maximum(first_d - 1, 0)], 0)
    cand6 = np.flatnonzero((bad == 0) & (cnt >= 3) & (cnt <= 9) & (ver == 0))
    if len(cand6):
        # (9, m): part j of candidate row r at [j, r] -- rows along the fast
        # axis, so each NumPy operation runs long inner loops (not 9-long ones)
        m = len(cand6)
        fd = first_d[cand6]
        T = cnt[cand6]  # number of parts
        J = np.arange(int(T.max()))[:, None]  # "2001:db8::1" has 4 parts: no need to look at 9
        tid = np.minimum(fd[None, :] + J, len(delims) - 1)
        end = delims[tid]
        beg = np.empty_like(end)
        beg[0] = starts[cand6]
        beg[1:] = end[:-1] + 1
        inrow = J < T[None, :]
        ln = np.where(inrow, end - beg, 0)
        empty = inrow & (ln == 0)
        inner = empty & (J >= 1) & (J <= (T - 2)[None, :])
        n_inner = inner.sum(axis=0)
        s = np.where(n_inner == 1, np.argmax(inner, axis=0), -1)
        first_empty = empty[0]
        last_empty = empty[T - 1, np.arange(m)]
        ok = (n_inner <= 1) & ~(ln > 4).any(axis=0)
        has_skip = s >= 0
        # with "::": a leading ':' only as '::' (s == 1), a trailing one likewise
        hi_parts = np.where(first_empty, s - 1, s)
        lo_parts = np.where(last_empty, T - s - 2, T - s - 1)
        ok &= np.where(
            has_skip,
            ((hi_parts == 0) | ~first_empty) & ((lo_parts == 0) | ~last_empty) & (8 - (hi_parts + lo_parts) >= 1),
            (T == 8) & ~first_empty & ~last_empty,
        )
        # each hextet: the 4 bytes that end it read as one word, the bytes
        # before its start turned into "0", two lookups of a digit pair
        pad = np.zeros(len(b) + 4, dtype=np.uint8)
        pad[4:] = b
        w = _u32_at(pad)[end]  # pad[end : end + 4] == b[end - 4 : end]
        keep = _TAILMASK[np.minimum(ln, 4)]
        w = (w & keep) | (np.uint32(0x30303030) & ~keep)
        pairs = _hexpair_table()
        hi2 = pairs[w & np.uint32(0xFFFF)]
        lo2 = pairs[w >> np.uint32(16)]
        ok &= ((hi2 | lo2) >= 0).all(axis=0)
        val = (hi2.astype(np.uint32) << np.uint32(8)) | lo2.astype(np.uint32)
        slot = np.where(has_skip[None, :] & (J > s[None, :]), J + 8 - T[None, :], J)
        use = inrow & ~empty & ok[None, :]
        out = np.zeros((9, m), dtype=np.uint64)  # row 8: where parts not used go
        np.put_along_axis(out, np.where(use, slot, 8), val, axis=0)
        out = out.T
        h = (out[:, 0] << _U64(48)) | (out[:, 1] << _U64(32)) | (out[:, 2] << _U64(16)) | out[:, 3]
        l_ = (out[:, 4] << _U64(48)) | (out[:, 5] << _U64(32)) | (out[:, 6] << _U64(16)) | out[:, 7]
        good = cand6[ok]
        hi[good] = h[ok]
        lo[good] = l_[ok]
        ver[good] = 6
    return hi, lo, ver, ver != 0


def _fast_chunk(strs: list[str]):
    """Vectorized parse of a list of str (joined into one buffer)."""
    joined = "\n".join(strs) + "\n\0\0\0\0"
    b = np.frombuffer(joined.encode("utf-8", "surrogatepass"), dtype=np.uint8)
    return _fast_buffer(b, len(strs))


def parse_networks_fast(strs: list[str]):
    """Vectorized "address/prefix" parse of a list of str (every value with
    exactly one "/").  Returns hi, lo, ver, plen, ok -- or None when the
    values do not have that shape (the caller goes row by row)."""
    n = len(strs)
    if n == 0:
        return None
    joined = "\n".join(strs) + "\n\0\0\0\0"
    b = np.frombuffer(joined.encode("utf-8", "surrogatepass"), dtype=np.uint8)
    nlpos = np.flatnonzero(b == 10)
    slash = np.flatnonzero(b == 47)
    if len(nlpos) != n or len(slash) != n or not (np.searchsorted(nlpos, slash) == np.arange(n)).all():
        return None
    b2 = b.copy()
    b2[slash] = 10
    res = _fast_buffer(b2, 2 * n)
    if res is None:
        return None
    hi, lo, ver, ok = res
    hi, lo, ver, ok = hi[0::2], lo[0::2], ver[0::2], ok[0::2]
    beg = slash + 1
    ln = np.minimum(nlpos - beg, 4)
    v = _octet_table()[(_u32_at(b)[beg] & _LENMASK[ln]).astype(np.intp)].astype(np.int64)
    maxp = np.where(ver == 4, 32, 128)
    ok &= (v >= 0) & (v <= maxp)
    plen = np.where(ok, v, 0).astype(np.uint8)
    return hi, lo, ver, plen, ok


def _arrow_chunk_buffer(chunk):
    """A pyarrow string array -> (newline-joined bytes + 4 NULs, missing mask)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    n = len(chunk)
    missing = chunk.is_null().to_numpy(zero_copy_only=False) if chunk.null_count else np.zeros(n, dtype=bool)
    filled = chunk.fill_null("") if chunk.null_count else chunk
    lists = pa.ListArray.from_arrays(pa.array([0, n], pa.int32()), filled)
    joined = pc.binary_join(lists, pa.scalar("\n", filled.type))[0].as_buffer()
    b = np.empty(joined.size + 5, dtype=np.uint8)
    b[: joined.size] = np.frombuffer(joined, dtype=np.uint8)
    b[joined.size] = 10
    b[joined.size + 1:] = 0
    return b, missing


# Threads for the chunked kernels: NumPy and pyarrow release the GIL, but on
# a machine with two cores or fewer they only contend (measured), so one.
THREADS = min(4, os.cpu_count() or 1) if (os.cpu_count() or 1) > 2 else 1


def _pmap(fn, items):
    """``map`` over chunks, on ``THREADS`` threads."""
    items = list(items)
    workers = min(THREADS, len(items))
    if workers <= 1:
        return [fn(x) for x in items]
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="nbip-parse") as ex:
        return list(ex.map(fn, items))


class Reasons(np.ndarray):
    """Object array of reasons (None where fine) that also knows its ``bad`` rows."""

    bad: np.ndarray = np.zeros(0, dtype=np.intp)


def bad_rows(reasons) -> np.ndarray:
    b = getattr(reasons, "bad", None)
    return b if b is not None else np.flatnonzero(np.not_equal(reasons, None))


def _finish(n, values_at, results, missing, hi, lo, ver):
    """Rows the fast path left go to ipaddress.  ``hi, lo, ver`` hold the
    chunks' results already; ``results`` holds ``(c0, ok)`` per chunk."""
    reasons = np.empty(n, dtype=object).view(Reasons)  # all None
    bad = []
    scope = None
    for c0, ok in results:
        if ok.all():
            continue
        c1 = c0 + len(ok)
        for i in np.flatnonzero(~ok & ~missing[c0:c1]):
            j = c0 + int(i)
            rh, rl, rv, rs, why = _stdlib_one(values_at(j))
            hi[j], lo[j], ver[j], reasons[j] = rh, rl, rv, why
            if why is not None:
                bad.append(j)
            if rs is not None:
                scope = np.full(n, None, dtype=object) if scope is None else scope
                scope[j] = rs
    reasons.bad = np.array(bad, dtype=np.intp)
    return hi, lo, ver, scope, reasons


def _outputs(n):
    return np.zeros(n, dtype=_U64), np.empty(n, dtype=_U64), np.empty(n, dtype=np.uint8)


def _put(out, res):
    """Write a (hi, lo, ver, ok) chunk result into the output slices; -> ok."""
    h, l_, v, ok = res
    out[0][:], out[1][:], out[2][:] = h, l_, v
    return ok


def _v4_then(b, ends, lens, out, rest_fn):
    """Parse a chunk into the slices ``out = (hi, lo, ver)`` (hi zero): the
    dotted quads by ``_v4_windows``, the rows it left by ``rest_fn(rows)`` ->
    (hi, lo, ver, ok).  Returns ok."""
    hi, lo, ver = out
    _, ok = _v4_windows(b, ends, lens, out=lo)
    np.left_shift(ok.view(np.uint8), np.uint8(2), out=ver)
    rest = np.flatnonzero(~ok)
    if not len(rest):
        return ok
    ok = ok.copy()
    h, l_, v, o = rest_fn(rest)
    hi[rest], lo[rest], ver[rest], ok[rest] = h, l_, v, o
    return ok


_PAD = "\0" * 15  # the 16 bytes before the first row's window: no dots


def _str_chunk(strs: list, out):
    """Parse a list of str into the slices ``out``; -> ok, or None when a
    value holds a newline.  Raises TypeError when an item is not a str
    (``str.join`` checks)."""
    n = len(strs)
    strs.insert(0, _PAD)
    strs.append("")
    try:
        joined = "\n".join(strs)
    finally:
        del strs[0], strs[-1]
    b = np.frombuffer(joined.encode("utf-8", "surrogatepass"), dtype=np.uint8)
    nl = np.flatnonzero(b == 10)
    if len(nl) != n + 1:
        return None
    lens = np.diff(nl)
    lens -= 1
    return _v4_then(b, nl[1:], lens, out, lambda rest: _fast_chunk([strs[i] for i in rest.tolist()]))


def _arrow_chunk(chunk, missing, out):
    """Parse a pyarrow string array into the slices ``out``; -> ok.  The
    dotted quads are read from its offsets and data buffers, the other rows
    by ``_fast_buffer``."""
    n = len(chunk)
    bufs = chunk.buffers()
    odt = np.int64 if pa_is_large(chunk.type) else np.int32
    off = np.frombuffer(bufs[1], dtype=odt)[chunk.offset: chunk.offset + n + 1].astype(np.int64)
    s0, s1 = int(off[0]), int(off[-1])
    b = np.empty(16 + (s1 - s0) + 1, dtype=np.uint8)
    b[:16] = 0
    b[-1] = 0
    if s1 > s0:
        b[16:-1] = np.frombuffer(bufs[2], dtype=np.uint8, count=s1 - s0, offset=s0)
    ends = off[1:] - (s0 - 16)
    lens = np.diff(off)
    if chunk.null_count:  # a null row may have bytes: it must not parse
        lens = np.where(missing, 1 << 20, lens)

    def rest_fn(rest):
        sub = chunk.take(rest)
        sb, _ = _arrow_chunk_buffer(sub)
        res = _fast_buffer(sb, len(sub))
        if res is None:  # a value holds a newline: those rows go row by row
            strs = [s if isinstance(s, str) and "\n" not in s else "" for s in sub.to_pylist()]
            res = _fast_chunk(strs)
        return res

    return _v4_then(b, ends, lens, out, rest_fn)


def pa_is_large(t) -> bool:
    import pyarrow as pa

    return pa.types.is_large_string(t)


def parse_addresses_arrow(parr) -> tuple:
    """:func:`parse_addresses` for a pyarrow string array (pandas' ``str``
    dtype): the bytes go to the kernel without becoming Python objects."""
    n = len(parr)
    missing = parr.is_null().to_numpy(zero_copy_only=False) if parr.null_count else np.zeros(n, dtype=bool)

    hi, lo, ver = _outputs(n)

    def work(c0):
        c1 = min(c0 + CHUNK, n)
        return c0, _arrow_chunk(parr.slice(c0, c1 - c0), missing[c0:c1], (hi[c0:c1], lo[c0:c1], ver[c0:c1]))

    results = _pmap(work, range(0, n, CHUNK))
    return _finish(n, lambda j: parr[j].as_py(), results, missing, hi, lo, ver)


def parse_addresses(values) -> tuple:
    """Parse a 1-D sequence (str, int, address objects, None/NaN).

    Returns ``hi, lo, ver, scope, reasons``: ``scope`` is None unless some row
    has a scope id; ``reasons`` is an object array (None for good or missing
    rows, the standard library's message for refused rows) and ``missing``
    rows have ver 0 and reason None.
    """
    import pandas as pd

    arr = np.asarray(values, dtype=object) if not isinstance(values, np.ndarray) or values.dtype != object else values
    n = len(arr)
    missing = np.zeros(n, dtype=bool)
    hi, lo, ver = _outputs(n)

    def work(c0):
        chunk = arr[c0:c0 + CHUNK]
        c1 = c0 + len(chunk)
        out = (hi[c0:c1], lo[c0:c1], ver[c0:c1])
        strs = chunk.tolist()
        try:  # all str (the common case): no per-row type or NA checks
            ok = _str_chunk(strs, out)
        except TypeError:
            missing[c0:c1] = np.asarray(pd.isna(chunk), dtype=bool)
            isstr = np.fromiter((isinstance(v, str) for v in strs), dtype=bool, count=len(strs))
            strs = np.where(isstr, chunk, "").tolist()
            ok = _str_chunk(strs, out)
        if ok is None:  # a value holds a newline: those rows go row by row
            ok = _put(out, _fast_chunk([s if "\n" not in s else "" for s in strs]))
        return c0, ok

    results = _pmap(work, range(0, n, CHUNK)) if n else []
    return _finish(n, lambda j: arr[j], results, missing, hi, lo, ver)


# ---------------------------------------------------------------------------
# formatting
# ---------------------------------------------------------------------------

_PAIRS = None


def format_v4(x: np.ndarray) -> np.ndarray:
    """Dotted quads for uint values (vectorized); returns an object array of str."""
    global _PAIRS
    if _PAIRS is None:
        _PAIRS = np.array([f"{i >> 8}.{i & 255}" for i in range(65536)], dtype="U7")
    x = np.asarray(x).astype(_U64)
    top = _PAIRS[(x >> _U64(16)).astype(np.intp)]
    bot = _PAIRS[(x & _U64(0xFFFF)).astype(np.intp)]
    return np.char.add(np.char.add(top, "."), bot).astype(object)


def _v6_mapped_style() -> bool:
    return str(ipaddress.IPv6Address("::ffff:1.2.3.4")) == "::ffff:1.2.3.4"


_MAPPED_DOTTED = _v6_mapped_style()
_MAPPED_EXPLODED_DOTTED = ipaddress.IPv6Address("::ffff:1.2.3.4").exploded.endswith("1.2.3.4")


_HEXTETS = None


def _hextets():
    global _HEXTETS
    if _HEXTETS is None:
        _HEXTETS = np.array([format(i, "x") for i in range(65536)], dtype=object)
    return _HEXTETS


def format_v6(hi: np.ndarray, lo: np.ndarray) -> np.ndarray:
    """RFC 5952 text (the standard library's own choices), vectorized over rows."""
    n = len(hi)
    if n == 0:
        return np.empty(0, dtype=object)
    h = np.empty((n, 8), dtype=np.int64)
    for k in range(4):
        h[:, k] = ((hi >> _U64(48 - 16 * k)) & _U64(0xFFFF)).astype(np.int64)
        h[:, 4 + k] = ((lo >> _U64(48 - 16 * k)) & _U64(0xFFFF)).astype(np.int64)
    # longest run of zero hextets (first one on ties), length >= 2
    zero = h == 0
    run = np.zeros((n, 8), dtype=np.int64)  # run length ending at k
    for k in range(8):
        run[:, k] = np.where(zero[:, k], (run[:, k - 1] if k else 0) + 1, 0)
    best_len = run.max(axis=1)
    best_end = np.argmax(run, axis=1)  # first max: ipaddress picks the first longest run
    best_start = best_end - best_len + 1
    compress = best_len >= 2
    parts = _hextets()[h]
    out = np.empty(n, dtype=object)
    # build strings per distinct layout (start, len) to keep it vectorized
    layout = np.where(compress, best_start * 16 + best_len, -1)
    for key in np.unique(layout):
        sel = np.flatnonzero(layout == key)
        p = parts[sel]
        if key < 0:
            cols = [p[:, k] for k in range(8)]
            s = cols[0]
            for c in cols[1:]:
                s = s + ":" + c
            out[sel] = s
            continue
        st, ln = divmod(int(key), 16)
        left = [p[:, k] for k in range(st)]
        right = [p[:, k] for k in range(st + ln, 8)]
        ls = left[0] if left else np.full(len(sel), "", dtype=object)
        for c in left[1:]:
            ls = ls + ":" + c
        rs = right[0] if right else np.full(len(sel), "", dtype=object)
        for c in right[1:]:
            rs = rs + ":" + c
        out[sel] = ls + "::" + rs
    if _MAPPED_DOTTED:
        mapped = (hi == 0) & ((lo >> _U64(32)) == _U64(0xFFFF))
        if mapped.any():
            out[mapped] = "::ffff:" + format_v4(lo[mapped] & _U64(0xFFFFFFFF))
    return out


def format_addresses(hi, lo, ver, scope=None) -> np.ndarray:
    """Standard-library ``str()`` of each address; None where missing."""
    n = len(ver)
    out = np.full(n, None, dtype=object)
    v4 = np.flatnonzero(ver == 4)
    if len(v4):
        out[v4] = format_v4(lo[v4])
    v6 = np.flatnonzero(ver == 6)
    if len(v6):
        out[v6] = format_v6(hi[v6], lo[v6])
    if scope is not None:
        has = np.flatnonzero(np.not_equal(scope, None) & (ver == 6))
        for i in has:
            out[i] = f"{out[i]}%{scope[i]}"
    return out


# ---------------------------------------------------------------------------
# 128-bit search
# ---------------------------------------------------------------------------

def locate128(shi, slo, hi, lo) -> np.ndarray:
    """Number of starts ``<= (hi, lo)`` minus one, for starts sorted by (hi, lo).

    One ``searchsorted`` on the high halves; queries whose high half equals a
    start's high half are resolved together by one lexicographic sort.
    """
    shi = np.asarray(shi, dtype=_U64)
    slo = np.asarray(slo, dtype=_U64)
    right = np.searchsorted(shi, hi, side="right")
    left = np.searchsorted(shi, hi, side="left")
    tie = np.flatnonzero(right > left)
    if len(tie):
        # exact count of starts <= key among those with equal hi
        qh, ql = hi[tie], lo[tie]
        k = len(shi)
        allh = np.concatenate([shi, qh])
        alll = np.concatenate([slo, ql])
        tag = np.concatenate([np.zeros(k, np.int8), np.ones(len(tie), np.int8)])
        order = np.lexsort((tag, alll, allh))
        is_start = tag[order] == 0
        count = np.cumsum(is_start)
        qpos = order[~is_start] - k
        res = np.empty(len(tie), dtype=np.int64)
        res[qpos] = count[~is_start]
        right[tie] = res
    return right.astype(np.int64) - 1
