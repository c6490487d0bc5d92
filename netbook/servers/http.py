"""``serve.http(dir)``: a static file server (http.server, threaded,
HTTP/1.1 keep-alive) with directory listings and byte ranges.

Nothing outside ``dir`` is ever served.  Two independent guards:

1. the request path is refused (404; 400 if not a path) before it touches the file system when,
   once or twice percent-decoded, it holds a ``.``/``..`` segment, a
   backslash, a NUL, or when it is not an absolute path (``*``, ``a/b``);
2. whatever is left is resolved with symlinks followed, and must lie inside
   the resolved root, else 404 (a symlink pointing out is "not found").

Every refusal is one row in the log with ``refused: <why>`` in its detail.
"""
from __future__ import annotations

import datetime
import email.utils
import html
import io
import os
import re
import urllib.parse
from functools import partial
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler

from .base import SocketServerLab
from ._httpcommon import HTTPLogMixin, ThreadingLabHTTPServer

__all__ = ["serve", "HTTPLab", "LabHTTPRequestHandler", "refusal", "parse_range"]

_ABSOLUTE_FORM = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*://[^/?#]*(?P<path>[/?#].*)?$", re.S)
_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")
_DRAIN_LIMIT = 1 << 20  # a body the server ignores is read past up to this size, else the connection closes


def refusal(target: str) -> str | None:
    """Why the request target ``target`` may not be served, or None.

    Checks the raw target, once decoded and twice decoded (a double-encoded
    ``%252e%252e`` is refused too, whatever a later layer might decode)."""
    m = _ABSOLUTE_FORM.match(target)
    if m:  # absolute-form (RFC 9112 3.2.2): judge its path
        target = m.group("path") or "/"
    path = target.split("?", 1)[0].split("#", 1)[0]
    if not path.startswith("/"):
        return "not an absolute path"
    once = urllib.parse.unquote(path, errors="surrogateescape")
    twice = urllib.parse.unquote(once, errors="surrogateescape")
    for label, text in (("", path), ("encoded ", once), ("double-encoded ", twice)):
        if "\0" in text:
            return f"{label}NUL byte in path"
        if "\\" in text:
            return f"{label}backslash in path"
        if any(seg in (".", "..") for seg in text.split("/")):
            return f"{label}dot segment in path"
    return None


def parse_range(header: str | None, size: int):
    """``(start, stop)`` for a single satisfiable byte range, ``"unsatisfiable"``,
    or None (no range, several ranges, or malformed: serve the whole file)."""
    if not header:
        return None
    m = _RANGE.match(header.strip().replace(" ", ""))
    if not m or (not m.group(1) and not m.group(2)):
        return None
    first, last = m.group(1), m.group(2)
    if first:
        start = int(first)
        stop = size if not last else min(int(last) + 1, size)
        if last and int(last) < start:
            return None  # invalid: ignore the header (RFC 9110 14.1.1)
        if start >= size:
            return "unsatisfiable"
        return (start, stop)
    n = int(last)  # suffix range: the last n bytes
    if n == 0:
        return "unsatisfiable"
    return (max(0, size - n), size)


class _Slice(io.RawIOBase):
    """``length`` bytes of an open file from ``start`` (a range response)."""

    def __init__(self, f, start: int, length: int):
        self._f = f
        self._left = length
        f.seek(start)

    def readable(self):
        return True

    def read(self, n=-1):
        if self._left <= 0:
            return b""
        n = self._left if n is None or n < 0 else min(n, self._left)
        data = self._f.read(n)
        self._left -= len(data)
        return data

    def close(self):
        self._f.close()
        super().close()


