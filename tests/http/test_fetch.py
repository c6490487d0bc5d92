"""nb.fetch against the lab WSGI server, pytest-httpserver and nginx."""
import json
import socket
import threading
import time
import urllib.error

import pytest

import netbook as nb
from netbook.errors import InjectionError, NetbookError, NetworkError
from netbook.http.errors import BodyTooLarge, ConnectionFailed, FetchTimeout, UnsupportedURL

from .apps import PASSWORD, USER


def test_get_json(lab):
    r = nb.fetch(lab.url + "json")
    assert r.status == 200 and r.status.phrase == "OK" and r.ok
    assert r.json() == {"name": "netbook", "tags": ["http", "urls"], "n": 3}
    assert r.headers["content-type"] == r.headers["Content-Type"] == "application/json"
    assert r.version in ("HTTP/1.0", "HTTP/1.1")


def test_error_status_is_a_response_and_raise_for_status(lab):
    r = nb.fetch(lab.url + "status?code=404")
    assert int(r.status) == 404 and not r.ok and r.text == "status 404"
    with pytest.raises(urllib.error.HTTPError) as e:
        r.raise_for_status()
    assert e.value.code == 404
    assert isinstance(e.value, nb.http.HTTPStatusError) and isinstance(e.value, nb.errors.NetbookError)
    assert e.value.response is r and e.value.read() == b"status 404"
    assert nb.fetch(lab.url + "status?code=503").status == 503
    assert nb.fetch(lab.url).raise_for_status().text == "hello"


def test_post_form_json_params_headers(lab):
    r = nb.fetch(lab.url + "echo", "POST", data={"a": "1", "b": "x y"}, params={"q": "1"}, headers={"X-Test": "yes"})
    e = r.json()
    assert e["method"] == "POST" and e["query"] == "q=1" and e["body"] == "a=1&b=x+y"
    assert e["headers"]["X-Test"] == "yes"
    assert e["headers"]["Content-Type"] == "application/x-www-form-urlencoded"
    e = nb.fetch(lab.url + "echo", "PUT", json={"k": [1, 2]}).json()
    assert e["method"] == "PUT" and json.loads(e["body"]) == {"k": [1, 2]}
    assert e["headers"]["Content-Type"] == "application/json"


def test_redirects_are_recorded_and_optional(lab):
    r = nb.fetch(lab.url + "redirect?n=3")
    assert r.status == 200 and r.url == lab.url + "echo" and len(r.history) == 3  # r.url: after redirects
    assert r.requested_url == lab.url + "redirect?n=3" and r.final_url == r.url  # (final_url: the old name)
    row = r.to_frame().iloc[0]
    assert row["url"] == r.url and row["requested_url"] == r.requested_url
    assert r.history_frame()["url"].tolist()[-1] == r.url and r.to_har()["log"]["entries"][-1]["request"]["url"] == r.url
    assert f"{r.requested_url} → {r.url}" in r._repr_mimebundle_()["text/html"]
    assert [h.status for h in r.history] == [302, 302, 302]
    assert r.history[0].location.endswith("/redirect?n=2")
    r = nb.fetch(lab.url + "redirect?n=1&code=307", follow_redirects=False)
    assert r.status == 307 and r.headers["location"] == "/echo" and len(r.history) == 1
    r = nb.fetch(lab.url + "redirect?code=303", "POST", data=b"x")
    assert r.json()["method"] == "GET"  # 303 See Other turns POST into GET
    r = nb.fetch(lab.url + "redirect?code=307", "POST", data=b"kept")  # 307 keeps method and body (rules.py)
    assert r.json()["method"] == "POST" and r.json()["body"] == "kept"
    r = nb.fetch(lab.url + "redirect-loop")
    assert r.status == 302  # urllib gives up on the loop: the last 302 is shown, not an exception


def test_cookies_across_a_redirect(lab):
    r = nb.fetch(lab.url + "login")
    assert r.text == "cookie=session=abc123"
    c = r.set_cookies()[0]
    assert c["name"] == "session" and c["httponly"] and c["samesite"] == "Lax"
    assert "abc123" not in repr(r.cookies) and "abc123" not in repr(r.history)
    jar = nb.CookieJar()
    nb.fetch(lab.url + "login", cookies=jar, follow_redirects=False)
    assert jar.get("session") == "abc123"
    assert nb.fetch(lab.url + "whoami", cookies=jar).text == "cookie=session=abc123"
    assert nb.fetch(lab.url + "whoami", cookies={"x": "1"}).text == "cookie=x=1"


