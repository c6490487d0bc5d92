"""``serve.http(dir)``: a static file server (http.server, threaded).

Nothing outside ``dir`` is ever served: the resolved path of every request
(symlinks followed) must lie inside the resolved root, else 404.
"""
from __future__ import annotations

import os
from functools import partial
from http.server import SimpleHTTPRequestHandler

from .base import SocketServerLab
from ._httpcommon import HTTPLogMixin, ThreadingLabHTTPServer


class LabHTTPRequestHandler(HTTPLogMixin, SimpleHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "netbook-http"

    def handle_one_request(self):
        self._begin()
        try:
            super().handle_one_request()
        finally:
            self._end()

    def translate_path(self, path):
        root = os.path.realpath(self.directory)
        candidate = super().translate_path(path)
        real = os.path.realpath(candidate)
        self._refused = real != root and not real.startswith(root + os.sep)
        if self._refused:
            self._detail = "refused: outside the served folder"
        return candidate

    def send_head(self):
        self._refused = False
        path = self.translate_path(self.path)
        if self._refused or "\0" in path:
            self.send_error(404, "File not found")
            return None
        return super().send_head()


class HTTPLab(SocketServerLab):
    kind = "http"
    scheme = "http"

    def __init__(self, directory=".", name=None, host="127.0.0.1", port=0):
        super().__init__(name=name, host=host, port=port)
        self.directory = os.path.abspath(os.fspath(directory))
        if not os.path.isdir(self.directory):
            raise NotADirectoryError(f"serve.http: {self.directory} is not a folder")

    def make_server(self, address):
        return ThreadingLabHTTPServer(address, partial(LabHTTPRequestHandler, directory=self.directory))

    def _summary(self):
        return {**super()._summary(), "url": self.url}


def serve(directory=".", *, name=None, host="127.0.0.1", port=0) -> HTTPLab:
    """Serve the files of ``directory`` over HTTP on 127.0.0.1 (a free port).

    Re-running with the same ``name`` (default ``"http"``) replaces the old
    server.  ``.url``, ``.log`` (live), ``.stop()``; a context manager.
    """
    return HTTPLab(directory, name=name, host=host, port=port).start()
