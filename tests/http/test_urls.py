"""nb.url: differential tests against urllib.parse on generated and hostile inputs."""
import urllib.parse as up

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

import netbook as nb

HOSTILE = [
    "http://[::1", "http://h:99999/", "http://h:-1/", "http://h:abc/", "  \x00http://a.com/x", "http://a.com/\r\nX: y",
    "http://a\tb.com/p\nq", "javascript:alert(1)", "//no-scheme.com/p", "http://user:pa:ss@h/", "http://@h/",
    "http://[v1.fe]/", "http://[::ffff:1.2.3.4]:80/", "HTTP://UPPER.COM/P", "http://h/p;a;b?q=1;2#f#g", "",
    "http://h/%zz%20", "mailto:x@y", "file:///etc/passwd", "http://münchen.de/ä?ö=ü", "http://h?#", "a" * 5000,
    "http://h/" + "%" * 100, "https://u:pw@h:0/", "http:///p", "http://:80/", "ftp://[::1]:21/x",
]

url_chars = st.text(alphabet=st.sampled_from(list("abcxyz019:/?#[]@!$&'()*+,;=%-._~ \t\r\n\x00é")), max_size=40)
url_like = st.builds(lambda s, h, rest: s + h + rest,
                     st.sampled_from(["http://", "https://", "", "//", "ftp://", "mailto:", "x+y.z:"]),
                     st.sampled_from(["", "h", "u:p@h", "[::1]", "[::1", "h:80", "h:99999", "H.Example.COM"]),
                     url_chars)


def _expected(u, fn, with_params):
    try:
        p = fn(u)
    except ValueError as e:
        return {"error": str(e)}
    out = {"scheme": p.scheme, "username": p.username, "host": p.hostname, "path": p.path, "query": p.query,
           "fragment": p.fragment, "password": None if p.password is None else "••••"}
    if with_params:
        out["params"] = p.params
    try:
        out["port"] = p.port
    except ValueError as e:
        out["port"], out["error"] = None, str(e)
    return out


def _check(values, fn, frame_fn, with_params):
    df = frame_fn(pd.Series(values, dtype=object))
    for i, u in enumerate(values):
        exp = _expected(u, fn, with_params)
        row = df.iloc[i]
        if "error" in exp:
            assert row["error"] == exp["error"], (u, row)
        else:
            assert row["error"] is None, (u, row["error"])
        for k, v in exp.items():
            if k == "error":
                continue
            got = row[k]
            if v is None:
                assert got is None or pd.isna(got), (u, k, got)
            else:
                assert got == v, (u, k, got, v)


def test_hostile_inputs_match_urlsplit_and_urlparse():
    _check(HOSTILE, up.urlsplit, nb.url.split, False)
    _check(HOSTILE, up.urlparse, nb.url.parse, True)


@settings(max_examples=300, deadline=None)
@given(st.lists(url_like, min_size=1, max_size=20))
def test_generated_inputs_match_urlsplit(values):
    _check(values + values[:3], up.urlsplit, nb.url.split, False)


@settings(max_examples=100, deadline=None)
@given(st.lists(url_like, min_size=1, max_size=10))
def test_generated_inputs_match_urlparse(values):
    _check(values, up.urlparse, nb.url.parse, True)


def test_missing_values_and_index_kept():
    s = pd.Series(["http://a/", None, np.nan, "http://b:8/"], index=[10, 20, 30, 40])
    df = nb.url.split(s)
    assert list(df.index) == [10, 20, 30, 40]
    assert df["host"].tolist()[0] == "a" and df["port"].tolist()[3] == 8 and pd.isna(df["port"].tolist()[1])
    assert str(df["port"].dtype) == "Int64"


def test_password_masked_unless_revealed():
    s = pd.Series(["https://bob:hunter2@h/"])
    assert nb.url.split(s)["password"][0] == "••••"
    assert nb.url.split(s, reveal=True)["password"][0] == "hunter2"
    assert "hunter2" not in s.url.password.to_string()


def test_query_long_format():
    s = pd.Series(["http://h/?a=1&b=2&a=3", "http://h/", "http://h/?a=1&b=2&a=3", "http://h/?x=&y"], index=list("pqrs"))
    q = nb.url.query(s)
    assert q.values.tolist() == [["p", "a", "1"], ["p", "b", "2"], ["p", "a", "3"], ["r", "a", "1"], ["r", "b", "2"],
                                 ["r", "a", "3"], ["s", "x", ""], ["s", "y", ""]]
    for label, u in s.items():
        assert q[q["row"] == label][["key", "value"]].apply(tuple, axis=1).tolist() == \
            up.parse_qsl(up.urlsplit(u).query, keep_blank_values=True)


def test_accessor():
    s = pd.Series(["https://www.Example.com:8443/a?utm_source=news&x=1#top", "http://b.org/?utm_source=ad", None])
    assert s.url.host.tolist() == ["www.example.com", "b.org", None]
    assert s.url.port.tolist()[0] == 8443
    assert s.url.scheme.tolist()[:2] == ["https", "http"]
    assert s.url.query_param("utm_source").tolist() == ["news", "ad", None]
    assert s.url.domain.tolist()[:2] == ["example.com", "b.org"]
    assert s.url.join("http://base/dir/").tolist()[1] == "http://b.org/?utm_source=ad"
    assert pd.Series(["a", "b/c"]).url.join("http://h/x/").tolist() == ["http://h/x/a", "http://h/x/b/c"]


def test_helpers_match_stdlib():
    words = pd.Series(["a b", "ä/ö", "x&y=z", "100%"])
    assert nb.url.quote(words).tolist() == [up.quote(w) for w in words]
    assert nb.url.quote_plus(words).tolist() == [up.quote_plus(w) for w in words]
    assert nb.url.unquote(nb.url.quote(words)).tolist() == words.tolist()
    assert nb.url.unquote_plus(pd.Series(["a+b%21"])).tolist() == ["a b!"]
    assert nb.url.urlencode(pd.Series([{"a": 1, "b": [2, 3]}])).tolist() == ["a=1&b=2&b=3"]
    assert nb.url.urljoin(pd.Series(["http://a/b/", "http://c/d"]), pd.Series(["x", "../y"])).tolist() == \
        ["http://a/b/x", "http://c/y"]


def test_each_distinct_value_is_parsed_once(monkeypatch):
    calls = []
    real = up.urlsplit

    def counting(u, *a, **k):
        calls.append(u)
        return real(u, *a, **k)

    monkeypatch.setattr(nb.url.up, "urlsplit", counting)
    s = pd.Series(["http://a/", "http://b/"] * 5000)
    df = nb.url.split(s)
    assert len(df) == 10000 and sorted(set(calls)) == ["http://a/", "http://b/"] and len(calls) == 2


@settings(max_examples=150, deadline=None)
@given(st.lists(url_chars, min_size=1, max_size=10), st.sampled_from(["http://a/b/c?q#f", "https://h:8/x/", "", "file:///tmp/"]))
def test_generated_helpers_match_stdlib(values, base):
    s = pd.Series(values, dtype=object)
    assert nb.url.quote(s).tolist() == [up.quote(v) for v in values]
    assert nb.url.unquote(s).tolist() == [up.unquote(v) for v in values]
    assert nb.url.quote_plus(s).tolist() == [up.quote_plus(v) for v in values]
    joined = nb.url.urljoin(base, s).tolist()
    for v, got in zip(values, joined):
        try:
            want = up.urljoin(base, v)
        except ValueError:
            want = None
        assert got == want
