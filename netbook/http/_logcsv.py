"""The fast path of :func:`netbook.http.logs.parse_block`: well-formed lines
are tokenized by Arrow's CSV reader (space-delimited, ``"``-quoted) at
columnar speed; the lines it cannot vouch for go to the RE2 fallback.

Only lines with no backslash and no stray carriage return are given to the
reader (a backslash is an escape the servers write, which the fallback undoes
exactly as they mean it).  Rows the reader rejects (a field more or less) are
reported by its ``invalid_row_handler`` with their row number; rows whose
quotes, literal text (``[`` before the date, ``]`` after the zone) or length
do not fit the format are rejected after the read (:func:`_layout_ok`).  If
the reader's rows and rejects do not add up to the lines given (an
unbalanced quote made a row span lines), the caller retries with the lines
whose quotes are all at field edges (:func:`candidates`), then with its
NumPy path.
"""
from __future__ import annotations

import numpy as np


def candidates(block: bytes, buf: np.ndarray, offsets: np.ndarray, quoted: int) -> np.ndarray:
    """Which lines the CSV reader may see: some text, no backslash, no ``\\r``
    except before the newline, a newline at the end, and ``2 * quoted`` quotes,
    each at the start or end of a field (the reader would take ``us"er`` or
    ``"GET / HTTP/1.0"x`` as text; the format has no such field)."""
    n = len(offsets) - 1
    starts, ends = offsets[:-1], offsets[1:].astype(np.int64)
    cand = np.ones(n, dtype=bool)
    if n and not block.endswith(b"\n"):
        cand[-1] = False  # a truncated last line: the reader would accept an open quote
    text_end = ends - (buf[np.maximum(ends - 1, 0)] == 10) if len(buf) else ends
    text_end = text_end - ((text_end > starts) & (buf[np.maximum(text_end - 1, 0)] == 13)) if len(buf) else text_end
    cand &= text_end > starts
    q = np.flatnonzero(buf == 34) if quoted or b'"' in block else np.zeros(0, np.int64)
    if len(q):
        last = len(buf) - 1
        before, after = buf[np.maximum(q - 1, 0)], buf[np.minimum(q + 1, last)]
        edge = (before == 32) | (before == 10) | (q == 0) | (after == 32) | (after == 10) | (after == 13) | (q == last)
        if len(q) != 2 * quoted * n or not edge.all():  # lines counted only when the total is off
            qline = np.searchsorted(offsets, q, side="right") - 1
            cand &= np.bincount(qline, minlength=n)[:n] == 2 * quoted
            cand[qline[~edge]] = False
    elif quoted:
        cand[:] = False
    odd = np.flatnonzero((buf == 92) | (buf == 13)) if b"\\" in block or b"\r" in block else np.zeros(0, np.int64)
    if len(odd):
        odd = odd[(buf[odd] == 92) | (buf[np.minimum(odd + 1, len(buf) - 1)] != 10)]
        cand[np.searchsorted(offsets, odd, side="right") - 1] = False
    return cand


