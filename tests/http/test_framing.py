"""HTTP request framing of serve.http and serve.wsgi (RFC 9112 section 6),
with the third-party clients that found the bugs: curl, ab, requests."""
import http.client
import re
import socket
import time
import subprocess

import pytest

import netbook as nb
from tests.peers import require


def body_app(environ, start_response):
    """Answers with what it read, the way most apps read: CONTENT_LENGTH bytes."""
    n = int(environ.get("CONTENT_LENGTH") or 0)
    body = environ["wsgi.input"].read(n)
    out = b"%d:" % len(body) + body[:64]
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(out)))])
    return [out]


def exchange(port: int, data: bytes, timeout: float = 5.0) -> bytes:
    """Send raw bytes, read until the server closes (or the timeout)."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall(data)
        chunks = []
        while True:
            try:
                chunk = s.recv(65536)
            except (TimeoutError, socket.timeout):
                raise AssertionError(f"server kept the connection open after {b''.join(chunks)[:300]!r}")
            if not chunk:
                return b"".join(chunks)
            chunks.append(chunk)


def statuses(reply: bytes) -> list[int]:
    return [int(m) for m in re.findall(rb"HTTP/1\.[01] (\d{3}) ", reply)]


@pytest.fixture
def wsgi_lab():
    with nb.serve.wsgi(body_app, name="framing-wsgi") as srv:
        yield srv


@pytest.fixture
def http_lab(tmp_path):
    (tmp_path / "a.txt").write_bytes(b"A" * 10)
    with nb.serve.http(tmp_path, name="framing-http") as srv:
        yield srv


# -- bug 1: chunked request bodies reach the WSGI app de-chunked ----------------
def test_curl_chunked_body_reaches_the_app(wsgi_lab):
    curl = require("curl")
    r = subprocess.run([curl, "-sS", "-H", "Transfer-Encoding: chunked", "--data-binary", "hello", wsgi_lab.url],
                       capture_output=True, timeout=30)
    assert r.stdout == b"5:hello", r.stderr


def test_requests_large_chunked_upload_does_not_hang(wsgi_lab):
    requests = pytest.importorskip("requests")
    piece = bytes(range(256)) * 256  # 64 KiB

    def gen():  # a generator body: requests sends it chunked
        for _ in range(48):  # 3 MiB
            yield piece

    r = requests.post(wsgi_lab.url, data=gen(), timeout=20)
    assert r.status_code == 200 and r.content.startswith(b"%d:" % (48 * len(piece)))


def test_chunked_with_extensions_and_trailers_keeps_the_connection(wsgi_lab):
    req = (b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
           b"3;ext=1\r\nabc\r\n2\r\nde\r\n0\r\nX-Trailer: t\r\n\r\n"
           b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    reply = exchange(wsgi_lab.port, req)
    assert statuses(reply) == [200, 200] and b"5:abcde" in reply and reply.endswith(b"0:")


# -- bug 2: HTTP/1.0 keep-alive is announced ------------------------------------
def test_http10_keep_alive_is_announced(http_lab):
    with socket.create_connection(("127.0.0.1", http_lab.port), timeout=5) as s:
        f = s.makefile("rb")
        for _ in range(2):
            s.sendall(b"GET /a.txt HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n")
            resp = http.client.HTTPResponse(s)
            resp.begin()
            assert resp.status == 200 and resp.getheader("Connection") == "keep-alive"
            assert resp.read() == b"A" * 10
        f.close()


def test_ab_keep_alive(http_lab):
    ab = require("ab")
    r = subprocess.run([ab, "-k", "-n", "4", "-c", "1", "-s", "10", http_lab.url + "a.txt"],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert "Complete requests:      4" in r.stdout and "Keep-Alive requests:    4" in r.stdout
    assert "Failed requests:        0" in r.stdout


# -- bug 3: a GET body is read past --------------------------------------------
def test_curl_get_with_body_keeps_the_connection_in_sync(http_lab):
    curl = require("curl")
    url = http_lab.url + "a.txt"
    r = subprocess.run([curl, "-sS", "-X", "GET", "--data", "q=1", url, url], capture_output=True, timeout=30)
    assert r.stdout == b"A" * 20, r.stdout[:300]
    assert [row[3] for row in http_lab.log.snapshot()][-2:] == ["200", "200"]


def test_get_with_body_then_get_on_one_connection(http_lab):
    req = (b"GET /a.txt HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nq=1"
           b"GET /a.txt HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nq=2\r\n0\r\n\r\n"
           b"GET /a.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    assert statuses(exchange(http_lab.port, req)) == [200, 200, 200]
    assert not any("q=" in str(row) for row in http_lab.log.snapshot())


# -- bug 4 and the review of RFC 9112 section 6 ---------------------------------
# Each framing below must be answered with the status and a closed connection:
# the "GET /smuggled" that follows must never be served as a request.
BAD = [
    ("two different Content-Length", b"Content-Length: 3\r\nContent-Length: 20\r\n", 400),
    ("Content-Length list that differs", b"Content-Length: 3, 20\r\n", 400),
    ("signed Content-Length", b"Content-Length: +3\r\n", 400),
    ("Content-Length with underscore", b"Content-Length: 0_3\r\n", 400),
    ("negative Content-Length", b"Content-Length: -1\r\n", 400),
    ("hex Content-Length", b"Content-Length: 0x3\r\n", 400),
    ("TE and CL together", b"Transfer-Encoding: chunked\r\nContent-Length: 3\r\n", 400),
    ("TE not ending in chunked", b"Transfer-Encoding: chunked, identity\r\n", 400),
    ("unknown transfer coding", b"Transfer-Encoding: gzip, chunked\r\n", 501),
    ("space before the colon", b"Content-Length : 3\r\n", 400),
    ("header line without colon", b"Content-Length 3\r\n", 400),
]


@pytest.mark.parametrize("server", ["wsgi", "http"])
@pytest.mark.parametrize("why,headers,status", BAD, ids=[b[0] for b in BAD])
def test_bad_framing_is_refused_and_closed(server, why, headers, status, wsgi_lab, http_lab):
    lab = wsgi_lab if server == "wsgi" else http_lab
    req = (b"POST / HTTP/1.1\r\nHost: x\r\n" + headers + b"\r\nabc"
           b"GET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n")
    reply = exchange(lab.port, req)
    assert statuses(reply) == [status], reply[:400]
    assert b"Connection: close" in reply
    rows = lab.log.snapshot()
    assert not any("smuggled" in str(r) for r in rows)
    assert "refused" in rows[-1][-1]


@pytest.mark.parametrize("server", ["wsgi", "http"])
def test_transfer_encoding_in_http10_is_refused(server, wsgi_lab, http_lab):
    lab = wsgi_lab if server == "wsgi" else http_lab
    reply = exchange(lab.port, b"POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n")
    assert statuses(reply) == [400]


@pytest.mark.parametrize("chunks", [b"zz\r\nabc\r\n0\r\n\r\n", b"3\r\nabcX\r\n0\r\n\r\n", b"3 \x00\r\nabc\r\n0\r\n\r\n"],
                         ids=["bad size", "data overruns", "NUL in size line"])
def test_bad_chunks_are_refused_and_closed(chunks, wsgi_lab):
    reply = exchange(wsgi_lab.port, b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" + chunks
                     + b"GET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n")
    assert statuses(reply) == [400]


def test_identical_content_lengths_are_one(wsgi_lab):
    req = (b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\nabc"
           b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    reply = exchange(wsgi_lab.port, req)
    assert statuses(reply) == [200, 200] and b"3:abc" in reply


def test_chunked_body_over_the_bound_is_413(wsgi_lab, monkeypatch):
    wsgi_lab.server.max_body = 1000
    reply = exchange(wsgi_lab.port, b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                     + b"800\r\n" + b"x" * 0x800 + b"\r\n0\r\n\r\n")
    assert statuses(reply) == [413]


def test_client_gone_mid_body_is_not_a_short_body(tmp_path):
    seen = []

    def app(environ, start_response):
        seen.append(environ["wsgi.input"].read(int(environ["CONTENT_LENGTH"])))
        start_response("200 OK", [("Content-Length", "0")])
        return [b""]

    with nb.serve.wsgi(app, name="framing-short") as srv:
        with socket.create_connection(("127.0.0.1", srv.port), timeout=5) as s:
            s.sendall(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\npartial")
            s.shutdown(socket.SHUT_WR)
            s.recv(1000)
        deadline = time.monotonic() + 5
        while not srv.errors and time.monotonic() < deadline:
            time.sleep(0.02)
        assert seen == [] and "went away" in srv.errors[-1]
