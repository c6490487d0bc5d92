"""The Source protocol: what a Table shows.

A Source knows its columns and its length and returns one page of rows for a
given sort and filter.  Only that page ever crosses to the browser, so a
10-million-row DataFrame or the 2**32 rows of a lazy source page as fast as
ten rows.

Three sources cover netbook's needs:

* :class:`DataFrameSource` — a pandas DataFrame; sorts and filters run on the
  Python side and are cached (a sort of a column is computed once).
* :class:`LazySource` — rows computed on demand from their index; its length
  may exceed any array (an IPv6 /32), nothing is materialised.
* :class:`StreamSource` — rows appended while the table is shown (server logs,
  arriving mail); open views update.
"""
from __future__ import annotations

import datetime as _dt
import math
import re
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Sequence

__all__ = [
    "Column",
    "Filter",
    "Page",
    "Source",
    "DataFrameSource",
    "LazySource",
    "StreamSource",
    "as_source",
]

KINDS = ("int", "float", "str", "bool", "datetime", "timedelta", "bytes", "object")


@dataclass(frozen=True)
class Column:
    """A column: its name, its kind (one of ``KINDS``) and a display format.

    ``format`` refines how the browser shows values: ``"size"`` shows a byte
    count as KiB/MiB, ``"ms"`` a duration in milliseconds, ``"id"`` an
    integer identifier (a UID, a port) without thousands separators,
    ``"secret"`` a masked value; ``None`` uses the kind's default.
    """

    name: str
    kind: str = "object"
    format: str | None = None

    def to_json(self) -> dict:
        return {"name": self.name, "kind": self.kind, "format": self.format}


@dataclass(frozen=True)
class Filter:
    """A text match across all columns plus per-column expressions.

    Per-column expressions: plain text matches case-insensitively as a
    substring; on numeric/datetime columns ``>5``, ``<=5``, ``=5``, ``!=5``
    and ranges ``5..10`` compare values.
    """

    text: str = ""
    columns: tuple[tuple[str, str], ...] = ()

    @classmethod
    def make(cls, spec: "Filter | dict | str | None") -> "Filter":
        if spec is None:
            return cls()
        if isinstance(spec, Filter):
            return spec
        if isinstance(spec, str):
            return cls(text=spec)
        cols = spec.get("columns") or {}
        items = tuple(sorted((str(k), str(v)) for k, v in cols.items() if str(v).strip()))
        return cls(text=str(spec.get("text") or "").strip(), columns=items)

    def __bool__(self) -> bool:
        return bool(self.text or self.columns)


Sort = tuple[tuple[str, bool], ...]  # ((column, ascending), ...)


def make_sort(spec: Iterable | None) -> Sort:
    """Normalise ``[("col", True)]``, ``[{"column": c, "ascending": a}]`` or ``["col"]``."""
    out = []
    for item in spec or ():
        if isinstance(item, str):
            out.append((item, True))
        elif isinstance(item, dict):
            out.append((str(item["column"]), bool(item.get("ascending", True))))
        else:
            name, asc = item
            out.append((str(name), bool(asc)))
    return tuple(out)


@dataclass
class Page:
    """One page: ``total`` rows match, ``keys`` identify the rows in the
    source (stable under sort and filter, used for selection), ``rows`` are
    tuples of Python values in column order."""

    start: int
    total: int
    keys: list
    rows: list[tuple]


