"""What the HTTP-speaking lab servers (http, wsgi, ...) share: a threading
server that tracks its connections, and request logging into the lab log.

Responses are buffered and the log row is written *before* the final flush,
so when a client has read a whole response its row is already in the log
(notebooks can show the log right after a request, deterministically).
"""
from __future__ import annotations

import io
import re
import socketserver
import time
from http.server import HTTPServer

from .base import LabHandlerMixin, LabSocketServer


class ThreadingLabHTTPServer(LabSocketServer, socketserver.ThreadingMixIn, HTTPServer):
    request_queue_size = 128

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
        self._said_connection = ""
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
        version = getattr(self, "request_version", "")
        said = getattr(self, "_said_connection", "")
        # HTTP/1.1 persists by default: say so when this response ends the connection
        if (self.close_connection and version == "HTTP/1.1"
                and self.protocol_version >= "HTTP/1.1" and said != "close"):
            self.send_header("Connection", "close")
        # HTTP/1.0 closes by default: a kept connection must be announced (RFC 9112 9.3)
        elif not self.close_connection and version == "HTTP/1.0" and said != "keep-alive":
            self.send_header("Connection", "keep-alive")
        super().end_headers()

    def send_header(self, keyword, value):
        if keyword.lower() == "connection":
            self._said_connection = value.strip().lower()
        super().send_header(keyword, value)

    def handle_expect_100(self):
        # the response is buffered until the request is done: "100 Continue"
        # must leave at once, and must not count as the logged response
        inner = self.wfile._inner if isinstance(self.wfile, _LoggingWriter) else self.wfile
        inner.write(b"HTTP/1.1 100 Continue\r\n\r\n")
        inner.flush()
        return True

    def request_framing(self) -> tuple[str, int] | None:
        """The request's body framing, or None after answering a framing
        error (400/413/501, connection closed; the log row says why)."""
        try:
            return body_framing(self.headers, self.request_version)
        except FramingError as exc:
            self.close_connection = True
            self._detail = f"refused: {exc.why}"
            self.send_error(exc.status, exc.why)
            return None

    def skip_body(self, framing: tuple[str, int], limit: int) -> None:
        """Read and drop a body nobody wants, so the next request on the
        connection is read from its start; past ``limit`` bytes, or on bad
        chunks, close the connection after the response instead."""
        kind, n = framing
        try:
            if kind == "chunked":
                reader = ChunkedReader(self.rfile, limit)
                while reader.read(65536):
                    pass
            elif n > limit:
                self.close_connection = True
            else:
                while n > 0:
                    data = self.rfile.read(min(n, 65536))
                    if not data:
                        raise ConnectionError("the client went away inside the body")
                    n -= len(data)
        except (FramingError, ConnectionError, OSError) as exc:
            self.close_connection = True
            self._detail = self._detail or f"request body dropped: {exc}"[:200]

    def log_request(self, code="-", size="-"):
        self._status = str(getattr(code, "value", code))

    def log_error(self, format, *args):
        self._detail = self._detail or (format % args)[:500]

    def log_message(self, format, *args):
        pass  # everything goes to the lab log, nothing to stderr


# -- request body framing (RFC 9112 section 6) ---------------------------------
_DIGITS = re.compile(r"^[0-9]+$")
_CHUNK_SIZE = re.compile(rb"^([0-9A-Fa-f]{1,16})[ \t]*(;.*)?$")
MAX_LINE = 8192  # a chunk-size line or trailer line longer than this is refused


class FramingError(Exception):
    """The request's body framing is invalid: answer ``status`` and close."""

    def __init__(self, status: int, why: str):
        super().__init__(why)
        self.status = status
        self.why = why


def body_framing(headers, request_version: str) -> tuple[str, int]:
    """How the request body is delimited: ``("length", n)`` or ``("chunked", -1)``.

    RFC 9112 6.1-6.3, strictly (every refusal means: answer, then close):
    Transfer-Encoding in an HTTP/1.0 request, beside a Content-Length, or
    whose last coding is not ``chunked`` → 400 (an unknown coding → 501);
    a Content-Length that is not one run of digits, or several that differ
    → 400; header lines the parser could not read (``Name : value``,
    a line without a colon) → 400; none of them → no body.
    """
    if headers.defects or headers.get_payload():
        raise FramingError(400, "malformed header line")
    te = headers.get_all("Transfer-Encoding") or []
    cl = headers.get_all("Content-Length") or []
    if te:
        if request_version == "HTTP/1.0":
            raise FramingError(400, "Transfer-Encoding in an HTTP/1.0 request")
        if cl:
            raise FramingError(400, "both Transfer-Encoding and Content-Length")
        codings = [c.strip().lower() for v in te for c in v.split(",") if c.strip()]
        if not codings or codings[-1] != "chunked":
            raise FramingError(400, "Transfer-Encoding does not end with chunked")
        if codings != ["chunked"]:
            raise FramingError(501, f"unsupported transfer coding {', '.join(codings[:-1])[:60]}")
        return ("chunked", -1)
    if cl:
        values = {v.strip() for field in cl for v in field.split(",")}
        if len(values) != 1:
            raise FramingError(400, "several different Content-Length values")
        value = values.pop()
        if not _DIGITS.match(value) or len(value) > 18:
            raise FramingError(400, f"invalid Content-Length {value[:30]!r}")
        return ("length", int(value))
    return ("length", 0)


class ChunkedReader(io.RawIOBase):
    """Reads a chunked body (RFC 9112 7.1) from ``rfile`` and returns the
    de-chunked bytes; the trailer section is read and dropped.  Malformed
    framing, or more than ``limit`` bytes, raises :class:`FramingError`; the
    peer going away raises ``ConnectionError``."""

    def __init__(self, rfile, limit: int):
        self._rfile = rfile
        self._limit = limit
        self._left = 0  # bytes left in the current chunk
        self._done = False
        self.total = 0

    def readable(self):
        return True

    def _line(self) -> bytes:
        line = self._rfile.readline(MAX_LINE + 1)
        if not line:
            raise ConnectionError("the client went away inside a chunked body")
        if len(line) > MAX_LINE or not line.endswith(b"\n"):
            raise FramingError(400, "chunk line too long")
        return line.rstrip(b"\r\n")

    def _next_chunk(self):
        m = _CHUNK_SIZE.match(self._line())
        if not m:
            raise FramingError(400, "bad chunk size line")
        size = int(m.group(1), 16)
        if size == 0:
            for _ in range(100):  # trailer fields, up to the empty line
                if not self._line():
                    break
            else:
                raise FramingError(400, "too many trailer lines")
            self._done = True
            return
        if self.total + size > self._limit:
            raise FramingError(413, f"chunked body over {self._limit:,} bytes")
        self._left = size

    def read(self, n=-1):
        out = bytearray()
        while not self._done and (n is None or n < 0 or len(out) < n):
            if self._left == 0:
                self._next_chunk()
                continue
            want = self._left if n is None or n < 0 else min(self._left, n - len(out))
            data = self._rfile.read(want)
            if not data:
                raise ConnectionError("the client went away inside a chunked body")
            out += data
            self._left -= len(data)
            self.total += len(data)
            if self._left == 0 and self._rfile.read(2) not in (b"\r\n",):
                raise FramingError(400, "chunk data not followed by CRLF")
        return bytes(out)

    def readinto(self, b):
        data = self.read(len(b))
        b[: len(data)] = data
        return len(data)
