"""Kept-alive http.client connections for ``nb.Session`` (one pool per Session).

urllib's ``AbstractHTTPHandler.do_open`` opens a new connection for every
request and sends ``Connection: close``.  A Session instead keeps idle
connections per (kind, host, port, CONNECT tunnel, proxy credentials, TLS
context) and reuses them, as requests (urllib3) and httpx do; everything
else stays urllib's (handlers for redirects, auth, cookies, proxies).

A connection goes back to the pool only when its response was read to the
end and the server did not ask to close; one the server closed while idle
is noticed before reuse (readable at EOF) and, if the close raced with the
request, an idempotent request is retried once on a fresh connection.
"""
from __future__ import annotations

import http.client
import select
import socket
import threading
import urllib.error
from collections import defaultdict

__all__ = ["ConnectionPool"]

_IDEMPOTENT = {"GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE"}
_STALE = (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError, ConnectionAbortedError)


class _PooledResponse(http.client.HTTPResponse):
    """Hands its connection back to the pool once its body was read to the end."""

    _nb_release = None

    def _close_conn(self):
        super()._close_conn()
        release, self._nb_release = self._nb_release, None
        if release is not None:
            release(not self.will_close)

    def close(self):
        if self.fp is not None:  # closed before the body ended: the connection cannot carry another request
            release, self._nb_release = self._nb_release, None
            if release is not None:
                release(False)
        super().close()


class ConnectionPool:
    """Idle keep-alive connections per origin (``max_per_key`` kept each)."""

    def __init__(self, max_per_key: int = 10):
        self.max_per_key = max_per_key
        self._idle: dict[tuple, list] = defaultdict(list)
        self._lock = threading.Lock()
        self.opened = 0  # connections made
        self.reused = 0  # requests sent on a kept-alive connection
        self.closed = False
        self.openers: dict = {}  # the Session's urllib openers, one per set of fetch options (client.py)

    def _take(self, key):
        with self._lock:
            idle = self._idle.get(key)
            while idle:
                h = idle.pop()
                if h.sock is not None and not _dropped(h.sock):
                    return h
                h.close()
        return None

    def _give(self, key, h) -> None:
        with self._lock:
            if not self.closed and h.sock is not None and len(self._idle[key]) < self.max_per_key:
                self._idle[key].append(h)
                return
        h.close()

    def idle(self) -> int:
        with self._lock:
            return sum(len(v) for v in self._idle.values())

    def close(self) -> None:
        """Close every idle connection (a Session's ``close()``)."""
        with self._lock:
            self.closed = True
            conns = [h for v in self._idle.values() for h in v]
            self._idle.clear()
        for h in conns:
            h.close()

    def open(self, http_class, req, on_reuse=None, **conn_args):
        """``AbstractHTTPHandler.do_open`` with connection reuse (same arguments, same result)."""
        host = req.host
        if not host:
            raise urllib.error.URLError("no host given")
        headers = dict(req.unredirected_hdrs)
        headers.update({k: v for k, v in req.headers.items() if k not in headers})
        headers = {name.title(): val for name, val in headers.items()}
        headers.pop("Connection", None)  # HTTP/1.1: persistent unless someone says close
        tunnel_headers = {}
        if req._tunnel_host and "Proxy-Authorization" in headers:
            tunnel_headers["Proxy-Authorization"] = headers.pop("Proxy-Authorization")  # the proxy's, not the origin's
        key = (http_class, host, req._tunnel_host, tunnel_headers.get("Proxy-Authorization"),
               conn_args.get("context"))
        method = req.get_method()
        for attempt in (0, 1):
            h = self._take(key) if attempt == 0 else None
            reused = h is not None
            if h is None:
                h = http_class(host, timeout=req.timeout, **conn_args)
                h.response_class = _PooledResponse
                if req._tunnel_host:
                    h.set_tunnel(req._tunnel_host, headers=tunnel_headers)
            else:
                h.timeout = req.timeout
                if req.timeout is not socket._GLOBAL_DEFAULT_TIMEOUT:
                    h.sock.settimeout(req.timeout)
                if on_reuse is not None:
                    on_reuse(h)
            try:
                try:
                    h.request(method, req.selector, req.data, headers,
                              encode_chunked=req.has_header("Transfer-encoding"))
                except _STALE:
                    raise
                except OSError as err:
                    raise urllib.error.URLError(err) from err
                if not reused:
                    self.opened += 1
                r = h.getresponse()
            except _STALE as err:
                h.close()
                if reused and method in _IDEMPOTENT:
                    continue  # the server closed it while idle: once more on a fresh connection
                raise urllib.error.URLError(err) from err
            except BaseException:
                h.close()
                raise
            break
        if reused:
            self.reused += 1
        if r.will_close:
            h.close()  # the response owns the socket now; nothing to keep
        else:
            r._nb_release = lambda ok, h=h: self._give(key, h) if ok else h.close()
        r.url = req.get_full_url()
        r.msg = r.reason
        return r


def _dropped(sock) -> bool:
    """An idle connection the server closed (or that has stray bytes) is readable now."""
    try:
        readable, _, _ = select.select([sock], [], [], 0)
    except (OSError, ValueError):
        return True
    return bool(readable)