class Source:
    """Base class of every source.  Subclasses set ``columns`` and implement
    ``length`` and ``rows``; ``sortable``/``filterable`` tell the browser
    which controls to offer."""

    columns: list[Column] = []
    sortable: bool = False
    filterable: bool = False
    title: str = ""

    # -- protocol -----------------------------------------------------------
    @property
    def length(self) -> int:  # pragma: no cover - abstract
        raise NotImplementedError

    def rows(self, start: int, stop: int, sort: Sort = (), filter: Filter | None = None) -> Page:
        raise NotImplementedError  # pragma: no cover - abstract

    def rows_by_key(self, keys: Sequence) -> list[tuple]:
        """Rows for selection keys (by default keys are row positions)."""
        return [self.rows(int(k), int(k) + 1).rows[0] for k in keys]

    def to_frame(self, limit: int | None = None):
        """The rows as a DataFrame (the first ``limit`` for huge sources)."""
        import pandas as pd

        n = self.length if limit is None else min(limit, self.length)
        if n > 50_000_000:
            raise ValueError(
                f"{self.length:,} rows is too many to materialise; pass limit="
            )
        page = self.rows(0, n)
        return pd.DataFrame(page.rows, columns=[c.name for c in self.columns])

    # -- change notification (streaming sources) ---------------------------
    def subscribe(self, callback: Callable[[], None]) -> None:
        """Call ``callback()`` whenever rows change.  Static sources never do."""

    def unsubscribe(self, callback: Callable[[], None]) -> None:
        pass

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(f"no column {name!r}; columns are {[c.name for c in self.columns]}")

    def __len__(self) -> int:
        return self.length

    def __repr__(self) -> str:
        return f"<{type(self).__name__}: {self.length:,} rows x {len(self.columns)} columns>"


# ---------------------------------------------------------------------------
# kinds and values
# ---------------------------------------------------------------------------

def kind_of_dtype(dtype) -> str:
    import pandas as pd
    from pandas.api import types as t

    if t.is_bool_dtype(dtype):
        return "bool"
    if t.is_integer_dtype(dtype):
        return "int"
    if t.is_float_dtype(dtype):
        return "float"
    if t.is_datetime64_any_dtype(dtype):
        return "datetime"
    if t.is_timedelta64_dtype(dtype):
        return "timedelta"
    if isinstance(dtype, pd.StringDtype) or t.is_string_dtype(dtype):
        return "str"
    return "object"


def kind_of_value(v: Any) -> str:
    if isinstance(v, bool):
        return "bool"
    if isinstance(v, int):
        return "int"
    if isinstance(v, float):
        return "float"
    if isinstance(v, (_dt.datetime, _dt.date)):
        return "datetime"
    if isinstance(v, _dt.timedelta):
        return "timedelta"
    if isinstance(v, (bytes, bytearray, memoryview)):
        return "bytes"
    if isinstance(v, str):
        return "str"
    return "object"


def _is_missing(v) -> bool:
    if v is None:
        return True
    try:
        import pandas as pd

        r = pd.isna(v)
        return bool(r) if isinstance(r, (bool,)) or getattr(r, "shape", None) == () else False
    except (TypeError, ValueError):
        return False


def to_json_value(v: Any):
    """A JSON-safe form of a cell value (the front-end formats by kind)."""
    if v is None:
        return None
    if isinstance(v, bool):
        return v
    if isinstance(v, int):
        # JavaScript numbers are exact to 2**53; larger ints travel as text.
        return v if -(2**53) < v < 2**53 else str(v)
    if isinstance(v, float):
        return None if math.isnan(v) else (v if math.isfinite(v) else str(v))
    if isinstance(v, str):
        return v
    try:
        import numpy as np

        if isinstance(v, np.generic):
            return to_json_value(v.item())
    except ImportError:  # pragma: no cover
        pass
    if _is_missing(v):
        return None
    if isinstance(v, (_dt.datetime, _dt.date, _dt.time)):
        return v.isoformat()
    if hasattr(v, "isoformat") and not isinstance(v, _dt.timedelta):
        return v.isoformat()
    if isinstance(v, _dt.timedelta) or type(v).__name__ == "Timedelta":
        return v.total_seconds()
    if isinstance(v, (bytes, bytearray, memoryview)):
        b = bytes(v)
        return {"bytes": len(b), "preview": b[:64].decode("latin-1")}
    return str(v)