def plain_lines(block: bytes, buf: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    """The cheap first choice of lines for the reader: every line but those
    with a backslash or a stray ``\\r`` (found only when the block has one)
    and a last line without its newline.  Quotes are checked after the read
    (:func:`_layout_ok`); if they made the reader's rows span lines, the
    caller retries with :func:`candidates`."""
    n = len(offsets) - 1
    cand = np.ones(n, dtype=bool)
    if n and not block.endswith(b"\n"):
        cand[-1] = False
    if b"\\" in block or b"\r" in block:
        odd = np.flatnonzero((buf == 92) | (buf == 13))
        odd = odd[(buf[odd] == 92) | (buf[np.minimum(odd + 1, len(buf) - 1)] != 10)]
        cand[np.searchsorted(offsets, odd, side="right") - 1] = False
    return cand


def _layout_ok(buf: np.ndarray, offsets: np.ndarray, lines: np.ndarray, cols: list, tokens) -> np.ndarray:
    """Which rows the reader cut as the format says: each quoted token has its
    quotes at its edges, no value holds a quote (so the line has exactly the
    format's quotes) and the fields, separators and quotes add up to the line.
    The reader drops the quotes of a field it takes as quoted and keeps text
    after a closing quote, so anything else shows in the sums.  ``lines`` all
    end with a newline (the callers leave out a last line without one)."""
    n = len(lines)
    good = np.ones(n, dtype=bool)
    if not n:
        return good
    start = offsets[lines].astype(np.int64)
    nl = offsets[lines + 1].astype(np.int64) - 1  # the newline
    pos = start.copy()
    probes = [np.maximum(nl - 1, 0)]  # the byte before the newline: "\r" or not
    for j, (t, a) in enumerate(zip(tokens, cols)):
        off = np.frombuffer(a.buffers()[1], dtype=np.int32, count=a.offset + n + 1)[a.offset:]
        ln = np.diff(off).astype(np.int64)
        data = a.buffers()[2]
        if data is not None and off[-1] > off[0]:
            if (np.frombuffer(data, dtype=np.uint8, count=int(off[-1]))[int(off[0]):] == 34).any():
                good &= ~np.asarray(_has_quote(a), dtype=bool)
        if t.quoted:
            probes += [pos, pos + 1 + ln]
            pos = pos + ln + 2
        else:
            pos = pos + ln
        if j < len(tokens) - 1:
            pos += 1
    cr = buf[probes[0]] == 13
    good &= pos == nl - (cr & (nl > start))
    quotes = probes[1:]
    if quotes:  # one gather, row by row, 8 probes a row read back as one word
        quotes += quotes[:1] * (-len(quotes) % 8)
        got = buf[np.minimum(np.stack(quotes, axis=1), len(buf) - 1)]
        good &= (got.view("<u8") == np.uint64(0x2222222222222222)).all(axis=1)
    return good


def _has_quote(a):
    import pyarrow.compute as pc

    return pc.match_substring(a, '"').to_numpy(zero_copy_only=False)


def read_tokens(block: bytes, buf: np.ndarray, offsets: np.ndarray, cand: np.ndarray, tokens):
    """(rows, {token index: string array}) of the candidate lines the reader
    cut into len(tokens) fields with the quotes and literals in place, or
    None when its row count does not add up.  Date and zone tokens (the ones
    with literal text around them) come dictionary-encoded: a log repeats
    each second on many lines, so their checks run once per distinct value."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.csv as pcsv

    idx = np.flatnonzero(cand)
    if not len(idx):
        return None
    if len(idx) == len(cand):
        data = block
    else:  # only the candidate lines, in order
        lens = np.diff(offsets)
        data = buf[np.repeat(cand, lens)].tobytes()
    K = len(tokens)
    names = [f"k{j}" for j in range(K)]
    rejected: list = []

    def handler(row):
        rejected.append((row.number, row.text))
        return "skip"

    try:
        table = _read(pa, pcsv, data, names, handler)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):  # whatever the reader refuses: the NumPy path
        return None
    if table.num_rows + len(rejected) != len(idx):
        return None
    keep = np.ones(len(idx), dtype=bool)
    for number, text in rejected:  # 1-based rows of the data; checked against the line's text
        i = (number or 0) - 1
        if not 0 <= i < len(idx) or _text(block, offsets, idx[i]) != text:
            return None
        keep[i] = False
    rows = idx[keep]
    cols = {j: table.column(j).combine_chunks() for j in range(K)}
    good = _layout_ok(buf, offsets, rows, [cols[j] for j in range(K)], tokens)
    for j, t in enumerate(tokens):
        if t.quoted or not (t.prefix or t.suffix):
            continue
        a = cols[j]
        timey = t.dirs[0][1] in ("t1", "t2", "time_iso")
        d = pc.dictionary_encode(a) if timey else None
        v = d.dictionary if d is not None else a
        ok = pc.greater_equal(pc.binary_length(v), len((t.prefix + t.suffix).encode()))
        if t.prefix:
            ok = pc.and_(ok, pc.starts_with(v, t.prefix))
        if t.suffix:
            ok = pc.and_(ok, pc.ends_with(v, t.suffix))
        ok_np = np.asarray(ok.to_numpy(zero_copy_only=False), dtype=bool)
        v = pc.utf8_slice_codeunits(v, len(t.prefix), -len(t.suffix) if t.suffix else np.iinfo(np.int32).max)
        if d is not None:
            good &= ok_np[np.asarray(d.indices.to_numpy(zero_copy_only=False), dtype=np.intp)]
            cols[j] = pa.DictionaryArray.from_arrays(d.indices, v)
        else:
            good &= ok_np
            cols[j] = v
    if not good.all():
        mask = pa.array(good)
        cols = {j: a.filter(mask) for j, a in cols.items()}
        rows = rows[good]
    return rows, cols


def _text(block: bytes, offsets: np.ndarray, i) -> str:
    return block[int(offsets[i]):int(offsets[i + 1])].rstrip(b"\n").rstrip(b"\r").decode("utf-8", "replace")


def _read(pa, pcsv, data: bytes, names: list, handler):
    """All fields as strings, one block, one thread (blocks run on two threads already)."""
    return pcsv.read_csv(
        pa.py_buffer(data),
        read_options=pcsv.ReadOptions(column_names=names, use_threads=False, block_size=len(data) + 1),
        parse_options=pcsv.ParseOptions(delimiter=" ", quote_char='"', escape_char=False, double_quote=False,
                                        newlines_in_values=False, ignore_empty_lines=False,
                                        invalid_row_handler=handler),
        convert_options=pcsv.ConvertOptions(column_types={c: pa.string() for c in names}, check_utf8=False,
                                            strings_can_be_null=False, quoted_strings_can_be_null=False))