def test_set_cookie_attributes(lab):
    r = nb.fetch(lab.url + "set-cookies")
    df = r.cookies_frame(reveal=True).set_index("name")
    assert df.loc["a", "max-age"] == "3600"
    assert df.loc["b", "secure"] and df.loc["b", "httponly"] and df.loc["b", "samesite"] == "Strict"
    assert df.loc["c", "partitioned"] and df.loc["c", "samesite"] == "None"
    assert set(r.cookies["value"]) == {"••••"}


def test_basic_auth(lab):
    assert nb.fetch(lab.url + "basic").status == 401
    r = nb.fetch(lab.url + "basic", auth=(USER, PASSWORD))
    assert r.status == 200 and r.text == "basic ok"
    assert r.history == []  # a 401 challenge then the retry: urllib does it within one open()
    r = nb.fetch(lab.url + "basic", auth=(USER, PASSWORD), auth_prior=True)
    assert r.text == "basic ok"
    assert "Authorization: Basic ••••" in r.transcript.text()
    assert PASSWORD not in r.transcript.text() and PASSWORD not in repr(r.request_headers)
    assert nb.fetch(lab.url + "basic", auth=(USER, "wrong")).status == 401


def test_digest_auth(lab):
    r = nb.fetch(lab.url + "digest", auth=(USER, PASSWORD))
    assert r.status == 200 and r.text == "digest ok"
    t = r.transcript.text()
    assert "Authorization: Digest ••••" in t and "WWW-Authenticate: Digest" in t
    assert nb.fetch(lab.url + "digest", auth=(USER, "nope")).status == 401


def test_digest_app_accepts_curl(lab, curl):
    """The Digest app itself is checked against a real client (curl --digest)."""
    import subprocess

    out = subprocess.run([curl, "-s", "--digest", "-u", f"{USER}:{PASSWORD}", lab.url + "digest"],
                         capture_output=True, text=True, timeout=20).stdout
    assert out == "digest ok"


def test_gzip_and_bombs(lab):
    r = nb.fetch(lab.url + "gzip")
    assert r.text == "compressible " * 1000 and r.raw_size < len(r.content)
    with pytest.raises(BodyTooLarge, match="decompressed"):
        nb.fetch(lab.url + "gzip-bomb", max_bytes=1 << 20)


def test_chunked_or_close_delimited(lab):
    assert nb.fetch(lab.url + "chunked").text == "".join(f"chunk {i}\n" for i in range(5))


def test_max_bytes(lab):
    with pytest.raises(BodyTooLarge, match="max_bytes"):
        nb.fetch(lab.url + "huge?mb=5", max_bytes=1 << 20)
    assert len(nb.fetch(lab.url + "huge?mb=1", max_bytes=2 << 20).content) == 1 << 20


def test_timeout_is_one_clear_error(lab):
    t = time.perf_counter()
    with pytest.raises(FetchTimeout, match="within 0.3 s"):
        nb.fetch(lab.url + "slow?s=2", timeout=0.3)
    assert time.perf_counter() - t < 1.5


def test_connection_refused():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(ConnectionFailed, match="refused"):
        nb.fetch(f"http://127.0.0.1:{port}/")
    assert issubclass(ConnectionFailed, NetworkError) and issubclass(ConnectionFailed, NetbookError)


def test_server_closing_without_answer():
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen()
    port = srv.getsockname()[1]

    def serve():
        c, _ = srv.accept()
        c.recv(1000)
        c.close()

    th = threading.Thread(target=serve)
    th.start()
    try:
        with pytest.raises(ConnectionFailed, match="closed the connection|reset"):
            nb.fetch(f"http://127.0.0.1:{port}/", timeout=5)
    finally:
        th.join(5)
        srv.close()


def test_crlf_injection_refused(lab):
    with pytest.raises(InjectionError):
        nb.fetch(lab.url + "echo", headers={"X-A": "v\r\nX-Injected: 1"})
    with pytest.raises(InjectionError):
        nb.fetch(lab.url + "echo\r\nX-Injected: 1")
    with pytest.raises(InjectionError):
        nb.fetch(lab.url + "echo", headers={"X-A\nB": "v"})