def text_of(v: Any) -> str:
    """How a cell reads for text filtering and static HTML."""
    if v is None or _is_missing(v):
        return ""
    if isinstance(v, (bytes, bytearray)):
        return bytes(v)[:200].decode("utf-8", "replace")
    return str(v)


_CMP = re.compile(r"^\s*(<=|>=|!=|==|=|<|>)\s*(.+?)\s*$")
_RANGE = re.compile(r"^\s*(.+?)\s*\.\.\s*(.+?)\s*$")


def _parse_scalar(text: str, kind: str):
    import pandas as pd

    if kind in ("int", "float"):
        return float(text)
    if kind == "datetime":
        return pd.Timestamp(text)
    if kind == "timedelta":
        return pd.Timedelta(text)
    if kind == "bool":
        return text.strip().lower() in ("1", "true", "yes", "y", "t")
    return text


def column_mask(series, expr: str, kind: str):
    """Boolean mask of ``series`` for one per-column filter expression."""
    import numpy as np

    expr = expr.strip()
    if kind in ("int", "float", "datetime", "timedelta", "bool"):
        try:
            m = _RANGE.match(expr)
            if m and kind != "bool":
                lo, hi = _parse_scalar(m.group(1), kind), _parse_scalar(m.group(2), kind)
                return ((series >= lo) & (series <= hi)).fillna(False).to_numpy(bool)
            m = _CMP.match(expr)
            if m:
                op, val = m.group(1), _parse_scalar(m.group(2), kind)
                res = {
                    "<": series.lt, "<=": series.le, ">": series.gt, ">=": series.ge,
                    "=": series.eq, "==": series.eq, "!=": series.ne,
                }[op](val)
                return res.fillna(False).to_numpy(bool)
            if kind == "bool":
                return (series == _parse_scalar(expr, kind)).fillna(False).to_numpy(bool)
        except (ValueError, TypeError):
            pass  # fall back to a text match
    s = series.astype(str) if series.dtype == object or kind not in ("str",) else series
    res = s.str.contains(expr, case=False, regex=False, na=False)
    return np.asarray(res.to_numpy(dtype=bool, na_value=False))


def _numeric_order(series, ascending: bool):
    """Stable argsort of a numeric/bool/datetime column straight on its NumPy
    values (about twice as fast as Series.sort_values); missing values last,
    as pandas does.  None for other dtypes."""
    import numpy as np
    from pandas.api import types as t

    dtype = series.dtype
    if not isinstance(dtype, np.dtype) or not (
        t.is_numeric_dtype(dtype) or t.is_bool_dtype(dtype) or dtype.kind in "mM"
    ):
        return None
    values = series.to_numpy()
    missing = None
    if dtype.kind in "mM":
        missing = np.isnat(values)
        values = values.view(np.int64)
    elif dtype.kind == "f":
        missing = np.isnan(values)
    if ascending:
        order = np.argsort(values, kind="stable")
    else:  # stable descending: ties keep their original order
        n = len(values)
        order = (n - 1 - np.argsort(values[::-1], kind="stable"))[::-1]
    if missing is not None and missing.any():
        m = missing[order]
        order = np.concatenate([order[~m], order[m]])
    return order.astype(np.int64, copy=False)


# ---------------------------------------------------------------------------
# DataFrameSource
# ---------------------------------------------------------------------------


