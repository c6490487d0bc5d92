"""``serve.wsgi(app, validate=False)``: run a WSGI application with wsgiref,
threaded, HTTP/1.1 keep-alive when the response has a Content-Length, every
request logged (and the app's tracebacks kept in ``.errors``).

``validate=True`` wraps the app in :func:`wsgiref.validate.validator`: each
violation (an ``AssertionError`` or a ``WSGIWarning`` of the validator) is
put in the log row of the request that caused it and in ``.violations``
(a Table).  Validated requests run one at a time, since warnings are
captured process-wide.
"""
from __future__ import annotations

import io
import socket
import tempfile
import threading
import warnings
from wsgiref.simple_server import ServerHandler, WSGIRequestHandler, WSGIServer

from ..errors import InjectionError
from ..table.source import Column, StreamSource
from .base import SocketServerLab
from ._httpcommon import ChunkedReader, FramingError, HTTPLogMixin, ThreadingLabHTTPServer

__all__ = ["serve", "WSGILab"]

_VALIDATE_LOCK = threading.Lock()
_DRAIN_LIMIT = 1 << 20  # unread request bodies up to this size are skipped to keep the connection


class ThreadingLabWSGIServer(ThreadingLabHTTPServer, WSGIServer):
    def server_bind(self):
        ThreadingLabHTTPServer.server_bind(self)
        self.setup_environ()


class _Input(io.RawIOBase):
    """``wsgi.input`` bounded by CONTENT_LENGTH (a read never blocks past the
    body, so the next request on the connection stays intact)."""

    def __init__(self, rfile, length: int):
        self._rfile = rfile
        self.left = length

    def readable(self):
        return True

    def read(self, n=-1):
        if self.left <= 0:
            return b""
        n = self.left if n is None or n < 0 else min(n, self.left)
        data = self._rfile.read(n)  # a buffered read: fewer than n only at end of stream
        self.left -= len(data)
        if len(data) < n:
            self.left = 0
            raise ConnectionError("the client went away before the end of the request body")
        return data

    def readinto(self, b):
        data = self.read(len(b))
        b[: len(data)] = data
        return len(data)

    def readline(self, size=-1):
        if self.left <= 0:
            return b""
        size = self.left if size is None or size < 0 else min(size, self.left)
        data = self._rfile.readline(size)
        self.left -= len(data)
        if len(data) < size and not data.endswith(b"\n"):
            self.left = 0
            raise ConnectionError("the client went away before the end of the request body")
        return data

    def readlines(self, hint=-1):
        return list(iter(self.readline, b""))

    def __iter__(self):
        return iter(self.readline, b"")


class _BufferedServerHandler(ServerHandler):
    http_version = "1.0"

    def _flush(self):
        pass  # the handler flushes once, after logging (see _httpcommon)

    def close(self):
        # BaseHandler.close() forgets the headers: keep what keep-alive needs
        cl = self.headers.get("Content-Length") if self.headers is not None else None
        self.request_handler._outcome = (self.headers_sent, cl, self.bytes_sent)
        super().close()

    def start_response(self, status, headers, exc_info=None):
        # wsgiref passes CR/LF in a status or header through: response splitting
        for text in (status, *(f"{k}{v}" for k, v in headers)):
            if isinstance(text, str) and any(c in text for c in "\r\n\0"):
                raise InjectionError(f"the app's response line or header contains CR/LF/NUL; refused: {text[:80]!r}")
        return super().start_response(status, headers, exc_info)

    def handle_error(self):
        self.request_handler.close_connection = True  # say "Connection: close" on the 500
        super().handle_error()

    def cleanup_headers(self):
        super().cleanup_headers()  # adds Content-Length for a one-chunk body
        rh = self.request_handler
        keep = (
            not rh.close_connection
            and "Content-Length" in self.headers
            and rh.command != "HEAD"
        )
        if keep:
            if rh.request_version == "HTTP/1.0":
                self.headers["Connection"] = "keep-alive"
        else:
            rh.close_connection = True
            if rh.request_version == "HTTP/1.1":
                self.headers["Connection"] = "close"


