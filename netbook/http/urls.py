"""``nb.url``: URL columns, vectorized, with exactly urllib.parse's semantics.

Every function takes a pandas Series (or any list of URLs) and parses each
*distinct* value once with urllib.parse itself (logs repeat URLs), then
spreads the results back over the rows with NumPy.  So the answers are
urllib.parse's answers, bit for bit, only faster on real columns.

    nb.url.split(s)              # scheme, username, password (masked), host, port, path, query, fragment
    nb.url.parse(s)              # the same with ;params (urlparse)
    nb.url.query(s)              # query strings exploded to long format (parse_qsl)
    s.url.host, s.url.query_param("utm_source"), s.url.join("http://base/")

The ``.url`` Series accessor is registered by ``import netbook`` (see
``netbook/_accessors.py``); this module is imported on its first use.
A value urllib.parse rejects (a bad IPv6 literal, a port out of range)
gives NA parts and its message in the ``error`` column.
"""
from __future__ import annotations

import urllib.parse as up
from collections.abc import Sequence
from typing import Any, TypeAlias

import numpy as np
import pandas as pd

from ..transcript import MASK

__all__ = ["split", "parse", "query", "query_param", "quote", "unquote", "quote_plus", "unquote_plus",
           "urlencode", "urljoin", "UrlAccessor", "SPLIT_COLUMNS", "PARSE_COLUMNS"]

# what the column functions take: a Series (the index is kept), an Index,
# an array, a list/tuple of URLs, or one URL
URLs: TypeAlias = "pd.Series | pd.Index | np.ndarray | Sequence[str | None] | str"

SPLIT_COLUMNS = ["scheme", "username", "password", "host", "port", "path", "query", "fragment", "error"]
PARSE_COLUMNS = ["scheme", "username", "password", "host", "port", "path", "params", "query", "fragment", "error"]


def _series(values) -> pd.Series:
    if isinstance(values, pd.Series):
        return values
    if isinstance(values, (pd.Index, np.ndarray, list, tuple)):
        return pd.Series(values, dtype=object)
    if isinstance(values, str):
        return pd.Series([values], dtype=object)
    return pd.Series(list(values), dtype=object)