class DataFrameSource(Source):
    """A pandas DataFrame as a Source.

    The index is shown as the first column when it is not a plain
    RangeIndex.  Sort orders and filter masks are computed once and kept in
    small LRU caches, so paging a sorted 10M-row frame costs one ``take``.
    """

    sortable = True
    filterable = True

    def __init__(self, df, formats: dict[str, str] | None = None, title: str = "", cache: int = 8):
        import pandas as pd

        if not isinstance(df, pd.DataFrame):
            df = pd.DataFrame(df)
        if not isinstance(df.index, pd.RangeIndex) or df.index.name is not None:
            df = df.reset_index()
        # Column names must be strings for the browser.
        if any(not isinstance(c, str) for c in df.columns):
            df = df.rename(columns={c: str(c) for c in df.columns})
        self.df = df
        self.title = title
        formats = dict(formats or {})
        cols = []
        for name in df.columns:
            dtype = df[name].dtype
            kind = kind_of_dtype(dtype)
            if kind == "object" and len(df):
                first = df[name].iloc[: min(len(df), 50)].dropna()
                if len(first):
                    kinds = {kind_of_value(v) for v in first}
                    if len(kinds) == 1:
                        kind = kinds.pop()
            cols.append(Column(name, kind, formats.get(name)))
        self.columns = cols
        self._orders: OrderedDict = OrderedDict()
        self._masks: OrderedDict = OrderedDict()
        self._cache = cache
        self._lock = threading.Lock()

    @property
    def length(self) -> int:
        return len(self.df)

    def _lru(self, cache: OrderedDict, key, compute):
        with self._lock:
            if key in cache:
                cache.move_to_end(key)
                return cache[key]
        value = compute()
        with self._lock:
            cache[key] = value
            while len(cache) > self._cache:
                cache.popitem(last=False)
        return value

    def order(self, sort: Sort):
        """Row positions in sorted order (cached per sort spec)."""
        import numpy as np

        def compute():
            names = [n for n, _ in sort]
            for n in names:
                self.column(n)
            if len(sort) == 1:
                fast = _numeric_order(self.df[names[0]], sort[0][1])
                if fast is not None:
                    return fast
                sub = self.df[names[0]].reset_index(drop=True)
                try:
                    res = sub.sort_values(ascending=sort[0][1], kind="stable", na_position="last")
                except TypeError:
                    res = sub.astype(str).sort_values(ascending=sort[0][1], kind="stable")
                return res.index.to_numpy(dtype=np.int64)
            sub = self.df[names].reset_index(drop=True)
            try:
                res = sub.sort_values(names, ascending=[a for _, a in sort], kind="stable", na_position="last")
            except TypeError:
                res = sub.astype(str).sort_values(names, ascending=[a for _, a in sort], kind="stable")
            return res.index.to_numpy(dtype=np.int64)

        return self._lru(self._orders, sort, compute)

    def mask(self, flt: Filter):
        """Boolean mask of matching rows (cached per filter)."""
        import numpy as np

        def compute():
            m = np.ones(len(self.df), dtype=bool)
            for name, expr in flt.columns:
                col = self.column(name)
                m &= column_mask(self.df[name], expr, col.kind)
            if flt.text:
                any_m = np.zeros(len(self.df), dtype=bool)
                for col in self.columns:
                    s = self.df[col.name]
                    if col.kind in ("int", "float", "bool", "datetime", "timedelta", "object", "bytes"):
                        s = s.astype(str)
                    any_m |= np.asarray(
                        s.str.contains(flt.text, case=False, regex=False, na=False).to_numpy(dtype=bool, na_value=False)
                    )
                m &= any_m
            return m

        return self._lru(self._masks, flt, compute)

    def positions(self, sort: Sort = (), filter: Filter | None = None):
        """Matching row positions in display order, or None for 'all, as is'."""
        import numpy as np

        flt = Filter.make(filter)
        if not sort and not flt:
            return None
        if sort:
            order = self.order(sort)
            if flt:
                return order[self.mask(flt)[order]]
            return order
        return np.flatnonzero(self.mask(flt))

    def rows(self, start, stop, sort=(), filter=None) -> Page:
        sort = make_sort(sort)
        pos = self.positions(sort, filter)
        total = len(self.df) if pos is None else len(pos)
        start = max(0, min(int(start), total))
        stop = max(start, min(int(stop), total))
        if pos is None:
            chunk = self.df.iloc[start:stop]
            keys = list(range(start, stop))
        else:
            sel = pos[start:stop]
            chunk = self.df.iloc[sel]
            keys = [int(k) for k in sel]
        rows = list(chunk.itertuples(index=False, name=None))
        return Page(start, total, keys, rows)

    def rows_by_key(self, keys):
        return list(self.df.iloc[[int(k) for k in keys]].itertuples(index=False, name=None))

    def frame_by_key(self, keys):
        return self.df.iloc[[int(k) for k in keys]]

    def to_frame(self, limit=None):
        return self.df if limit is None else self.df.iloc[:limit]


