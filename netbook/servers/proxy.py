"""``serve.proxy()``: a small HTTP forward proxy for labs.

Plain http requests arrive in absolute form (``GET http://host/path``) and
are forwarded with http.client; https requests arrive as ``CONNECT
host:port`` and get a tunnel: the proxy relays bytes both ways and never sees
inside the TLS.  Each request is one log row (``GET http://...`` or
``CONNECT host:port``, status, bytes).  The transcripts show what the client
said to the proxy (the CONNECT exchange, not the encrypted bytes after it).

Safe by default: it reaches loopback only (``127.0.0.0/8``, ``::1``,
``localhost``: names are never looked up, so nothing leaves the machine;
``allow_any=True`` lifts that); ``user=`` / ``password=`` require
``Proxy-Authorization: Basic`` (407 otherwise); request lines and headers
are bounded, bodies up to ``max_body``; tunnels close after ``idle`` seconds
of silence and when the lab stops.
"""
from __future__ import annotations

import base64
import hmac
import http.client
import ipaddress
import selectors
import socket
import socketserver
import time

from .base import LabHandlerMixin, LabSocketServer, SocketServerLab

__all__ = ["serve", "ProxyLab"]

MAX_LINE = 8192
MAX_HEADERS = 100
_HOP_BY_HOP = {"connection", "keep-alive", "proxy-authorization", "proxy-authenticate", "proxy-connection", "te",
               "trailer", "transfer-encoding", "upgrade"}


class _Server(LabSocketServer, socketserver.ThreadingTCPServer):
    request_queue_size = 64


class _Refused(Exception):
    def __init__(self, status: int, reason: str, detail: str = "", headers=()):
        super().__init__(detail or reason)
        self.status, self.reason, self.detail, self.headers = status, reason, detail or reason, list(headers)


