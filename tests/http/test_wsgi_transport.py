"""In-process WSGI: the same Response as nb.fetch, no socket."""
import socket

import pytest

import netbook as nb
from netbook.errors import InjectionError
from netbook.http.wsgi_transport import call

from .apps import PASSWORD, USER, app


def test_call_matches_fetch_over_a_socket(lab):
    a = call(app, "GET /json")
    b = nb.fetch(lab.url + "json")
    assert type(a) is type(b) is nb.Response
    assert (a.status, a.json(), a.content_type) == (b.status, b.json(), b.content_type)
    assert a.url == "http://testserver/json"


def test_no_socket_is_opened(monkeypatch):
    def refuse(*a, **k):
        raise AssertionError("a socket was opened")

    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    assert call(app, "GET /").text == "hello"


def test_request_body_headers_query():
    e = call(app, "POST /echo?q=1", headers={"X-A": "b"}, body=b'{"k": 1}').json()
    assert e == {"method": "POST", "path": "/echo", "query": "q=1", "headers": e["headers"], "body": '{"k": 1}'}
    assert e["headers"]["X-A"] == "b" and e["headers"]["Host"] == "testserver"
    e = call(app, "PATCH /echo", json={"a": 1}).json()
    assert e["method"] == "PATCH" and e["headers"]["Content-Type"] == "application/json"


def test_redirects_cookies_and_auth_in_process():
    r = call(app, "GET /login")
    assert r.text == "cookie=session=abc123" and r.history[0].status == 302
    assert call(app, "GET /digest", auth=(USER, PASSWORD)).text == "digest ok"
    assert call(app, "GET /basic", auth=(USER, PASSWORD)).text == "basic ok"


def test_transcript_is_the_wire_format():
    r = call(app, "GET /")
    t = r.transcript.text()
    assert t.startswith("→ GET / HTTP/1.1\n→ Host: testserver")
    assert "← HTTP/1.1 200 OK" in t and "← Content-Length: 5" in t and t.endswith("← hello")


def test_app_errors_become_500_with_traceback():
    r = call(app, "GET /boom")
    assert r.status == 500 and "RuntimeError: the app failed" in r.text


def test_head_and_bad_input():
    r = call(app, "HEAD /")
    assert r.status == 200 and r.content == b""
    with pytest.raises(InjectionError):
        call(app, "GET /\r\nX: 1")
    with pytest.raises(nb.http.FetchError):
        call(app, "GET no-slash")


def test_fetch_app_keyword():
    r = nb.fetch("http://anything.test/echo?x=1", app=app)
    assert r.json()["query"] == "x=1" and r.json()["headers"]["Host"] == "anything.test"


def test_https_urls_in_process():
    def scheme(environ, start_response):
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [environ["wsgi.url_scheme"].encode()]

    assert nb.fetch("https://secure.test/", app=scheme).text == "https"
    assert nb.fetch("http://plain.test/", app=scheme).text == "http"
