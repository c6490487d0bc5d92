"""Access logs larger than memory, on Dask.

>>> ddf = nb.http.dask.read_log("logs/access-*.log")      # one partition per block of each file
>>> ddf.groupby("status").size().compute()
>>> nb.http.dask.bad_lines("logs/access-*.log").compute()  # what did not fit, per block
>>> ddf.url.url.path                                      # the .url accessor on Dask Series

An uncompressed file is cut into blocks of ``blocksize`` bytes at line
boundaries (a line belongs to the block it starts in); a compressed file
(.gz/.bz2/.xz) cannot be split and is one partition.  Importing this module
registers the ``.url`` accessor on Dask Series (and, through
:mod:`netbook.ip.dask`, the ``ip`` types).
"""
from __future__ import annotations

import glob as _glob
import os

import dask.dataframe as dd
import pandas as pd
from dask.dataframe.extensions import register_series_accessor
from dask.utils import parse_bytes

from ..ip import dask as _ipdask  # ip dtypes known to Dask (meta); PartitionAccessor
from . import logs as L

__all__ = ["read_log", "bad_lines", "DaskUrlAccessor"]

_COMPRESSED = (".gz", ".bz2", ".xz", ".lzma")


def _files(urlpath) -> list[str]:
    paths = [urlpath] if isinstance(urlpath, (str, os.PathLike)) else list(urlpath)
    out: list[str] = []
    for p in paths:
        p = os.fspath(p)
        found = sorted(_glob.glob(p)) if any(ch in p for ch in "*?[") else [p]
        out += found
    if not out:
        raise FileNotFoundError(f"no log files match {urlpath!r}")
    for p in out:
        if not os.path.isfile(p):
            raise FileNotFoundError(f"no log file {p!r}")
    return out


def _pieces(urlpath, blocksize) -> list[tuple[str, int, int]]:
    size = parse_bytes(blocksize) if isinstance(blocksize, str) else int(blocksize)
    if size < 1:
        raise ValueError("blocksize must be positive")
    out = []
    for p in _files(urlpath):
        n = os.path.getsize(p)
        if p.lower().endswith(_COMPRESSED) or n == 0:
            out.append((p, 0, -1))
        else:
            out += [(p, start, min(start + size, n)) for start in range(0, n, size)]
    return out


def _read_piece(path: str, start: int, end: int) -> bytes:
    """The whole lines that start in [start, end) (all of a compressed file: end -1)."""
    if end < 0:
        with L._open(path) as f:
            return f.read()
    with open(path, "rb") as f:
        if start > 0:
            f.seek(start - 1)
            f.readline()  # the line under way at `start` belongs to the previous block
        pos = f.tell()
        if pos >= end:
            return b""
        data = f.read(end - pos)
        if data and not data.endswith(b"\n"):
            data += f.readline()
        return data


def _parse_piece(piece, fmt, tz):
    path, start, end = piece
    return L.parse_block(_read_piece(path, start, end), fmt, tz=tz)


def _bad_piece(piece, fmt, tz):
    path, start, end = piece
    bad: list = []
    L.parse_block(_read_piece(path, start, end), fmt, tz=tz, bad=bad, counts=[0])
    df = pd.DataFrame(bad, columns=["line", "reason", "text"])
    df.insert(0, "block_offset", max(start, 0))
    df.insert(0, "path", path)
    return df.astype({"path": "str", "block_offset": "int64", "line": "int64", "reason": "str", "text": "str"})


def read_log(urlpath, format: str = "combined", *, blocksize="64MiB", tz: str = "UTC") -> dd.DataFrame:
    """Log files (a path, a glob or a list) as a Dask DataFrame with the
    columns of :func:`netbook.http.read_log`; one partition per block of
    ``blocksize`` bytes of each uncompressed file, per compressed file.
    Lines that do not fit are left out here: :func:`bad_lines` lists them."""
    L.compile_format(format)
    pieces = _pieces(urlpath, blocksize)
    meta = L.parse_block(b"", format, tz=tz)
    return dd.from_map(_parse_piece, pieces, fmt=format, tz=tz, meta=meta, enforce_metadata=False,
                       label="read-log")


def bad_lines(urlpath, format: str = "combined", *, blocksize="64MiB", tz: str = "UTC") -> dd.DataFrame:
    """The lines :func:`read_log` leaves out: ``path``, ``block_offset`` (byte
    offset of the block), ``line`` (line number within the block), ``reason``, ``text``."""
    L.compile_format(format)
    pieces = _pieces(urlpath, blocksize)
    meta = pd.DataFrame({"path": pd.Series(dtype="str"), "block_offset": pd.Series(dtype="int64"),
                         "line": pd.Series(dtype="int64"), "reason": pd.Series(dtype="str"), "text": pd.Series(dtype="str")})
    return dd.from_map(_bad_piece, pieces, fmt=format, tz=tz, meta=meta, enforce_metadata=False, label="log-bad-lines")


@register_series_accessor("url")
class DaskUrlAccessor(_ipdask.PartitionAccessor):
    """``dask_series.url.<name>``: the pandas ``.url`` accessor per partition."""

    accessor, module = "url", "netbook.http.urls"

    def _pandas_class(self) -> type:
        from .urls import UrlAccessor

        return UrlAccessor
