"""``serve.wsgi(app)``: run a WSGI application with wsgiref, threaded, every
request logged (and the app's tracebacks kept in the log's detail)."""
from __future__ import annotations

import io
from wsgiref.simple_server import ServerHandler, WSGIRequestHandler, WSGIServer

from .base import SocketServerLab
from ._httpcommon import HTTPLogMixin, ThreadingLabHTTPServer


class ThreadingLabWSGIServer(ThreadingLabHTTPServer, WSGIServer):
    def server_bind(self):
        ThreadingLabHTTPServer.server_bind(self)
        self.setup_environ()


class _BufferedServerHandler(ServerHandler):
    def _flush(self):
        pass  # the handler flushes once, after logging (see _httpcommon)


class LabWSGIRequestHandler(HTTPLogMixin, WSGIRequestHandler):
    server_version = "netbook-wsgi"

    def handle(self):
        # wsgiref's handle(), with a ServerHandler that leaves flushing to us
        self._begin()
        self._errors = io.StringIO()
        try:
            self.raw_requestline = self.rfile.readline(65537)
            if len(self.raw_requestline) > 65536:
                self.requestline = ""
                self.request_version = ""
                self.command = ""
                self.send_error(414)
                return
            if not self.parse_request():
                return
            handler = _BufferedServerHandler(
                self.rfile, self.wfile, self.get_stderr(), self.get_environ(), multithread=True
            )
            handler.request_handler = self
            handler.run(self.server.get_app())
        finally:
            err = self._errors.getvalue().strip()
            if err:
                self._detail = err.splitlines()[-1][:500]
                lab = getattr(self, "lab", None)
                if lab is not None:
                    lab.errors.append(err)
            self._end()

    def get_stderr(self):
        return self._errors


class WSGILab(SocketServerLab):
    kind = "wsgi"
    scheme = "http"

    def __init__(self, app, name=None, host="127.0.0.1", port=0):
        super().__init__(name=name, host=host, port=port)
        if not callable(app):
            raise TypeError("serve.wsgi: app must be a WSGI callable app(environ, start_response)")
        self.app = app
        self.errors: list[str] = []  # full tracebacks of failed requests

    def make_server(self, address):
        srv = ThreadingLabWSGIServer(address, LabWSGIRequestHandler)
        srv.set_app(self.app)
        return srv


def serve(app, *, name=None, host="127.0.0.1", port=0) -> WSGILab:
    """Serve the WSGI ``app`` on 127.0.0.1 (a free port); see ``serve.http``."""
    return WSGILab(app, name=name, host=host, port=port).start()
