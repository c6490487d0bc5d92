"""Lab servers write Apache combined logs that nb.http.read_log reads back exactly."""
from __future__ import annotations

import ipaddress
import sys
import urllib.error
import urllib.request

import pandas as pd
import pytest

import netbook as nb
from netbook.servers.base import combined_line


def _get(url, referrer=None, ua="netbook-test/1 (\"quoted\" \\ back)", proxy=None):
    req = urllib.request.Request(url, headers={"User-Agent": ua, **({"Referer": referrer} if referrer else {})})
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({"http": proxy} if proxy else {}))
    try:
        with opener.open(req, timeout=10) as r:
            return r.status, len(r.read())
    except urllib.error.HTTPError as e:
        return e.code, len(e.read())


def _check(df, sent):
    assert len(df) == len(sent) and df.attrs["bad_line_count"] == 0
    assert df.client.tolist() == [ipaddress.ip_address("127.0.0.1")] * len(sent)
    for (method, path, status, nbytes, ref, ua), (_, row) in zip(sent, df.iterrows()):
        assert (row.method, row["url"], row.protocol, row.status) == (method, path, "HTTP/1.1", status)
        assert (pd.isna(row.bytes) and nbytes == 0) or row.bytes == nbytes
        assert (pd.isna(row.referrer) and ref is None) or row.referrer == ref
        assert row.user_agent == ua
    assert (df.time - pd.Timestamp.now(tz="UTC")).abs().max() < pd.Timedelta(minutes=5)


def test_serve_http_log_file_and_to_log(tmp_path):
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "a.txt").write_text("hello world")
    log = tmp_path / "access.log"
    ua = 'netbook-test/1 ("quoted" \\ back)'
    sent = []
    with nb.serve.http(tmp_path / "site", name="logtest-http", log_file=log) as srv:
        for path, ref in (("/a.txt", "http://example.com/from"), ("/missing", None), ("/a.txt?x=1%202", None)):
            status, n = _get(srv.url.rstrip("/") + path, ref, ua)
            sent.append(("GET", path, status, n, ref, ua))
        n = srv.to_log(tmp_path / "copy.log")
        assert srv.log.to_log(tmp_path / "copy2.log") == n == 3
    df = nb.http.read_log(log)
    _check(df, sent)
    assert df.status.tolist() == [200, 404, 200] and df.bytes[0] == len("hello world")
    assert (tmp_path / "copy.log").read_bytes() == log.read_bytes() == (tmp_path / "copy2.log").read_bytes()


def test_serve_wsgi_and_cgi_and_proxy_logs(tmp_path):
    def app(environ, start_response):
        body = f"path={environ['PATH_INFO']}".encode()
        start_response("201 Created", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
        return [body]

    ua = "netbook-test/2"
    with nb.serve.wsgi(app, name="logtest-wsgi", log_file=tmp_path / "w.log") as w:
        status, n = _get(w.url + "hello", "http://r.example/", ua)
        # the same request through the lab proxy: both write a line
        with nb.serve.proxy(name="logtest-proxy", log_file=tmp_path / "p.log") as p:
            _, n2 = _get(w.url + "via", None, ua, proxy=p.url)
    _check(nb.http.read_log(tmp_path / "w.log"),
           [("GET", "/hello", 201, n, "http://r.example/", ua), ("GET", "/via", 201, n2, None, ua)])
    pl = nb.http.read_log(tmp_path / "p.log")
    assert len(pl) == 1 and pl.url[0] == w.url + "via" and pl.status[0] == 201 and pl.attrs["bad_line_count"] == 0

    cgidir = tmp_path / "cgi"
    cgidir.mkdir()
    (cgidir / "hi.py").write_text(f"#!{sys.executable}\nprint('Content-Type: text/plain')\nprint()\nprint('hi')\n")
    (cgidir / "hi.py").chmod(0o755)
    with nb.serve.cgi(cgidir, name="logtest-cgi", log_file=tmp_path / "c.log") as c:
        status, n = _get(c.url + "hi.py", None, ua)
    _check(nb.http.read_log(tmp_path / "c.log"), [("GET", "/hi.py", status, n, None, ua)])


def test_combined_line_escapes():
    line = combined_line(("::1", 5), 'GET /a"b\\c\x01é HTTP/1.1', 200, 0, None, "x\"y", "bob smith")
    assert line.startswith('::1 - bob\\x20smith [') and '"GET /a\\"b\\\\c\\x01\\xc3\\xa9 HTTP/1.1" 200 - "-" "x\\"y"' in line
    df = nb.http.read_log(line.encode())
    assert df.url[0] == "/a\"b\\c\\x01\\xc3\\xa9" and df.user_agent[0] == 'x"y' and df.user[0] == "bob\\x20smith"
    with pytest.raises(nb.http.LogParseError, match="line 1"):
        nb.http.read_log(b"x", errors="raise")
