"""``DataFrameSource``: a pandas DataFrame as a Source.

Work is proportional to one page, not to the frame: the first page after a
sort comes from a top-k selection (:mod:`.sort`); the full ordering is
computed once, only when a user pages deep, and kept.  Filters search
dictionaries of repeated columns and narrow from the previous search
(:mod:`.filter`).
"""
from __future__ import annotations

import threading
from collections import OrderedDict

from .filter import Matcher
from .sort import column_keys, full_order, pandas_order, top_k
from .source import Column, Filter, Page, Sort, Source, kind_of_dtype, kind_of_value, make_sort

__all__ = ["DataFrameSource"]

#: pages ending beyond this many rows are served from the full ordering
TOPK_LIMIT = 50_000


class DataFrameSource(Source):
    """A pandas DataFrame as a Source.

    The index is shown as the first column when it is not a plain
    RangeIndex.  Sort keys, top-k prefixes, full orders and filter masks are
    kept in small LRU caches, so paging a sorted 10M-row frame costs one
    ``take``.
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
        self._tops: OrderedDict = OrderedDict()  # top-k prefixes and filtered full orders
        self._matches: OrderedDict = OrderedDict()  # row positions a filter keeps (up to 8 bytes a row: few)
        self._keys: OrderedDict = OrderedDict()
        self._cache = cache
        self._lock = threading.Lock()
        self._matcher: Matcher | None = None

    @property
    def length(self) -> int:
        return len(self.df)

    @property
    def matcher(self) -> Matcher:
        if self._matcher is None or self._matcher.columns != {c.name: c for c in self.columns}:
            self._matcher = Matcher(self.df, self.columns)
        return self._matcher

    def _lru(self, cache: OrderedDict, key, compute, size: int | None = None):
        with self._lock:
            if key in cache:
                cache.move_to_end(key)
                return cache[key]
        value = compute()
        with self._lock:
            cache[key] = value
            while len(cache) > (size or self._cache):
                cache.popitem(last=False)
        return value

    # -- sort -------------------------------------------------------------------
    def keys(self, sort: Sort):
        """The sort keys of a spec (see :mod:`.sort`), or None when a column
        has no fast key (mixed Python objects: pandas sorts those)."""
        out = []
        for name, asc in sort:
            self.column(name)
            k = self._lru(self._keys, (name, asc), lambda: column_keys(self.df[name], asc), size=2 * self._cache)
            if k is None:
                return None
            out.extend(k)
        return out

    def order(self, sort: Sort):
        """All row positions in sorted order (cached per sort spec)."""
        sort = make_sort(sort)

        def compute():
            keys = self.keys(sort)
            return pandas_order(self.df, sort) if keys is None else full_order(keys)

        return self._lru(self._orders, sort, compute)

    def mask(self, flt: Filter, errors: dict | None = None):
        """Boolean mask of matching rows."""
        return self.matcher.mask(Filter.make(flt), errors)

    def _matching(self, flt: Filter):
        """Row positions a filter keeps (ascending), cached with the count."""
        import numpy as np

        return self._lru(self._matches, flt, lambda: np.flatnonzero(self.mask(flt)), size=3)

    def filter_errors(self, filter) -> dict[str, str]:
        return self._expression_errors(filter)

    def count(self, filter=None) -> int:
        flt = Filter.make(filter)
        return len(self.df) if not flt else len(self._matching(flt))

    def select(self, sort: Sort, flt: Filter, start: int, stop: int):
        """(total, row positions for [start, stop)) in display order."""
        import numpy as np

        rows = self._matching(flt) if flt else None
        total = len(self.df) if rows is None else len(rows)
        start, stop = max(0, min(start, total)), max(0, min(stop, total))
        if not sort:
            sel = np.arange(start, max(start, stop)) if rows is None else rows[start:stop]
            return total, sel
        with self._lock:
            order = self._orders.get(sort)
        if order is None and stop <= TOPK_LIMIT:
            keys = self.keys(sort)
            if keys is not None:
                want = min(total, max(1000, 4 * stop))

                def compute():
                    return top_k(keys, want, rows)

                key = ("top", sort, flt)
                with self._lock:
                    hit = self._tops.get(key)
                if hit is None or len(hit) < min(stop, total):
                    with self._lock:
                        self._tops.pop(key, None)
                hit = self._lru(self._tops, key, compute)
                return total, hit[start:stop]
        order = self.order(sort)
        if rows is not None:
            m = np.zeros(len(self.df), dtype=bool)
            m[rows] = True
            order = self._lru(self._tops, ("ordered", sort, flt), lambda: order[m[order]], size=4)
        return total, order[start:stop]

    def positions(self, sort: Sort = (), filter: Filter | None = None):
        """All matching row positions in display order, or None for 'all, as is'."""
        sort = make_sort(sort)
        flt = Filter.make(filter)
        if not sort and not flt:
            return None
        return self.select(sort, flt, 0, len(self.df))[1]

    def rows(self, start, stop, sort=(), filter=None) -> Page:
        sort = make_sort(sort)
        flt = Filter.make(filter)
        total, sel = self.select(sort, flt, int(start), int(stop))
        start = max(0, min(int(start), total))
        if not sort and not flt:
            chunk = self.df.iloc[start:start + len(sel)]
        else:
            chunk = self.df.iloc[sel]
        rows = list(chunk.itertuples(index=False, name=None))
        return Page(start, total, [int(k) for k in sel], rows)

    def rows_by_key(self, keys):
        return list(self.df.iloc[[int(k) for k in keys]].itertuples(index=False, name=None))

    def frame_by_key(self, keys):
        return self.df.iloc[[int(k) for k in keys]]

    def to_frame(self, limit=None):
        return self.df if limit is None else self.df.iloc[:limit]


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
