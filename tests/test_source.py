import threading

import numpy as np
import pandas as pd
import pytest

from netbook.table import Column, DataFrameSource, Filter, LazySource, StreamSource, as_source


@pytest.fixture
def df():
    rng = np.random.default_rng(0)
    n = 1000
    return pd.DataFrame({
        "n": np.arange(n),
        "x": rng.normal(size=n),
        "s": [f"host{i % 13}.example" for i in range(n)],
        "ok": np.arange(n) % 3 == 0,
        "t": pd.date_range("2024-01-01", periods=n, freq="h"),
    })


def test_columns_and_kinds(df):
    src = DataFrameSource(df, formats={"n": "size"})
    assert [(c.name, c.kind) for c in src.columns] == [
        ("n", "int"), ("x", "float"), ("s", "str"), ("ok", "bool"), ("t", "datetime")]
    assert src.column("n").format == "size"
    assert src.length == 1000


def test_page_unsorted(df):
    page = DataFrameSource(df).rows(10, 15)
    assert page.total == 1000 and page.keys == [10, 11, 12, 13, 14]
    assert [r[0] for r in page.rows] == [10, 11, 12, 13, 14]


def test_sort_matches_pandas(df):
    src = DataFrameSource(df)
    page = src.rows(0, 20, sort=[("x", False)])
    expected = df.sort_values("x", ascending=False, kind="stable").head(20)
    assert [r[0] for r in page.rows] == list(expected["n"])


def test_multi_sort_matches_pandas(df):
    src = DataFrameSource(df)
    page = src.rows(0, 50, sort=[("s", True), ("n", False)])
    expected = df.sort_values(["s", "n"], ascending=[True, False], kind="stable").head(50)
    assert [r[0] for r in page.rows] == list(expected["n"])


def test_sort_is_cached(df):
    src = DataFrameSource(df)
    a = src.order((("x", True),))
    b = src.order((("x", True),))
    assert a is b


def test_text_filter_across_columns(df):
    src = DataFrameSource(df)
    page = src.rows(0, 1000, filter="HOST12.")
    assert page.total == len(df[df.s.str.contains("host12.")])
    assert all("host12." in r[2] for r in page.rows)


@pytest.mark.parametrize("expr,pred", [
    (">990", lambda s: s > 990), ("<=3", lambda s: s <= 3), ("=5", lambda s: s == 5),
    ("!=5", lambda s: s != 5), ("10..20", lambda s: (s >= 10) & (s <= 20)),
])
def test_numeric_column_filters(df, expr, pred):
    page = DataFrameSource(df).rows(0, 2000, filter={"columns": {"n": expr}})
    assert [r[0] for r in page.rows] == list(df.n[pred(df.n)])


def test_datetime_range_filter_and_sort_combined(df):
    src = DataFrameSource(df)
    page = src.rows(0, 100, sort=[("n", False)], filter={"columns": {"t": "2024-01-01 05:00..2024-01-01 08:00"}})
    assert [r[0] for r in page.rows] == [8, 7, 6, 5]


def test_filter_on_missing_values():
    src = DataFrameSource(pd.DataFrame({"a": [1.0, None, 3.0], "b": ["x", None, "y"]}))
    assert src.rows(0, 10, filter={"columns": {"a": ">0"}}).total == 2
    assert src.rows(0, 10, filter="y").total == 1
    page = src.rows(0, 10, sort=[("a", True)])
    assert page.keys == [0, 2, 1]  # missing last


def test_unknown_column_is_a_clear_error(df):
    with pytest.raises(KeyError, match="no column 'nope'"):
        DataFrameSource(df).rows(0, 10, sort=[("nope", True)])


def test_page_past_end_is_empty(df):
    page = DataFrameSource(df).rows(5000, 5010)
    assert page.rows == [] and page.total == 1000


def test_non_range_index_becomes_a_column():
    src = DataFrameSource(pd.DataFrame({"v": [1, 2]}, index=pd.Index(["a", "b"], name="k")))
    assert [c.name for c in src.columns] == ["k", "v"]


