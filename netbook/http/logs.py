"""Web server access logs as DataFrames: ``nb.http.read_log``.

>>> df = nb.http.read_log("access.log.gz")                  # combined format
>>> df = nb.http.read_log(path, format="common")            # http.server writes this
>>> df = nb.http.read_log(path, format='$remote_addr - $remote_user [$time_local] "$request" $status')
>>> for part in nb.http.read_log(path, chunksize=1_000_000): ...

Vectorised: blocks of whole lines are cut into fields by Arrow's CSV reader
(space-delimited, ``"``-quoted; see ``_logcsv``), the lines it cannot vouch
for (escapes, junk) are matched by one RE2 expression
(``pyarrow.compute.extract_regex``), and the columns are converted
column-wise -- no Python loop per line.

A line that does not fit the format (a truncated last line, scanner junk, an
error message of ``http.server``) is never silently dropped: it is counted and
kept with its line number and raw text in ``df.attrs["bad_lines"]``
(``df.attrs["bad_line_count"]`` counts all of them); ``errors="raise"``
raises :class:`LogParseError` naming the line instead.
"""
from __future__ import annotations

import bz2
import gzip
import io
import lzma
import os
from collections.abc import Iterator

import numpy as np

from ..errors import LogParseError
from ._logcsv import candidates, read_tokens
from .logformat import FORMATS, compile_format

__all__ = ["FORMATS", "LogParseError", "compile_format", "parse_block", "read_log"]

MAX_BAD_KEPT = 100_000     # bad lines kept with their text (all are counted)
MAX_BAD_TEXT = 4096        # characters of a bad line's text kept
_BLOCK = 8 << 20           # bytes parsed at once (two run at once; 8 MiB measured ~2x faster than 16)
_MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


_ORDER = ["vhost", "port", "client", "client_name", "ident", "user", "time", "method", "url", "protocol", "status",
          "bytes", "referrer", "user_agent"]
_DASH_NA = {"ident", "user", "referrer", "user_agent", "vhost"}


# -- reading bytes ----------------------------------------------------------------
def _open(src):
    """A binary file object for a path (.gz/.bz2/.xz by name) or a buffer."""
    if isinstance(src, (str, os.PathLike)):
        p = os.fspath(src)
        low = p.lower()
        if low.endswith(".gz"):
            return gzip.open(p, "rb")
        if low.endswith(".bz2"):
            return bz2.open(p, "rb")
        if low.endswith((".xz", ".lzma")):
            return lzma.open(p, "rb")
        return open(p, "rb")
    if isinstance(src, (bytes, bytearray, memoryview)):
        return io.BytesIO(bytes(src))
    if hasattr(src, "read"):
        return src
    raise TypeError(f"read_log reads a path, bytes or a file object, not {type(src).__name__}")


def _blocks(f, size: int) -> Iterator[bytes]:
    """Blocks of whole lines (the last may lack its newline)."""
    rest = b""
    while True:
        data = f.read(size)
        if isinstance(data, str):
            data = data.encode()
        if not data:
            if rest:
                yield rest
            return
        cut = data.rfind(b"\n")
        if cut < 0:
            rest += data
            continue
        # at most one copy of the block (no concatenation of a slice)
        if rest:
            yield rest + memoryview(data)[:cut + 1]
        else:
            yield data if cut == len(data) - 1 else data[:cut + 1]
        rest = data[cut + 1:]


# -- parsing ----------------------------------------------------------------------
def _lines(block: bytes):
    """(pyarrow string array of the lines, each with its "\\n", number of lines)."""
    import pyarrow as pa

    try:
        block.decode("utf-8")
    except UnicodeDecodeError:  # binary junk: kept readable, escaped as servers escape it
        block = block.decode("utf-8", "backslashreplace").encode()
    if len(block) >= 2**31:  # pragma: no cover - blocks are 64 MiB
        raise ValueError("a block of 2 GiB or more")
    nl = np.flatnonzero(np.frombuffer(block, dtype=np.uint8) == 10)
    n = len(nl) + (0 if block.endswith(b"\n") or not block else 1)
    offsets = np.empty(n + 1, dtype=np.int32)
    offsets[0] = 0
    offsets[1:len(nl) + 1] = nl + 1
    offsets[-1] = len(block)
    return pa.StringArray.from_buffers(n, pa.py_buffer(offsets), pa.py_buffer(block)), n, block