def test_unsupported_and_bad_urls():
    with pytest.raises(UnsupportedURL):
        nb.fetch("gopher://127.0.0.1/")
    with pytest.raises(UnsupportedURL):
        nb.fetch("not a url")


def test_mail_schemes_open_the_mail_folder_views():
    """%fetch imap://… and pop://… open the same views as nb.mail.IMAP/POP3."""
    import netbook.mail

    lab = nb.lab("mail", users={"alice": "alice-pw"})
    try:
        nb.mail.send(url=lab.smtp.url, from_="bob@netbook.lab", to=["alice@netbook.lab"],
                     subject="via fetch", body="hello")
        host = f"{lab.imap.host}:{lab.imap.port}"
        with nb.fetch(f"imap://alice@{host}/INBOX", auth=("alice", "alice-pw")) as imap:
            assert isinstance(imap, netbook.mail.IMAP)
            assert list(imap.headers()["subject"]) == ["via fetch"]
            assert "alice-pw" not in repr(imap)
        with nb.fetch(f"pop://alice:alice-pw@{lab.pop3.host}:{lab.pop3.port}") as pop:
            assert isinstance(pop, netbook.mail.POP3)
            assert list(pop.to_frame()["subject"]) == ["via fetch"]
            assert "alice-pw" not in repr(pop)
    finally:
        lab.stop()


def test_file_and_data_urls(tmp_path):
    p = tmp_path / "a.txt"
    p.write_text("from a file")
    r = nb.fetch(p.as_uri())
    assert r.status == 200 and r.text == "from a file" and r.headers["content-length"] == "11"
    r = nb.fetch("data:text/plain;charset=utf-8,hello%20data")
    assert r.text == "hello data" and r.content_type == "text/plain"
    r = nb.fetch("data:application/json;base64,eyJhIjogMX0=")
    assert r.json() == {"a": 1}


def test_charsets(lab):
    assert nb.fetch(lab.url + "latin1").text == "café"
    r = nb.fetch("data:text/html,<meta charset=%22iso-8859-1%22><p>caf%E9")
    assert r.encoding == "iso8859-1" and "café" in r.text


def test_proxy_with_auth(lab):
    from .apps import proxy_app

    proxy = nb.serve.wsgi(proxy_app, name="proxy")
    try:
        host = proxy.url.split("://")[1].rstrip("/")
        r = nb.fetch("http://example.test/some/path", proxy=f"http://proxyuser:proxypass@{host}")
        assert r.status == 200 and r.text == "proxied http://example.test/some/path"
        assert "proxypass" not in r.transcript.text() and "Proxy-Authorization: Basic ••••" in r.transcript.text()
        assert nb.fetch("http://example.test/", proxy=f"http://{host}").status == 407
    finally:
        proxy.stop()


def test_transcript_shows_heads(lab):
    r = nb.fetch(lab.url + "json")
    lines = r.transcript.text().splitlines()
    assert lines[0] == "→ GET /json HTTP/1.1"
    assert any(line.startswith("← HTTP/1.1 200 OK") for line in lines)  # serve.wsgi speaks HTTP/1.1
    df = r.transcript.to_frame()
    assert set(df["direction"]) == {"C>S", "S>C"}


def test_timings_are_har_phases(lab):
    r = nb.fetch(lab.url + "slow?s=0.3")
    t = r.timings
    assert set(t) == {"blocked", "dns", "connect", "ssl", "send", "wait", "receive"}
    assert t["ssl"] == -1 and t["dns"] >= 0 and t["connect"] >= 0
    assert 280 <= t["wait"] <= 2000
    assert r.timing_frame()["ms"].tolist()[5] == t["wait"]


def test_timing_against_curl(lab, curl):
    """curl -w is the reference: the server's think time lands in 'wait' for both."""
    import subprocess

    fmt = "%{time_namelookup} %{time_connect} %{time_pretransfer} %{time_starttransfer} %{time_total}"
    out = subprocess.run([curl, "-s", "-o", "/dev/null", "-w", fmt, lab.url + "slow?s=0.4"],
                         capture_output=True, text=True, timeout=20).stdout.split()
    dns, connect, pre, start, total = map(float, out)
    curl_wait_ms = (start - pre) * 1000
    r = nb.fetch(lab.url + "slow?s=0.4")
    assert abs(r.timings["wait"] - curl_wait_ms) < 150, (r.timings, curl_wait_ms)
    assert abs(r.elapsed - total) < 0.2


