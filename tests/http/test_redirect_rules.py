"""One set of redirect rules for nb.fetch, nb.Session and nb.fetch_many.

Regression for issue 10: after a 302 to another origin, fetch_many re-sent
the caller's Authorization header (fetch did not).  Each client, against real
servers on loopback: Authorization, Cookie and proxy credentials never reach
another origin (127.0.0.1:A -> localhost:B), nor the http origin after a
https -> http downgrade; within one origin they stay.
"""
import threading
import urllib.parse

import pytest

import netbook as nb
from netbook.http.rules import redirect_headers, redirect_method, same_origin
from tests.http.tls_peer import https_hello_server

SECRETS = {"Authorization": "Bearer T0KEN", "Cookie": "sid=C00KIE", "Proxy-Authorization": "Basic UFJPWFk="}
CLIENTS = ["fetch", "session", "fetch_many"]


class Recorder:
    """A WSGI origin that remembers the headers of every request it got."""

    def __init__(self, name):
        self.seen: list[dict] = []
        self.lock = threading.Lock()
        self.srv = nb.serve.wsgi(self.app, name=name)

    def app(self, environ, start_response):
        with self.lock:
            self.seen.append({k[5:].replace("_", "-").lower(): v for k, v in environ.items() if k.startswith("HTTP_")})
        if environ["PATH_INFO"] == "/hop":  # a redirect within this origin
            start_response("302 Found", [("Location", "/landed"), ("Content-Length", "0")])
            return [b""]
        start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "2")])
        return [b"ok"]

    def url(self, host="127.0.0.1"):
        return self.srv.url.replace("127.0.0.1", host) + "landed"


@pytest.fixture
def elsewhere():
    r = Recorder("rules-elsewhere")
    yield r
    r.srv.stop()


@pytest.fixture(scope="module")
def https_origin(tmp_path_factory):
    with https_hello_server(tmp_path_factory.mktemp("tls-rules")) as s:
        yield s


def _get(client, url, **kw):
    """GET ``url`` with the caller's SECRETS as headers through one of the three clients; the final status."""
    if client == "fetch":
        return int(nb.fetch(url, headers=SECRETS, **kw).status)
    if client == "session":
        with nb.Session(headers=SECRETS, **kw) as s:
            s.get(url)
            return int(s.get(url).status)  # the second time on a kept-alive connection
    df = nb.fetch_many([url], headers=SECRETS, show=False, **kw)
    assert df["error"][0] == "", df["error"][0]
    return int(df["status"][0])


def test_the_rules():
    assert not same_origin("https://h.example/", "http://h.example/")  # a downgrade is another origin
    assert not same_origin("http://h.example/", "http://h.example:8080/")
    assert same_origin("http://H.example:80/a", "http://h.example/b")
    hdrs = {**SECRETS, "Accept": "text/plain", "Content-Type": "text/plain"}
    assert dict(redirect_headers(hdrs, "https://a.example/", "http://a.example/")) == {
        "Accept": "text/plain", "Content-Type": "text/plain"}
    assert dict(redirect_headers(hdrs, "http://a.example/x", "http://a.example/y", body_dropped=True)) == {
        **SECRETS, "Accept": "text/plain"}
    assert [redirect_method(m, c) for m, c in [("POST", 303), ("HEAD", 303), ("POST", 302), ("POST", 307),
                                               ("PUT", 301), ("DELETE", 308)]] == [
        "GET", "HEAD", "GET", "POST", "PUT", "DELETE"]


@pytest.mark.parametrize("client", CLIENTS)
def test_credentials_stay_with_their_origin(client, lab, elsewhere):
    start = lab.url + "redirect-to?url=" + urllib.parse.quote(elsewhere.url("localhost"))
    assert _get(client, start) == 200
    assert elsewhere.seen and all(h["host"].startswith("localhost:") for h in elsewhere.seen)
    for h in elsewhere.seen:
        assert not {"authorization", "cookie", "proxy-authorization"} & set(h), h
    # within one origin they stay (so the check above would see them)
    assert _get(client, elsewhere.srv.url + "hop") == 200
    assert elsewhere.seen[-1]["authorization"] == "Bearer T0KEN" and elsewhere.seen[-1]["cookie"] == "sid=C00KIE"


@pytest.mark.parametrize("client", CLIENTS)
def test_https_to_http_downgrade_drops_credentials(client, https_origin, elsewhere):
    start = https_origin["url"] + "redirect-to?url=" + urllib.parse.quote(elsewhere.url())
    assert _get(client, start, verify=https_origin["ca"]) == 200
    first = [h for p, h in https_origin["seen"] if p.startswith("/redirect-to")][-1]
    assert first["Authorization"] == "Bearer T0KEN"  # the https origin was sent them
    assert elsewhere.seen
    for h in elsewhere.seen:  # the http one, same host, was not
        assert not {"authorization", "cookie", "proxy-authorization"} & set(h), h


@pytest.mark.parametrize("client", CLIENTS)
def test_proxy_credentials_go_to_the_proxy_only(client, lab, elsewhere, monkeypatch):
    """The first hop goes through a proxy that demands credentials; the
    redirect leads to a host in no_proxy, reached directly: it never sees them."""
    for var in ("http_proxy", "https_proxy", "all_proxy", "no_proxy", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY"):
        monkeypatch.delenv(var, raising=False)
    proxy = nb.serve.proxy(name="rules-proxy", user="pu", password="pp-secret")
    try:
        purl = proxy.url.replace("://", "://pu:pp-secret@")
        start = lab.url + "redirect-to?url=" + urllib.parse.quote(elsewhere.url("localhost"))
        if client == "fetch":
            r = nb.fetch(start, proxy=purl, no_proxy="localhost")
            assert r.status == 200 and r.history[0].proxy and not r.proxy
            assert "pp-secret" not in r.transcript.text(reveal=True)
        elif client == "session":
            with nb.Session(proxy=purl, no_proxy="localhost") as s:
                assert s.get(start).status == 200 and s.get(start).status == 200
        else:
            df = nb.fetch_many([start, start], proxy=purl, no_proxy="localhost", show=False)
            assert df["error"].tolist() == ["", ""] and (df["status"] == 200).all()
            assert all("pp-secret" not in t.text(reveal=True) for t in df["transcript"])
        log = proxy.log.to_frame()
        assert (log["detail"] == "forwarded").any() and not (log["status"] == "407").any()  # it took the credentials
        assert elsewhere.seen
        for h in elsewhere.seen:
            assert "proxy-authorization" not in h and "authorization" not in h, h
    finally:
        proxy.stop()


def test_auth_and_jar_cookies_stay_with_their_origin(lab, elsewhere):
    """auth= (sent up front) and a jar's cookies belong to the first origin, for fetch and Session alike."""
    start = lab.url + "redirect-to?url=" + urllib.parse.quote(elsewhere.url("localhost"))
    r = nb.fetch(start, auth=("ada", "pw"), auth_prior=True, cookies={"sid": "C00KIE"})
    assert r.status == 200 and "Authorization: Basic ••••" in r.transcript.text()
    with nb.Session(auth=("ada", "pw"), auth_prior=True) as s:
        s.cookies.set("sid", "C00KIE", "127.0.0.1")
        assert s.get(start).status == 200 and s.get(start).status == 200
        assert "Cookie: sid=••••" in s.history[0].transcript.text()
    assert len(elsewhere.seen) == 3
    for h in elsewhere.seen:
        assert "authorization" not in h and "cookie" not in h, h