def _window(block: bytes) -> np.ndarray:
    """(len(block), 12) strided view of the block padded with zeros: row i is
    block[i:i+12] (gathering rows is one fancy index, no index matrix)."""
    pad = np.zeros(len(block) + 16, dtype=np.uint8)
    pad[:len(block)] = np.frombuffer(block, dtype=np.uint8)
    return np.lib.stride_tricks.as_strided(pad, shape=(len(block) + 1, 12), strides=(1, 1), writeable=False)


_BYTE_MASK = np.array([0, 0xFF, 0xFFFF, 0xFFFFFF, 0xFFFFFFFF], dtype=np.uint32)


def _views(block: bytes, win: np.ndarray, starts: np.ndarray, ends: np.ndarray):
    """A pyarrow string array of block[starts[i]:ends[i]]: Arrow string_view
    entries over the block (length; inline bytes, or prefix + offset), then
    compacted by Arrow's cast."""
    import pyarrow as pa

    n = len(starts)
    lengths = np.maximum(ends - starts, 0).astype(np.int32)
    words = win[starts].view(np.uint32)  # (n, 3): the first 12 bytes of each value
    for k in range(3):
        words[:, k] &= _BYTE_MASK[np.clip(lengths - 4 * k, 0, 4)]
    big = lengths > 12
    if big.any():  # prefix stays in word 0; then buffer 0 and the offset
        words[big, 1] = 0
        words[big, 2] = starts[big].astype(np.uint32)
    views = np.empty((n, 4), dtype=np.uint32)
    views[:, 0] = lengths
    views[:, 1:] = words
    arr = pa.Array.from_buffers(pa.string_view(), n, [None, pa.py_buffer(views), pa.py_buffer(block)])
    return arr.cast(pa.string())


def _clean_tokens(block, offsets, cand, tokens):
    """(rows, {column: (array, kind)}) for the candidate lines (no backslash)
    whose structure fits: cut at the spaces outside quotes with NumPy, K-1
    separators a line, quotes only around the quoted tokens, literals in place,
    status codes three digits."""
    buf = np.frombuffer(block, dtype=np.uint8)
    win = _window(block)
    K = len(tokens)
    n = len(offsets) - 1
    # spaces, quotes and newlines in order: quote parity restarts at each line
    ev = np.flatnonzero((buf == 32) | (buf == 34) | (buf == 10))
    c = buf[ev]
    isnl = c == 10
    isq = c == 34
    csum = np.cumsum(isq, dtype=np.int32)
    base = np.maximum.accumulate(np.where(isnl, csum, np.int32(0)))
    line_of = np.cumsum(isnl, dtype=np.int32) - isnl
    isp = c == 32
    inq = ((csum - base) & 1).astype(bool)
    sep = isp & ~inq
    nsep = np.bincount(line_of[sep], minlength=n)[:n]
    nq = np.bincount(line_of[isq], minlength=n)[:n]
    ok = cand & (nsep == K - 1) & (nq == 2 * sum(t.quoted for t in tokens))
    rows = np.flatnonzero(ok)
    starts = offsets[:-1][rows].astype(np.int64)
    ends = offsets[1:][rows].astype(np.int64)
    if len(ends):
        ends -= buf[ends - 1] == 10
        ends -= (ends > starts) & (buf[np.maximum(ends - 1, 0)] == 13)
    seps = ev[sep & ok[line_of]]
    seps = seps.reshape(len(rows), K - 1) if K > 1 else np.zeros((len(rows), 0), np.int64)
    inner_sp = ev[isp & inq & ok[line_of]]  # spaces inside quoted tokens (request lines)
    good = np.ones(len(rows), dtype=bool)
    spans = []
    for j, t in enumerate(tokens):
        s = starts if j == 0 else seps[:, j - 1] + 1
        e = ends if j == K - 1 else seps[:, j]
        if t.quoted:
            good &= (e - s >= 2) & (buf[np.minimum(s, len(buf) - 1)] == 34) & (buf[np.maximum(e - 1, 0)] == 34)
            s, e = s + 1, e - 1
        else:
            pre, suf = t.prefix.encode(), t.suffix.encode()
            good &= e - s >= len(pre) + len(suf)
            for i, ch in enumerate(pre):
                good &= buf[np.minimum(s + i, len(buf) - 1)] == ch
            for i, ch in enumerate(suf):
                good &= buf[np.maximum(e - len(suf) + i, 0)] == ch
            s, e = s + len(pre), e - len(suf)
        e = np.maximum(e, s)
        spans.append((s, e))
    if not good.all():
        rows, keep = rows[good], good
        seps, spans = seps[keep], [(s[keep], e[keep]) for s, e in spans]
    out = {}
    for t, (s, e) in zip(tokens, spans):
        dirs = t.dirs
        if len(dirs) == 1 and dirs[0][1] == "request" and t.quoted:
            out.update(_split_request_clean(block, buf, win, inner_sp, s, e))
        elif len(dirs) == 1:
            out[dirs[0][0] + ("#2" if dirs[0][1] == "t2" else "")] = (_views(block, win, s, e), dirs[0][1])
        else:
            out.update(_multi(_views(block, win, s, e), t))
    return rows, out


