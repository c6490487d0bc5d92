"""Sorting: top-k first pages and full orders agree with pandas' stable sort,
for every column kind, with missing values (last) and ties (stable)."""
import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from netbook.table import Column, DataFrameSource, LazySource
from netbook.table import frame as frame_mod
from netbook.table.sort import column_keys, full_order, top_k


def pandas_keys(df, sort, start=0, stop=None):
    names = [n for n, _ in sort]
    res = df.sort_values(names, ascending=[a for _, a in sort], kind="stable", na_position="last")
    return list(res.index[start:stop])


def random_frame(n, seed):
    rng = np.random.default_rng(seed)
    few = rng.integers(0, 7, size=n)  # many ties
    miss = rng.random(n) < 0.15
    f = rng.normal(size=n).round(1)
    f[miss] = np.nan
    strings = np.array([f"v{x}" for x in rng.integers(0, 9, size=n)], dtype=object)
    strings[rng.random(n) < 0.1] = None
    t = pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 50, size=n), unit="h")
    t = pd.Series(t).where(rng.random(n) > 0.1)
    return pd.DataFrame({
        "i": few.astype(np.int64),
        "u": few.astype(np.uint16),
        "f": f,
        "b": few % 2 == 0,
        "nb": pd.array(np.where(rng.random(n) < 0.2, None, few % 2 == 1), dtype="boolean"),
        "ni": pd.array(np.where(rng.random(n) < 0.2, None, few), dtype="Int64"),
        "s": pd.Series(strings, dtype="str"),
        "o": pd.Series(strings, dtype=object),
        "c": pd.Categorical(strings, categories=[f"v{k}" for k in (3, 1, 4, 0, 5, 8, 2, 6, 7)]),
        "t": t,
        "tz": t.dt.tz_localize("UTC").dt.tz_convert("Europe/Paris"),
        "d": t - pd.Timestamp("2024-01-01"),
    })


COLUMNS = ["i", "u", "f", "b", "nb", "ni", "s", "o", "c", "t", "tz", "d"]


@pytest.mark.parametrize("col", COLUMNS)
@pytest.mark.parametrize("ascending", [True, False])
def test_every_kind_sorts_like_pandas(col, ascending):
    df = random_frame(20_000, 1)
    src = DataFrameSource(df)
    sort = ((col, ascending),)
    want = pandas_keys(df, sort)
    assert src.rows(0, 25, sort).keys == want[:25]  # top-k page
    assert src.rows(9000, 9050, sort).keys == want[9000:9050]
    assert list(src.order(sort)) == want  # full order


@pytest.mark.parametrize("spec", [
    (("i", True), ("f", False)),
    (("s", False), ("t", True), ("i", False)),
    (("c", True), ("nb", False)),
    (("b", False), ("o", True), ("tz", False)),
    (("ni", True), ("s", True)),
])
def test_multi_column_sorts_like_pandas(spec):
    df = random_frame(20_000, 2)
    src = DataFrameSource(df)
    want = pandas_keys(df, spec)
    for start in (0, 25, 4000):
        assert src.rows(start, start + 25, spec).keys == want[start:start + 25]


def test_sort_with_filter_sorts_only_matching_rows():
    df = random_frame(20_000, 3)
    src = DataFrameSource(df)
    page = src.rows(0, 30, [("f", False)], {"columns": {"i": ">=4"}})
    sub = df[df.i >= 4]
    assert page.total == len(sub)
    assert page.keys == list(sub.sort_values("f", ascending=False, kind="stable").index[:30])


def test_deep_pages_use_one_full_order(monkeypatch):
    df = random_frame(120_000, 4)
    src = DataFrameSource(df)
    sort = (("f", True),)
    calls = []
    real = frame_mod.full_order
    monkeypatch.setattr(frame_mod, "full_order", lambda keys, rows=None: calls.append(1) or real(keys, rows))
    src.rows(0, 25, sort)
    assert calls == []  # the first page: a top-k selection
    want = pandas_keys(df, sort)
    assert src.rows(100_000, 100_025, sort).keys == want[100_000:100_025]
    assert src.rows(90_000, 90_025, sort).keys == want[90_000:90_025]
    assert src.rows(0, 25, sort).keys == want[:25]
    assert calls == [1]  # once, then kept