# ---------------------------------------------------------------------------
# LazySource
# ---------------------------------------------------------------------------


class LazySource(Source):
    """Rows computed on demand: ``fetch(start, stop) -> list of row tuples``.

    ``length`` may be any non-negative int, larger than memory or than a
    machine word (the 2**96 hosts of an IPv6 /32); nothing is materialised.
    Sorting and filtering are not offered unless a subclass implements them.
    """

    def __init__(self, length: int, columns: Sequence[Column | str | tuple], fetch: Callable[[int, int], list], title: str = ""):
        if length < 0:
            raise ValueError("length must be >= 0")
        self._length = int(length)
        self.columns = [_as_column(c) for c in columns]
        self._fetch = fetch
        self.title = title

    @property
    def length(self) -> int:
        return self._length

    def rows(self, start, stop, sort=(), filter=None) -> Page:
        if make_sort(sort):
            raise ValueError(f"{type(self).__name__} cannot be sorted")
        if Filter.make(filter):
            raise ValueError(f"{type(self).__name__} cannot be filtered")
        start = max(0, min(int(start), self._length))
        stop = max(start, min(int(stop), self._length))
        rows = [tuple(r) for r in self._fetch(start, stop)] if stop > start else []
        return Page(start, self._length, list(range(start, start + len(rows))), rows)

    def to_frame(self, limit=None):
        if limit is None and self._length > 1_000_000:
            raise ValueError(
                f"{self._length:,} rows is too many to materialise; pass limit= (e.g. .to_frame(limit=1000))"
            )
        return super().to_frame(limit)


def _as_column(c) -> Column:
    if isinstance(c, Column):
        return c
    if isinstance(c, str):
        return Column(c)
    return Column(*c)


# ---------------------------------------------------------------------------
# StreamSource
# ---------------------------------------------------------------------------