def _arrow_parts(tokens, cols):
    """{column: (array, kind)} from the CSV reader's fields (one per token)."""
    out = {}
    for j, t in enumerate(tokens):
        a, dirs = cols[j], t.dirs
        if len(dirs) == 1 and dirs[0][1] == "request" and t.quoted:
            n = len(a)
            off = np.frombuffer(a.buffers()[1], dtype=np.int32, count=a.offset + n + 1)[a.offset:].astype(np.int64)
            data = a.buffers()[2]
            buf = np.frombuffer(data, dtype=np.uint8) if data is not None and data.size else np.zeros(0, np.uint8)
            sp = np.flatnonzero(buf == 32)
            out.update(_split_request_clean(data if len(buf) else b"", buf, _window(buf), sp, off[:-1], off[1:]))
        elif len(dirs) == 1:
            out[dirs[0][0] + ("#2" if dirs[0][1] == "t2" else "")] = (a, dirs[0][1])
        else:
            out.update(_multi(a, t))
    return out


def _split_request_clean(block, buf, win, sp, s, e):
    """method, url, protocol of "METHOD URL PROTOCOL" spans, by the spaces in them."""
    if len(sp):
        i1 = np.searchsorted(sp, s)
        first = sp[np.minimum(i1, len(sp) - 1)]
        i2 = np.searchsorted(sp, e) - 1
        last = sp[np.maximum(i2, 0)]
    else:
        first = last = np.full(len(s), -1)
    has1 = (first >= s) & (first < e)
    has2 = has1 & (last > first) & (last < e)
    # the protocol must look like one ("HTTP/1.1"); otherwise the rest is the URL
    if has2.any():
        pidx = np.minimum(np.where(has2, last + 1, 0)[:, None] + np.arange(5), len(buf) - 1)
        has2 &= (buf[pidx] == np.frombuffer(b"HTTP/", np.uint8)).all(axis=1)
    m_end = np.where(has1, first, e)
    u_start = np.where(has1, first + 1, e)
    u_end = np.where(has2, last, e)
    method = _views(block, win, s, m_end)
    dash = (e - s == 1) & (buf[np.minimum(s, max(len(buf) - 1, 0))] == 45) if len(buf) else np.zeros(len(s), bool)
    method = _null_where(method, dash)
    url = _null_where(_views(block, win, u_start, u_end), ~has1)
    proto = _null_where(_views(block, win, np.where(has2, last + 1, e), e), ~has2)
    return {"method": (method, "str!"), "url": (url, "str!"), "protocol": (proto, "str!")}


