"""Sorting a Source: the first page from a top-k selection, not a full sort.

A sort spec becomes a list of *keys*, one or more per column, each in the
order wanted (descending is folded into the key) with missing values last:

* a NumPy array: integers, floats (NaN last), booleans, datetimes (int64),
  categorical codes, ``ip``/``ipnet`` parts (version, high, low, prefix);
* an :class:`ArrowKey`: a pyarrow string array and a direction (nulls last).

:func:`top_k` returns the first ``k`` rows of the stable lexicographic order
in time proportional to the rows, not ``n log n``: the k-th value of the
first key splits the rows into those surely in the top k (sorted fully:
fewer than ``k``) and the ties at the k-th value, which recurse on the next
key; ties left at the end keep their original order.  :func:`full_order`
is the stable full ordering, computed once when a user pages deep.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Sequence

__all__ = ["ArrowKey", "column_keys", "top_k", "full_order", "check_cancel", "Cancelled", "cancel_scope"]


class Cancelled(Exception):
    """A newer query superseded the one being computed."""


import threading as _threading  # noqa: E402

_local = _threading.local()


def check_cancel() -> None:
    """Raise :class:`Cancelled` if the current thread's query was superseded."""
    fn = getattr(_local, "cancelled", None)
    if fn is not None and fn():
        raise Cancelled()


class cancel_scope:
    """``with cancel_scope(is_cancelled):`` long sorts and filters in this
    thread check ``is_cancelled()`` between their passes and stop early."""

    def __init__(self, is_cancelled: Callable[[], bool] | None):
        self.fn = is_cancelled

    def __enter__(self):
        self.prev = getattr(_local, "cancelled", None)
        _local.cancelled = self.fn

    def __exit__(self, *exc):
        _local.cancelled = self.prev


@dataclass
class ArrowKey:
    """A string key: a pyarrow (large_)string array, sorted ``ascending`` or
    not, nulls last either way."""

    array: Any
    ascending: bool = True

    def __len__(self) -> int:
        return len(self.array)


# ---------------------------------------------------------------------------
# column -> keys
# ---------------------------------------------------------------------------

def _int_key(values, na, ascending: bool) -> list:
    """Integer values (any width, signed or not): descending by bitwise not
    (no overflow), missing values as a sentinel above every value."""
    import numpy as np

    k = values if ascending else ~values
    if na is None or not na.any():
        return [k]
    info = np.iinfo(k.dtype)
    valid = k[~na]
    if not len(valid) or valid.max() < info.max:
        return [np.where(na, info.max, k).astype(k.dtype, copy=False)]
    # every value is used up to the maximum: a leading missing-flag key
    return [na.astype(np.uint8), np.where(na, 0, k).astype(k.dtype, copy=False)]


def _numpy_keys(values, na, ascending: bool) -> list | None:
    import numpy as np

    kind = values.dtype.kind
    if kind == "f":
        if na is not None and na.any():
            values = np.where(na, np.nan, values)
        return [values if ascending else -values]
    if kind == "b":
        u = values.view(np.uint8)
        k = u if ascending else (1 - u).astype(np.uint8)
        return [k if na is None or not na.any() else np.where(na, 2, k).astype(np.uint8)]
    if kind in "mM":
        v = values.view(np.int64)
        nat = v == np.iinfo(np.int64).min
        na = nat if na is None else (na | nat)
        return _int_key(v, na, ascending)
    if kind in "iu":
        return _int_key(values, na, ascending)
    return None


