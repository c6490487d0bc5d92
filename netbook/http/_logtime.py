"""Access-log times, column-wise: ``[10/Oct/2000:13:55:36 -0700]`` (Apache,
nginx ``$time_local``), http.server's zoneless ``[10/Oct/2000 13:55:36]`` and
ISO 8601 (nginx ``$time_iso8601``) -> seconds since the epoch.

A log repeats each second on many lines: :func:`times` parses each distinct
value once (Arrow's dictionary encoding) and spreads the results back.
"""
from __future__ import annotations

import numpy as np

_MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

def _fixed(arr, width: int) -> np.ndarray:
    """(n, width) uint8 of a string array whose values all have that length."""
    import pyarrow as pa

    arr = pa.concat_arrays([arr]) if arr.offset else arr
    off = np.frombuffer(arr.buffers()[1], dtype=np.int32, count=len(arr) + 1)
    data = np.frombuffer(arr.buffers()[2], dtype=np.uint8) if len(arr) else np.zeros(0, np.uint8)
    return data[off[0]:off[0] + width * len(arr)].reshape(len(arr), width)


def _num(mat, a, b):
    d = mat[:, a:b].astype(np.int64) - 48
    out = np.zeros(len(mat), dtype=np.int64)
    for k in range(b - a):
        out = out * 10 + d[:, k]
    return out


_MON_CODES = np.array(sorted((m[0] << 16) | (m[1] << 8) | m[2] for m in (x.encode() for x in _MONTHS)), dtype=np.int64)
_MON_NUM = np.array([_MONTHS.index(bytes([c >> 16, (c >> 8) & 255, c & 255]).decode()) + 1 for c in _MON_CODES.tolist()])


def _times(t1, t2, kind):
    """(seconds since the epoch, valid, has a zone) from the time token(s)."""
    import pyarrow.compute as pc

    n = len(t1)
    y, mo, d, H, M, S, off = (np.zeros(n, np.int64) for _ in range(7))
    has_z = np.zeros(n, dtype=bool)
    valid = np.ones(n, dtype=bool)
    lens = np.asarray(pc.utf8_length(t1).to_numpy(zero_copy_only=False))
    zlens = np.asarray(pc.utf8_length(t2).to_numpy(zero_copy_only=False)) if t2 is not None else None
    if kind == "time_iso":
        for w in np.unique(lens).tolist():
            idx = np.flatnonzero(lens == w)
            mat = _fixed(t1.take(idx), int(w))
            y[idx], mo[idx], d[idx] = _num(mat, 0, 4), _num(mat, 5, 7), _num(mat, 8, 10)
            H[idx], M[idx], S[idx] = _num(mat, 11, 13), _num(mat, 14, 16), _num(mat, 17, 19)
            if w > 20:
                sign = np.where(mat[:, 19] == 45, -1, 1)
                mm = _num(mat, 23, 25) if w == 25 else _num(mat, 22, 24)
                off[idx] = sign * (_num(mat, 20, 22) * 3600 + mm * 60)
            has_z[idx] = True
    else:
        for w in (20, 11):
            idx = np.flatnonzero((lens == w) & (zlens == (5 if w == 20 else 8)))
            if not len(idx):
                continue
            whole = len(idx) == n
            mat = _fixed(t1 if whole else t1.take(idx), w)
            digits = [0, 1, 7, 8, 9, 10] + ([12, 13, 15, 16, 18, 19] if w == 20 else [])
            valid[idx] &= ((mat[:, digits] >= 48) & (mat[:, digits] <= 57)).all(axis=1)
            d[idx], y[idx] = _num(mat, 0, 2), _num(mat, 7, 11)
            code = (mat[:, 3].astype(np.int64) << 16) | (mat[:, 4].astype(np.int64) << 8) | mat[:, 5]
            pos = np.minimum(np.searchsorted(_MON_CODES, code), 11)
            mo[idx] = np.where(_MON_CODES[pos] == code, _MON_NUM[pos], 0)
            z = _fixed(t2 if whole else t2.take(idx), 5 if w == 20 else 8)
            zd = [1, 2, 3, 4] if w == 20 else [0, 1, 3, 4, 6, 7]
            valid[idx] &= ((z[:, zd] >= 48) & (z[:, zd] <= 57)).all(axis=1)
            if w == 20:
                H[idx], M[idx], S[idx] = _num(mat, 12, 14), _num(mat, 15, 17), _num(mat, 18, 20)
                off[idx] = np.where(z[:, 0] == 45, -1, 1) * (_num(z, 1, 3) * 3600 + _num(z, 3, 5) * 60)
                has_z[idx] = True
            else:
                H[idx], M[idx], S[idx] = _num(z, 0, 2), _num(z, 3, 5), _num(z, 6, 8)
        valid &= ((lens == 20) & (zlens == 5)) | ((lens == 11) & (zlens == 8))
    valid &= (mo >= 1) & (mo <= 12) & (d >= 1) & (H < 24) & (M < 60) & (S <= 60)
    mm = np.where(valid, mo, 1)
    dim = np.array([31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])[mm - 1]
    leap = (y % 4 == 0) & ((y % 100 != 0) | (y % 400 == 0))
    valid &= (d <= dim) & ~((mm == 2) & (d == 29) & ~leap)
    yy = y - (mm <= 2)
    era = np.floor_divide(yy, 400)
    yoe = yy - era * 400
    doy = (153 * (mm + np.where(mm > 2, -3, 9)) + 2) // 5 + d - 1
    days = era * 146097 + yoe * 365 + yoe // 4 - yoe // 100 + doy - 719468
    secs = days * 86400 + H * 3600 + M * 60 + S - off
    return secs, valid, has_z


def times(t1, t2, kind):
    """(seconds since the epoch, valid, has a zone) of the time token(s):
    ``t1`` the date (or ISO) token, ``t2`` the zone or clock token or None.
    Either may be a dictionary array (the CSV path encodes them); distinct
    (t1, t2) pairs are parsed once when they repeat."""
    import pyarrow as pa
    import pyarrow.compute as pc

    def encoded(a):
        if a is None:
            return None
        d = a if pa.types.is_dictionary(a.type) else pc.dictionary_encode(a)
        if d.null_count or len(d.dictionary) * 2 > len(d):
            return None
        return d

    d1, d2 = encoded(t1), encoded(t2)
    if d1 is None or (t2 is not None and d2 is None):
        plain = [a.dictionary_decode() if a is not None and pa.types.is_dictionary(a.type) else a for a in (t1, t2)]
        return _times(plain[0], plain[1], kind)
    i1 = np.asarray(d1.indices.to_numpy(zero_copy_only=False), dtype=np.int64)
    if d2 is None:
        return tuple(r[i1] for r in _times(d1.dictionary, None, kind))
    i2 = np.asarray(d2.indices.to_numpy(zero_copy_only=False), dtype=np.int64)
    n2 = len(d2.dictionary)
    if n2 == 1:  # one zone (the usual case): the dates alone
        u1, u2, inv = d1.dictionary, d2.dictionary.take(np.zeros(len(d1.dictionary), np.int64)), i1
    else:
        pairs, inv = np.unique(i1 * n2 + i2, return_inverse=True)
        u1, u2 = d1.dictionary.take(pairs // n2), d2.dictionary.take(pairs % n2)
    return tuple(r[inv] for r in _times(u1, u2, kind))