def _null_where(a, mask):
    """``a`` with nulls where ``mask`` (a NumPy bool array, or a pyarrow boolean
    array without nulls) is true: a validity bitmap over the same buffers."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if isinstance(mask, np.ndarray):
        if not mask.any():
            return a
        mask = pa.array(mask)
    elif not pc.any(mask).as_py():
        return a
    keep = pc.invert(mask)
    if a.null_count:
        keep = pc.and_(keep, pc.is_valid(a))
    if keep.null_count or keep.offset or a.offset:  # a sliced array: copied
        return pc.if_else(keep, a, pa.scalar(None, a.type))
    bufs = a.buffers()
    return pa.Array.from_buffers(a.type, len(a), [keep.buffers()[1], *bufs[1:]], offset=a.offset)


def _multi(arr, token):
    """Several directives in one token (``%v:%p``): split by their regex."""
    import pyarrow.compute as pc

    m = pc.extract_regex(arr, "^" + token.inner_regex() + "$")
    out = {}
    for j, it in enumerate(token.items):
        if it[0] == "dir":
            out[it[1] + ("#2" if it[2] == "t2" else "")] = (m.field(f"d{j}"), it[2])
    return out


def _messy_tokens(lines, tokens, regex):
    """{column: (array, kind)} for matched lines with backslash escapes (RE2)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    m = pc.extract_regex(lines, regex)
    out = {}
    for t in tokens:
        a = m.field(t.group)
        if t.quoted:
            a = pc.replace_substring_regex(a, r'\\(["\\])', r"\1")
        dirs = t.dirs
        if len(dirs) == 1 and dirs[0][1] == "request":
            rq = pc.extract_regex(a, r"^(?P<method>[^ ]+)(?: (?P<url>.*?))?(?: (?P<protocol>HTTP/[^ ]+))?$")
            none = pc.equal(a, "-")
            null = pa.scalar(None, pa.string())
            out["method"] = (pc.if_else(none, null, rq.field("method")), "str!")
            url = pc.if_else(pc.is_null(rq.field("method")), a, rq.field("url"))
            out["url"] = (pc.if_else(none, null, url), "str!")
            out["protocol"] = (pc.if_else(none, null, rq.field("protocol")), "str!")
        elif len(dirs) == 1:
            out[dirs[0][0] + ("#2" if dirs[0][1] == "t2" else "")] = (a, dirs[0][1])
        else:
            out.update(_multi(a, t))
    return out


