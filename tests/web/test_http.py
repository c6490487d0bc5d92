"""serve.http: listings, ranges, and nothing outside the folder, ever."""
import http.client
import urllib.request

import pytest

import netbook as nb
from netbook.servers.http import parse_range, refusal

from .conftest import raw_request, status_of

TRAVERSALS = [
    "/../outside/secret.txt",
    "/../../../../etc/passwd",
    "/sub/../../outside/secret.txt",
    "/%2e%2e/outside/secret.txt",
    "/%2E%2E/outside/secret.txt",
    "/.%2e/outside/secret.txt",
    "/%252e%252e/outside/secret.txt",
    "/%25252e%25252e/outside/secret.txt",
    "/..%2foutside%2fsecret.txt",
    "/..%5coutside%5csecret.txt",
    "/..\\outside\\secret.txt",
    "/%5c..%5coutside%5csecret.txt",
    "/hello.txt%00.png",
    "/link-out.txt",
    "/dir-out/secret.txt",
    "//etc/passwd",
    "/etc/passwd",
    "http://127.0.0.1/../outside/secret.txt",
    "outside/secret.txt",
    "*",
]


@pytest.mark.parametrize("target", TRAVERSALS)
def test_traversal_raw_socket_never_serves_outside(site, target):
    with nb.serve.http(site) as srv:
        resp = raw_request(srv.port, f"GET {target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
        assert resp.startswith(b"HTTP/1.")
        assert status_of(resp) in (400, 404)
        assert b"TOP-SECRET" not in resp and b"root:" not in resp
        assert srv.running and srv.log.length >= 1


def test_traversal_with_curl_path_as_is(site, curl):
    with nb.serve.http(site) as srv:
        base = srv.url.rstrip("/")
        for target in ["/../outside/secret.txt", "/%2e%2e/outside/secret.txt", "/%252e%252e/outside/secret.txt",
                       "/..%5coutside%5csecret.txt", "/link-out.txt", "/dir-out/secret.txt", "/a%00b"]:
            r = curl("--path-as-is", "-o", "-", "-w", "\n%{http_code}", base + target)
            body, code = r.stdout.rsplit(b"\n", 1)
            assert code in (b"400", b"404"), target
            assert b"TOP-SECRET" not in body
        details = [row[6] for row in srv.log.snapshot()]
        assert all(d.startswith("refused: ") for d in details), details
        # and the served folder still works
        r = curl("-o", "-", base + "/hello.txt")
        assert r.stdout == b"hello world\n"


def test_refusal_rules():
    assert refusal("/hello.txt") is None
    assert refusal("/a..b/c") is None
    assert refusal("/100%25.txt") is None
    assert refusal("/../x") == "dot segment in path"
    assert refusal("/%2e%2e/x") == "encoded dot segment in path"
    assert refusal("/%252e%252e/x") == "double-encoded dot segment in path"
    assert refusal("/a%5cb") == "encoded backslash in path"
    assert refusal("/a%00") == "encoded NUL byte in path"
    assert refusal("x") == "not an absolute path"


def test_listing_escapes_names_and_hides_symlinks_out(site):
    with nb.serve.http(site) as srv:
        page = urllib.request.urlopen(srv.url + "sub/").read().decode()
        assert "<img src=x" not in page
        assert "&lt;img src=x onerror=alert(1)&gt;.txt" in page
        root = urllib.request.urlopen(srv.url).read().decode()
        assert "hello.txt" in root and "sub/" in root
        assert "link-out" not in root and "dir-out" not in root
        with pytest.raises(urllib.error.HTTPError) as e:
            urllib.request.urlopen(srv.url + "sub")  # redirect is followed: a listing
            raise urllib.error.HTTPError(srv.url, 599, "followed", {}, None)
        assert e.value.code == 599


def test_ranges(site, curl):
    data = (site / "data.bin").read_bytes()
    with nb.serve.http(site) as srv:
        url = srv.url + "data.bin"
        for header, expect in [("bytes=0-9", data[:10]), ("bytes=1000-", data[1000:]), ("bytes=-5", data[-5:]),
                               ("bytes=10-10", data[10:11]), ("bytes=1020-5000", data[1020:])]:
            r = curl("-i", "-H", f"Range: {header}", url)
            head, _, body = r.stdout.partition(b"\r\n\r\n")
            assert head.startswith(b"HTTP/1.1 206"), header
            assert body == expect, header
            assert "Content-Range: bytes ".encode() in head
        r = curl("-i", "-H", "Range: bytes=5000-", url)
        assert r.stdout.startswith(b"HTTP/1.1 416")
        assert b"Content-Range: bytes */1024" in r.stdout
        # several ranges or nonsense: the whole file (RFC 9110 allows ignoring Range)
        for header in ("bytes=0-1,5-6", "items=0-1", "bytes=9-2"):
            r = curl("-i", "-H", f"Range: {header}", url)
            assert r.stdout.startswith(b"HTTP/1.1 200") and r.stdout.endswith(data), header
        # If-Range with an old date: whole file
        r = curl("-i", "-H", "Range: bytes=0-1", "-H", "If-Range: Mon, 01 Jan 1990 00:00:00 GMT", url)
        assert r.stdout.startswith(b"HTTP/1.1 200")
        # curl's own --range, http.client too
        assert curl("-r", "4-7", url).stdout == data[4:8]
        c = http.client.HTTPConnection(srv.host, srv.port, timeout=5)
        c.request("GET", "/data.bin", headers={"Range": "bytes=-3"})
        resp = c.getresponse()
        assert resp.status == 206 and resp.read() == data[-3:]
        c.close()
        assert any("range 0-9/1024" == row[6] for row in srv.log.snapshot())


def test_parse_range():
    assert parse_range("bytes=0-0", 10) == (0, 1)
    assert parse_range("bytes=-20", 10) == (0, 10)
    assert parse_range("bytes=10-", 10) == "unsatisfiable"
    assert parse_range("bytes=-0", 10) == "unsatisfiable"
    assert parse_range("bytes=-", 10) is None
    assert parse_range(None, 10) is None


def test_keep_alive_and_every_request_logged(site):
    with nb.serve.http(site) as srv:
        c = http.client.HTTPConnection(srv.host, srv.port, timeout=5)
        for _ in range(20):
            c.request("GET", "/hello.txt")
            r = c.getresponse()
            assert r.read() == b"hello world\n"
        c.close()
        assert srv.log.length == 20  # the row is written before the response completes
        rows = srv.log.snapshot()
        assert len({row[1] for row in rows}) == 1  # one connection


BAD_INPUT = [
    b"\r\n\r\n",
    b"GARBAGE\r\n\r\n",
    b"GET\r\n\r\n",
    b"GET / HTTP/9.9\r\n\r\n",
    b"GET / HTTP/1.1 extra words\r\n\r\n",
    b"GET /" + b"a" * 70000 + b" HTTP/1.1\r\n\r\n",
    b"GET / HTTP/1.1\r\n" + b"X-Big: " + b"b" * 70000 + b"\r\n\r\n",
    b"GET / HTTP/1.1\r\n" + b"".join(b"X-%d: 1\r\n" % i for i in range(150)) + b"\r\n",
    b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + bytes(40),  # a TLS hello
    b"GET /\xff\xfe HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
]


@pytest.mark.parametrize("data", BAD_INPUT, ids=range(len(BAD_INPUT)))
def test_bad_input_never_kills_the_server(site, data):
    with nb.serve.http(site) as srv:
        resp = raw_request(srv.port, data)
        if resp:
            assert resp.startswith(b"HTTP/1.")
            assert status_of(resp) >= 400
        assert urllib.request.urlopen(srv.url + "hello.txt", timeout=5).read() == b"hello world\n"


def test_head_and_not_modified(site, curl):
    with nb.serve.http(site) as srv:
        r = curl("-I", srv.url + "hello.txt")
        assert b"Content-Length: 12" in r.stdout
        lm = [line.split(b": ", 1)[1] for line in r.stdout.split(b"\r\n") if line.startswith(b"Last-Modified")][0]
        r = curl("-i", "-H", b"If-Modified-Since: " + lm, srv.url + "hello.txt")
        assert r.stdout.startswith(b"HTTP/1.1 304")