class LabHTTPRequestHandler(HTTPLogMixin, SimpleHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "netbook-http"

    def parse_request(self):
        # a static server wants no request body, but one may come (GET with
        # a body, a POST before its 501): read it past, or the connection
        # would take its bytes for the next request line
        if not super().parse_request():
            return False
        framing = self.request_framing()
        if framing is None:
            return False
        self.skip_body(framing, _DRAIN_LIMIT)
        return True

    # -- the guards -------------------------------------------------------------
    def _root(self) -> str:
        return os.path.realpath(self.directory)

    def _inside(self, path: str) -> bool:
        root = self._root()
        real = os.path.realpath(path)
        return real == root or real.startswith(root.rstrip(os.sep) + os.sep)

    def _refuse(self, code, why: str):
        self._detail = f"refused: {why}"
        self.send_error(code, "Refused" if code == HTTPStatus.BAD_REQUEST else "File not found")
        return None

    # -- responses -------------------------------------------------------------
    def send_head(self):
        why = refusal(self.path)
        if why:  # 404: a refused path reveals nothing about what exists
            code = HTTPStatus.BAD_REQUEST if why == "not an absolute path" else HTTPStatus.NOT_FOUND
            return self._refuse(code, why)
        target = self.path
        m = _ABSOLUTE_FORM.match(target)
        if m:
            target = m.group("path") or "/"
        path = self.translate_path(target)
        if not self._inside(path):
            return self._refuse(HTTPStatus.NOT_FOUND, "outside the served folder")
        if os.path.isdir(path):
            parts = urllib.parse.urlsplit(target)
            if not parts.path.endswith("/"):
                self.send_response(HTTPStatus.MOVED_PERMANENTLY)
                self.send_header("Location", urllib.parse.urlunsplit(("", "", parts.path + "/", parts.query, "")))
                self.send_header("Content-Length", "0")
                self.end_headers()
                return None
            for index in ("index.html", "index.htm"):
                candidate = os.path.join(path, index)
                if os.path.isfile(candidate) and self._inside(candidate):
                    path = candidate
                    break
            else:
                return self.list_directory(path)
        if path.endswith("/"):
            self.send_error(HTTPStatus.NOT_FOUND, "File not found")
            return None
        try:
            f = open(path, "rb")
        except OSError:
            self.send_error(HTTPStatus.NOT_FOUND, "File not found")
            return None
        try:
            fs = os.fstat(f.fileno())
            size = fs.st_size
            last_modified = self.date_time_string(fs.st_mtime)
            etag = f'"{size:x}-{fs.st_mtime_ns:x}"'
            if self._not_modified(fs.st_mtime, etag):
                self.send_response(HTTPStatus.NOT_MODIFIED)
                self.send_header("ETag", etag)
                self.send_header("Last-Modified", last_modified)
                self.end_headers()
                f.close()
                return None
            rng = None
            if_range = self.headers.get("If-Range")
            if if_range is None or if_range.strip() == last_modified:
                rng = parse_range(self.headers.get("Range"), size)
            if rng == "unsatisfiable":
                f.close()
                self._detail = f"range not satisfiable: {self.headers.get('Range')}"[:200]
                self.send_response(HTTPStatus.REQUESTED_RANGE_NOT_SATISFIABLE)
                self.send_header("Content-Range", f"bytes */{size}")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return None
            if rng:
                start, stop = rng
                self._detail = f"range {start}-{stop - 1}/{size}"
                self.send_response(HTTPStatus.PARTIAL_CONTENT)
                self.send_header("Content-Range", f"bytes {start}-{stop - 1}/{size}")
                length = stop - start
                body = _Slice(f, start, length)
            else:
                self.send_response(HTTPStatus.OK)
                length = size
                body = f
            self.send_header("Content-Type", self.guess_type(path))
            self.send_header("Content-Length", str(length))
            self.send_header("Last-Modified", last_modified)
            self.send_header("ETag", etag)
            self.send_header("Accept-Ranges", "bytes")
            self.end_headers()
            return body
        except BaseException:
            f.close()
            raise

    def _not_modified(self, mtime: float, etag: str) -> bool:
        """RFC 9110 13.2.2: If-None-Match (weak comparison, ``*``) decides when
        present; else If-Modified-Since against the file's time."""
        inm = self.headers.get_all("If-None-Match")
        if inm:
            tags = {t.strip().removeprefix("W/") for v in inm for t in v.split(",")}
            return "*" in tags or etag in tags
        ims = self.headers.get("If-Modified-Since")
        if not ims:
            return False
        try:
            when = email.utils.parsedate_to_datetime(ims)
        except (TypeError, IndexError, OverflowError, ValueError):
            return False
        if when.tzinfo is None:
            when = when.replace(tzinfo=datetime.timezone.utc)
        modified = datetime.datetime.fromtimestamp(mtime, datetime.timezone.utc).replace(microsecond=0)
        return modified <= when

    def list_directory(self, path):
        """An HTML listing: name, size, modified; entries that resolve
        outside the served folder (symlinks out) are not listed."""
        try:
            names = os.listdir(path)
        except OSError:
            self.send_error(HTTPStatus.NOT_FOUND, "No permission to list directory")
            return None
        entries = []
        for name in names:
            full = os.path.join(path, name)
            if not self._inside(full):
                continue
            try:
                st = os.stat(full)
            except OSError:
                continue
            is_dir = os.path.isdir(full)
            entries.append((not is_dir, name.lower(), name, is_dir, st.st_size, st.st_mtime))
        entries.sort()
        shown = urllib.parse.unquote(urllib.parse.urlsplit(self.path).path, errors="surrogateescape")
        title = html.escape(f"Index of {shown}", quote=False)
        rows = []
        if shown != "/":
            rows.append("<tr><td><a href='../'>../</a></td><td></td><td></td></tr>")
        for _, _, name, is_dir, size, mtime in entries:
            link = urllib.parse.quote(name + ("/" if is_dir else ""), errors="surrogateescape")
            label = html.escape(name + ("/" if is_dir else ""), quote=False)
            when = datetime.datetime.fromtimestamp(mtime, datetime.timezone.utc).strftime("%Y-%m-%d %H:%M")
            rows.append(
                f"<tr><td><a href=\"{html.escape(link)}\">{label}</a></td>"
                f"<td>{'' if is_dir else f'{size:,}'}</td><td>{when}</td></tr>"
            )
        page = (
            "<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
            f"<title>{title}</title></head><body><h1>{title}</h1>"
            "<table><thead><tr><th>name</th><th>bytes</th><th>modified (UTC)</th></tr></thead><tbody>"
            + "".join(rows)
            + "</tbody></table></body></html>\n"
        ).encode("utf-8", "surrogateescape")
        self._detail = f"listing, {len(entries)} entries"
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(page)))
        self.end_headers()
        return io.BytesIO(page)


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


def serve(directory=".", *, name=None, host="127.0.0.1", port=0, log_file=None) -> HTTPLab:
    """Serve the files of ``directory`` over HTTP on 127.0.0.1 (a free port).

    Directory listings (no index.html), single byte ranges (206/416),
    If-Modified-Since / If-None-Match (ETags), keep-alive.  Nothing outside ``directory`` is served
    (see the module docstring).  Re-running with the same ``name`` (default
    ``"http"``) replaces the old server.  ``.url``, ``.log`` (live),
    ``.stop()``; a context manager.  ``log_file=``: also append each request
    there in combined format (``nb.http.read_log`` reads it).
    """
    lab = HTTPLab(directory, name=name, host=host, port=port)
    lab.log_file = log_file
    return lab.start()
