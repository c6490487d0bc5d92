"""CGI in a notebook: forms as Tables and cgitb-style error reports.

    nb.cgi.form("POST /f?x=1", body={"a": "1"})   # query + urlencoded/multipart -> Table
    nb.cgi.form(environ)                          # a WSGI environ (reads wsgi.input)
    nb.cgi.form()                                 # inside a CGI script: os.environ + stdin
    nb.cgi.report()                               # the exception being handled, cgitb-style

Parsing is the standard library's ``cgi.FieldStorage`` (``legacy-cgi`` on
Python 3.13+); reports are ``cgitb``'s, shown in the notebook only inside a
sandboxed iframe (escaped, no scripts), with the frames as a Table.
"""
from __future__ import annotations

import html as _html
import io
import os
import sys
import warnings
from collections.abc import Mapping
from dataclasses import dataclass

from ..errors import NetbookError, FormError

__all__ = ["form", "Form", "Field", "report", "Report", "FormError"]

MAX_BODY = 10 << 20


def _cgi():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        import cgi  # legacy-cgi on 3.13+

    return cgi


@dataclass
class Field:
    """One form field; uploads have ``filename`` and ``data``."""

    name: str
    value: str
    filename: str | None = None
    content_type: str = "text/plain"
    data: bytes = b""
    source: str = "body"

    @property
    def size(self) -> int:
        return len(self.data) if self.filename is not None else len(self.value.encode("utf-8"))


class Form:
    """Parsed form fields, in order: ``form["name"]`` (first value; bytes for
    an upload), ``.getlist(name)``, ``.files``, ``.to_frame()``, a Table."""

    def __init__(self, fields: list[Field], method: str = "GET", content_type: str = ""):
        self.fields = fields
        self.method = method
        self.content_type = content_type

    def __getitem__(self, name):
        for f in self.fields:
            if f.name == name:
                return f.data if f.filename is not None else f.value
        raise KeyError(name)

    def get(self, name, default=None):
        try:
            return self[name]
        except KeyError:
            return default

    def getlist(self, name) -> list:
        return [f.data if f.filename is not None else f.value for f in self.fields if f.name == name]

    def __contains__(self, name) -> bool:
        return any(f.name == name for f in self.fields)

    def __len__(self) -> int:
        return len(self.fields)

    def keys(self) -> list[str]:
        return list(dict.fromkeys(f.name for f in self.fields))

    @property
    def files(self) -> dict[str, Field]:
        return {f.name: f for f in self.fields if f.filename is not None}

    def to_frame(self):
        import pandas as pd

        rows = [
            (f.name, f.value if f.filename is None else f"<{len(f.data):,} bytes>", f.filename or "",
             f.content_type, f.size, f.source)
            for f in self.fields
        ]
        return pd.DataFrame(rows, columns=["name", "value", "filename", "content_type", "bytes", "source"])

    def __table_source__(self):
        from ..table.source import DataFrameSource

        return DataFrameSource(self.to_frame(), formats={"bytes": "size"}, title=self._title())

    def _title(self) -> str:
        kind = self.content_type.split(";")[0] or "query string"
        return f"form ({self.method}, {kind}): {len(self.fields)} fields"

    def __repr__(self) -> str:
        from ..table.source import DataFrameSource
        from ..table.static import static_text

        return static_text(DataFrameSource(self.to_frame()), rows=20, title=self._title())

    def _repr_mimebundle_(self, include=None, exclude=None):
        from ..table import Table

        from ._view import table_bundle

        return table_bundle(Table(self.to_frame(), formats={"bytes": "size"}, title=self._title()), repr(self),
                            include, exclude)


def _fields_of(fs, query_names: set) -> list[Field]:
    out = []
    for item in fs.list or []:
        if getattr(item, "filename", None) is not None:
            item.file.seek(0)
            data = item.file.read()
            if isinstance(data, str):
                data = data.encode("utf-8")
            out.append(Field(item.name, "", item.filename, item.type or "application/octet-stream", data, "upload"))
        else:
            value = item.value
            if isinstance(value, bytes):
                value = value.decode("utf-8", "replace")
            ctype = getattr(item, "type", None) or "text/plain"
            source = "query" if (item.name, value) in query_names else "body"
            out.append(Field(item.name, value, None, ctype, b"", source))
    return out