def parse_block(block: bytes, fmt: str = "combined", *, first_line: int = 1, tz: str = "UTC", errors: str = "keep",
                bad: list | None = None, counts: list | None = None):
    """One block of whole lines -> DataFrame (see :func:`read_log`)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    regex, tokens = compile_format(fmt)
    lines, n, block = _lines(block)
    if counts is not None and len(counts) > 1:
        counts[1] = n
    offsets = np.frombuffer(lines.buffers()[1], dtype=np.int32, count=n + 1)
    # well-formed lines are cut by Arrow's CSV reader; the rest (escapes, junk)
    # is matched by RE2.  If the reader's rows do not add up, NumPy cuts the block.
    buf = np.frombuffer(block, dtype=np.uint8)
    fast = read_tokens(block, buf, offsets, candidates(block, buf, offsets, sum(t.quoted for t in tokens)),
                       tokens) if n else None
    if fast is not None:
        clean_rows, cols = fast
        parts = _arrow_parts(tokens, cols)
        rest = np.ones(n, dtype=bool)
        rest[clean_rows] = False
    else:  # lines with a backslash (escaped quotes) go through RE2; the rest is cut with NumPy
        rest = np.asarray(pc.match_substring(lines, "\\"), dtype=bool) if n else np.zeros(0, dtype=bool)
        clean_rows, parts = _clean_tokens(block, offsets, ~rest, tokens)
    ok = np.zeros(n, dtype=bool)
    ok[clean_rows] = True
    if rest.any():
        messy = np.flatnonzero(rest)
        matched = np.asarray(pc.match_substring_regex(lines.take(pa.array(messy)), regex), dtype=bool)
        messy = messy[matched]
        if len(messy):
            ok[messy] = True
            mp = _messy_tokens(lines.take(pa.array(messy)), tokens, regex)
            order = pa.array(np.argsort(np.concatenate([clean_rows, messy]), kind="stable"))
            parts = {c: (pc.take(pa.concat_arrays([a, mp[c][0]]), order), k) for c, (a, k) in parts.items()}
    good_rows = np.flatnonzero(ok)
    out, valid, time_ok = _assemble(parts, len(good_rows), tz)
    bad_idx = np.flatnonzero(~ok)
    bad_time: set = set()
    bad_value: set = set()
    if not valid.all():  # "31/Feb", "Foo" as a month, a status of "2x0"
        badt = np.flatnonzero(~valid)
        bad_value = set(good_rows[badt].tolist())
        if time_ok is not None:
            bad_time = set(good_rows[np.flatnonzero(~time_ok)].tolist())
        bad_idx = np.sort(np.concatenate([bad_idx, good_rows[badt]]))
        out = out.drop(index=out.index[badt]).reset_index(drop=True)
    if len(bad_idx):
        line_no = first_line + bad_idx

        def why(i, text):
            if not text.strip():
                return "empty line"
            if i in bad_time:
                return "bad time"
            if i in bad_value:
                return "bad number"
            if i == n - 1 and not block.endswith(b"\n"):
                return "truncated last line"
            return "does not fit the format"

        if errors == "raise":
            i = int(bad_idx[0])
            text = lines[i].as_py().rstrip("\n")
            raise LogParseError(f"line {int(line_no[0])}: {why(i, text)}: {text[:120]!r}; "
                                "errors='keep' keeps bad lines in df.attrs['bad_lines']")
        if counts is not None:
            counts[0] += len(bad_idx)
        if bad is not None:
            room = max(MAX_BAD_KEPT - len(bad), 0)
            for i, ln in zip(bad_idx[:room].tolist(), line_no[:room].tolist()):
                text = lines[i].as_py().rstrip("\n")
                bad.append({"line": int(ln), "reason": why(i, text), "text": text[:MAX_BAD_TEXT]})
    return out


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


def _int(a, dtype, valid):
    """``a`` as numbers ("-" is null); rows that are not numbers are null and
    cleared in ``valid``."""
    import pyarrow as pa
    import pyarrow.compute as pc

    dash = pc.equal(a, "-")
    if pa.types.is_floating(dtype):
        num = pc.match_substring_regex(a, r"^-?[0-9]+(\.[0-9]+)?$")
    else:
        num = pc.ascii_is_decimal(a)
        if dtype == pa.int16():
            num = pc.and_(num, pc.equal(pc.utf8_length(a), 3))
    isnum = np.asarray(num.to_numpy(zero_copy_only=False), dtype=bool)
    valid &= isnum | np.asarray(dash.to_numpy(zero_copy_only=False), dtype=bool)
    a = pc.if_else(pa.array(isnum), a, pa.scalar(None, pa.string()))
    return pc.cast(a, dtype)


def _assemble(parts, n, tz):
    """The DataFrame from {column: (string array, kind)}, and which rows' times are valid."""
    import pandas as pd
    import pyarrow as pa
    import pyarrow.compute as pc

    from ..ip.columns import parse as parse_ip

    cols: dict = {}
    time_ok = None
    valid = np.ones(n, dtype=bool)
    for col, (a, kind) in parts.items():
        if kind == "t2":
            continue
        if kind == "ip":
            d = pc.dictionary_encode(a)  # a log repeats its clients: parse each one once
            if len(d.dictionary) * 2 < len(a):
                uniq = parse_ip(d.dictionary.to_pandas(), errors="coerce").array
                ips = pd.Series(uniq.take(np.asarray(d.indices.to_numpy(zero_copy_only=False), dtype=np.intp)))
            else:
                ips = parse_ip(a.to_pandas(), errors="coerce")
            cols[col] = ips
            name = np.array(ips.isna(), dtype=bool)
            if name.any():  # host names (not "-") are kept as text
                name &= np.asarray(pc.not_equal(a, "-").to_numpy(zero_copy_only=False), dtype=bool)
            cols[f"{col}_name"] = (a.to_pandas().where(name) if name.any()
                                   else pa.nulls(len(a), pa.string()).to_pandas().astype("str"))
        elif kind == "status":
            cols[col] = pd.Series(_int(a, pa.int16(), valid).to_pandas(types_mapper={pa.int16(): pd.Int16Dtype()}.get))
        elif kind == "int":
            cols[col] = pd.Series(_int(a, pa.int64(), valid).to_pandas(types_mapper={pa.int64(): pd.Int64Dtype()}.get))
        elif kind == "float":
            cols[col] = pd.Series(_int(a, pa.float64(), valid).to_pandas())
        elif kind in ("t1", "time_iso"):
            t2 = parts.get(col + "#2", (None,))[0]
            secs, time_ok, has_z = _times(a, t2, kind)
            ns = np.where(time_ok, secs, 0).astype(np.int64) * 1_000_000_000
            t = pd.Series(ns.view("datetime64[ns]"))
            if has_z.all() or tz == "UTC":
                t = t.dt.tz_localize("UTC").dt.tz_convert(tz)
            else:  # http.server's zoneless local time: taken to be in tz
                t = t.dt.tz_localize(tz, ambiguous="NaT", nonexistent="NaT")
            cols[col] = t
        else:
            if kind != "str!" and col in _DASH_NA:
                a = _null_where(a, pc.equal(a, "-"))
            cols[col] = a.to_pandas().astype("str")
    order = [c for c in _ORDER if c in cols] + [c for c in cols if c not in _ORDER]
    df = pd.DataFrame({c: cols[c].reset_index(drop=True) for c in order}, index=pd.RangeIndex(n))
    if time_ok is not None:
        valid &= time_ok
    return df, valid, time_ok