class LabWSGIRequestHandler(HTTPLogMixin, WSGIRequestHandler):
    server_version = "netbook-wsgi"
    protocol_version = "HTTP/1.1"

    def handle(self):
        # BaseHTTPRequestHandler.handle: one request after another while the
        # connection stays open (wsgiref's own handle() does just one).
        self.close_connection = True
        self.handle_one_request()
        while not self.close_connection:
            self.handle_one_request()

    def handle_one_request(self):
        self._begin()
        self._errors = io.StringIO()
        self._outcome = (False, None, 0)
        violations: list[str] = []
        spool = None
        try:
            try:
                self.raw_requestline = self.rfile.readline(65537)
            except (TimeoutError, socket.timeout, ConnectionError):
                self.close_connection = True
                return
            if not self.raw_requestline:
                self.close_connection = True
                return
            if len(self.raw_requestline) > 65536:
                self.requestline = ""
                self.request_version = ""
                self.command = ""
                self.send_error(414)
                self.close_connection = True
                return
            if not self.parse_request():
                self.close_connection = True
                return
            framing = self.request_framing()
            if framing is None:
                return
            environ = self.get_environ()
            if framing[0] == "chunked":
                # the app sees the de-chunked body with its CONTENT_LENGTH
                # (apps read CONTENT_LENGTH bytes); read whole first, bounded
                spool = self._read_chunked()
                if spool is None:
                    return
                length = spool.seek(0, io.SEEK_END)
                spool.seek(0)
                environ.pop("HTTP_TRANSFER_ENCODING", None)
                environ["wsgi.input_terminated"] = True
                source = spool
            else:
                length, source = framing[1], self.rfile
            if length or "CONTENT_LENGTH" in environ:
                environ["CONTENT_LENGTH"] = str(length)
            body = _Input(source, length)  # becomes wsgi.input (ServerHandler's stdin)
            handler = _BufferedServerHandler(body, self.wfile, self.get_stderr(), environ, multithread=True)
            handler.http_version = "1.1" if self.request_version == "HTTP/1.1" else "1.0"
            handler.request_handler = self
            app = self.server.get_app()
            if getattr(self.server, "validate", False):
                from wsgiref.validate import WSGIWarning

                with _VALIDATE_LOCK, warnings.catch_warnings(record=True) as caught:
                    warnings.simplefilter("always", WSGIWarning)
                    handler.run(app)
                violations = [f"WSGIWarning: {w.message}" for w in caught if issubclass(w.category, WSGIWarning)]
            else:
                handler.run(app)
            headers_sent, cl, nbytes = getattr(self, "_outcome", (False, None, 0))
            if not headers_sent or cl is None or str(nbytes) != cl.strip():
                self.close_connection = True
            if body.left:
                if body.left > _DRAIN_LIMIT:
                    self.close_connection = True
                else:
                    try:
                        while body.read(65536):
                            pass
                    except (ConnectionError, OSError):
                        self.close_connection = True
        finally:
            if spool is not None:
                spool.close()
            err = self._errors.getvalue().strip()
            lab = getattr(self, "lab", None)
            if err:
                last = err.splitlines()[-1][:500]
                if getattr(self.server, "validate", False) and "wsgiref/validate.py" in err:
                    violations.append(last)
                self._detail = last
                if lab is not None:
                    lab.errors.append(err)
                self.close_connection = True
            if violations:
                self._detail = "WSGI violation: " + " | ".join(dict.fromkeys(violations))[:480]
                if lab is not None:
                    for v in dict.fromkeys(violations):
                        lab.violations.append((self.requestline, v))
            self._end()

    def _read_chunked(self):
        """The chunked body, de-chunked into a spooled file; None after a
        refusal (bad chunks: 400, too big: 413; the connection closes)."""
        spool = tempfile.SpooledTemporaryFile(max_size=1 << 20)
        reader = ChunkedReader(self.rfile, self.server.max_body)
        try:
            while True:
                data = reader.read(65536)
                if not data:
                    return spool
                spool.write(data)
        except FramingError as exc:
            spool.close()
            self.close_connection = True
            self._detail = f"refused: {exc.why}"
            self.send_error(exc.status, exc.why)
        except (ConnectionError, OSError) as exc:
            spool.close()
            self.close_connection = True
            self.requestline = self.requestline or "?"
            self._status = "aborted"
            self._detail = f"client went away during the body: {exc}"[:200]
        return None

    def _begin(self):
        super()._begin()
        self._outcome = None

    def _body_bytes(self) -> int:
        # wsgiref writes its own status line and headers; it counts the body
        o = getattr(self, "_outcome", None)
        return o[2] if o and o[0] else super()._body_bytes()

    def get_stderr(self):
        return self._errors


class WSGILab(SocketServerLab):
    kind = "wsgi"
    scheme = "http"

    max_body = 64 << 20  # a chunked request body is read whole (spooled to disk past 1 MiB), up to this

    def __init__(self, app, name=None, host="127.0.0.1", port=0, validate=False):
        super().__init__(name=name, host=host, port=port)
        if not callable(app):
            raise TypeError("serve.wsgi: app must be a WSGI callable app(environ, start_response)")
        self.app = app
        self.validate = bool(validate)
        self.errors: list[str] = []  # full tracebacks of failed requests
        self.violations = StreamSource([Column("request", "str"), Column("violation", "str")], title=f"{self.name} WSGI violations")

    def make_server(self, address):
        from wsgiref.validate import validator

        srv = ThreadingLabWSGIServer(address, LabWSGIRequestHandler)
        srv.validate = self.validate
        srv.max_body = self.max_body
        srv.set_app(validator(self.app) if self.validate else self.app)
        return srv


def serve(app, *, validate=False, name=None, host="127.0.0.1", port=0, log_file=None) -> WSGILab:
    """Serve the WSGI ``app`` on 127.0.0.1 (a free port); see ``serve.http``.

    ``validate=True``: wsgiref's validator checks every request and response;
    violations land in the log's detail column and in ``.violations``.
    """
    lab = WSGILab(app, name=name, host=host, port=port, validate=validate)
    lab.log_file = log_file
    return lab.start()