def _arrow_string(arr):
    """A pyarrow string array for a pandas string/object column, or None."""
    import numpy as np
    import pyarrow as pa

    pa_arr = getattr(arr, "_pa_array", None)
    if pa_arr is not None:
        a = pa_arr.combine_chunks() if isinstance(pa_arr, pa.ChunkedArray) else pa_arr
        return a if (pa.types.is_string(a.type) or pa.types.is_large_string(a.type)) else None
    values = np.asarray(arr, dtype=object) if not isinstance(arr, np.ndarray) else arr
    if values.dtype != object:
        return None
    try:
        return pa.array(values, type=pa.string(), from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return None


def column_keys(series, ascending: bool = True) -> list | None:
    """The keys of one pandas column for a stable sort in that direction,
    missing values last; None when the column has no fast key (mixed Python
    objects): the caller falls back to pandas."""
    import numpy as np
    import pandas as pd

    arr = series.array if isinstance(series, (pd.Series, pd.Index)) else series
    dtype = arr.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        codes = np.asarray(arr.codes, dtype=np.int64)
        n = len(dtype.categories)
        na = codes < 0
        k = codes if ascending else (n - 1) - codes
        return [np.where(na, n, k)] if na.any() else [k]
    if getattr(dtype, "name", "") in ("ip", "ipnet") and hasattr(arr, "_values_for_argsort"):
        return _ip_keys(arr, ascending)
    if isinstance(arr, pd.arrays.NumpyExtensionArray) or isinstance(arr, np.ndarray):
        values = np.asarray(arr)
        if values.dtype == object:
            a = _arrow_string(values)
            return None if a is None else [ArrowKey(a, ascending)]
        return _numpy_keys(values, None, ascending)
    if isinstance(arr, (pd.arrays.DatetimeArray, pd.arrays.TimedeltaArray)):
        return _numpy_keys(arr._ndarray, None, ascending)
    if hasattr(arr, "_data") and hasattr(arr, "_mask"):  # Int64, Float64, boolean
        return _numpy_keys(np.asarray(arr._data), np.asarray(arr._mask), ascending)
    if isinstance(dtype, pd.StringDtype) or hasattr(arr, "_pa_array"):
        a = _arrow_string(arr)
        if a is not None:
            return [ArrowKey(a, ascending)]
        pa_arr = getattr(arr, "_pa_array", None)
        if pa_arr is not None:  # numeric/temporal pyarrow-backed columns
            import pyarrow as pa

            a = pa_arr.combine_chunks()
            if pa.types.is_timestamp(a.type) or pa.types.is_duration(a.type) or pa.types.is_date(a.type):
                a = a.cast(pa.int64())
            if pa.types.is_integer(a.type) or pa.types.is_floating(a.type) or pa.types.is_boolean(a.type):
                na = np.asarray(a.is_null().to_numpy(zero_copy_only=False))
                values = np.asarray(a.fill_null(False if pa.types.is_boolean(a.type) else 0).to_numpy(zero_copy_only=False))
                return _numpy_keys(values, na, ascending)
        return None
    if hasattr(arr, "_values_for_argsort"):
        try:
            values = np.asarray(arr._values_for_argsort())
        except (TypeError, ValueError, NotImplementedError):
            return None
        if values.dtype.kind in "biufmM":
            return _numpy_keys(values, np.asarray(arr.isna()), ascending)
    return None


def _ip_keys(arr, ascending: bool) -> list:
    """``ip``/``ipnet``: the array's own sort key (version, high, low[, prefix]),
    read through ``_values_for_argsort``; missing values last."""
    import numpy as np

    key = np.asarray(arr._values_for_argsort())
    na = np.asarray(arr.isna())
    if key.dtype.names is None:  # IPv4 only: one uint64 below 2**32
        k = key.astype(np.uint64, copy=False)
        if not ascending:
            k = np.uint64(0xFFFFFFFF) - k
        return [np.where(na, np.uint64(1 << 32), k)] if na.any() else [k]
    out = []
    for name in key.dtype.names:
        part = key[name]
        part = part.astype(part.dtype.newbyteorder("="), copy=False)
        out.append(part if ascending else ~part)
    # version is the first part: missing rows (version 0) go last
    out[0] = np.where(na, np.iinfo(out[0].dtype).max, out[0]).astype(out[0].dtype)
    return out


# ---------------------------------------------------------------------------
# top-k and full orders
# ---------------------------------------------------------------------------

def _length(keys, rows) -> int:
    return len(rows) if rows is not None else len(keys[0])


def _split(key, k: int, rows):
    """Rows strictly before the k-th value of ``key`` and rows equal to it
    (both in ascending row order)."""
    import numpy as np

    if isinstance(key, ArrowKey):
        import pyarrow as pa
        import pyarrow.compute as pc

        vals = key.array if rows is None else key.array.take(pa.array(rows))
        sel = pc.bottom_k_unstable(vals, k) if key.ascending else pc.top_k_unstable(vals, k)
        kth = vals[int(sel[k - 1].as_py())]
        check_cancel()
        if not kth.is_valid:
            lm, em = vals.is_valid(), vals.is_null()
        else:
            lm = (pc.less if key.ascending else pc.greater)(vals, kth)
            em = pc.equal(vals, kth)
        lm = np.asarray(lm.fill_null(False).to_numpy(zero_copy_only=False))
        em = np.asarray(em.fill_null(False).to_numpy(zero_copy_only=False))
    else:
        vals = key if rows is None else key[rows]
        kth = np.partition(vals, k - 1)[k - 1]
        check_cancel()
        if vals.dtype.kind == "f" and np.isnan(kth):
            em = np.isnan(vals)
            lm = ~em
        else:
            lm = vals < kth
            em = vals == kth
    less, eq = np.flatnonzero(lm), np.flatnonzero(em)
    if rows is not None:
        less, eq = rows[less], rows[eq]
    return less, eq


def top_k(keys: Sequence, k: int, rows=None):
    """The first ``k`` row positions of the stable order by ``keys``
    (restricted to ``rows``, ascending positions, when given)."""
    import numpy as np

    n = _length(keys, rows) if keys else (len(rows) if rows is not None else 0)
    k = max(0, min(int(k), n))
    if k == 0:
        return np.empty(0, dtype=np.int64)
    if not keys:
        return np.asarray(rows[:k], dtype=np.int64)
    if k == n or n <= 4096:
        return full_order(keys, rows)[:k]
    check_cancel()
    less, eq = _split(keys[0], k, rows)
    head = full_order(keys, less) if len(less) else np.empty(0, dtype=np.int64)
    rest = k - len(head)
    tail = top_k(keys[1:], rest, eq) if len(keys) > 1 else eq[:rest]
    return np.concatenate([head, np.asarray(tail, dtype=np.int64)])


def full_order(keys: Sequence, rows=None):
    """Row positions in the stable order by ``keys`` (missing values last)."""
    import numpy as np

    check_cancel()
    if rows is not None and len(rows) == 0:
        return np.empty(0, dtype=np.int64)
    if all(not isinstance(k, ArrowKey) for k in keys):
        vals = [k if rows is None else k[rows] for k in keys]
        order = np.argsort(vals[0], kind="stable") if len(vals) == 1 else np.lexsort(vals[::-1])
    else:
        import pyarrow as pa
        import pyarrow.compute as pc

        cols, spec = {}, []
        take = None if rows is None else pa.array(rows)
        for i, k in enumerate(keys):
            if isinstance(k, ArrowKey):
                a = k.array if take is None else k.array.take(take)
                spec.append((f"k{i}", "ascending" if k.ascending else "descending", "at_end"))
            else:
                a = pa.array(k if rows is None else k[rows])
                spec.append((f"k{i}", "ascending", "at_end"))
            cols[f"k{i}"] = a
        order = np.asarray(pc.sort_indices(pa.table(cols), sort_keys=spec))
    order = order.astype(np.int64, copy=False)
    return order if rows is None else np.asarray(rows, dtype=np.int64)[order]


def pandas_order(df, sort) -> Any:
    """The stable order pandas gives (the fallback for columns without a
    fast key: mixed Python objects), missing values last."""
    import numpy as np

    names = [n for n, _ in sort]
    asc = [a for _, a in sort]
    sub = df[names].reset_index(drop=True)
    try:
        res = sub.sort_values(names, ascending=asc, kind="stable", na_position="last")
    except TypeError:  # values that do not compare (mixed types): by their text
        res = sub.astype(str).sort_values(names, ascending=asc, kind="stable")
    return res.index.to_numpy(dtype=np.int64)