def test_ip_columns_sort_by_their_key():
    import netbook.ip.columns  # noqa: F401  (registers the ip and ipnet dtypes)

    rng = np.random.default_rng(5)
    n = 6000
    v4 = [f"10.{a}.{b}.{c}" for a, b, c in rng.integers(0, 4, size=(n, 3))]
    v6 = [f"2001:db8::{x:x}" for x in rng.integers(0, 50, size=n)]
    mixed = [a if k else b for a, b, k in zip(v4, v6, rng.random(n) < 0.5)]
    for values, dtype in ((v4, "ip"), (mixed, "ip"), ([f"10.{a}.{b}.0/{24 + k}" for a, b, k in rng.integers(0, 4, size=(n, 3))], "ipnet")):
        values = [None if m else v for v, m in zip(values, rng.random(n) < 0.05)]
        s = pd.Series(values, dtype=dtype)
        df = pd.DataFrame({"a": s, "n": range(n)})
        src = DataFrameSource(df)
        assert src.columns[0].kind == dtype
        arr = s.array
        ref = np.asarray(arr._values_for_argsort())
        na = np.asarray(arr.isna())
        valid = np.flatnonzero(~na)
        for asc in (True, False):
            order = valid[np.argsort(ref[valid], kind="stable")]
            if not asc:  # stable descending: ties keep their row order
                rv = ref[valid][::-1]
                order = valid[::-1][np.argsort(rv, kind="stable")][::-1]
                # equal keys must stay ascending by row: re-sort ties
                keys = ref[order]
                groups = np.concatenate([[0], np.flatnonzero(keys[1:] != keys[:-1]) + 1, [len(order)]])
                order = np.concatenate([np.sort(order[a:b]) for a, b in zip(groups[:-1], groups[1:])])
            want = list(order) + list(np.flatnonzero(na))
            assert src.rows(0, 40, [("a", asc)]).keys == want[:40]
            assert list(src.order((("a", asc),))) == want


def test_lazy_source_sorts_by_declared_keys():
    n = 50_000
    val = lambda i: (i * 7919) % 1000  # noqa: E731
    src = LazySource(n, [Column("i", "int", sort_key="index"),
                         Column("v", "int", sort_key=lambda a, b: [val(i) for i in range(a, b)]),
                         Column("plain", "str")],
                     lambda a, b: [(i, val(i), f"r{i}") for i in range(a, b)])
    assert src.sortable and src.can_sort("v") and not src.can_sort("plain")
    assert src.rows(0, 3, [("i", False)]).keys == [n - 1, n - 2, n - 3]
    page = src.rows(0, 25, [("v", False), ("i", True)])
    df = pd.DataFrame({"v": [val(i) for i in range(n)]})
    want = list(df.sort_values("v", ascending=False, kind="stable").index[:25])
    assert page.keys == want and [r[1] for r in page.rows] == [val(k) for k in want]
    with pytest.raises(ValueError, match="no sort_key"):
        src.rows(0, 3, [("plain", True)])
    huge = LazySource(2**96, [Column("i", "int", sort_key="index")], lambda a, b: [(i,) for i in range(a, b)])
    assert huge.rows(0, 2, [("i", False)]).rows == [(2**96 - 1,), (2**96 - 2,)]


def test_mixed_objects_fall_back_to_pandas():
    df = pd.DataFrame({"o": [b"b", b"a", None, b"c"]})
    assert DataFrameSource(df).rows(0, 4, [("o", True)]).keys == [1, 0, 3, 2]


def test_int_extremes_with_missing_values():
    info = np.iinfo(np.int64)
    s = pd.array([info.max, None, info.min, 0, info.max, None], dtype="Int64")
    df = pd.DataFrame({"x": s})
    for asc in (True, False):
        assert DataFrameSource(df).rows(0, 6, [("x", asc)]).keys == pandas_keys(df, (("x", asc),))


frames = st.integers(1, 400).flatmap(lambda n: st.tuples(
    st.lists(st.one_of(st.none(), st.integers(-3, 3)), min_size=n, max_size=n),
    st.lists(st.one_of(st.none(), st.floats(-2, 2, allow_nan=False).map(lambda x: round(x, 1))), min_size=n, max_size=n),
    st.lists(st.one_of(st.none(), st.sampled_from(["a", "B", "b", "ä", "", "ab"])), min_size=n, max_size=n),
))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(frames, st.lists(st.tuples(st.sampled_from(["i", "f", "s"]), st.booleans()), min_size=1, max_size=3, unique_by=lambda t: t[0]),
       st.integers(1, 60))
def test_top_k_equals_pandas_property(cols, spec, k):
    i, f, s = cols
    df = pd.DataFrame({"i": pd.array(i, dtype="Int64"), "f": pd.array(f, dtype="float64"), "s": pd.Series(s, dtype="str")})
    src = DataFrameSource(df)
    keys = src.keys(tuple(spec))
    want = pandas_keys(df, spec)
    assert list(top_k(keys, k)) == want[:k]
    rows = np.flatnonzero(np.arange(len(df)) % 3 != 1)
    sub = df.iloc[rows]
    want_sub = list(sub.sort_values([c for c, _ in spec], ascending=[a for _, a in spec], kind="stable", na_position="last").index)
    assert list(top_k(keys, k, rows)) == want_sub[:k]
    assert list(full_order(keys, rows)) == want_sub


def test_top_k_large_ties_are_stable():
    n = 200_000
    x = np.zeros(n)
    x[::7] = 1.0
    keys = column_keys(pd.Series(x), False)
    assert list(top_k(keys, 30)) == list(range(0, 7 * 30, 7))
    keys = column_keys(pd.Series(x), True)
    assert list(top_k(keys, 10)) == [1, 2, 3, 4, 5, 6, 8, 9, 10, 11]
