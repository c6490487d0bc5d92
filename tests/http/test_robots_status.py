"""nb.robots (urllib.robotparser) and nb.http.status (http.HTTPStatus)."""
import urllib.robotparser
from http import HTTPStatus

import pandas as pd
import pytest

import netbook as nb
from netbook.errors import NetbookError

TEXT = """User-agent: *
Disallow: /private/
Allow: /public/
Crawl-delay: 2
Request-rate: 3/10

User-agent: badbot
Disallow: /

Sitemap: http://example.test/sitemap.xml
"""


def test_rules_table_and_fields():
    r = nb.robots(TEXT)
    df = r.to_frame()
    assert df[["user_agent", "rule", "path"]].values.tolist() == [
        ["badbot", "disallow", "/"], ["*", "disallow", "/private/"], ["*", "allow", "/public/"]]
    assert r.crawl_delay() == 2 and r.request_rate().requests == 3 and r.request_rate().seconds == 10
    assert r.sitemaps == ["http://example.test/sitemap.xml"]
    assert "3 rules" in repr(r)


def test_can_fetch_series_matches_robotparser():
    r = nb.robots(TEXT)
    ref = urllib.robotparser.RobotFileParser()
    ref.parse(TEXT.splitlines())
    urls = pd.Series([f"http://example.test/{p}" for p in ("private/x", "public/y", "z", "private/", "")] * 3)
    for ua in ("*", "badbot", "goodbot"):
        got = r.can_fetch(urls, ua)
        assert got.dtype == bool
        assert got.tolist() == [ref.can_fetch(ua, u) for u in urls]
    assert r.can_fetch("http://example.test/private/a") is False
    ex = r.explain(["http://example.test/private/a"])
    assert ex["rule"][0].startswith("Disallow: /private/")


def test_from_a_server(lab):
    r = nb.robots(lab.url)
    assert r.url.endswith("/robots.txt") and not r.can_fetch(lab.url + "private/x") and r.can_fetch(lab.url + "ok")
    assert r.crawl_delay() == 1 and r.response.status == 200


def test_missing_and_forbidden_robots(lab):
    assert nb.robots(lab.url + "nothing/robots.txt").can_fetch(lab.url + "anything")  # 404: allow all

    def forbid(environ, start_response):
        start_response("403 Forbidden", [("Content-Type", "text/plain")])
        return [b"no"]

    forbidden = nb.robots("http://site.test/", app=forbid)  # in-process, like RobotFileParser.read()
    assert not forbidden.can_fetch("http://site.test/anything") and "disallowed" in repr(forbidden)


def test_status():
    s = nb.http.status(404)
    assert s.code == 404 and s.phrase == "Not Found" and s.cls == "4xx client error" and s == 404
    assert nb.http.status("IM_A_TEAPOT").code == 418
    assert "Not Found" in s._repr_html_()
    assert s.to_frame().iloc[0].to_dict() == {"code": 404, "name": "NOT_FOUND", "phrase": "Not Found",
                                              "description": HTTPStatus(404).description, "class": "4xx client error"}
    with pytest.raises(NetbookError):
        nb.http.status(999)
    t = nb.http.statuses()
    df = t.to_frame()
    assert len(df) == len(HTTPStatus) and set(df["class"].str[:1]) == {"1", "2", "3", "4", "5"}
