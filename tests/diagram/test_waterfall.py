"""Timing waterfalls from HAR: a Response, a Session, the fetch_many frame,
a HAR dict and a HAR file; rows, phases, grouping, concurrency used."""
from __future__ import annotations

import json
import time
import xml.etree.ElementTree as ET

import pytest

import netbook as nb
from netbook.diagram.waterfall import PHASES, WaterfallError

NS = {"s": "http://www.w3.org/2000/svg"}


def app(environ, start_response):
    p = environ["PATH_INFO"]
    if p == "/old":
        start_response("302 Found", [("Location", "/slow"), ("Content-Length", "0")])
        return [b""]
    if p == "/slow":
        time.sleep(0.15)
    if p == "/nope":
        start_response("404 Not Found", [("Content-Type", "text/plain")])
        return [b"no"]
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"hello " * 100]


@pytest.fixture
def srv():
    with nb.serve.wsgi(app, name="waterfall-app") as s:
        yield s


def rows(svg):
    return ET.fromstring(svg).findall(".//s:g[@class='request']", NS)


def test_response_waterfall_has_a_row_per_hop(srv):
    r = nb.fetch(srv.url + "old")
    w = r.waterfall()
    assert len(w.rows) == 2 == len(rows(w.svg))  # the redirect hop and the final request
    final = w.to_frame().iloc[-1]
    assert final["wait"] >= 140  # the server slept 150 ms before answering
    phases = {rect.get("data-phase") for rect in ET.fromstring(w.svg).iter("{http://www.w3.org/2000/svg}rect")
              if rect.get("data-phase")}
    assert "wait" in phases and phases <= set(PHASES)
    tips = [g.find("s:title", NS).text for g in rows(w.svg)]
    assert "wait:" in tips[-1] and "total" in tips[-1]  # hover shows the numbers


def test_session_and_har_file(srv, tmp_path):
    s = nb.Session(srv.url)
    s.get("old")
    s.get("nope")
    w = s.waterfall()
    assert len(w.rows) == 3
    statuses = [g.get("data-status") for g in rows(w.svg)]
    assert statuses == ["302", "200", "404"]
    path = tmp_path / "s.har"
    path.write_text(json.dumps(s.to_har()))
    w2 = nb.http.waterfall(str(path))
    assert w2.to_frame()[["url", "status"]].equals(w.to_frame()[["url", "status"]])
    assert nb.http.waterfall(s.to_har()).to_frame()["status"].tolist() == [302, 200, 404]


def test_fetch_many_grouped_by_host_with_concurrency_used(srv):
    urls = [srv.url + p for p in ["new", "slow", "nope", "old"] * 4] + ["http://127.0.0.1:9/"]
    df = nb.fetch_many(urls, concurrency=6, per_host=3, show=False)
    w = nb.http.waterfall(df)
    assert len(w.rows) == len(df) == 17
    root = ET.fromstring(w.svg)
    hosts = [t.text for t in root.findall(".//s:text[@class='host']", NS)]
    assert sorted(hosts) == sorted({srv.url.split("//")[1].rstrip("/"), "127.0.0.1:9"})
    # the concurrency actually used is visible and bounded by what was asked
    per_host = w.per_host_concurrency()
    assert 2 <= per_host[srv.url.split("//")[1].rstrip("/")] <= 3
    assert 2 <= w.max_concurrency <= 6
    strip = root.find(".//s:g[@class='concurrency']", NS)
    assert strip.get("data-max") == str(w.max_concurrency)
    failed = [g for g in rows(w.svg) if g.get("data-host") == "127.0.0.1:9"]
    assert failed[0].get("data-status") == "failed"
    slow = w.to_frame().query("url.str.endswith('/slow')")
    assert (slow["wait"] >= 140).all()


def test_bad_input_is_one_clear_error(tmp_path):
    import pandas as pd

    with pytest.raises(WaterfallError, match="no timings"):
        nb.http.waterfall(pd.DataFrame({"url": ["x"]}))
    with pytest.raises(WaterfallError, match="cannot read"):
        nb.http.waterfall(str(tmp_path / "missing.har"))
    bad = tmp_path / "bad.har"
    bad.write_text("{nope")
    with pytest.raises(WaterfallError, match="not a HAR file"):
        nb.http.waterfall(bad)
    with pytest.raises(WaterfallError, match="no log.entries"):
        nb.http.waterfall({"log": {}})
    with pytest.raises(WaterfallError, match="not int"):
        nb.http.waterfall(3)