def _distinct(s: pd.Series):
    """(codes, uniques): codes index uniques, -1 for missing values.

    pandas' object hash table directly: pd.factorize first infers the
    dtype, which costs 5x more on a column of strings."""
    values = s.to_numpy(dtype=object)  # NaN/None/NA: the table treats them as missing
    try:
        from pandas._libs.hashtable import PyObjectHashTable

        uniques, codes = PyObjectHashTable(max(16, len(values) // 8)).factorize(values)
    except (ImportError, AttributeError, TypeError):  # pragma: no cover - a future pandas
        codes, uniques = pd.factorize(values, use_na_sentinel=True)
    return np.asarray(codes), list(uniques)


def _spread(codes: np.ndarray, values: list, na=None) -> np.ndarray:
    arr = np.empty(len(values) + 1, dtype=object)
    arr[: len(values)] = values
    arr[len(values)] = na
    return arr[codes]  # code -1 picks the trailing NA


def _parts(u, fn, with_params: bool, reveal: bool):
    if not isinstance(u, str):
        return None, f"not a string: {type(u).__name__}"
    try:
        p = fn(u)
    except ValueError as e:
        return None, str(e)
    err = None
    host = p.hostname
    try:
        port = p.port
    except ValueError as e:  # the rest of the URL still splits
        port, err = None, str(e)
    pw = p.password
    row = [p.scheme, p.username, pw if (reveal or pw is None) else MASK, host, port, p.path]
    if with_params:
        row.append(p.params)
    row += [p.query, p.fragment]
    return row, err


def _frame(values, fn, columns, reveal: bool) -> pd.DataFrame:
    s = _series(values)
    codes, uniques = _distinct(s)
    with_params = "params" in columns
    ncols = len(columns) - 1
    per_col = [[None] * len(uniques) for _ in range(ncols)]
    errors = [None] * len(uniques)
    for j, u in enumerate(uniques):
        row, err = _parts(u, fn, with_params, reveal)
        errors[j] = err
        if row is None:
            continue
        for c in range(ncols):
            per_col[c][j] = row[c]
    data = {}
    for name, col in zip(columns[:-1], per_col):
        if name == "port":
            data[name] = pd.Series(pd.array(col, dtype="Int64").take(codes, allow_fill=True), index=s.index)
        else:  # object columns: None stays None, exactly what urllib.parse returned
            data[name] = pd.Series(_spread(codes, col), index=s.index, dtype=object, copy=False)
    data["error"] = pd.Series(_spread(codes, errors), index=s.index, dtype=object, copy=False)
    return pd.DataFrame(data, index=s.index, copy=False)


def split(values: URLs, reveal: bool = False) -> pd.DataFrame:
    """urllib.parse.urlsplit per value: scheme, username, password (masked
    unless ``reveal``), host (``.hostname``: lower-cased, no brackets), port,
    path, query, fragment, error."""
    return _frame(values, up.urlsplit, SPLIT_COLUMNS, reveal)


def parse(values: URLs, reveal: bool = False) -> pd.DataFrame:
    """urllib.parse.urlparse per value (as ``split`` plus ``params``)."""
    return _frame(values, up.urlparse, PARSE_COLUMNS, reveal)


def _map_distinct(values, fn, na=None) -> pd.Series:
    s = _series(values)
    codes, uniques = _distinct(s)
    out = []
    for u in uniques:
        try:
            out.append(fn(u))
        except (ValueError, TypeError, AttributeError):
            out.append(na)
    return pd.Series(_spread(codes, out, na), index=s.index, dtype=object, name=getattr(s, "name", None), copy=False)


def part(values: URLs, name: str) -> pd.Series:
    """One part of every URL (``"host"``, ``"port"``, ``"netloc"``, ``"path"``, ...)."""
    if name == "host":
        name = "hostname"
    if name not in ("scheme", "netloc", "path", "query", "fragment", "username", "password", "hostname", "port"):
        raise ValueError(f"no URL part {name!r}")
    if name == "password":
        out = _map_distinct(values, lambda u: None if up.urlsplit(u).password is None else MASK)
    else:
        out = _map_distinct(values, lambda u: getattr(up.urlsplit(u), name))
    if name == "port":
        return pd.Series(pd.array(list(out), dtype="Int64"), index=out.index, name=out.name)
    return out


def query(values: URLs, keep_blank_values: bool = True) -> pd.DataFrame:
    """Query strings in long format: one row per (URL row, key, value) (parse_qsl).

    ``row`` is the index label of the URL in the input."""
    s = _series(values)
    codes, uniques = _distinct(s)
    pairs = []
    for u in uniques:
        try:
            pairs.append(up.parse_qsl(up.urlsplit(u).query, keep_blank_values=keep_blank_values))
        except (ValueError, TypeError, AttributeError):
            pairs.append([])
    counts = np.array([len(p) for p in pairs] + [0])[codes]
    rows = np.repeat(np.asarray(s.index), counts)
    keys, vals = [], []
    for c in codes:
        if c >= 0:
            for k, v in pairs[c]:
                keys.append(k)
                vals.append(v)
    return pd.DataFrame({"row": rows, "key": np.array(keys, dtype=object), "value": np.array(vals, dtype=object)})


def query_param(values: URLs, name: str, default: Any = None) -> pd.Series:
    """The first value of query parameter ``name`` per URL (``default`` if absent)."""

    def get(u):
        for k, v in up.parse_qsl(up.urlsplit(u).query, keep_blank_values=True):
            if k == name:
                return v
        return default

    return _map_distinct(values, get, default)


def quote(values: URLs, safe: str = "/", **kw: Any) -> pd.Series:
    return _map_distinct(values, lambda u: up.quote(u, safe=safe, **kw))


def quote_plus(values: URLs, safe: str = "", **kw: Any) -> pd.Series:
    return _map_distinct(values, lambda u: up.quote_plus(u, safe=safe, **kw))


def unquote(values: URLs, **kw: Any) -> pd.Series:
    return _map_distinct(values, lambda u: up.unquote(u, **kw))


def unquote_plus(values: URLs, **kw: Any) -> pd.Series:
    return _map_distinct(values, lambda u: up.unquote_plus(u, **kw))


def urlencode(values: pd.Series | Sequence[Any], doseq: bool = True) -> pd.Series:
    """A Series of dicts (or pair lists) to query strings."""
    s = _series(values)
    return pd.Series([None if v is None else up.urlencode(v, doseq=doseq) for v in s], index=s.index, dtype=object)


def urljoin(base: str | URLs, values: URLs) -> pd.Series:
    """``urljoin(base, url)`` per row; ``base`` a string or a Series aligned with ``values``."""
    s = _series(values)
    if isinstance(base, str):
        return _map_distinct(s, lambda u: up.urljoin(base, u))
    b = _series(base)
    return pd.Series([None if (x is None or y is None) else up.urljoin(x, y) for x, y in zip(b, s)],
                     index=s.index, dtype=object)


def domain(values: URLs) -> pd.Series:
    """The host without a leading ``www.``."""
    return _map_distinct(values, lambda u: (up.urlsplit(u).hostname or "").removeprefix("www.") or None)


class UrlAccessor:
    """``s.url``: URL parts of a Series of strings (urllib.parse semantics).

    ``s.url.host``, ``.scheme``, ``.port``, ``.path``, ``.query``, ``.fragment``,
    ``.netloc``, ``.username``, ``.password`` (masked); ``s.url.split()``,
    ``s.url.parse()``, ``s.url.query_params()`` (long format),
    ``s.url.query_param("utm_source")``, ``s.url.join(base)``, ``s.url.quote()``.
    """

    def __init__(self, s: pd.Series):
        if s.dtype != object and not pd.api.types.is_string_dtype(s.dtype):
            raise AttributeError("the .url accessor needs a Series of strings")
        self._s = s

    def _part(self, name):
        out = part(self._s, name)
        out.name = self._s.name
        return out

    scheme = property(lambda self: self._part("scheme"))
    netloc = property(lambda self: self._part("netloc"))
    host = property(lambda self: self._part("host"))
    hostname = host
    port = property(lambda self: self._part("port"))
    path = property(lambda self: self._part("path"))
    query = property(lambda self: self._part("query"))
    fragment = property(lambda self: self._part("fragment"))
    username = property(lambda self: self._part("username"))
    password = property(lambda self: self._part("password"))
    domain = property(lambda self: domain(self._s))

    def split(self, reveal: bool = False) -> pd.DataFrame:
        return split(self._s, reveal)

    def parse(self, reveal: bool = False) -> pd.DataFrame:
        return parse(self._s, reveal)

    def query_params(self) -> pd.DataFrame:
        return query(self._s)

    def query_param(self, name: str, default=None) -> pd.Series:
        return query_param(self._s, name, default)

    def join(self, base: str) -> pd.Series:
        return urljoin(base, self._s)

    def quote(self, safe: str = "/") -> pd.Series:
        return quote(self._s, safe)

    def unquote(self) -> pd.Series:
        return unquote(self._s)
