import json

import numpy as np
import pandas as pd

import netbook as nb
from netbook.table import Column, LazySource, StreamSource


def frame(n=200):
    return pd.DataFrame({"n": np.arange(n), "s": [f"v{i % 10}" for i in range(n)], "size": np.arange(n) * 1000})


def test_first_page_and_total():
    t = nb.Table(frame())
    assert t.total == "200" and t.length == "200" and len(t.rows) == 25
    assert t.rows[0] == [0, "v0", 0] and t.row_keys[:3] == [0, 1, 2]
    assert [c["name"] for c in t.columns] == ["n", "s", "size"]
    assert t.sortable and t.filterable and not t.error


def test_browser_query_drives_the_page():
    t = nb.Table(frame(), page_size=10)
    t.query = {**t.query, "start": "10"}
    assert t.start == "10" and t.rows[0][0] == 10
    t.query = {**t.query, "sort": [{"column": "n", "ascending": False}], "start": "0"}
    assert t.rows[0][0] == 199
    t.query = {**t.query, "text": "v3", "sort": []}
    assert t.total == "20" and all(r[1] == "v3" for r in t.rows)
    t.query = {**t.query, "text": "", "columns": {"n": ">=195"}}
    assert t.total == "5"


def test_python_side_controls():
    t = nb.Table(frame(), page_size=10)
    t.sort_by("-n")
    assert t.rows[0][0] == 199
    t.filter(s="v1")
    assert t.total == "20" and t.rows[0][0] == 191
    t.filter()
    t.page(3)
    assert t.start == "30"
    t.goto(199)
    assert t.start == "190"
    assert list(t.page_frame.columns) == ["n", "s", "size"]


def test_filter_shrinking_result_moves_to_last_page():
    t = nb.Table(frame(), page_size=10)
    t.query = {**t.query, "start": "150"}
    t.query = {**t.query, "text": "v3"}  # 20 rows: start 150 is past the end
    assert t.start == "10" and t.total == "20"


def test_only_the_page_crosses_to_the_browser():
    big = pd.DataFrame({"a": np.arange(1_000_000), "b": np.arange(1_000_000) * 2.5})
    t = nb.Table(big)
    state = t.get_state()
    payload = json.dumps({k: state[k] for k in ("rows", "columns", "query", "total")})
    assert len(payload) < 16 * 1024
    assert len(state["rows"]) == 25


def test_error_banner_instead_of_a_dead_widget():
    t = nb.Table(frame())
    t.query = {**t.query, "sort": [{"column": "missing", "ascending": True}]}
    assert "no column 'missing'" in t.error
    t.query = {**t.query, "sort": []}
    assert t.error == ""


def test_selection_syncs_back():
    t = nb.Table(frame())
    got = []
    t.on_select(lambda df: got.append(list(df["n"])))
    t.selected_keys = [5, 7]
    assert list(t.selected["n"]) == [5, 7]
    assert got == [[5, 7]]
    t.sort_by("-n")
    t.selected_keys = [t.row_keys[0]]
    assert list(t.selected["n"]) == [199]


def test_lazy_source_huge_length_as_strings():
    src = LazySource(2**96, [Column("i", "int")], lambda a, b: [(i,) for i in range(a, b)])
    t = nb.Table(src)
    assert t.total == str(2**96) and not t.sortable and not t.filterable
    t.query = {**t.query, "start": str(2**96 - 25)}
    assert t.rows[-1] == [str(2**96 - 1)]  # beyond 2**53: sent as text
    assert t.row_keys[-1] == str(2**96 - 1)


def test_streaming_source_updates_open_view():
    src = StreamSource([Column("i", "int")])
    t = nb.Table(src, page_size=5)
    assert t.follow  # logs follow their newest rows by default
    for i in range(12):
        src.append((i,))
    t.flush()
    assert t.total == "12" and [r[0] for r in t.rows] == [7, 8, 9, 10, 11]
    t.follow = False
    t.page(0)
    assert [r[0] for r in t.rows] == [0, 1, 2, 3, 4]


def test_streaming_updates_are_coalesced():
    import time

    src = StreamSource([Column("i", "int")])
    t = nb.Table(src)
    before = t.page_id
    for i in range(500):
        src.append((i,))
    time.sleep(0.6)
    assert t.total == "500"
    assert t.page_id - before <= 4  # a burst is one or two refreshes, not 500


def test_static_html_escapes_hostile_values():
    df = pd.DataFrame({"<b>col</b>": ["<script>alert(1)</script>", "a&b"]})
    t = nb.Table(df)
    html = t._repr_mimebundle_()["text/html"]
    assert "<script>alert" not in html and "&lt;script&gt;" in html
    assert "&lt;b&gt;col&lt;/b&gt;" in html
    assert "2 rows × 1 columns" in html


def test_mimebundle_has_widget_html_and_text():
    b = nb.Table(frame())._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in b
    assert b["text/plain"].startswith("200 rows × 3 columns")
    assert "first 10 shown" in b["text/html"]


def test_formats_reach_the_browser_and_static_views():
    t = nb.Table(frame(), formats={"size": "size"})
    assert [c["format"] for c in t.columns] == [None, None, "size"]
    assert "KiB" in t.static_html()


def test_values_are_json_safe():
    df = pd.DataFrame({
        "f": [1.5, np.nan], "t": pd.to_datetime(["2024-01-01", None]),
        "d": pd.to_timedelta(["1s", None]), "b": [b"\x00\x01abc", None], "big": [2**60, 1],
    })
    t = nb.Table(df)
    json.dumps(t.rows)
    assert t.rows[0][0] == 1.5 and t.rows[1][0] is None
    assert t.rows[0][1].startswith("2024-01-01") and t.rows[1][1] is None
    assert t.rows[0][2] == 1.0 and t.rows[0][3]["bytes"] == 5
    assert t.rows[0][4] == str(2**60)


def test_to_frame_round_trip():
    df = frame()
    assert nb.Table(df).to_frame().equals(df)


def test_static_views_follow_the_current_sort_and_filter():
    t = nb.Table(frame())
    t.sort_by("-n").filter(s="v3")
    assert repr(t).startswith("20 rows × 3 columns")
    assert repr(t).splitlines()[2].startswith("193")
    assert ">193<" in t.static_html()


def test_follow_is_offered_only_for_growing_sources():
    assert nb.Table(StreamSource(["a"])).streaming
    assert not nb.Table(frame()).streaming and not nb.Table(frame()).follow


def test_static_cells_cut_by_the_ellipsis_keep_their_full_text_on_hover():
    import pandas as pd

    from netbook.table.static import static_html

    long = "ConnectionRefusedError: [Errno 111] Connection refused while fetching <b>x</b> " * 2
    html = static_html(nb.DataFrameSource(pd.DataFrame({"short": ["ok"], "error": [long]})))
    assert "<td title='" in html and "&lt;b&gt;x&lt;/b&gt;" in html and "<b>x</b>" not in html
    assert html.count("title=") == 1  # the short value has none
