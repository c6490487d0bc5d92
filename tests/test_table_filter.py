"""Filtering: the text box and per-column expressions agree with pandas for
every kind; dictionaries, narrowing and bad expressions."""
import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from netbook.table import DataFrameSource
from netbook.table.filter import FilterError, Matcher


def frame(n=30_000, seed=0):
    rng = np.random.default_rng(seed)
    hosts = np.array([f"Host{i}.example" for i in range(300)] + [None], dtype=object)
    f = rng.normal(size=n).round(2) * 100
    f[rng.random(n) < 0.1] = np.nan
    return pd.DataFrame({
        "n": np.arange(n),
        "f": f,
        "host": pd.Series(hosts[rng.integers(0, 301, size=n)], dtype="str"),  # repeated: dictionary
        "obj": pd.Series([f"id-{i}-{'ABC'[i % 3]}" for i in range(n)], dtype=object),  # all distinct
        "cat": pd.Categorical(rng.choice(["red", "green", "blue"], size=n)),
        "ok": rng.random(n) < 0.3,
        "t": pd.Timestamp("2024-01-01") + pd.to_timedelta(np.arange(n), unit="min"),
    })


def contains(s, needle):
    return s.astype(str).where(s.notna(), "").str.contains(needle, case=False, regex=False)


@pytest.mark.parametrize("col,expr,pred", [
    ("n", ">29990", lambda d: d.n > 29990),
    ("n", "<=3", lambda d: d.n <= 3),
    ("n", "=5", lambda d: d.n == 5),
    ("n", "!=5", lambda d: d.n != 5),
    ("n", "10..20", lambda d: d.n.between(10, 20)),
    ("n", "1,000..1,010", lambda d: d.n.between(1000, 1010)),
    ("f", ">=50.5", lambda d: d.f >= 50.5),
    ("f", "!=0", lambda d: (d.f != 0) & d.f.notna()),
    ("f", "-10..10", lambda d: d.f.between(-10, 10)),
    ("t", "2024-01-01 05:00..2024-01-01 08:00", lambda d: d.t.between("2024-01-01 05:00", "2024-01-01 08:00")),
    ("t", ">2024-01-20", lambda d: d.t > "2024-01-20"),
    ("host", "ST12", lambda d: contains(d.host, "st12")),
    ("host", "=Host7.example", lambda d: d.host == "Host7.example"),
    ("host", "!=Host7.example", lambda d: (d.host != "Host7.example") & d.host.notna()),
    ("obj", "-B", lambda d: contains(d.obj, "-b")),
    ("cat", "re", lambda d: contains(d.cat, "re")),
    ("cat", "=red", lambda d: d.cat == "red"),
    ("ok", "true", lambda d: d.ok),
    ("ok", "no", lambda d: ~d.ok),
    ("n", "404", lambda d: contains(d.n, "404")),
])
def test_column_expressions_match_pandas(col, expr, pred):
    df = frame()
    page = DataFrameSource(df).rows(0, 40_000, filter={"columns": {col: expr}})
    want = list(df.index[pred(df).fillna(False).to_numpy(dtype=bool)])
    assert page.keys == want


@pytest.mark.parametrize("text", ["host1", "EXAMPLE", "-c", "404", "gamma", "2024-01-02 1", "green", "1.5"])
def test_text_box_searches_every_column(text):
    df = frame()
    page = DataFrameSource(df).rows(0, 40_000, filter=text)
    m = np.zeros(len(df), dtype=bool)
    for c in ("host", "obj", "cat", "n"):
        m |= contains(df[c], text).to_numpy(dtype=bool)
    m |= contains(df.t.dt.strftime("%Y-%m-%d %H:%M:%S"), text).to_numpy(dtype=bool)
    m |= contains(df.f.astype(str).where(df.f.notna()), text).to_numpy(dtype=bool) if text in ("1.5", "404") else False
    assert page.keys == list(np.flatnonzero(m))


def test_repeated_column_is_searched_by_dictionary():
    df = frame()
    src = DataFrameSource(df)
    m = src.matcher
    d = m._dictionary("host")
    assert d is not None and len(d[1]) == 300  # one search per distinct value
    assert m._dictionary("obj") is None  # all distinct: no dictionary


