"""WSGI in a notebook, no socket needed.

    nb.wsgi.call(app, "GET /path?q=1", headers={...}, body=b"...")  # -> nb.Response
    nb.wsgi.environ("POST /form?x=1", body="a=1")                  # environ as a Table
    app(env.environ, start_response)                                # .environ: the plain dict
    nb.serve.wsgi(app, validate=True)                               # served, validated

``environ`` builds a WSGI environ the way a server would (``wsgiref.util``
fills the defaults, ``request_uri`` / ``application_uri`` reconstruct the
URLs).  Example apps: :func:`hello`, :func:`echo` (the environ as text) and
:func:`broken` (a status line the validator refuses).
"""
from __future__ import annotations

import io
import urllib.parse
from collections.abc import Callable, Mapping, MutableMapping
from typing import TYPE_CHECKING, Any
from wsgiref import util as wsgi_util
from wsgiref.headers import Headers
from wsgiref.simple_server import demo_app

from ..errors import NetbookError
from ..interpolate import check_line

if TYPE_CHECKING:
    from ..http.response import Response

__all__ = ["call", "environ", "make_environ", "Environ", "hello", "echo", "broken", "demo_app", "Headers"]

_METHODS = {"GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "CONNECT"}


def call(app: Callable[..., Any], request: str = "GET /", headers: Mapping[str, str] | None = None,
         body: bytes | str | None = None, **options: Any) -> Response:
    """Call the WSGI ``app`` in-process and return the same Response object
    as ``nb.fetch`` (status, headers, text, transcript...)."""
    try:
        from ..http.wsgi_transport import call as transport_call
    except ModuleNotFoundError as e:
        if e.name in ("netbook.http", "netbook.http.wsgi_transport"):
            raise NetbookError("nb.wsgi.call needs netbook.http (the HTTP client package), which is not installed here") from e
        raise
    return transport_call(app, request, headers=headers, body=body, **options)


def _header_items(headers) -> list[tuple[str, str]]:
    if headers is None:
        return []
    if isinstance(headers, str):
        items = []
        for line in headers.splitlines():
            if not line.strip():
                continue
            name, sep, value = line.partition(":")
            if not sep:
                raise NetbookError(f"header line without a colon: {line!r}")
            items.append((name.strip(), value.strip()))
        return items
    if hasattr(headers, "items"):
        return [(str(k), str(v)) for k, v in headers.items()]
    return [(str(k), str(v)) for k, v in headers]


def parse_request(request: str) -> tuple[str, str, str]:
    """``"GET /p?q=1 HTTP/1.1"`` or ``"/p"`` -> (method, target, protocol)."""
    check_line(request, "request line")
    parts = request.split()
    if not parts:
        return "GET", "/", "HTTP/1.1"
    if parts[0].upper() in _METHODS or (len(parts) > 1 and parts[0].isalpha() and parts[0].isupper()):
        method, rest = parts[0].upper(), parts[1:]
    else:
        method, rest = "GET", parts
    target = rest[0] if rest else "/"
    proto = rest[1] if len(rest) > 1 else "HTTP/1.1"
    if len(rest) > 2:
        raise NetbookError(f"not a request line: {request!r} (METHOD TARGET [HTTP/1.1])")
    return method, target, proto


def make_environ(request: str = "GET /", headers=None, body=None, *, host: str = "127.0.0.1", port: int = 80,
                 scheme: str = "http", script_name: str = "", **extra) -> dict:
    """A WSGI environ for ``request`` (``"METHOD /path?query"``), as a
    server would build it; ``body`` is bytes, str (UTF-8) or a dict
    (form-urlencoded).  ``extra`` keys are added as they are."""
    method, target, proto = parse_request(request)
    split = urllib.parse.urlsplit(target)
    if split.scheme and split.netloc:  # absolute-form
        scheme = split.scheme
        host = split.hostname or host
        port = split.port or (443 if scheme == "https" else 80)
    items = _header_items(headers)
    for k, v in items:
        check_line(k, "header name")
        check_line(v, f"header {k}")
    content_type = None
    if isinstance(body, dict):
        body = urllib.parse.urlencode(body, doseq=True)
        content_type = "application/x-www-form-urlencoded"
    if isinstance(body, str):
        body = body.encode("utf-8")
    body = body or b""
    path = urllib.parse.unquote(split.path or "/", encoding="latin-1")
    if script_name and path.startswith(script_name):
        path = path[len(script_name):] or ""
    env = {
        "REQUEST_METHOD": method,
        "SCRIPT_NAME": script_name,
        "PATH_INFO": path,
        "QUERY_STRING": split.query,
        "SERVER_NAME": host,
        "SERVER_PORT": str(port),
        "SERVER_PROTOCOL": proto,
        "REMOTE_ADDR": "127.0.0.1",
        "wsgi.url_scheme": scheme,
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": io.StringIO(),
        "wsgi.multithread": False,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
    }
    if body or method in ("POST", "PUT", "PATCH"):
        env["CONTENT_LENGTH"] = str(len(body))
    if content_type:
        env["CONTENT_TYPE"] = content_type
    for name, value in items:
        key = name.upper().replace("-", "_")
        if key == "CONTENT_TYPE":
            env["CONTENT_TYPE"] = value
        elif key == "CONTENT_LENGTH":
            env["CONTENT_LENGTH"] = value
        else:
            key = "HTTP_" + key
            env[key] = f"{env[key]}, {value}" if key in env else value
    env.setdefault("HTTP_HOST", host if str(port) in ("80", "443") else f"{host}:{port}")
    env.update(extra)
    wsgi_util.setup_testing_defaults(env)
    return env


def _origin(key: str) -> str:
    if key.startswith("wsgi."):
        return "WSGI"
    if key.startswith("HTTP_"):
        return "HTTP header"
    if key in ("SERVER_NAME", "SERVER_PORT", "SERVER_PROTOCOL", "SERVER_SOFTWARE", "GATEWAY_INTERFACE",
               "REMOTE_ADDR", "REMOTE_HOST"):
        return "server"
    if key.isupper():
        return "CGI"
    return "extension"


class Environ(MutableMapping):
    """A view of a WSGI environ: reads and writes go to ``.environ`` (the
    plain dict an app is called with: wsgiref's validator wants exactly a
    dict), shown as a Table, with the URLs wsgiref.util reconstructs."""

    def __init__(self, environ: dict):
        self.environ = environ

    def __getitem__(self, key):
        return self.environ[key]

    def __setitem__(self, key, value):
        self.environ[key] = value

    def __delitem__(self, key):
        del self.environ[key]

    def __iter__(self):
        return iter(self.environ)

    def __len__(self):
        return len(self.environ)

    def __repr__(self):
        from ..table.source import DataFrameSource
        from ..table.static import static_text

        return static_text(DataFrameSource(self.to_frame()), rows=len(self), title=self._title(), width=50)

    @property
    def request_uri(self) -> str:
        return wsgi_util.request_uri(self.environ)

    @property
    def application_uri(self) -> str:
        return wsgi_util.application_uri(self.environ)

    def to_frame(self):
        import pandas as pd

        rows = [(k, _show(v), _origin(k)) for k, v in sorted(self.items(), key=lambda kv: (_origin(kv[0]), kv[0]))]
        return pd.DataFrame(rows, columns=["key", "value", "origin"])

    def __table_source__(self):
        from ..table.source import DataFrameSource

        return DataFrameSource(self.to_frame(), title=self._title())

    def _title(self) -> str:
        try:
            return f"environ of {self.get('REQUEST_METHOD', '?')} {self.request_uri}"
        except (KeyError, TypeError):
            return "environ"

    def _repr_mimebundle_(self, include=None, exclude=None):
        from ..table import Table

        from ._view import table_bundle

        return table_bundle(Table(self.to_frame(), title=self._title()), repr(self), include, exclude)


def _show(v) -> str:
    if isinstance(v, str):
        return v
    if isinstance(v, (bool, int, float, tuple, type(None))):
        return repr(v)
    if isinstance(v, io.BytesIO):
        return f"<BytesIO, {len(v.getbuffer())} bytes>"
    return f"<{type(v).__name__}>"  # no memory addresses: the view stays deterministic


def environ(request_or_environ="GET /", headers=None, body=None, **options) -> Environ:
    """Show a WSGI environ as a Table: build one for a request
    (``"POST /form?x=1"``, headers, body; see :func:`make_environ`) or view a
    dict you already have (an app's ``environ``, ``os.environ`` in CGI)."""
    if isinstance(request_or_environ, Environ):
        return request_or_environ
    if isinstance(request_or_environ, dict):
        return Environ(request_or_environ)
    return Environ(make_environ(request_or_environ, headers, body, **options))


# -- example apps -----------------------------------------------------------------
def hello(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
    """The smallest WSGI app: ``Hello, world!`` (or ``Hello, NAME!`` for ?name=NAME)."""
    q = urllib.parse.parse_qs(environ.get("QUERY_STRING", ""))
    name = q.get("name", ["world"])[0]
    body = f"Hello, {name}!\n".encode("utf-8")
    start_response("200 OK", [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(body)))])
    return [body]


def echo(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
    """Echoes the request: method, path, query, headers and body, as text."""
    length = int(environ.get("CONTENT_LENGTH") or 0)
    body = environ["wsgi.input"].read(length) if length else b""
    lines = [f"{environ['REQUEST_METHOD']} {wsgi_util.request_uri(environ, include_query=True)}"]
    lines += [f"{k[5:].replace('_', '-').title()}: {v}" for k, v in sorted(environ.items()) if k.startswith("HTTP_")]
    out = ("\n".join(lines) + "\n\n").encode("utf-8") + body
    start_response("200 OK", [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(out)))])
    return [out]


def broken(environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
    """A broken app for the validator: a status without a reason phrase and a
    str body (WSGI wants bytes)."""
    start_response("200", [("Content-Type", "text/plain")])
    return "not bytes"