def read_log(path_or_buffer, format: str = "combined", *, chunksize: int | None = None, tz: str = "UTC",
             errors: str = "keep"):
    """An access log as a DataFrame.

    Columns (combined): ``client`` (``ip``; NA where the log has a host
    name, which is then in ``client_name``), ``ident``, ``user``, ``time``
    (tz-aware, in ``tz``), ``method``, ``url``, ``protocol``, ``status``
    (Int16), ``bytes`` (Int64, ``-`` is NA), ``referrer``, ``user_agent``;
    ``-`` is NA in the text columns.  ``format``: ``"common"``,
    ``"combined"``, ``"vhost_combined"``, an Apache ``LogFormat`` or an nginx
    ``log_format`` string.  ``.gz``/``.bz2``/``.xz`` files are decompressed.
    Zoneless times (``http.server``) are taken to be in ``tz``.

    ``errors="keep"`` (default): lines that do not fit are counted in
    ``df.attrs["bad_line_count"]`` and kept (line number, reason, text) in
    ``df.attrs["bad_lines"]``; ``errors="raise"``: :class:`LogParseError`.
    ``chunksize=N``: an iterator of DataFrames of N lines each.
    """
    if errors not in ("keep", "raise"):
        raise ValueError("errors must be 'keep' or 'raise'")
    compile_format(format)  # a bad format fails now, not at the first chunk
    if chunksize is not None:
        if int(chunksize) < 1:
            raise ValueError("chunksize must be a positive number of lines")
        return _chunks(path_or_buffer, format, int(chunksize), tz, errors)
    import pandas as pd

    f = _open(path_or_buffer)
    # blocks are parsed on up to two threads (NumPy and Arrow release the GIL),
    # at most three blocks in memory at once
    from concurrent.futures import ThreadPoolExecutor

    def one(block, line):
        bad: list = []
        counts = [0, 0]  # bad lines, lines
        return parse_block(block, format, first_line=line, tz=tz, errors=errors, bad=bad, counts=counts), bad, counts

    # with errors="keep" a block's line numbers are shifted once the lines before it
    # are counted (by its worker); errors="raise" names the line, so counts first
    results, line, pending = [], 1, []
    try:
        with ThreadPoolExecutor(max_workers=min(2, os.cpu_count() or 1)) as pool:
            for block in _blocks(f, _BLOCK):
                pending.append(pool.submit(one, block, line))
                if errors == "raise":
                    line += block.count(b"\n") + (0 if block.endswith(b"\n") else 1)
                if len(pending) >= 3:
                    results.append(pending.pop(0).result())
            results += [p.result() for p in pending]
    finally:
        if f is not path_or_buffer:
            f.close()
    if not results:
        results = [one(b"", 1)]
    frames = [r[0] for r in results]
    df = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
    if errors == "keep":
        before = 0
        for _, block_bad, counts in results:
            for b in block_bad:
                b["line"] += before
            before += counts[1]
    bad = [b for r in results for b in r[1]][:MAX_BAD_KEPT]
    df.attrs["bad_line_count"] = sum(r[2][0] for r in results)
    df.attrs["bad_lines"] = bad
    return df


def _chunks(src, fmt, chunksize, tz, errors):
    f = _open(src)
    try:
        pending, line = b"", 1
        for block in _blocks(f, max(1 << 20, min(chunksize * 256, _BLOCK))):
            pending += block
            while True:
                cut = _nth_newline(pending, chunksize)
                if cut < 0:
                    break
                yield _one_chunk(pending[:cut], fmt, line, tz, errors)
                line += chunksize
                pending = pending[cut:]
        if pending:
            yield _one_chunk(pending, fmt, line, tz, errors)
    finally:
        if f is not src:
            f.close()


def _one_chunk(block, fmt, line, tz, errors):
    bad, counts = [], [0]
    df = parse_block(block, fmt, first_line=line, tz=tz, errors=errors, bad=bad, counts=counts)
    df.attrs["bad_line_count"] = counts[0]
    df.attrs["bad_lines"] = bad
    return df


def _nth_newline(buf: bytes, n: int) -> int:
    """Index just past the n-th newline of buf, or -1."""
    arr = np.frombuffer(buf, dtype=np.uint8)
    nl = np.flatnonzero(arr == 10)
    return int(nl[n - 1]) + 1 if len(nl) >= n else -1
