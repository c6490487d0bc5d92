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
from ._logcsv import candidates, plain_lines, read_tokens
from ._logtime import times
from .logformat import FORMATS, compile_format

__all__ = ["FORMATS", "LogParseError", "compile_format", "parse_block", "read_log"]

MAX_BAD_KEPT = 100_000     # bad lines kept with their text (all are counted)
MAX_BAD_TEXT = 4096        # characters of a bad line's text kept
_BLOCK = 8 << 20           # bytes parsed at once (two run at once; 8 MiB measured ~2x faster than 16)


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
        if not block.isascii():  # (isascii is a fast scan; decode builds a str)
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
            out.update(_split_request_spans(block, buf, win, inner_sp, s, e))
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
            out.update(_split_request(a))
        elif len(dirs) == 1:
            out[dirs[0][0] + ("#2" if dirs[0][1] == "t2" else "")] = (a, dirs[0][1])
        else:
            out.update(_multi(a, t))
    return out


def _split_request(a):
    """method, url, protocol of a string array of request lines: Arrow splits
    them at the spaces; lines of one part ("-", junk), two parts (no
    protocol) or "METHOD URL HTTP/x" are taken from the parts, the rest (a
    URL with spaces, doubled spaces) by :func:`_split_request_spans`."""
    import pyarrow as pa
    import pyarrow.compute as pc

    n = len(a)
    parts = pc.split_pattern(a, " ")
    off = np.frombuffer(parts.buffers()[1], dtype=np.int32, count=parts.offset + n + 1)[parts.offset:].astype(np.int64)
    cnt = np.diff(off)
    values = parts.values
    third = np.minimum(off[:-1] + 2, max(len(values) - 1, 0))
    proto = values.take(np.where(cnt == 3, third, 0)) if len(values) else values
    simple = (cnt <= 2) | ((cnt == 3) & np.asarray(pc.starts_with(proto, "HTTP/").to_numpy(zero_copy_only=False),
                                                   dtype=bool))
    if not simple.all():
        odd = np.flatnonzero(~simple)
        keep = np.flatnonzero(simple)
        fast = _split_request(a.take(keep)) if len(keep) else None
        sub = a.take(odd)
        off2 = np.frombuffer(sub.buffers()[1], dtype=np.int32, count=len(odd) + 1).astype(np.int64)
        data = sub.buffers()[2]
        buf = np.frombuffer(data, dtype=np.uint8) if data is not None and data.size else np.zeros(0, np.uint8)
        slow = _split_request_spans(data if len(buf) else b"", buf, _window(buf), np.flatnonzero(buf == 32),
                                    off2[:-1], off2[1:])
        if fast is None:
            return slow
        order = pa.array(np.argsort(np.concatenate([keep, odd]), kind="stable"))
        return {c: (pc.take(pa.concat_arrays([fast[c][0], slow[c][0]]), order), "str!") for c in slow}
    first = off[:-1]
    method = _null_where(values.take(first), np.asarray(pc.equal(a, "-").to_numpy(zero_copy_only=False), dtype=bool))
    url = _null_where(values.take(np.minimum(first + 1, max(len(values) - 1, 0))), cnt < 2)
    protocol = _null_where(proto, cnt < 3)
    return {"method": (method, "str!"), "url": (url, "str!"), "protocol": (protocol, "str!")}


def _split_request_spans(block, buf, win, sp, s, e):
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


def _plain(a):
    """A dictionary-encoded column (the CSV path's dates) decoded."""
    import pyarrow as pa

    return a.dictionary_decode() if pa.types.is_dictionary(a.type) else a


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
    fast = read_tokens(block, buf, offsets, plain_lines(block, buf, offsets), tokens) if n else None
    if fast is None and n:  # a stray quote joined lines: give the reader only lines with their quotes at edges
        fast = read_tokens(block, buf, offsets, candidates(block, buf, offsets, sum(t.quoted for t in tokens)), tokens)
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
            parts = {c: (pc.take(pa.concat_arrays([_plain(a), mp[c][0]]), order), k) for c, (a, k) in parts.items()}
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