def test_lazy_source_pages_2_to_the_32_without_materialising():
    calls = []

    def fetch(start, stop):
        calls.append((start, stop))
        return [(i, i * 2) for i in range(start, stop)]

    src = LazySource(2**32, [Column("i", "int"), Column("double", "int")], fetch)
    page = src.rows(2**32 - 10, 2**32 + 5)
    assert page.total == 2**32 and len(page.rows) == 10 and page.rows[-1] == (2**32 - 1, 2**33 - 2)
    assert calls == [(2**32 - 10, 2**32)]
    with pytest.raises(ValueError, match="cannot be sorted"):
        src.rows(0, 10, sort=[("i", True)])
    with pytest.raises(ValueError, match="too many"):
        src.to_frame()
    assert len(src.to_frame(limit=3)) == 3


def test_lazy_source_beyond_machine_words():
    src = LazySource(2**96, ["i"], lambda a, b: [(i,) for i in range(a, b)])
    page = src.rows(2**96 - 1, 2**96)
    assert page.rows == [(2**96 - 1,)]


def test_stream_source_appends_notifies_and_bounds():
    src = StreamSource(["a", "b"], maxrows=5)
    seen = []
    src.subscribe(lambda: seen.append(src.length))
    for i in range(8):
        src.append((i, f"r{i}"))
    assert src.length == 5 and seen[-1] == 5 and len(seen) == 8
    page = src.rows(0, 10)
    assert [r[0] for r in page.rows] == [3, 4, 5, 6, 7]
    assert page.keys == [3, 4, 5, 6, 7]  # keys stay stable when old rows drop
    assert src.rows_by_key([4]) == [(4, "r4")]
    page = src.rows(0, 10, sort=[("a", False)], filter={"columns": {"a": ">4"}})
    assert [r[0] for r in page.rows] == [7, 6, 5] and page.keys == [7, 6, 5]
    with pytest.raises(ValueError, match="2 columns"):
        src.append((1, 2, 3))
    src.append({"a": 9})
    assert src.snapshot()[-1] == (9, None)


def test_stream_source_is_thread_safe():
    src = StreamSource(["i"], maxrows=100_000)

    def work(k):
        for i in range(2000):
            src.append((k * 10000 + i,))

    ts = [threading.Thread(target=work, args=(k,)) for k in range(4)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    assert src.length == 8000
    assert len(set(r[0] for r in src.snapshot())) == 8000


def test_as_source_accepts_common_shapes():
    assert as_source([{"a": 1}, {"a": 2}]).length == 2
    assert as_source({"a": [1, 2, 3]}).length == 3
    assert as_source(pd.Series([1, 2], name="x")).columns[0].name == "x"

    class HasFrame:
        def to_frame(self):
            return pd.DataFrame({"z": [1]})

    assert as_source(HasFrame()).columns[0].name == "z"


def test_filter_make_normalises():
    assert not Filter.make(None)
    assert Filter.make("x").text == "x"
    f = Filter.make({"text": " a ", "columns": {"b": "", "c": ">1"}})
    assert f.text == "a" and f.columns == (("c", ">1"),)


@pytest.mark.parametrize("values", [
    [3.0, np.nan, 1.0, 3.0, -0.0, 0.0, np.nan, 2.5],
    [5, 1, 5, 2, 2, -7, 0],
    [True, False, True, False],
    pd.to_datetime(["2024-01-02", None, "2023-01-01", "2024-01-02"]),
    pd.to_timedelta(["1s", "3s", None, "1s"]),
])
@pytest.mark.parametrize("ascending", [True, False])
def test_fast_numeric_sort_equals_pandas(values, ascending):
    df = pd.DataFrame({"v": values, "i": range(len(values))})
    got = DataFrameSource(df).rows(0, 100, sort=[("v", ascending)]).keys
    want = list(df.sort_values("v", ascending=ascending, kind="stable", na_position="last").index)
    assert got == want
