"""Column summaries: type, count, nulls, distinct, min/max or top values and a
small histogram (numbers, dates, ``ip`` by /8 or /16), for the rows the
current filter keeps.

Bounded in time at 10M rows: counts, min/max and histograms are single
vectorised passes; distinct values and top values are exact up to
``EXACT_LIMIT`` rows (or when the column is categorical or already has a
search dictionary) and estimated from a sample above it (marked ``≈``).
"""
from __future__ import annotations

import time
from typing import Any

__all__ = ["column_summary", "summary_frame", "EXACT_LIMIT"]

EXACT_LIMIT = 2_000_000
SAMPLE = 200_000
BINS = 20


def _text(v) -> Any:
    from .source import to_json_value

    j = to_json_value(v)
    return j if isinstance(j, (int, float, str, bool)) or j is None else str(v)


def _distinct_estimate(sample, n: int) -> int:
    """Chao1 (bias-corrected) from a sample: distinct seen plus f1²/2f2 unseen
    (f1, f2: values seen once, twice), at most the number of values."""
    counts = sample.value_counts(dropna=True)
    f1 = int((counts == 1).sum())
    f2 = int((counts == 2).sum())
    return int(min(n, round(len(counts) + f1 * (f1 - 1) / (2 * (f2 + 1)))))


def _histogram(values, kind: str) -> dict | None:
    """Counts in up to BINS equal bins of a numeric/datetime ndarray (no NA)."""
    import numpy as np

    if not len(values):
        return None
    if kind == "datetime":
        ints = values.view(np.int64)
        lo, hi = int(ints.min()), int(ints.max())
        counts, edges = np.histogram(ints, bins=BINS if hi > lo else 1, range=(lo, hi if hi > lo else lo + 1))
        import pandas as pd

        unit = np.datetime_data(values.dtype)[0]
        labels = [str(pd.Timestamp(int(e), unit=unit)) for e in edges[:-1]]
        return {"labels": labels, "counts": counts.tolist(), "edges": [labels[0], str(pd.Timestamp(int(edges[-1]), unit=unit))]}
    v = values.astype(np.float64, copy=False)
    v = v[np.isfinite(v)]
    if not len(v):
        return None
    flo, fhi = float(v.min()), float(v.max())
    counts, edges = np.histogram(v, bins=BINS if fhi > flo else 1, range=(flo, fhi if fhi > flo else flo + 1))
    return {"labels": [f"{e:.6g}" for e in edges[:-1]], "counts": counts.tolist(), "edges": [float(edges[0]), float(edges[-1])]}


def _ip_histogram(arr) -> dict | None:
    """Addresses counted by IPv4 /8 (or /16 when all share one /8); IPv6 by /16."""
    import numpy as np

    valid = np.asarray(arr.ver) != 0
    if not valid.any():
        return None
    ver, lo, hi = np.asarray(arr.ver)[valid], np.asarray(arr.lo)[valid], np.asarray(arr.hi)[valid]
    labels, counts = [], []
    v4 = ver == 4
    if v4.any():
        top8 = (lo[v4] >> np.uint64(24)).astype(np.int64)
        if (top8 == top8[0]).all():
            b16 = (lo[v4] >> np.uint64(16)).astype(np.int64)
            c = np.bincount(b16 - b16.min())
            for i in np.flatnonzero(c):
                x = int(b16.min() + i)
                labels.append(f"{x >> 8}.{x & 255}.0.0/16")
                counts.append(int(c[i]))
        else:
            c = np.bincount(top8, minlength=256)
            for i in np.flatnonzero(c):
                labels.append(f"{i}.0.0.0/8")
                counts.append(int(c[i]))
    if (~v4).any():
        top16 = (hi[~v4] >> np.uint64(48)).astype(np.int64)
        u, c = np.unique(top16, return_counts=True)
        for x, k in zip(u, c):
            labels.append(f"{int(x):x}::/16")
            counts.append(int(k))
    if len(labels) > 64:  # keep the biggest
        keep = sorted(np.argsort(counts)[-64:])
        labels, counts = [labels[i] for i in keep], [counts[i] for i in keep]
    return {"labels": labels, "counts": counts}