def test_large_column_dictionary_builds_in_the_background():
    n = 1_000_000
    s = pd.Series(np.array([f"h{i % 1000}" for i in range(1000)], dtype=object)[np.arange(n) % 1000], dtype="str")
    src = DataFrameSource(pd.DataFrame({"s": s}))
    first = src.rows(0, 5, filter={"columns": {"s": "h99"}})  # scans; the dictionary builds meanwhile
    assert src.matcher._dictionary("s", wait=True) is not None
    second = src.rows(0, 5, filter={"columns": {"s": "H99"}})
    assert first.total == second.total == n // 1000 * 11


def test_narrowing_searches_only_the_kept_rows(monkeypatch):
    df = frame()
    src = DataFrameSource(df)
    seen = []
    real = Matcher.contains

    def spy(self, name, needle, rows=None):
        seen.append((name, needle, None if rows is None else len(rows)))
        return real(self, name, needle, rows)

    monkeypatch.setattr(Matcher, "contains", spy)
    a = src.rows(0, 10, filter={"columns": {"obj": "id-1"}}).total
    b = src.rows(0, 10, filter={"columns": {"obj": "id-12"}}).total
    c = src.rows(0, 10, filter={"columns": {"obj": "id-123"}}).total
    assert seen[0] == ("obj", "id-1", None)
    assert seen[1] == ("obj", "id-12", a) and seen[2] == ("obj", "id-123", b)
    assert c == contains(df.obj, "id-123").sum()


@pytest.mark.parametrize("col,expr,msg", [
    ("n", ">abc", "'abc' is not a number"),
    ("n", ">", "value is missing"),
    ("n", "hello", "write >10"),
    ("n", "20..10", "empty"),
    ("t", "<yesterday-ish", "not a date"),
    ("ok", "maybe", "true or false"),
])
def test_bad_expressions_say_what_is_wrong(col, expr, msg):
    src = DataFrameSource(frame(100))
    with pytest.raises(FilterError, match=msg) as e:
        src.rows(0, 10, filter={"columns": {col: expr}})
    assert e.value.column == col
    errors = {}
    src.mask(src_filter := __import__("netbook.table", fromlist=["Filter"]).Filter.make({"columns": {col: expr}}), errors)
    assert col in errors and src_filter


def test_tz_aware_column_compares_in_its_zone():
    t = pd.Series(pd.date_range("2024-01-01", periods=48, freq="h", tz="Europe/Paris"))
    src = DataFrameSource(pd.DataFrame({"t": t}))
    assert src.rows(0, 100, filter={"columns": {"t": ">=2024-01-02"}}).total == 24


strings = st.lists(st.one_of(st.none(), st.sampled_from(["alpha", "Beta", "gamma", "ALPHABET", "bet", "", "ä-Ö"])), min_size=1, max_size=300)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(strings, st.lists(st.sampled_from(["a", "al", "alp", "b", "be", "bet", "ä", "Ö", "-", "x"]), min_size=1, max_size=4))
def test_typing_sequence_equals_pandas_property(values, typed):
    reps = max(1, 10_000 // len(values)) if len(values) < 20 else 1  # sometimes big enough for a dictionary
    s = pd.Series(values * reps, dtype="str")
    src = DataFrameSource(pd.DataFrame({"s": s, "o": s.astype(object)}))
    for needle in typed:
        for col in ("s", "o"):
            page = src.rows(0, len(s), filter={"columns": {col: needle}})
            assert page.keys == list(np.flatnonzero(contains(s, needle).to_numpy(dtype=bool)))
        assert src.rows(0, 0, filter=needle).total == int(contains(s, needle).sum())


def test_ip_columns_filter_by_text_and_equality():
    import netbook.ip.columns  # noqa: F401  (the ip dtype)

    values = ["10.0.0.1", None, "10.0.1.7", "2001:db8::1", "10.0.0.1"]
    df = pd.DataFrame({"a": pd.Series(values, dtype="ip")})
    src = DataFrameSource(df)
    assert src.columns[0].kind == "ip"
    assert src.rows(0, 10, filter={"columns": {"a": "10.0.0"}}).keys == [0, 4]
    assert src.rows(0, 10, filter={"columns": {"a": "=10.0.0.1"}}).keys == [0, 4]
    assert src.rows(0, 10, filter={"columns": {"a": "!=10.0.0.1"}}).keys == [2, 3]
    assert src.rows(0, 10, filter="DB8").keys == [3]