class ProxyHandler(LabHandlerMixin, socketserver.StreamRequestHandler):
    timeout = 30
    rbufsize = 0  # unbuffered: after CONNECT not one byte may be left behind in a read buffer

    def handle(self):
        self._t0 = time.perf_counter()
        self._line = ""
        try:
            method, target, headers = self._read_head()
            self._line = f"{method} {target}"
            self._check_auth(headers)
            if method == "CONNECT":
                self._connect(target)
            else:
                self._forward(method, target, headers)
        except _Refused as r:
            self._answer(r.status, r.reason, r.detail, r.headers)
        except (TimeoutError, socket.timeout, ConnectionError):
            pass

    # -- reading ----------------------------------------------------------------
    def _readline(self) -> str:
        raw = self.rfile.readline(MAX_LINE + 1)
        if len(raw) > MAX_LINE:
            raise _Refused(431, "Request Header Fields Too Large", "line over 8 KiB")
        return raw.decode("latin-1")

    def _read_head(self):
        line = self._readline()
        if not line:
            raise ConnectionError("closed")
        parts = line.strip().split()
        if len(parts) != 3 or not parts[2].startswith("HTTP/1."):
            self._line = line.strip()[:200]
            raise _Refused(400, "Bad Request", "not an HTTP/1.x request line")
        headers = []
        while True:
            h = self._readline()
            if h in ("\r\n", "\n", ""):
                break
            if len(headers) >= MAX_HEADERS:
                raise _Refused(431, "Request Header Fields Too Large", "over 100 header fields")
            name, sep, value = h.partition(":")
            if not sep or not name.strip() or name != name.strip():
                raise _Refused(400, "Bad Request", "malformed header field")
            headers.append((name.strip(), value.strip()))
        return parts[0].upper(), parts[1], headers

    def _check_auth(self, headers):
        lab = self.lab
        if lab is None or lab.user is None:
            return
        want = "Basic " + base64.b64encode(f"{lab.user}:{lab.password or ''}".encode()).decode()
        got = next((v for k, v in headers if k.lower() == "proxy-authorization"), None)
        if got is None or not hmac.compare_digest(got.encode("latin-1", "replace"), want.encode()):
            raise _Refused(407, "Proxy Authentication Required", "wrong credentials" if got else "no credentials",
                           [("Proxy-Authenticate", 'Basic realm="netbook lab proxy"')])

    def _allowed(self, host: str) -> None:
        if self.lab is not None and self.lab.allow_any:
            return
        h = host.strip("[]")
        if h.lower() == "localhost":
            return
        try:
            if ipaddress.ip_address(h).is_loopback:
                return
        except ValueError:
            pass
        raise _Refused(403, "Forbidden", f"{host}: the lab proxy reaches loopback only (allow_any=True lifts it)")

    # -- answering -----------------------------------------------------------------
    def _read_exact(self, n: int) -> bytes:
        chunks, left = [], n
        while left > 0:
            chunk = self.rfile.read(min(left, 1 << 16))
            if not chunk:
                raise ConnectionError("closed in the body")
            chunks.append(chunk)
            left -= len(chunk)
        return b"".join(chunks)

    def _answer(self, status, reason, detail="", headers=()):
        body = f"{status} {reason}: {detail}\n".encode()
        head = [f"HTTP/1.1 {status} {reason}", "Content-Type: text/plain; charset=utf-8",
                f"Content-Length: {len(body)}", "Connection: close", *(f"{k}: {v}" for k, v in headers)]
        self._log(status, len(body), detail)
        try:
            self.wfile.write(("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + body)
            self.wfile.flush()
        except OSError:
            pass

    def _log(self, status, nbytes, detail=""):
        if self.lab is not None:
            ms = round((time.perf_counter() - self._t0) * 1000, 3)
            self.lab.log_event(self.client_address, self._line, str(status), nbytes, ms, detail)
            self.lab.log_access(self.client_address, self._line, status, nbytes)

    # -- CONNECT: a tunnel ---------------------------------------------------------------
    def _connect(self, target: str):
        host, sep, port = target.rpartition(":")
        if not sep or not port.isdigit() or not host:
            raise _Refused(400, "Bad Request", "CONNECT needs host:port")
        self._allowed(host)
        try:
            upstream = socket.create_connection((host.strip("[]"), int(port)), timeout=10)
        except OSError as e:
            raise _Refused(502, "Bad Gateway", f"cannot connect to {target}: {e.strerror or e}") from None
        with upstream:
            self._log(200, 0, "tunnel open")
            self.wfile.write(b"HTTP/1.1 200 Connection established\r\n\r\n")
            self.wfile.flush()
            self._relay(self._raw_request, upstream)  # from here on: opaque bytes, not recorded

    def _relay(self, client, upstream):
        idle = self.lab.idle if self.lab is not None else 30
        sel = selectors.DefaultSelector()
        sel.register(client, selectors.EVENT_READ, upstream)
        sel.register(upstream, selectors.EVENT_READ, client)
        try:
            while True:
                events = sel.select(idle)
                if not events:
                    return  # idle
                for key, _ in events:
                    try:
                        data = key.fileobj.recv(1 << 16)
                    except OSError:
                        return
                    if not data:
                        return
                    try:
                        key.data.sendall(data)
                    except OSError:
                        return
        finally:
            sel.close()

    # -- plain http: forward -----------------------------------------------------------
    def _forward(self, method: str, target: str, headers):
        import urllib.parse

        parts = urllib.parse.urlsplit(target)
        if parts.scheme.lower() != "http" or not parts.hostname:
            raise _Refused(400, "Bad Request", "a proxy request names an absolute http:// URL")
        self._allowed(parts.hostname)
        length = next((v for k, v in headers if k.lower() == "content-length"), None)
        if any(k.lower() == "transfer-encoding" for k, _ in headers):
            raise _Refused(411, "Length Required", "chunked request bodies are not forwarded")
        n = int(length) if length and length.isdigit() else 0
        max_body = self.lab.max_body if self.lab is not None else 10 << 20
        if n > max_body:
            raise _Refused(413, "Content Too Large", f"body of {n:,} bytes over max_body")
        body = self._read_exact(n) if n else None
        fwd = [(k, v) for k, v in headers if k.lower() not in _HOP_BY_HOP]
        if not any(k.lower() == "host" for k, _ in fwd):
            fwd.insert(0, ("Host", parts.netloc.rpartition("@")[2]))
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        conn = http.client.HTTPConnection(parts.hostname, parts.port or 80, timeout=30)
        try:
            conn.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
            for k, v in fwd:
                conn.putheader(k, v)
            conn.putheader("Connection", "close")
            conn.endheaders(body)
            resp = conn.getresponse()
            data = resp.read(max_body + 1)
        except OSError as e:
            raise _Refused(502, "Bad Gateway", f"{parts.netloc}: {e.strerror or e}") from None
        except http.client.HTTPException as e:
            raise _Refused(502, "Bad Gateway", f"{parts.netloc}: bad HTTP: {type(e).__name__}") from None
        except ValueError as e:  # http.client refuses control characters in the method, path or a header
            raise _Refused(400, "Bad Request", f"refused: {e}"[:200]) from None
        finally:
            conn.close()
        if len(data) > max_body:
            raise _Refused(502, "Bad Gateway", f"response over max_body={max_body:,}")
        head = [f"HTTP/1.1 {resp.status} {resp.reason}"]
        head += [f"{k}: {v}" for k, v in resp.getheaders() if k.lower() not in _HOP_BY_HOP | {"content-length"}]
        head += [f"Content-Length: {len(data)}", "Connection: close"]
        self._log(resp.status, len(data), "forwarded")
        self.wfile.write(("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + data)
        self.wfile.flush()


class ProxyLab(SocketServerLab):
    kind = "proxy"
    scheme = "http"

    def __init__(self, name=None, host="127.0.0.1", port=0, *, user=None, password=None, allow_any=False,
                 max_body=10 << 20, idle=30.0):
        super().__init__(name=name, host=host, port=port)
        self.user, self.password = user, password
        self.allow_any = bool(allow_any)
        self.max_body = int(max_body)
        self.idle = float(idle)

    @property
    def url(self) -> str:
        """The proxy URL for ``proxy=`` / ``http_proxy`` (no credentials: give them yourself)."""
        return f"http://{self.host}:{self.port}"

    def make_server(self, address):
        return _Server(address, ProxyHandler)

    def __repr__(self) -> str:
        auth = f", Basic auth as {self.user!r}" if self.user is not None else ""
        state = "running" if self.running else "stopped"
        return f"<ProxyLab {self.name!r} {state} at {self.url}{auth} — {self.requests} requests>"


def serve(name=None, host="127.0.0.1", port=0, *, user=None, password=None, allow_any=False, max_body=10 << 20,
          idle=30.0, log_file=None) -> ProxyLab:
    """A lab HTTP proxy: forwards http, tunnels https (CONNECT); loopback targets only unless ``allow_any``.

    ``nb.fetch(url, proxy=p.url)`` or ``http_proxy=p.url``; ``user=``/``password=``
    demand Proxy-Authorization (give them as ``http://user:pass@host:port``)."""
    lab = ProxyLab(name=name, host=host, port=port, user=user, password=password, allow_any=allow_any,
                   max_body=max_body, idle=idle)
    lab.log_file = log_file  # combined-format access log (nb.http.read_log)
    return lab.start()
