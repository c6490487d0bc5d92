"""The request and redirect rules every HTTP path of netbook follows.

``nb.fetch`` (urllib's handlers), ``nb.Session`` (the same, over kept-alive
connections) and ``nb.fetch_many`` (an asyncio HTTP/1.1 client) each build
and send requests their own way, for speed; what they send is decided here,
once:

- **credentials stay with their origin**: after a redirect to another
  origin (scheme, host or port differ, so a https -> http downgrade counts),
  ``Authorization``, ``Cookie`` and ``Proxy-Authorization`` headers the
  caller gave are dropped, as requests, httpx and curl do.  Cookies from a
  jar are chosen per hop by the jar (``http.cookiejar``: domain, path,
  Secure); proxy credentials go to the proxy only, on each hop's own proxy
  choice (``proxies.select_proxy``, curl's rules);
- **the method after a redirect**: 303 turns anything but HEAD into GET;
  301/302 turn POST into GET (what browsers, requests and urllib do); 307/308
  keep method and body; a request that turned into a GET loses its body
  and its ``Content-*`` headers;
- one **User-Agent**, one **size bound** default, one **TLS context**
  per ``verify=`` value (``True``: the system CAs, ``False``: no check, a
  path: that CA file, or your own ``ssl.SSLContext``).
"""
from __future__ import annotations

import functools
import os
import ssl
import urllib.parse

__all__ = [
    "CREDENTIAL_HEADERS",
    "DEFAULT_MAX_BYTES",
    "MAX_REDIRECTS",
    "REDIRECT_CODES",
    "USER_AGENT",
    "origin",
    "redirect_headers",
    "redirect_method",
    "same_origin",
    "tls_context",
]

USER_AGENT = "netbook/0.1 (Python urllib)"  # fetch, Session and fetch_many alike
DEFAULT_MAX_BYTES = 64 << 20
MAX_REDIRECTS = 10
REDIRECT_CODES = frozenset({301, 302, 303, 307, 308})
# headers that carry credentials: never sent to another origin after a redirect
CREDENTIAL_HEADERS = frozenset({"authorization", "cookie", "proxy-authorization"})
_DEFAULT_PORTS = {"http": 80, "https": 443}


def origin(url: str) -> tuple[str, str, int | None]:
    """(scheme, host, port) of a URL, the default port filled in."""
    p = urllib.parse.urlsplit(url)
    scheme = p.scheme.lower()
    try:
        port = p.port
    except ValueError:
        port = None
    return scheme, (p.hostname or "").lower(), port or _DEFAULT_PORTS.get(scheme)


def same_origin(a: str, b: str) -> bool:
    """True when both URLs have the same scheme, host and port (https -> http is another origin)."""
    return origin(a) == origin(b)


def redirect_method(method: str, status: int) -> str:
    """The method of the request that follows a ``status`` redirect."""
    method = method.upper()
    if status == 303 and method != "HEAD":
        return "GET"
    if status in (301, 302) and method == "POST":
        return "GET"
    return method


def redirect_headers(headers, old_url: str, new_url: str, *, body_dropped: bool = False) -> list[tuple[str, str]]:
    """The caller's headers that go with the next hop (a dict or (name, value) pairs in, pairs out).

    Credentials are kept only when the new URL has the same origin; the body's
    ``Content-*`` headers go when the body does."""
    keep_credentials = same_origin(old_url, new_url)
    out = []
    for k, v in (headers.items() if hasattr(headers, "items") else headers):
        low = k.lower()
        if low in CREDENTIAL_HEADERS and not keep_credentials:
            continue
        if body_dropped and low.startswith("content-"):
            continue
        out.append((k, v))
    return out


def tls_context(verify=True) -> ssl.SSLContext:
    """The TLS context for ``verify=`` (one per value, shared: loading the CAs costs milliseconds)."""
    if isinstance(verify, ssl.SSLContext):
        return verify
    if verify is True:
        return _context(None, True)
    if verify is False or verify is None:
        return _context(None, False)
    path = os.fspath(verify)
    try:
        stamp = os.stat(path).st_mtime_ns  # a CA file rewritten in place is read again
    except OSError:
        stamp = 0
    return _context(path, True, stamp)


@functools.lru_cache(maxsize=16)
def _context(cafile: str | None, check: bool, stamp: int = 0) -> ssl.SSLContext:
    from ..tls import tls_context as make  # the one context builder; cached here per value

    return make(check, cafile)