def column_summary(df, name: str, kind: str, rows=None, matcher=None) -> dict:
    """The summary of one column of ``df`` (over ``rows`` positions when a
    filter applies) as a JSON-safe dict."""
    import numpy as np
    import pandas as pd

    t0 = time.perf_counter()
    s = df[name] if rows is None else df[name].iloc[rows]
    n = len(s)
    na = np.asarray(s.isna())
    count = int(n - na.sum())
    out: dict[str, Any] = {"column": name, "kind": kind, "dtype": str(s.dtype), "rows": n, "count": count,
                           "nulls": int(n - count), "distinct": None, "distinct_approx": False,
                           "min": None, "max": None, "mean": None, "top": [], "histogram": None}
    valid = s[~na]
    if count:
        d = matcher._dicts.get(name) if matcher is not None else None
        if isinstance(s.dtype, pd.CategoricalDtype):
            codes = np.asarray(valid.cat.codes)
            bc = np.bincount(codes, minlength=len(s.cat.categories))
            out["distinct"] = int((bc > 0).sum())
            top = np.argsort(-bc, kind="stable")[:5]
            out["top"] = [[str(s.cat.categories[i]), int(bc[i])] for i in top if bc[i]]
        elif d is not None and (rows is None or n > EXACT_LIMIT):
            codes = d[0] if rows is None else d[0][rows]
            bc = np.bincount(codes[codes >= 0], minlength=len(d[1]))
            out["distinct"] = int((bc > 0).sum())
            top = np.argsort(-bc, kind="stable")[:5]
            out["top"] = [[d[1][int(i)].as_py(), int(bc[i])] for i in top if bc[i]]
        else:
            exact = count <= EXACT_LIMIT
            sample = valid if exact else valid.sample(SAMPLE, random_state=0)
            try:
                vc = sample.value_counts(dropna=True)
                out["distinct"] = int(len(vc)) if exact else _distinct_estimate(sample, count)
                out["distinct_approx"] = not exact
                if kind not in ("float",) and (vc.iloc[0] > 1 if len(vc) else False):
                    scale = 1 if exact else count / len(sample)
                    out["top"] = [[_text(k), int(round(c * scale))] for k, c in vc.head(5).items()]
            except TypeError:  # unhashable values
                pass
        if kind in ("int", "float", "bool", "datetime", "timedelta") and s.dtype != object:
            vals = valid.to_numpy()
            if kind == "datetime":
                arr = valid.array
                vals = np.asarray(getattr(arr, "_ndarray", vals))
            if kind == "bool":
                vals = vals.astype(np.int8)
            out["min"], out["max"] = _text(valid.min()), _text(valid.max())
            if kind in ("int", "float"):
                out["mean"] = float(np.mean(vals.astype(np.float64)))
            if kind == "timedelta":
                vals = vals.view(np.int64) / 1e9
            if kind != "bool":
                out["histogram"] = _histogram(vals, "datetime" if kind == "datetime" else "number")
        elif kind in ("ip", "ipnet"):
            from .sort import column_keys, top_k

            arr = valid.array
            up, down = column_keys(valid, True), column_keys(valid, False)
            if up is None or down is None:  # ip arrays always have keys; a guard for the type checker
                raise TypeError("ip column without sort keys")
            lo, hi = int(top_k(up, 1)[0]), int(top_k(down, 1)[0])  # O(n), no sort
            out["min"], out["max"] = str(arr[lo]), str(arr[hi])
            out["histogram"] = _ip_histogram(arr)
        elif kind == "str":
            try:
                import pyarrow as pa
                import pyarrow.compute as pc

                mm = pc.min_max(pa.array(valid.to_numpy(dtype=object), type=pa.string()) if valid.dtype == object
                                else valid.array._pa_array)
                out["min"], out["max"] = mm["min"].as_py(), mm["max"].as_py()
            except Exception:  # values of mixed types: no min/max
                pass
    out["seconds"] = round(time.perf_counter() - t0, 4)
    return out


def summary_frame(summaries: list[dict]):
    """Summaries as a DataFrame, one row per column (like ``describe``)."""
    import pandas as pd

    rows = []
    for d in summaries:
        top = ", ".join(f"{v} ({c:,})" for v, c in d["top"][:3])
        rows.append({"kind": d["kind"], "dtype": d["dtype"], "count": d["count"], "nulls": d["nulls"],
                     "distinct": d["distinct"], "distinct_approx": d["distinct_approx"],
                     "min": d["min"], "max": d["max"], "mean": d["mean"], "top": top})
    return pd.DataFrame(rows, index=pd.Index([d["column"] for d in summaries], name="column"))
