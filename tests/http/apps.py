"""WSGI test apps for the HTTP client: redirects, Basic and Digest auth,
cookies, chunked and gzip bodies, slow and huge responses, hostile HTML."""
from __future__ import annotations

import base64
import gzip
import hashlib
import json
import time
import urllib.parse

HOSTILE_HTML = (
    b"<!doctype html><html><head><title>hostile</title>"
    b"<script>document.title='PWNED';parent.document.title='PWNED';"
    b"parent.document.body.insertAdjacentHTML('beforeend','<div id=pwned>PWNED</div>')</script>"
    b"</head><body onload=\"parent.document.title='PWNED'\"><h1>just a page</h1>"
    b"<img src=x onerror=\"parent.document.title='PWNED'\"></body></html>"
)
USER, PASSWORD = "alice", "s3cret-pw"
REALM = "lab"
NONCE = "dcd98b7102dd2f0e8b11d0f600bfb0c093"
OPAQUE = "5ccc069c403ebaf9f0171e9517f40e41"


def _md5(s: str) -> str:
    return hashlib.md5(s.encode()).hexdigest()  # noqa: S324 - RFC 2617 Digest uses MD5


def _digest_ok(environ) -> bool:
    h = environ.get("HTTP_AUTHORIZATION", "")
    if not h.startswith("Digest "):
        return False
    items = urllib.request.parse_http_list(h[7:])
    p = urllib.request.parse_keqv_list(items)
    if p.get("username") != USER or p.get("realm") != REALM or p.get("nonce") != NONCE:
        return False
    ha1 = _md5(f"{USER}:{REALM}:{PASSWORD}")
    ha2 = _md5(f"{environ['REQUEST_METHOD']}:{p.get('uri')}")
    if p.get("qop"):
        expected = _md5(f"{ha1}:{NONCE}:{p.get('nc')}:{p.get('cnonce')}:{p['qop']}:{ha2}")
    else:
        expected = _md5(f"{ha1}:{NONCE}:{ha2}")
    return p.get("response") == expected


import urllib.request  # noqa: E402 - parse_http_list / parse_keqv_list


def app(environ, start_response):
    path = environ["PATH_INFO"]
    qs = dict(urllib.parse.parse_qsl(environ.get("QUERY_STRING", "")))

    def send(status, body=b"", ctype="text/plain; charset=utf-8", extra=()):
        start_response(status, [("Content-Type", ctype), *extra])
        return [body]

    if path == "/":
        return send("200 OK", b"hello")
    if path == "/echo":
        n = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(n) if n else b""
        headers = {k[5:].replace("_", "-").title(): v for k, v in environ.items() if k.startswith("HTTP_")}
        if environ.get("CONTENT_TYPE"):
            headers["Content-Type"] = environ["CONTENT_TYPE"]
        out = {"method": environ["REQUEST_METHOD"], "path": path, "query": environ.get("QUERY_STRING", ""),
               "headers": headers, "body": body.decode("utf-8", "replace")}
        return send("200 OK", json.dumps(out).encode(), "application/json")
    if path == "/redirect":
        n = int(qs.get("n", 1))
        target = f"/redirect?n={n - 1}" if n > 1 else "/echo"
        return send(qs.get("code", "302") + " Redirect", b"", extra=[("Location", target)])
    if path == "/redirect-to":
        return send("302 Found", b"", extra=[("Location", qs["url"])])
    if path == "/redirect-loop":
        return send("302 Found", b"", extra=[("Location", "/redirect-loop")])
    if path == "/login":  # sets a cookie, then redirects to a page that shows it
        return send("302 Found", b"", extra=[("Set-Cookie", "session=abc123; Path=/; HttpOnly; SameSite=Lax"),
                                             ("Location", "/whoami")])
    if path == "/whoami":
        return send("200 OK", f"cookie={environ.get('HTTP_COOKIE', '')}".encode())
    if path == "/set-cookies":
        return send("200 OK", b"ok", extra=[
            ("Set-Cookie", "a=1; Path=/; Max-Age=3600"),
            ("Set-Cookie", "b=2; Path=/; Secure; HttpOnly; SameSite=Strict"),
            ("Set-Cookie", "c=3; Path=/; Partitioned; Secure; SameSite=None"),
        ])
    if path == "/basic":
        h = environ.get("HTTP_AUTHORIZATION", "")
        good = "Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
        if h == good:
            return send("200 OK", b"basic ok")
        return send("401 Unauthorized", b"who are you?", extra=[("WWW-Authenticate", f'Basic realm="{REALM}"')])
    if path == "/digest":
        if _digest_ok(environ):
            return send("200 OK", b"digest ok")
        challenge = f'Digest realm="{REALM}", qop="auth", nonce="{NONCE}", opaque="{OPAQUE}", algorithm=MD5'
        return send("401 Unauthorized", b"digest please", extra=[("WWW-Authenticate", challenge)])
    if path == "/gzip":
        raw = b"compressible " * 1000
        return send("200 OK", gzip.compress(raw), extra=[("Content-Encoding", "gzip")])
    if path == "/gzip-bomb":
        raw = gzip.compress(b"\0" * (20 << 20))  # 20 MiB of zeros, ~20 KiB on the wire
        return send("200 OK", raw, extra=[("Content-Encoding", "gzip")])
    if path == "/chunked":  # no Content-Length: wsgiref sends it close-delimited (HTTP/1.0)
        start_response("200 OK", [("Content-Type", "text/plain")])
        return (f"chunk {i}\n".encode() for i in range(5))
    if path == "/slow":
        time.sleep(float(qs.get("s", 0.2)))
        return send("200 OK", b"finally")
    if path == "/huge":
        size = int(qs.get("mb", 5)) << 20
        start_response("200 OK", [("Content-Type", "application/octet-stream"), ("Content-Length", str(size))])
        return (b"x" * (1 << 20) for _ in range(size >> 20))
    if path == "/hostile":
        return send("200 OK", HOSTILE_HTML, "text/html; charset=utf-8")
    if path == "/json":
        return send("200 OK", json.dumps({"name": "netbook", "tags": ["http", "urls"], "n": 3}).encode(),
                    "application/json")
    if path == "/latin1":
        return send("200 OK", "café".encode("latin-1"), "text/plain; charset=iso-8859-1")
    if path == "/png":
        png = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==")
        return send("200 OK", png, "image/png")
    if path == "/robots.txt":
        return send("200 OK", b"User-agent: *\nDisallow: /private/\nCrawl-delay: 1\nSitemap: http://x/sitemap.xml\n")
    if path == "/status":
        code = int(qs.get("code", 200))
        from http import HTTPStatus

        return send(f"{code} {HTTPStatus(code).phrase}", b"status " + str(code).encode())
    if path == "/boom":
        raise RuntimeError("the app failed")
    if path.startswith("/private/"):
        return send("200 OK", b"private")
    return send("404 Not Found", b"not found")


def proxy_app(environ, start_response):
    """A forward proxy that answers itself: checks Proxy-Authorization and
    echoes the absolute URL it was asked for."""
    want = "Basic " + base64.b64encode(b"proxyuser:proxypass").decode()
    if environ.get("HTTP_PROXY_AUTHORIZATION") != want:
        # (Proxy-Authenticate is hop-by-hop: WSGI apps may not set it)
        start_response("407 Proxy Authentication Required", [("Content-Type", "text/plain")])
        return [b"proxy auth required"]
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [f"proxied {environ.get('REQUEST_URI') or environ['PATH_INFO']}".encode()]