def form(environ_or_request=None, headers=None, body=None, *, max_bytes: int = MAX_BODY) -> Form:
    """Parse a request's form: query string, ``application/x-www-form-urlencoded``
    or ``multipart/form-data`` (uploads included) with ``cgi.FieldStorage``.

    ``environ_or_request``: a request line (``"POST /f?x=1"``, with
    ``headers`` and ``body`` as in ``nb.wsgi.environ``), a WSGI/CGI environ
    dict (its ``wsgi.input``, or ``body``), or None inside a CGI script
    (``os.environ`` and standard input).  Bodies over ``max_bytes`` are
    refused with FormError.
    """
    import urllib.parse

    if environ_or_request is None:
        env = dict(os.environ)
        fp = sys.stdin.buffer
    elif isinstance(environ_or_request, Mapping):
        env = dict(getattr(environ_or_request, "environ", environ_or_request))
        fp = env.get("wsgi.input")
        if body is not None:
            fp = io.BytesIO(body.encode("utf-8") if isinstance(body, str) else body)
    else:
        from .wsgi import make_environ

        env = make_environ(str(environ_or_request), headers, body)
        fp = env["wsgi.input"]
    env.setdefault("REQUEST_METHOD", "GET")
    env.setdefault("QUERY_STRING", "")
    try:
        length = int(env.get("CONTENT_LENGTH") or 0)
    except ValueError:
        raise FormError(f"bad CONTENT_LENGTH {env.get('CONTENT_LENGTH')!r}") from None
    if length > max_bytes:
        raise FormError(f"request body of {length:,} bytes is over the limit of {max_bytes:,} bytes (max_bytes=)")
    cgi = _cgi()
    fs_env = {k: v for k, v in env.items() if isinstance(v, str)}
    if fp is None:
        fp = io.BytesIO(b"")
    if env["REQUEST_METHOD"].upper() in ("GET", "HEAD"):
        fp = io.BytesIO(b"")
    query_names = set(urllib.parse.parse_qsl(env["QUERY_STRING"], keep_blank_values=True))
    ctype = (env.get("CONTENT_TYPE") or "").split(";")[0].strip().lower()
    if env["REQUEST_METHOD"].upper() not in ("GET", "HEAD") and ctype not in (
        "", "application/x-www-form-urlencoded", "multipart/form-data"
    ):
        # a body that is not a form (JSON, text...): only the query string is a form
        fs_env = {**fs_env, "REQUEST_METHOD": "GET"}
        fp = io.BytesIO(b"")
    try:
        fs = cgi.FieldStorage(fp=fp, environ=fs_env, keep_blank_values=True, limit=max_bytes)
    except Exception as e:  # malformed multipart and the like
        raise FormError(f"cannot parse the form: {type(e).__name__}: {e}") from e
    if fs.list is None:
        fs.list = []
    return Form(_fields_of(fs, query_names), env["REQUEST_METHOD"].upper(), env.get("CONTENT_TYPE", ""))


# -- cgitb-style reports -------------------------------------------------------------
class Report:
    """A cgitb report of one exception: ``.exception`` (one line), ``.frames``
    (a DataFrame: file, line, function, source, locals), ``.html`` (cgitb's
    page; shown only inside a sandboxed iframe), ``.text``."""

    def __init__(self, data: dict, request: str = ""):
        self.data = data
        self.request = request
        self.exception = data.get("exception", "")
        self.html = data.get("html", "")
        self.text = data.get("text", "")
        self.traceback = data.get("traceback", "")

    @property
    def frames(self):
        import pandas as pd

        rows = [
            (f["file"], f["line"], f["function"], f["source"],
             ", ".join(f"{k}={v}" for k, v in f["locals"].items()))
            for f in self.data.get("frames", [])
        ]
        return pd.DataFrame(rows, columns=["file", "line", "function", "source", "locals"])

    def to_frame(self):
        return self.frames

    def __repr__(self) -> str:
        head = f"cgitb report: {self.exception}" + (f" (request {self.request})" if self.request else "")
        lines = [f"  {f['function']} ({os.path.basename(f['file'])}:{f['line']}): {f['source']}" for f in self.data.get("frames", [])]
        return "\n".join([head, *lines])

    def iframe(self, height: int = 360) -> str:
        """The report page inside ``<iframe sandbox srcdoc=...>`` (escaped;
        no scripts, no same-origin)."""
        return (
            f"<iframe sandbox='' referrerpolicy='no-referrer' style='width:100%;height:{int(height)}px;border:1px solid #ccc' "
            f"srcdoc=\"{_html.escape(self.html, quote=True)}\"></iframe>"
        )

    def _repr_mimebundle_(self, include=None, exclude=None):
        from ..table.source import DataFrameSource
        from ..table.static import static_html

        head = f"<div><b>{_html.escape(self.exception)}</b>"
        if self.request:
            head += f" <span style='color:#666'>({_html.escape(self.request)})</span>"
        head += "</div>"
        frames = static_html(DataFrameSource(self.frames), rows=50, title="frames")
        return {
            "text/plain": repr(self),
            "text/html": head + frames + "<details><summary>cgitb page</summary>" + self.iframe() + "</details>",
        }


def report(exc_info=None, context: int = 5) -> Report:
    """A cgitb-style report of an exception (default: the one being handled,
    else the last one IPython showed)."""
    from ._cgiboot import build

    if exc_info is None:
        exc_info = sys.exc_info()
        if exc_info[0] is None and getattr(sys, "last_value", None) is not None:
            exc_info = (type(sys.last_value), sys.last_value, sys.last_value.__traceback__)
    elif isinstance(exc_info, BaseException):
        exc_info = (type(exc_info), exc_info, exc_info.__traceback__)
    if exc_info[0] is None:
        raise NetbookError("no exception to report (call nb.cgi.report() in an except block, or pass the exception)")
    return Report(build(exc_info, context=context))