def test_against_pytest_httpserver():
    from pytest_httpserver import HTTPServer
    from werkzeug import Response as WResponse

    with HTTPServer(host="127.0.0.1", port=0) as hs:
        hs.expect_request("/api", method="POST", json={"x": 1}).respond_with_json({"ok": True}, status=201)
        hs.expect_request("/moved").respond_with_response(WResponse(status=301, headers={"Location": "/api2"}))
        hs.expect_request("/api2").respond_with_data("here", content_type="text/plain")
        hs.expect_request("/setc").respond_with_response(
            WResponse("x", headers=[("Set-Cookie", "k=v; Path=/"), ("Location", "/getc")], status=302))
        hs.expect_request("/getc", headers={"Cookie": "k=v"}).respond_with_data("got cookie")
        hs.expect_request("/stream").respond_with_response(
            WResponse((f"part{i};".encode() for i in range(4)), direct_passthrough=True))
        r = nb.fetch(hs.url_for("/api"), "POST", json={"x": 1})
        assert r.status == 201 and r.json() == {"ok": True}
        r = nb.fetch(hs.url_for("/moved"))
        assert r.text == "here" and r.history[0].status == 301
        assert nb.fetch(hs.url_for("/setc")).text == "got cookie"
        r = nb.fetch(hs.url_for("/stream"))
        assert r.text == "part0;part1;part2;part3;"
        hs.check_assertions()
        assert nb.fetch(hs.url_for("/nothing-here")).status == 500  # httpserver: no handler
        hs.clear_assertions()


def test_against_nginx(nginx):
    r = nb.fetch(nginx.url + "hello.txt")
    assert r.status == 200 and r.text == "hello from nginx\n" and r.version == "HTTP/1.1"
    assert r.headers["server"].startswith("nginx")
    r = nb.fetch(nginx.url + "redirect")
    assert r.text == "hello from nginx\n" and r.history[0].status == 302
    r = nb.fetch(nginx.url + "cookie")  # Set-Cookie on a 302, sent on the next hop
    assert r.text == "cookie=nginx_sid=xyz"
    r = nb.fetch(nginx.url + "big.txt")  # gzip, chunked
    assert r.headers["content-encoding"] == "gzip" and r.headers["transfer-encoding"] == "chunked"
    assert r.text == "all work and no play makes jack a dull boy\n" * 50_000 and r.raw_size < 100_000
    with pytest.raises(BodyTooLarge):
        nb.fetch(nginx.url + "big.txt", max_bytes=100_000)
    assert nb.fetch(nginx.url + "private/secret.txt").status == 401
    assert nb.fetch(nginx.url + "private/secret.txt", auth=("alice", "wonderland")).text == "the secret\n"
    assert nb.fetch(nginx.url + "missing").status == 404


def test_nginx_chunked_and_slow(nginx):
    if not nginx.has_echo:
        pytest.skip("nginx echo module missing")
    r = nb.fetch(nginx.url + "chunked")
    assert r.text == "part one\npart two\n"
    with pytest.raises(FetchTimeout):
        nb.fetch(nginx.url + "slow", timeout=0.5)


def test_credentials_not_forwarded_to_another_origin(lab):
    import urllib.parse

    from .apps import app

    other = nb.serve.wsgi(app, name="other-origin")
    try:
        hdrs = {"Authorization": "Bearer T", "Cookie": "c=1"}
        r = nb.fetch(lab.url + "redirect-to?url=" + urllib.parse.quote(other.url + "echo"), headers=hdrs)
        assert r.history[0].status == 302 and r.final_url == other.url + "echo"
        assert "Authorization" not in r.json()["headers"] and "Cookie" not in r.json()["headers"]
        same = nb.fetch(lab.url + "redirect", headers=hdrs).json()
        assert same["headers"]["Authorization"] == "Bearer T"
    finally:
        other.stop()


def test_dns_failure_is_one_clear_error():
    with pytest.raises(ConnectionFailed, match="cannot resolve"):
        nb.fetch("http://nonexistent.invalid/", timeout=5)


