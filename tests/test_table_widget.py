"""Table widget behaviour the issue-16 front-end relies on: browser queries on a
worker (newest wins), filter errors per box, summaries, copy and CSV export."""
import io
import time

import numpy as np
import pandas as pd
import pytest

import netbook as nb
from netbook.table import filter as filter_mod


def frame(n=2000):
    rng = np.random.default_rng(3)
    return pd.DataFrame({
        "n": np.arange(n),
        "host": pd.Series([f"h{i % 17}.example" for i in range(n)], dtype="str"),
        "x": np.where(rng.random(n) < 0.1, np.nan, rng.normal(size=n)),
        "t": pd.Timestamp("2024-01-01") + pd.to_timedelta(np.arange(n), unit="h"),
    })


def wait(pred, timeout=10.0):
    end = time.time() + timeout
    while time.time() < end:
        if pred():
            return True
        time.sleep(0.01)
    raise AssertionError("timed out")


def browser_query(t, **changes):
    """What a query from the browser does: set_state, as the comm would."""
    t.set_state({"query": {**t.query, **changes}})


def test_browser_query_runs_on_a_worker_and_the_newest_wins(monkeypatch):
    t = nb.Table(frame(), page_size=10)
    seen = []
    real = filter_mod.Matcher.contains

    def slow(self, name, needle, rows=None):
        seen.append(needle)
        time.sleep(0.3)
        return real(self, name, needle, rows)

    monkeypatch.setattr(filter_mod.Matcher, "contains", slow)
    before = t.page_id
    for word in ("h1", "h1.", "h16"):
        browser_query(t, columns={"host": word}, start="0")  # returns at once
    wait(lambda: t.total == "117" and not t.loading)
    assert all(r[1] == "h16.example" for r in t.rows)
    assert seen[-1] == "h16" and len(seen) <= 2  # the one in between was superseded, never computed
    assert t.page_id - before <= 2


def test_invalid_expression_is_reported_for_its_box_and_left_out():
    t = nb.Table(frame(), page_size=10)
    t.filter(n=">abc", host="h3.")
    assert t.filter_errors == {"n": "'abc' is not a number"}
    assert t.total == str((frame().host == "h3.example").sum())  # the valid part still applies
    assert not t.error
    t.filter(n=">1990")
    assert t.filter_errors == {} and t.total == "9"


def test_count_is_sent_before_the_sorted_page():
    t = nb.Table(frame(), page_size=10)
    totals = []
    t.observe(lambda ch: totals.append((ch["new"], len(t.rows) and t.rows[0][0])), names="total")
    t.query = {**t.query, "columns": {"n": "<500"}, "sort": [{"column": "n", "ascending": False}]}
    assert totals[0][0] == "500" and t.rows[0][0] == 499


def test_summary_frame():
    df = frame()
    t = nb.Table(df)
    s = t.summary()
    assert list(s.index) == ["n", "host", "x", "t"]
    assert s.loc["x", "nulls"] == df.x.isna().sum() and s.loc["x", "count"] == df.x.notna().sum()
    assert s.loc["host", "distinct"] == 17 and s.loc["n", "max"] == 1999
    assert s.loc["host", "top"].startswith("h") and s.loc["x", "kind"] == "float"
    t.filter(host="h3.")
    s = t.summary()  # for the current filter
    assert s.loc["n", "count"] == (df.host == "h3.example").sum()
    one = t.column_summary("x")
    assert one["histogram"]["counts"] and sum(one["histogram"]["counts"]) == one["count"]
    assert one["seconds"] < 5


def test_summary_of_ip_and_datetime_histograms():
    import netbook.ip.columns  # noqa: F401
    from netbook.ip.arrays import IPArray

    rng = np.random.default_rng(1)
    df = pd.DataFrame({"ip": pd.Series(IPArray.from_ints(rng.integers(10 << 24, (10 << 24) + (1 << 20), size=1000).astype(np.uint64))),
                       "t": pd.Timestamp("2024-01-01", tz="UTC") + pd.to_timedelta(rng.integers(0, 10**6, size=1000), unit="s")})
    t = nb.Table(df)
    ip = t.column_summary("ip")
    assert ip["kind"] == "ip" and ip["histogram"]["labels"][0].startswith("10.")
    assert sum(ip["histogram"]["counts"]) == 1000
    ts = t.column_summary("t")
    assert ts["min"].startswith("2024-01-01") and sum(ts["histogram"]["counts"]) == 1000


def test_copy_selected_or_page_as_tsv():
    t = nb.Table(frame(), page_size=5)
    text = t.copy_text()
    lines = text.splitlines()
    assert lines[0] == "n\thost\tx\tt" and len(lines) == 6
    t.selected_keys = [7, 3]
    assert [ln.split("\t")[0] for ln in t.copy_text().splitlines()[1:]] == ["7", "3"]


def test_csv_streams_the_filtered_view_in_pages():
    df = frame()
    t = nb.Table(df)
    t.filter(host="h2.").sort_by("-n")
    parts = list(t.iter_csv(chunk_rows=50))
    assert len(parts) > 2 and all(len(p) < 50 * 200 for p in parts)
    got = pd.read_csv(io.StringIO("".join(parts)))
    want = df[df.host == "h2.example"].sort_values("n", ascending=False)
    assert list(got.n) == list(want.n) and list(got.columns) == list(df.columns)


@pytest.mark.parametrize("secret", ["hunter2"])
def test_exports_mask_secret_columns(secret):
    t = nb.Table(pd.DataFrame({"user": ["a"], "password": [secret]}), formats={"password": "secret"})
    assert secret not in t.copy_text() and secret not in "".join(t.iter_csv())


def test_csv_of_a_stream_source_view():
    src = nb.StreamSource([nb.Column("i", "int"), nb.Column("word", "str")])
    for i in range(30):
        src.append((i, f"w{i % 4}"))
    t = nb.Table(src)
    t.follow = False
    t.filter(word="w1")
    got = pd.read_csv(io.StringIO("".join(t.iter_csv(chunk_rows=3))))
    assert list(got.i) == [i for i in range(30) if i % 4 == 1]
