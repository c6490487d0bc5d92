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
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Sequence

__all__ = [
    "Column",
    "Filter",
    "Page",
    "Source",
    "LazySource",
]

KINDS = ("int", "float", "str", "bool", "datetime", "timedelta", "bytes", "ip", "ipnet", "object")


@dataclass(frozen=True)
class Column:
    """A column: its name, its kind (one of ``KINDS``) and a display format.

    ``format`` refines how the browser shows values: ``"size"`` shows a byte
    count as KiB/MiB, ``"ms"`` a duration in milliseconds, ``"id"`` an
    integer identifier (a UID, a port) without thousands separators,
    ``"secret"`` a masked value; ``None`` uses the kind's default.

    ``sort_key`` lets a :class:`LazySource` sort by this column:
    ``"index"`` (values rise with the row index, as host numbers do),
    ``"-index"`` (they fall), or a function ``key(start, stop)`` returning
    sortable values (numbers, strings) for rows ``[start, stop)``.
    """

    name: str
    kind: str = "object"
    format: str | None = None
    sort_key: Any = field(default=None, compare=False, repr=False)

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

    def can_sort(self, name: str) -> bool:
        """Can the browser sort by this column?"""
        return bool(self.sortable)

    def count(self, filter=None) -> int:
        """How many rows a filter keeps (shown before the page arrives)."""
        return self.rows(0, 0, (), filter).total

    def filter_errors(self, filter) -> dict[str, str]:
        """``{column: what is wrong}`` for per-column expressions this source
        cannot read (sources with their own filter language check their own)."""
        return {}

    def _expression_errors(self, filter) -> dict[str, str]:
        """filter_errors for sources that use netbook's expressions (:mod:`.filter`)."""
        from .filter import FilterError, parse_expr

        out = {}
        for name, expr in Filter.make(filter).columns:
            try:
                parse_expr(expr, self.column(name).kind, name)
            except FilterError as e:
                out[name] = e.message
            except KeyError:
                pass
        return out

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

    if getattr(dtype, "name", None) in ("ip", "ipnet"):
        return dtype.name
    if isinstance(dtype, pd.CategoricalDtype):
        return kind_of_dtype(dtype.categories.dtype)
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


# ---------------------------------------------------------------------------
# LazySource
# ---------------------------------------------------------------------------


class LazySource(Source):
    """Rows computed on demand: ``fetch(start, stop) -> list of row tuples``.

    ``length`` may be any non-negative int, larger than memory or than a
    machine word (the 2**96 hosts of an IPv6 /32); nothing is materialised.
    Columns that declare a ``sort_key`` (see :class:`Column`) can be sorted:
    ``"index"`` keys at any length, function keys up to
    ``LazySource.sort_limit`` rows (their keys are computed in chunks, then
    the first page comes from a top-k selection).  Filtering is not offered
    unless a subclass implements it.
    """

    sort_limit = 20_000_000
    _chunk = 1_000_000

    def __init__(self, length: int, columns: Sequence[Column | str | tuple], fetch: Callable[[int, int], list], title: str = ""):
        if length < 0:
            raise ValueError("length must be >= 0")
        self._length = int(length)
        self.columns = [_as_column(c) for c in columns]
        self._fetch = fetch
        self.title = title
        if any(c.sort_key is not None for c in self.columns) and "sortable" not in type(self).__dict__:
            self.sortable = True
        self._sorted: dict = {}

    @property
    def length(self) -> int:
        return self._length

    def can_sort(self, name: str) -> bool:
        if type(self).rows is not LazySource.rows:  # a subclass sorting its own way
            return bool(self.sortable)
        return bool(self.sortable) and self.column(name).sort_key is not None

    def _key_values(self, col: Column):
        import numpy as np

        if col.sort_key in ("index", "-index"):
            return np.arange(self._length, dtype=np.int64) * (1 if col.sort_key == "index" else -1)
        parts = [np.asarray(col.sort_key(a, min(a + self._chunk, self._length)))
                 for a in range(0, self._length, self._chunk)]
        return np.concatenate(parts) if parts else np.empty(0)

    def _positions(self, sort, start: int, stop: int) -> list[int]:
        """Row indices of [start, stop) in the order of ``sort``."""
        from .sort import column_keys, full_order, top_k

        cols = [self.column(n) for n, _ in sort]
        bad = [c.name for c in cols if c.sort_key is None]
        if bad:
            raise ValueError(f"{type(self).__name__} cannot be sorted by {bad[0]!r}: the column declares no sort_key")
        first, asc = cols[0], sort[0][1]
        if first.sort_key in ("index", "-index"):  # unique and monotone: the first key decides
            forward = asc == (first.sort_key == "index")
            return list(range(start, stop)) if forward else [self._length - 1 - i for i in range(start, stop)]
        if self._length > self.sort_limit:
            raise ValueError(f"{self._length:,} rows is too many to sort by {first.name!r} (limit {self.sort_limit:,})")
        import pandas as pd

        key = tuple(sort)
        if key not in self._sorted:
            keys = []
            for c, (_, a) in zip(cols, sort):
                k = column_keys(pd.Series(self._key_values(c)), a)
                if k is None:
                    raise ValueError(f"the sort key of {c.name!r} gives values that do not sort")
                keys.extend(k)
            self._sorted = {key: [keys, None, None]}
        entry = self._sorted[key]
        keys = entry[0]
        if stop > 50_000:
            if entry[2] is None:
                entry[2] = full_order(keys)
            return [int(i) for i in entry[2][start:stop]]
        if entry[1] is None or len(entry[1]) < stop:
            entry[1] = top_k(keys, max(1000, 4 * stop))
        return [int(i) for i in entry[1][start:stop]]

    def _fetch_at(self, idx: list[int]) -> list[tuple]:
        """Rows at arbitrary indices, fetched in runs of consecutive indices."""
        out: list[tuple] = []
        i = 0
        while i < len(idx):
            j, step = i, 0
            if i + 1 < len(idx) and abs(idx[i + 1] - idx[i]) == 1:
                step = idx[i + 1] - idx[i]
            while step and j + 1 < len(idx) and idx[j + 1] - idx[j] == step:
                j += 1
            lo, hi = min(idx[i], idx[j]), max(idx[i], idx[j]) + 1
            rows = [tuple(r) for r in self._fetch(lo, hi)]
            out.extend(rows if step >= 0 else rows[::-1])
            i = j + 1
        return out

    def rows(self, start, stop, sort=(), filter=None) -> Page:
        sort = make_sort(sort)
        if sort and not self.sortable:
            raise ValueError(f"{type(self).__name__} cannot be sorted")
        if Filter.make(filter):
            raise ValueError(f"{type(self).__name__} cannot be filtered")
        start = max(0, min(int(start), self._length))
        stop = max(start, min(int(stop), self._length))
        if stop <= start:
            return Page(start, self._length, [], [])
        if sort:
            idx = self._positions(sort, start, stop)
            return Page(start, self._length, idx, self._fetch_at(idx))
        rows = [tuple(r) for r in self._fetch(start, stop)]
        return Page(start, self._length, list(range(start, start + len(rows))), rows)

    def rows_by_key(self, keys):
        return self._fetch_at([int(k) for k in keys])

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
# DataFrameSource (frame.py), StreamSource (stream.py) and as_source lived here:
# still importable from this module, loaded by name (no import cycle).
_MOVED = {"DataFrameSource": "netbook.table.frame", "as_source": "netbook.table.frame",
          "StreamSource": "netbook.table.stream"}


def __getattr__(name: str) -> Any:
    if name in _MOVED:
        import importlib

        return getattr(importlib.import_module(_MOVED[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
