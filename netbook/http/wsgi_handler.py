"""The in-process WSGI transport: a urllib handler whose "socket" runs a
WSGI app (see :mod:`netbook.http.wsgi_transport` for ``call``).  Its own
module so the request path (``client.fetch(app=...)``) uses it without
importing ``call``, which calls ``fetch``."""
from __future__ import annotations

import http.client
import io
import time
import traceback
import urllib.parse
import urllib.request
from typing import Any
from wsgiref.util import is_hop_by_hop

from ..interpolate import check_line
from ..transcript import trace_socket
from .exchange import current as _exchange
from .exchange import note_request
from .errors import FetchError

__all__ = ["WSGIHandler", "WSGIConnection", "DEFAULT_HOST", "MAX_REQUEST"]

DEFAULT_HOST = "testserver"
MAX_REQUEST = 64 << 20


class _AppSocket:
    """What http.client believes is a socket: it buffers the request and,
    on the first read, runs the app and serves its serialized response."""

    def __init__(self, app, host: str, port: int, scheme: str):
        self.app, self.host, self.port, self.scheme = app, host, port, scheme
        self._sent = bytearray()
        self._response: io.BytesIO | None = None
        self._timeout = None

    # socket API used by http.client / SocketIO
    def sendall(self, data, *args):
        self._sent += bytes(data)
        if len(self._sent) > MAX_REQUEST:
            raise FetchError(f"request larger than {MAX_REQUEST:,} bytes")

    def send(self, data, *args):
        self.sendall(data)
        return len(data)

    def recv_into(self, buffer, nbytes=0, *args):
        if self._response is None:
            self._response = io.BytesIO(self._run())
        n = nbytes or len(buffer)
        data = self._response.read(n)
        buffer[: len(data)] = data
        return len(data)

    def recv(self, n, *args):
        if self._response is None:
            self._response = io.BytesIO(self._run())
        return self._response.read(n)

    def settimeout(self, t):
        self._timeout = t

    def gettimeout(self):
        return self._timeout

    def setsockopt(self, *a):
        pass

    def fileno(self):
        return -1

    def close(self):
        pass

    _timeout_occurred = False

    def _decref_socketios(self):
        pass

    # the in-process server side
    def _environ(self) -> dict:
        raw = bytes(self._sent)
        head, sep, body = raw.partition(b"\r\n\r\n")
        if not sep:
            raise FetchError("incomplete request")
        lines = head.split(b"\r\n")
        method, target, version = lines[0].decode("latin-1").split(" ", 2)
        fields = http.client.parse_headers(io.BytesIO(b"\r\n".join(lines[1:]) + b"\r\n\r\n"))
        split = urllib.parse.urlsplit(target)
        path = split.path if split.scheme else target.split("?", 1)[0]
        query = split.query
        env: dict[str, Any] = {
            "REQUEST_METHOD": method, "SCRIPT_NAME": "",
            "PATH_INFO": urllib.parse.unquote_to_bytes(path).decode("latin-1"),
            "QUERY_STRING": query, "SERVER_NAME": self.host, "SERVER_PORT": str(self.port),
            "SERVER_PROTOCOL": version, "REMOTE_ADDR": "127.0.0.1", "REMOTE_HOST": "",
            "wsgi.version": (1, 0), "wsgi.url_scheme": self.scheme, "wsgi.input": io.BytesIO(body),
            "wsgi.errors": io.StringIO(), "wsgi.multithread": False, "wsgi.multiprocess": False,
            "wsgi.run_once": False, "REQUEST_URI": target,
        }
        for k, v in fields.items():
            key = k.upper().replace("-", "_")
            if key == "CONTENT_TYPE":
                env["CONTENT_TYPE"] = v
            elif key == "CONTENT_LENGTH":
                env["CONTENT_LENGTH"] = v
            else:
                name = "HTTP_" + key
                env[name] = env[name] + "," + v if name in env else v
        env.setdefault("CONTENT_LENGTH", str(len(body)) if body else "")
        return env

    def _run(self) -> bytes:
        env = self._environ()
        state: dict[str, Any] = {}
        chunks: list[bytes] = []

        def start_response(status, headers, exc_info=None):
            if exc_info and state.get("sent"):
                raise exc_info[1].with_traceback(exc_info[2])
            check_line(status, "status line")
            for k, v in headers:
                check_line(f"{k}: {v}", "response header")
                if is_hop_by_hop(k) and k.lower() != "connection":
                    raise FetchError(f"the app set hop-by-hop header {k!r} (not allowed in WSGI)")
            state["status"], state["headers"] = status, list(headers)
            return chunks.append

        try:
            result = self.app(env, start_response)
            try:
                for chunk in result:
                    if chunk:
                        state["sent"] = True
                        chunks.append(bytes(chunk))
            finally:
                if hasattr(result, "close"):
                    result.close()
            if "status" not in state:
                raise FetchError("the WSGI app returned without calling start_response")
        except FetchError:
            raise
        except Exception:
            tb = traceback.format_exc()
            env["wsgi.errors"].write(tb)
            state = {"status": "500 Internal Server Error",
                     "headers": [("Content-Type", "text/plain; charset=utf-8")]}
            chunks = [tb.encode()]
        body = b"".join(chunks)
        headers = [(k, v) for k, v in state["headers"] if k.lower() not in ("connection", "transfer-encoding")]
        if env["REQUEST_METHOD"] == "HEAD" or state["status"][:3] in ("204", "304") or state["status"][:1] == "1":
            body = b""
        elif not any(k.lower() == "content-length" for k, _ in headers):
            headers.append(("Content-Length", str(len(body))))
        head = f"HTTP/1.1 {state['status']}\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers) + "Connection: close\r\n\r\n"
        return head.encode("latin-1") + body


class WSGIConnection(http.client.HTTPConnection):
    """An http.client connection whose peer is a WSGI app in this process."""

    scheme = "http"

    def __init__(self, host, *args, app=None, **kwargs):
        super().__init__(host, *args, **kwargs)
        self.app = app

    def connect(self):
        ex = _exchange()
        sock = _AppSocket(self.app, self.host, self.port, self.scheme)
        if ex:
            ex.current.update(dns=0.0, connect=0.0, conn_end=time.perf_counter(), server_ip="in-process")
        self.sock = trace_socket(sock, ex.transcript) if ex else sock

    def getresponse(self):
        ex = _exchange()
        sent_at = time.perf_counter()
        if ex:
            ex.current["send"] = 0.0
        r = super().getresponse()
        if ex:
            ex.current["wait"] = round((time.perf_counter() - sent_at) * 1000, 3)
            ex.current["head_at"] = time.perf_counter()
        return r


class _WSGISConnection(WSGIConnection):
    scheme = "https"
    default_port = 443


class WSGIHandler(urllib.request.HTTPHandler):
    """urllib handler sending every http(s) request to ``app`` in-process."""

    def __init__(self, app, debuglevel=0):
        super().__init__(debuglevel)
        if not callable(app):
            raise TypeError("app must be a WSGI callable app(environ, start_response)")
        self.app = app

    def http_open(self, req):
        note_request(req)
        return self.do_open(lambda host, **kw: WSGIConnection(host, app=self.app, **kw), req)

    def https_open(self, req):
        note_request(req)
        return self.do_open(lambda host, **kw: _WSGISConnection(host, app=self.app, **kw), req)

    https_request = urllib.request.AbstractHTTPHandler.do_request_

