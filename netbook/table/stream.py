"""``StreamSource``: a Source that grows while it is shown (server logs,
fetch_many results); thread-safe ``append``, bounded by ``maxrows``."""
from __future__ import annotations

import threading
from typing import Callable, Iterable, Sequence

from .frame import DataFrameSource
from .source import Column, Filter, Page, Source, _as_column, make_sort

__all__ = ["StreamSource"]


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

    def filter_errors(self, filter) -> dict[str, str]:
        return self._expression_errors(filter)

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
