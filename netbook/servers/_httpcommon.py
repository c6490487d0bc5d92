"""What the HTTP-speaking lab servers (http, wsgi, ...) share: a threading
server that tracks its connections, and request logging into the lab log.

Responses are buffered and the log row is written *before* the final flush,
so when a client has read a whole response its row is already in the log
(notebooks can show the log right after a request, deterministically).
"""
from __future__ import annotations

import io
import socketserver
import time
from http.server import HTTPServer

from .base import LabHandlerMixin


class ThreadingLabHTTPServer(socketserver.ThreadingMixIn, HTTPServer):
    daemon_threads = True
    block_on_close = True
    allow_reuse_address = True
    request_queue_size = 128

    def handle_error(self, request, client_address):
        # a handler crashed (reset connection, a bug): one row in the lab log,
        # never a traceback on stderr, and the server keeps serving
        import sys

        exc = sys.exc_info()[1]
        lab = getattr(self, "lab", None)
        if lab is not None and exc is not None:
            lab.log_event(client_address, "", "error", 0, None, f"{type(exc).__name__}: {exc}"[:500])

    def server_bind(self):
        # HTTPServer.server_bind calls getfqdn(), slow without DNS; loopback needs none.
        socketserver.TCPServer.server_bind(self)
        host, port = self.server_address[:2]
        self.server_name = host
        self.server_port = port


class _LoggingWriter(io.RawIOBase):
    """Wraps the handler's buffered wfile: counts bytes, logs before flushing."""

    def __init__(self, inner, handler):
        self._inner = inner
        self._handler = handler

    def writable(self):
        return True

    def write(self, b):
        n = self._inner.write(b)
        self._handler._sent += len(b)
        return n

    def flush(self):
        self._handler._log_once()
        if not self._inner.closed:
            self._inner.flush()

    def close(self):
        if not self._inner.closed:
            try:
                self.flush()
            except (OSError, ValueError):
                pass
            self._inner.close()
        super().close()


class HTTPLogMixin(LabHandlerMixin):
    """Logs one row per HTTP request: request line, status, bytes sent, ms."""

    timeout = 30  # idle keep-alive connections are closed after this
    # HTTP/0.9 is long gone: answer garbage with a status line, not a bare page
    default_request_version = "HTTP/1.0"
    wbufsize = 1 << 16

    def setup(self):
        super().setup()
        self._begin()
        self.wfile = _LoggingWriter(self.wfile, self)

    def handle_one_request(self):
        """One request, timed and logged (the row is written before the final flush)."""
        self._begin()
        try:
            super().handle_one_request()
        finally:
            self._end()

    def _begin(self):
        self._t0 = time.perf_counter()
        self._status = ""
        self._detail = ""
        self._sent = 0
        self._head_bytes = 0
        self._logged = False
        self._said_close = False
        self.requestline = ""

    def _log_once(self):
        if self._logged or not (self.requestline or self._status):
            return
        self._logged = True
        lab = getattr(self, "lab", None)
        if lab is None:
            return
        ms = round((time.perf_counter() - self._t0) * 1000, 3)
        lab.log_event(self.client_address, self.requestline, self._status, self._sent, ms, self._detail)
        h = getattr(self, "headers", None)
        get = h.get if h is not None else (lambda k: None)
        lab.log_access(self.client_address, self.requestline, self._status, self._body_bytes(),
                       get("Referer"), get("User-Agent"))

    def _body_bytes(self) -> int:
        return max(self._sent - self._head_bytes, 0)

    def flush_headers(self):
        # what the status line and headers take, so the access log counts body bytes (%b)
        self._head_bytes += sum(len(b) for b in getattr(self, "_headers_buffer", []))
        super().flush_headers()

    def _end(self):
        try:
            self.wfile.flush()
        except (OSError, ValueError):
            self._log_once()

    def end_headers(self):
        # HTTP/1.1 persists by default: say so when this response ends the connection
        if (self.close_connection and getattr(self, "request_version", "") == "HTTP/1.1"
                and self.protocol_version >= "HTTP/1.1" and not getattr(self, "_said_close", False)):
            self.send_header("Connection", "close")
        super().end_headers()

    def send_header(self, keyword, value):
        if keyword.lower() == "connection":
            self._said_close = value.lower() == "close"
        super().send_header(keyword, value)

    def log_request(self, code="-", size="-"):
        self._status = str(getattr(code, "value", code))

    def log_error(self, format, *args):
        self._detail = self._detail or (format % args)[:500]

    def log_message(self, format, *args):
        pass  # everything goes to the lab log, nothing to stderr
