"""Filtering a Source: the text box across columns and per-column expressions.

Per-column expressions: ``>10``, ``<=5``, ``=5``, ``!=3``, ``a..b`` compare
values on numeric, datetime and timedelta columns; ``=x``/``!=x`` compare a
text column exactly; anything else matches as a case-insensitive substring
of the value's text.  An expression that cannot be read for its column
(``>abc`` on numbers) raises :class:`FilterError` naming the column.

Doing less work is where the speed is (pandas' ``str.contains`` already runs
on Arrow kernels):

* a column with repeated values (hosts, paths, user agents, categoricals) is
  searched once per distinct value and mapped back by its codes;
* a narrower search (typing one more character) searches only the rows the
  previous, wider one kept;
* a word that cannot occur in a number's text (``gamma``) does not look at
  numeric columns at all.
"""
from __future__ import annotations

import re
import threading
from collections import OrderedDict
from typing import Any

from ..errors import FilterError
from .sort import check_cancel

__all__ = ["FilterError", "parse_expr", "Matcher"]

NUMERIC_KINDS = ("int", "float", "datetime", "timedelta")
_CMP = re.compile(r"^\s*(<=|>=|!=|==|=|<|>)\s*(.*?)\s*$")
_RANGE = re.compile(r"^\s*(.+?)\s*\.\.\s*(.+?)\s*$")
# characters that can occur in the text of a value of each kind
_CAN_OCCUR = {
    "int": set("0123456789-,"),
    "float": set("0123456789.-+e,infa"),
    "datetime": set("0123456789-: T.+Z"),
    "timedelta": set("0123456789-: days."),
    "bool": set("truefals"),
}


def _scalar(text: str, kind: str, column: str):
    import pandas as pd

    what = {"int": "a number", "float": "a number", "datetime": "a date/time (2024-01-31 12:00)",
            "timedelta": "a duration (1s, 5min)"}.get(kind, "a value")
    if not text:
        raise FilterError(column, f"a value is missing after the operator: expected {what}")
    try:
        if kind in ("int", "float"):
            return float(text.replace(",", "").replace("_", ""))
        if kind == "datetime":
            return pd.Timestamp(text)
        if kind == "timedelta":
            return pd.Timedelta(text)
    except (ValueError, TypeError, OverflowError):
        raise FilterError(column, f"{text!r} is not {what}") from None
    return text


def parse_expr(expr: str, kind: str, column: str = "") -> tuple:
    """``("cmp", op, value)``, ``("range", lo, hi)``, ``("eq", text)``,
    ``("ne", text)``, ``("bool", value)`` or ``("text", needle)``."""
    expr = expr.strip()
    if kind in NUMERIC_KINDS:
        m = _CMP.match(expr)
        if m:
            op = "=" if m.group(1) == "==" else m.group(1)
            return ("cmp", op, _scalar(m.group(2), kind, column))
        m = _RANGE.match(expr)
        if m:
            lo, hi = _scalar(m.group(1), kind, column), _scalar(m.group(2), kind, column)
            if lo > hi:
                raise FilterError(column, f"range {expr!r} is empty: write low..high")
            return ("range", lo, hi)
        if kind in ("int", "float") and not set(expr.lower()) <= _CAN_OCCUR[kind] | {" "}:
            raise FilterError(column, f"{expr!r}: write >10, <=5, =5, !=3, 10..20 or digits")
        return ("text", expr)
    if kind == "bool":
        t = expr.lstrip("=").strip().lower()
        if t in ("1", "true", "yes", "y", "t", "✓"):
            return ("bool", True)
        if t in ("0", "false", "no", "n", "f", "✗"):
            return ("bool", False)
        raise FilterError(column, f"{expr!r}: write true or false")
    m = _CMP.match(expr)
    if m and m.group(1) in ("=", "==", "!=") and m.group(2):
        return ("ne" if m.group(1) == "!=" else "eq", m.group(2))
    return ("text", expr)


def _narrows(new: str, old: str) -> bool:
    """Every text containing ``new`` contains ``old`` (case-insensitively)."""
    return old.lower() in new.lower()


