"""serve.wsgi (keep-alive, validate=True), nb.wsgi.environ, nb.wsgi.call."""
import http.client
import urllib.request
import wsgiref.simple_server
import wsgiref.validate

import pytest

import netbook as nb
from netbook.errors import InjectionError, NetbookError

from .conftest import raw_request, status_of


def streaming(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    yield b"a"
    yield b"b"


def reader(environ, start_response):
    body = environ["wsgi.input"].read()
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
    return [body]


def test_keep_alive_with_stdlib_client_and_bodies():
    with nb.serve.wsgi(nb.wsgi.echo) as srv:
        c = http.client.HTTPConnection(srv.host, srv.port, timeout=5)
        for i in range(5):
            c.request("POST", f"/p{i}?x={i}", body=b"z" * (i * 1000))
            r = c.getresponse()
            text = r.read()
            assert text.startswith(f"POST http://127.0.0.1:{srv.port}/p{i}?x={i}".encode())
            assert text.endswith(b"z" * (i * 1000))
        c.close()
        rows = srv.log.snapshot()
        assert len(rows) == 5 and len({r[1] for r in rows}) == 1  # five requests, one connection


def test_unread_body_is_drained_and_connection_kept():
    with nb.serve.wsgi(nb.wsgi.hello) as srv:
        c = http.client.HTTPConnection(srv.host, srv.port, timeout=5)
        c.request("POST", "/", body=b"ignored" * 100)
        assert c.getresponse().read() == b"Hello, world!\n"
        c.request("GET", "/?name=again")
        assert c.getresponse().read() == b"Hello, again!\n"
        c.close()


def test_streaming_response_closes_connection():
    with nb.serve.wsgi(streaming) as srv:
        resp = raw_request(srv.port, b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        assert b"Connection: close" in resp and resp.endswith(b"ab")


def test_app_exception_is_logged_not_fatal():
    def boom(environ, start_response):
        raise RuntimeError("kaboom")

    with nb.serve.wsgi(boom) as srv:
        with pytest.raises(urllib.error.HTTPError) as e:
            urllib.request.urlopen(srv.url, timeout=5)
        assert e.value.code == 500
        assert "kaboom" in srv.errors[0]
        row = srv.log.snapshot()[0]
        assert row[3] == "500" and "RuntimeError: kaboom" in row[6]
        with pytest.raises(urllib.error.HTTPError):
            urllib.request.urlopen(srv.url, timeout=5)  # still serving


def test_validator_violations_in_log_with_their_request(curl):
    with nb.serve.wsgi(nb.wsgi.broken, validate=True) as srv:
        r = curl("-i", srv.url + "page?x=1")
        assert r.stdout.startswith(b"HTTP/1.1 500")
        row = srv.log.snapshot()[0]
        assert row[2] == "GET /page?x=1 HTTP/1.1"
        assert row[6].startswith("WSGI violation: ")
        assert "three-digit integer followed by a single space" in row[6]
        v = srv.violations.to_frame()
        assert list(v["request"]) == ["GET /page?x=1 HTTP/1.1"] * len(v)
        assert any("AssertionError" in x for x in v["violation"])


def test_validator_quiet_for_a_correct_app():
    with nb.serve.wsgi(nb.wsgi.hello, validate=True) as srv:
        assert urllib.request.urlopen(srv.url + "?name=v", timeout=5).read() == b"Hello, v!\n"
        assert srv.violations.length == 0
        assert srv.log.snapshot()[0][6] == ""


def test_bad_requests_never_kill_it():
    with nb.serve.wsgi(nb.wsgi.hello) as srv:
        for data in (b"BAD\r\n\r\n", b"GET / HTTP/1.1\r\nContent-Length: -4\r\n\r\n",
                     b"GET / HTTP/1.1\r\nContent-Length: zz\r\n\r\n",
                     b"GET /" + b"a" * 70000 + b" HTTP/1.1\r\n\r\n",
                     b"GET / HTTP/1.1\r\n" + b"X: " + b"y" * 70000 + b"\r\n\r\n"):
            resp = raw_request(srv.port, data)
            assert status_of(resp) >= 400
        assert urllib.request.urlopen(srv.url, timeout=5).read() == b"Hello, world!\n"


def test_environ_table_matches_wsgiref():
    env = nb.wsgi.environ("POST /form/x?q=1", headers={"X-Token": "t", "Content-Type": "text/plain"}, body="hi")
    assert env["REQUEST_METHOD"] == "POST" and env["PATH_INFO"] == "/form/x" and env["QUERY_STRING"] == "q=1"
    assert env["CONTENT_TYPE"] == "text/plain" and env["CONTENT_LENGTH"] == "2"
    assert env["HTTP_X_TOKEN"] == "t" and "HTTP_CONTENT_TYPE" not in env
    assert env.request_uri == "http://127.0.0.1/form/x?q=1"
    assert env.application_uri == "http://127.0.0.1/"
    df = env.to_frame()
    assert set(df["origin"]) >= {"CGI", "HTTP header", "WSGI", "server"}
    assert "0x" not in df.to_string()  # no memory addresses: deterministic
    # the environ passes wsgiref's own validator
    out = []
    result = wsgiref.validate.validator(nb.wsgi.hello)(env.environ, lambda s, h, e=None: out.append(s) or (lambda b: None))
    assert b"".join(result) == b"Hello, world!\n"
    result.close()
    assert out == ["200 OK"]
    # and a dict is viewed as it is
    assert nb.wsgi.environ({"A": "1"}).to_frame()["value"].tolist() == ["1"]
    bundle = env._repr_mimebundle_()
    assert "text/html" in bundle and "text/plain" in bundle


def test_environ_refuses_injection():
    with pytest.raises(InjectionError):
        nb.wsgi.environ("GET /\r\nX: y")
    with pytest.raises(InjectionError):
        nb.wsgi.environ("GET /", headers={"X-A": "1\r\nInjected: yes"})


def test_environ_drives_an_app_like_the_stdlib_server():
    # the same app through wsgiref's own simple_server and through our environ
    env = nb.wsgi.environ("GET /?name=ada")
    got = []
    body = b"".join(nb.wsgi.hello(env.environ, lambda s, h: got.append((s, h))))
    srv = wsgiref.simple_server.make_server("127.0.0.1", 0, nb.wsgi.hello)
    import threading

    t = threading.Thread(target=srv.handle_request)
    t.start()
    real = urllib.request.urlopen(f"http://127.0.0.1:{srv.server_port}/?name=ada", timeout=5).read()
    t.join(5)
    srv.server_close()
    assert body == real == b"Hello, ada!\n"


def test_call_without_http_package_is_a_clear_error(monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "netbook.http.wsgi_transport", None)  # as if absent
    with pytest.raises(NetbookError, match="needs netbook.http"):
        nb.wsgi.call(nb.wsgi.hello, "GET /")


def test_call_returns_a_response_like_fetch():
    # cross-branch: netbook.http.wsgi_transport lives on the HTTP branch
    pytest.importorskip("netbook.http.wsgi_transport")
    r = nb.wsgi.call(nb.wsgi.echo, "POST /path?q=1", headers={"X-Test": "yes"}, body=b"payload")
    assert r.status == 200
    assert r.headers["Content-Type"].startswith("text/plain")
    assert r.text.startswith("POST http://")
    assert "/path?q=1" in r.text and "X-Test: yes" in r.text and r.text.endswith("payload")


def test_response_header_injection_refused(curl):
    def splitter(environ, start_response):
        start_response("200 OK", [("Content-Type", "text/plain"), ("X-A", "v\r\nSet-Cookie: stolen=1")])
        return [b"ok"]

    with nb.serve.wsgi(splitter) as srv:
        r = curl("-si", srv.url)
        assert r.stdout.startswith(b"HTTP/1.1 500") and b"stolen" not in r.stdout
        row = srv.log.snapshot()[0]
        assert "InjectionError" in row[6] and "CR/LF" in row[6]