def test_ftp_url_against_pyftpdlib(tmp_path):
    """ftp: goes through urllib's FTPHandler (ftplib) to a real FTP server."""
    from pyftpdlib.authorizers import DummyAuthorizer
    from pyftpdlib.handlers import FTPHandler
    from pyftpdlib.servers import FTPServer

    (tmp_path / "readme.txt").write_text("over ftp\n")
    auth = DummyAuthorizer()
    auth.add_anonymous(str(tmp_path))
    handler = type("H", (FTPHandler,), {"authorizer": auth, "passive_ports": None})
    server = FTPServer(("127.0.0.1", 0), handler)
    th = threading.Thread(target=server.serve_forever, kwargs={"timeout": 0.1, "blocking": True}, daemon=True)
    th.start()
    try:
        port = server.address[1]
        r = nb.fetch(f"ftp://127.0.0.1:{port}/readme.txt", timeout=10)
        assert r.status == 200 and r.text == "over ftp\n"
    finally:
        server.close_all()
        th.join(5)


def test_credentials_in_the_url_become_auth_and_vanish(lab):
    host = lab.url.split("://")[1]
    r = nb.fetch(f"http://{USER}:{PASSWORD}@{host}basic")
    assert r.text == "basic ok" and PASSWORD not in repr(r) and PASSWORD not in r.url
    assert PASSWORD not in r.transcript.text() and PASSWORD not in str(r.to_har())


def _raw_server(payload: bytes):
    """A one-shot TCP server that answers anything with ``payload``."""
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen()

    def serve():
        c, _ = srv.accept()
        with c:
            c.recv(65536)
            try:
                c.sendall(payload)
            except OSError:
                pass

    th = threading.Thread(target=serve, daemon=True)
    th.start()
    return srv, th, f"http://127.0.0.1:{srv.getsockname()[1]}/"


def test_hostile_servers_give_clear_errors():
    from netbook.http.errors import FetchError

    cases = [
        (b"SSH-2.0-OpenSSH_9.2\r\n", "bad HTTP"),
        (b"HTTP/1.1 200 OK\r\n" + b"".join(b"X-%d: y\r\n" % i for i in range(150)) + b"\r\n", "bad HTTP"),
        (b"HTTP/1.1 200 OK\r\nX-Long: " + b"a" * 70000 + b"\r\n\r\n", "bad HTTP"),
        (b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nshort", "bad HTTP|closed|reset"),
    ]
    for payload, pattern in cases:
        srv, th, url = _raw_server(payload)
        try:
            with pytest.raises((FetchError, ConnectionFailed), match=pattern):
                nb.fetch(url, timeout=5)
        finally:
            th.join(5)
            srv.close()


def test_fetch_does_not_import_pandas():
    import subprocess
    import sys

    code = "import sys, netbook as nb; nb.fetch('data:,x'); print('pandas' in sys.modules, 'ipywidgets' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                         env={**__import__("os").environ, "PYTHONPATH": str(__import__("pathlib").Path(__file__).parents[2])})
    assert out.stdout.split() == ["False", "False"], out.stderr


def test_against_the_static_lab_server(tmp_path):
    (tmp_path / "index.html").write_text("<h1>home</h1>")
    (tmp_path / "data.json").write_text('{"ok": true}')
    srv = nb.serve.http(tmp_path, name="static")
    try:
        assert nb.fetch(srv.url + "data.json").json() == {"ok": True}
        assert "home" in nb.fetch(srv.url).text
        assert nb.fetch(srv.url + "missing.txt").status == 404
        assert nb.fetch(srv.url + "../../../../etc/passwd").status == 404  # sent as is; the server refuses
        assert nb.fetch(srv.url + "data.json", "HEAD").content == b""
        log = srv.log.to_frame()
        assert log["status"].tolist()[:3] == ["200", "200", "404"]
    finally:
        srv.stop()


def test_auth_follows_redirects_within_the_origin_only(lab):
    import urllib.parse

    from .apps import app

    r = nb.fetch(lab.url + "redirect-to?url=/basic", auth=(USER, PASSWORD))
    assert r.text == "basic ok" and r.history[0].status == 302
    other = nb.serve.wsgi(app, name="elsewhere")
    try:
        r = nb.fetch(lab.url + "redirect-to?url=" + urllib.parse.quote(other.url + "basic"),
                     auth=(USER, PASSWORD), auth_prior=True)
        assert r.status == 401 and r.final_url == other.url + "basic"
    finally:
        other.stop()