def _bool_numpy(arr) -> Any:
    import numpy as np

    if hasattr(arr, "fill_null"):
        arr = arr.fill_null(False)
    if hasattr(arr, "to_numpy"):
        try:
            return np.asarray(arr.to_numpy(zero_copy_only=False), dtype=bool)
        except TypeError:
            return np.asarray(arr.to_numpy(), dtype=bool)
    return np.asarray(arr, dtype=bool)


def match_text(strings, needle: str):
    """Case-insensitive substring match of a pyarrow string array -> bool ndarray."""
    import pyarrow.compute as pc

    cased = needle.lower() != needle.upper()
    if not cased:  # digits, punctuation: the (much faster) exact kernel is the same
        return _bool_numpy(pc.match_substring(strings, needle))
    return _bool_numpy(pc.match_substring(strings, needle, ignore_case=True))


class Matcher:
    """The filter engine of one DataFrame (kept by its DataFrameSource):
    dictionaries of repeated columns and recent component masks."""

    #: build dictionaries of large columns on a background thread
    background = True

    def __init__(self, df, columns, cache: int = 12):
        self.df = df
        self.columns = {c.name: c for c in columns}
        self._dicts: dict[str, Any] = {}
        self._lowered: OrderedDict = OrderedDict()
        self._building: dict[str, threading.Thread] = {}
        self._masks: OrderedDict = OrderedDict()
        self._cache = cache
        self._lock = threading.Lock()

    # -- text forms ---------------------------------------------------------
    def _dictionary(self, name: str, wait: bool = False):
        """(codes ndarray, pyarrow string dictionary) for a column whose values
        repeat, else None.  Built once per column; on a large column it is
        built on a background thread the first time the column is searched
        (that search, and any until the dictionary is ready, scan the values),
        so the first search never waits for it.  ``wait=True`` builds it now."""
        with self._lock:
            if name in self._dicts:
                return self._dicts[name]
            building = self._building.get(name)
        if building is not None:
            if not wait:
                return None
            building.join()
            with self._lock:
                return self._dicts.get(name)
        import pandas as pd

        if wait or not self.background or len(self.df) < 1_000_000 or isinstance(self.df[name].dtype, pd.CategoricalDtype):
            return self._build(name)
        return None  # contains() scans, then starts the build (see _build_later)

    def _build_later(self, name: str) -> None:
        """Start building a large column's dictionary on a background thread
        (after the search that needed it: the two do not compete for the CPU)."""
        with self._lock:
            if name in self._dicts or name in self._building:
                return
            building = threading.Thread(target=self._build, args=(name,), daemon=True,
                                        name=f"netbook-table-dictionary-{name}")
            self._building[name] = building
        building.start()

    def _build(self, name: str):
        try:
            d = self._make_dictionary(name)
        except Exception:  # a column that cannot be encoded is scanned instead
            d = None
        with self._lock:
            self._dicts[name] = d
            self._building.pop(name, None)
        return d

    def _make_dictionary(self, name: str):
        import numpy as np
        import pandas as pd
        import pyarrow as pa
        import pyarrow.compute as pc

        s = self.df[name]
        n = len(s)
        if isinstance(s.dtype, pd.CategoricalDtype):
            cats = pa.array(s.cat.categories.astype(str).to_numpy(dtype=object), type=pa.string())
            return np.asarray(s.cat.codes.to_numpy(), dtype=np.int64), cats
        kind = self.columns[name].kind
        if kind not in ("str", "object") or n < 10_000:
            return None
        # Estimate the distinct values from repeats in a sample (birthday
        # bound: k draws from D values repeat about k*k/2D times).
        rng = np.random.default_rng(0)
        k = min(n, 20_000)
        sample = s.iloc[rng.integers(0, n, size=k)].dropna()
        try:
            distinct = sample.nunique()
        except TypeError:
            return None
        repeats = len(sample) - distinct
        if distinct < len(sample) / 2:  # the sample saw most values many times
            estimate = float(distinct)
        else:
            estimate = len(sample) ** 2 / (2 * repeats) if repeats else float("inf")
        if estimate > n / 8:  # mostly distinct: a dictionary would not pay
            return None
        strings = self._strings(name)
        if strings is None:
            return None
        enc = pc.dictionary_encode(strings)
        codes = np.asarray(enc.indices.fill_null(-1).to_numpy(zero_copy_only=False), dtype=np.int64)
        return codes, enc.dictionary

    def _strings(self, name: str, rows=None):
        """The column's values as a pyarrow string array (nulls for NA)."""
        import pandas as pd
        import pyarrow as pa

        s = self.df[name]
        arr = s.array
        kind = self.columns[name].kind
        pa_arr = getattr(arr, "_pa_array", None)
        if pa_arr is not None:
            a = pa_arr.combine_chunks() if isinstance(pa_arr, pa.ChunkedArray) else pa_arr
            if rows is not None:
                a = a.take(pa.array(rows))
            if pa.types.is_string(a.type) or pa.types.is_large_string(a.type):
                return a
            return a.cast(pa.string())
        if rows is not None:
            s = s.iloc[rows]
        if kind == "datetime" and s.dtype.kind == "M" or isinstance(s.dtype, pd.DatetimeTZDtype):
            return pa.array(s.dt.strftime("%Y-%m-%d %H:%M:%S").to_numpy(dtype=object), type=pa.string())
        if s.dtype.kind in "iuf":
            return pa.array(s.to_numpy()).cast(pa.string())
        if hasattr(s.array, "to_strings"):  # ip/ipnet: formatted by the array's own kernel
            return pa.array(s.array.to_strings(), type=pa.string(), from_pandas=True)
        values = s.to_numpy(dtype=object) if s.dtype != object else s.to_numpy()
        try:
            return pa.array(values, type=pa.string(), from_pandas=True)
        except (pa.ArrowInvalid, pa.ArrowTypeError):
            return pa.array(s.astype(str).where(s.notna(), None).to_numpy(dtype=object), type=pa.string())

    def _lower(self, name: str):
        """The column's text, lower-cased once (ASCII fast path) and kept:
        a case-insensitive search is then the exact kernel, 3-5x faster."""
        import pyarrow.compute as pc

        with self._lock:
            if name in self._lowered:
                self._lowered.move_to_end(name)
                return self._lowered[name]
        strings = self._strings(name)
        ascii_only = pc.all(pc.string_is_ascii(strings)).as_py() in (True, None)
        low = pc.ascii_lower(strings) if ascii_only else pc.utf8_lower(strings)
        with self._lock:
            self._lowered[name] = low
            while len(self._lowered) > 3:
                self._lowered.popitem(last=False)
        return low

    def contains(self, name: str, needle: str, rows=None):
        """Bool mask (over ``rows``, or all rows) of values whose text contains ``needle``."""
        import numpy as np
        import pyarrow as pa
        import pyarrow.compute as pc

        kind = self.columns[name].kind
        ok = _CAN_OCCUR.get(kind)
        if ok is not None and not set(needle.lower()) <= ok | {" "}:
            return np.zeros(len(self.df) if rows is None else len(rows), dtype=bool)
        if kind in ("int", "float"):
            needle = needle.replace(",", "")
        if kind == "bool":
            s = self.df[name] if rows is None else self.df[name].iloc[rows]
            hits = [v for v in (True, False) if needle.lower() in str(v).lower()]
            return np.asarray(s.isin(hits).to_numpy(dtype=bool, na_value=False)) if hits else np.zeros(len(s), bool)
        d = self._dictionary(name)
        if d is not None:
            codes, dictionary = d
            hit = np.append(match_text(dictionary, needle), False)  # code -1 (missing): no match
            return hit[codes if rows is None else codes[rows]]
        check_cancel()
        cased = needle.lower() != needle.upper()
        if not cased or kind in NUMERIC_KINDS:
            strings = self._strings(name, rows)
        else:
            strings = self._lower(name)
            if rows is not None:
                strings = strings.take(pa.array(rows))
        hit = _bool_numpy(pc.match_substring(strings, needle.lower() if cased else needle))
        if kind in ("str", "object") and self.background:
            self._build_later(name)  # the next search of this column may use a dictionary
        return hit

    # -- components -----------------------------------------------------------
    def component(self, name: str | None, expr: str):
        """Bool mask of one component: (None, text) is the text box, else a column expression."""
        key = (name, expr.strip())
        with self._lock:
            if key in self._masks:
                self._masks.move_to_end(key)
                return self._masks[key]
        m = self._compute(name, expr.strip())
        with self._lock:
            self._masks[key] = m
            while len(self._masks) > self._cache:
                self._masks.popitem(last=False)
        return m

    def _wider(self, name, needle: str):
        """A cached mask of a wider text search (a prefix/substring of ``needle``)."""
        best = None
        with self._lock:
            for (n, e), m in self._masks.items():
                if n != name or e == needle:
                    continue
                if name is not None:
                    try:
                        p = parse_expr(e, self.columns[name].kind, name)
                    except FilterError:
                        continue
                    if p[0] != "text":
                        continue
                    e = p[1]
                if e and _narrows(needle, e) and (best is None or len(e) > len(best[0])):
                    best = (e, m)
        return None if best is None else best[1]

    def _compute(self, name, expr: str):
        import numpy as np

        n = len(self.df)
        if name is None:
            wider = self._wider(None, expr)
            rows = None if wider is None else np.flatnonzero(wider)
            size = n if rows is None else len(rows)
            hit = np.zeros(size, dtype=bool)
            for col in self.columns:
                check_cancel()
                hit |= self.contains(col, expr, rows)
            return hit if rows is None else _scatter(n, rows, hit)
        kind = self.columns[name].kind
        p = parse_expr(expr, kind, name)
        s = self.df[name]
        if p[0] == "text":
            wider = self._wider(name, p[1])
            if wider is not None:
                rows = np.flatnonzero(wider)
                return _scatter(n, rows, self.contains(name, p[1], rows))
            return self.contains(name, p[1])
        if p[0] == "bool":
            return np.asarray((s == p[1]).fillna(False).to_numpy(dtype=bool, na_value=False))
        if p[0] in ("eq", "ne"):
            d = self._dictionary(name)
            if d is not None:
                import pyarrow.compute as pc

                codes, dictionary = d
                hit = np.append(_bool_numpy(pc.equal(dictionary, p[1])), False)
                m = hit[codes]
            else:
                m = np.asarray((s.astype(str) == p[1]).to_numpy(dtype=bool, na_value=False)) if s.dtype == object and kind != "str" \
                    else np.asarray((s == p[1]).fillna(False).to_numpy(dtype=bool, na_value=False))
            if p[0] == "ne":
                m = ~m & np.asarray(s.notna().to_numpy(dtype=bool))
            return m
        p = _localize(p, s)
        if p[0] == "range":
            res = (s >= p[1]) & (s <= p[2])
        else:
            op, val = p[1], p[2]
            res = {"<": s.lt, "<=": s.le, ">": s.gt, ">=": s.ge, "=": s.eq, "!=": s.ne}[op](val)
            if op == "!=":
                res = res & s.notna()
        return np.asarray(res.fillna(False).to_numpy(dtype=bool, na_value=False))

    def mask(self, flt, errors: dict | None = None):
        """Bool mask of the rows a Filter keeps.  Invalid column expressions
        raise FilterError, or, with ``errors`` (a dict), are recorded there
        and left out."""
        import numpy as np

        m = None
        for name, expr in flt.columns:
            if name not in self.columns:
                raise KeyError(f"no column {name!r}; columns are {list(self.columns)}")
            try:
                c = self.component(name, expr)
            except FilterError as e:
                if errors is None:
                    raise
                errors[name] = e.message
                continue
            m = c.copy() if m is None else (m & c)
        if flt.text:
            c = self.component(None, flt.text)
            m = c.copy() if m is None else (m & c)
        return np.ones(len(self.df), dtype=bool) if m is None else m


def _localize(p: tuple, s) -> tuple:
    """Naive times typed in a filter are in the column's time zone."""
    tz = getattr(getattr(s, "dt", None), "tz", None) if s.dtype.kind == "M" or "datetime64" in str(s.dtype) else None
    if tz is None:
        return p
    return tuple(v.tz_localize(tz) if hasattr(v, "tz_localize") and getattr(v, "tz", 1) is None else v for v in p)


def _scatter(n: int, rows, values):
    import numpy as np

    out = np.zeros(n, dtype=bool)
    out[rows[values]] = True
    return out