def _int(a, dtype, valid):
    """``a`` as numbers ("-" is null); rows that are not numbers are null and
    cleared in ``valid``."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if pa.types.is_integer(dtype) and not a.null_count:  # the common case, one cast: every value a number or "-"
        fast = _int_fast(a, dtype)
        if fast is not None:
            return fast
    dash = pc.equal(a, "-")
    if pa.types.is_floating(dtype):
        num = pc.match_substring_regex(a, r"^-?[0-9]{1,300}(\.[0-9]{1,300})?$")
    else:  # 18 digits always fit an int64; a longer number is not a byte count a server wrote
        num = pc.and_(pc.ascii_is_decimal(a), pc.less_equal(pc.binary_length(a), 3 if dtype == pa.int16() else 18))
        if dtype == pa.int16():
            num = pc.and_(num, pc.equal(pc.utf8_length(a), 3))
    isnum = np.asarray(num.to_numpy(zero_copy_only=False), dtype=bool)
    valid &= isnum | np.asarray(dash.to_numpy(zero_copy_only=False), dtype=bool)
    a = pc.if_else(pa.array(isnum), a, pa.scalar(None, pa.string()))
    return pc.cast(a, dtype)


def _strings(a):
    """A pandas array of ``str`` from a pyarrow string array (pandas 3: the
    Arrow-backed ``str`` dtype, no copy)."""
    s = a.to_pandas()
    return s.array if s.dtype != object else s.astype("str").array


def _int_fast(a, dtype):
    """``a`` cast to ``dtype`` when every value is plain digits (a status:
    three) or "-", else None (the caller then finds the rows that are not)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    dash = pc.equal(a, "-")
    vals = pc.if_else(dash, pa.scalar(None, pa.string()), a) if dash.true_count else a
    ok = pc.ascii_is_decimal(vals)
    if dtype == pa.int16():
        ok = pc.and_(ok, pc.equal(pc.binary_length(vals), 3))
    if not pc.all(ok).as_py():  # nulls ("-") skipped
        return None
    try:
        return pc.cast(vals, dtype)
    except pa.ArrowInvalid:  # more digits than the type holds
        return None


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
                ips = uniq.take(np.asarray(d.indices.to_numpy(zero_copy_only=False), dtype=np.intp))
            else:
                ips = parse_ip(a.to_pandas(), errors="coerce").array
            cols[col] = ips
            name = np.asarray(ips.isna(), dtype=bool)
            if name.any():  # host names (not "-") are kept as text
                name &= np.asarray(pc.not_equal(a, "-").to_numpy(zero_copy_only=False), dtype=bool)
            cols[f"{col}_name"] = _strings(_null_where(a, ~name) if name.any() else pa.nulls(len(a), pa.string()))
        elif kind == "status":
            cols[col] = _int(a, pa.int16(), valid).to_pandas(types_mapper={pa.int16(): pd.Int16Dtype()}.get).array
        elif kind == "int":
            cols[col] = _int(a, pa.int64(), valid).to_pandas(types_mapper={pa.int64(): pd.Int64Dtype()}.get).array
        elif kind == "float":
            cols[col] = _int(a, pa.float64(), valid).to_pandas().array
        elif kind in ("t1", "time_iso"):
            t2 = parts.get(col + "#2", (None,))[0]
            secs, time_ok, has_z = times(a, t2, kind)
            ns = np.where(time_ok, secs, 0).astype(np.int64) * 1_000_000_000
            t = pd.DatetimeIndex(ns.view("datetime64[ns]"))
            if has_z.all() or tz == "UTC":
                t = t.tz_localize("UTC").tz_convert(tz)
            else:  # http.server's zoneless local time: taken to be in tz
                t = t.tz_localize(tz, ambiguous="NaT", nonexistent="NaT")
            cols[col] = t.array
        else:
            if kind != "str!" and col in _DASH_NA:
                a = _null_where(a, pc.equal(a, "-"))
            cols[col] = _strings(a)
    order = [c for c in _ORDER if c in cols] + [c for c in cols if c not in _ORDER]
    df = pd.DataFrame({c: cols[c] for c in order}, index=pd.RangeIndex(n), copy=False)
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
            for block in _blocks(f, _block_size(path_or_buffer)):
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


def _block_size(src) -> int:
    """``_BLOCK``, or a little less so that a file of known size splits into
    an even number of blocks (the two threads finish together)."""
    size = None
    if isinstance(src, (bytes, bytearray, memoryview)):
        size = len(src)
    elif isinstance(src, (str, os.PathLike)) and not os.fspath(src).lower().endswith((".gz", ".bz2", ".xz", ".lzma")):
        try:
            size = os.path.getsize(src)
        except OSError:
            size = None
    if not size or size <= _BLOCK:
        return _BLOCK
    pairs = -(-size // (2 * _BLOCK))
    return -(-size // (2 * pairs)) + 4096  # blocks end at a newline: a little room so the last is not a sliver


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