class StreamSource(Source):
    """An append-only, thread-safe source (server logs, arriving mail).

    ``append(row)`` may be called from any thread; subscribers (open Table
    views) are notified.  At most ``maxrows`` are kept (oldest dropped), so a
    long-running server's log stays bounded.
    """

    sortable = True
    filterable = True

    def __init__(self, columns: Sequence[Column | str | tuple], maxrows: int = 100_000, title: str = ""):
        self.columns = [_as_column(c) for c in columns]
        self.maxrows = maxrows
        self.title = title
        self._rows: list[tuple] = []
        self._offset = 0  # key of _rows[0]: keys stay stable when old rows drop
        self._lock = threading.RLock()
        self._subs: list[Callable[[], None]] = []
        self._version = 0
        self._frame_cache = None

    @property
    def length(self) -> int:
        return len(self._rows)

    @property
    def version(self) -> int:
        return self._version

    def append(self, row: Sequence | dict) -> None:
        if type(row) is not tuple or len(row) != len(self.columns):
            self.extend([row])
            return
        # the common case (a server logging one row), without extend's generality
        with self._lock:
            rows = self._rows
            rows.append(row)
            if len(rows) > self.maxrows:
                excess = len(rows) - self.maxrows
                del rows[:excess]
                self._offset += excess
            self._version += 1
            subs = list(self._subs) if self._subs else ()
        for cb in subs:
            try:
                cb()
            except Exception:  # a broken view must not break the server thread
                pass

    def extend(self, rows: Iterable[Sequence | dict]) -> None:
        names = [c.name for c in self.columns]
        new = []
        for row in rows:
            if isinstance(row, dict):
                row = tuple(row.get(n) for n in names)
            else:
                row = tuple(row)
                if len(row) != len(names):
                    raise ValueError(f"row has {len(row)} values, source has {len(names)} columns")
            new.append(row)
        if not new:
            return
        with self._lock:
            self._rows.extend(new)
            excess = len(self._rows) - self.maxrows
            if excess > 0:
                del self._rows[:excess]
                self._offset += excess
            self._version += 1
            subs = list(self._subs)
        for cb in subs:
            try:
                cb()
            except Exception:  # a broken view must not break the server thread
                pass

    def clear(self) -> None:
        with self._lock:
            self._offset += len(self._rows)
            self._rows = []
            self._version += 1
            subs = list(self._subs)
        for cb in subs:
            try:
                cb()
            except Exception:
                pass

    def subscribe(self, callback):
        with self._lock:
            if callback not in self._subs:
                self._subs.append(callback)

    def unsubscribe(self, callback):
        with self._lock:
            if callback in self._subs:
                self._subs.remove(callback)

    def snapshot(self) -> list[tuple]:
        with self._lock:
            return list(self._rows)

    def _frame(self):
        import pandas as pd

        with self._lock:
            version, rows, offset = self._version, list(self._rows), self._offset
            cached = self._frame_cache
        if cached is not None and cached[0] == version:
            return cached[1]
        df = pd.DataFrame(rows, columns=[c.name for c in self.columns])
        src = DataFrameSource(df, title=self.title, cache=4)
        # declared kinds win; undeclared ("object") ones are inferred from the data
        src.columns = [
            d if d.kind != "object" else Column(d.name, i.kind, d.format)
            for d, i in zip(self.columns, src.columns)
        ]
        with self._lock:
            self._frame_cache = (version, src, offset)
        return src

    def rows(self, start, stop, sort=(), filter=None) -> Page:
        sort = make_sort(sort)
        flt = Filter.make(filter)
        if not sort and not flt:
            with self._lock:
                total = len(self._rows)
                start = max(0, min(int(start), total))
                stop = max(start, min(int(stop), total))
                rows = self._rows[start:stop]
                offset = self._offset
            return Page(start, total, list(range(offset + start, offset + stop)), rows)
        src = self._frame()
        page = src.rows(start, stop, sort, flt)
        with self._lock:
            offset = self._frame_cache[2] if self._frame_cache else self._offset
        page.keys = [offset + k for k in page.keys]
        return page

    def rows_by_key(self, keys):
        with self._lock:
            return [self._rows[int(k) - self._offset] for k in keys if 0 <= int(k) - self._offset < len(self._rows)]

    def to_frame(self, limit=None):
        import pandas as pd

        rows = self.snapshot()
        if limit is not None:
            rows = rows[:limit]
        df = pd.DataFrame(rows, columns=[c.name for c in self.columns])
        return df


# ---------------------------------------------------------------------------


def as_source(obj, **kwargs) -> Source:
    """Turn a Source, DataFrame, Series, object with ``to_frame()``/
    ``__table_source__()``, list of dicts or dict of lists into a Source."""
    if isinstance(obj, Source):
        return obj
    if hasattr(obj, "__table_source__"):
        return obj.__table_source__()
    import pandas as pd

    if isinstance(obj, pd.Series):
        return DataFrameSource(obj.to_frame(), **kwargs)
    if isinstance(obj, pd.DataFrame):
        return DataFrameSource(obj, **kwargs)
    if hasattr(obj, "to_frame") and not isinstance(obj, type):
        return DataFrameSource(obj.to_frame(), **kwargs)
    return DataFrameSource(pd.DataFrame(obj), **kwargs)
