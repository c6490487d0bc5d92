"""The ``.http`` request-file syntax (JetBrains HTTP Client, VS Code REST Client).

    @host = http://127.0.0.1:8000

    ### list the items
    GET {{host}}/items?limit=2
    Accept: application/json

    ###
    POST {{host}}/items
    Content-Type: application/json

    {"name": "{{name}}"}

Requests are separated by ``###`` lines; each is a request line (``METHOD
URL [HTTP/1.1]``, or just a URL for GET), optional ``?``/``&`` query
continuation lines, headers, a blank line and a body.  ``#`` and ``//``
start comments; ``@name = value`` defines a variable.  ``{{name}}`` and
``{name}`` come from those variables, then the notebook.  A value with CR or
LF is refused in the request line and headers (it would inject a line).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..errors import NetbookError
from ..interpolate import interpolate

__all__ = ["HttpRequest", "parse_http_file"]

_METHODS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "CONNECT"}
_VAR_DEF = re.compile(r"^@([A-Za-z_][\w-]*)\s*=\s*(.*?)\s*$")
_SEP = re.compile(r"^###")


@dataclass
class HttpRequest:
    method: str
    url: str
    headers: dict = field(default_factory=dict)
    body: str | None = None
    name: str = ""


def _blocks(text: str):
    block, title = [], ""
    for line in text.splitlines():
        if _SEP.match(line):
            if any(s.strip() for s in block):
                yield title, block
            block, title = [], line.lstrip("#").strip()
        else:
            block.append(line)
    if any(s.strip() for s in block):
        yield title, block


def parse_http_file(text: str, ns: dict | None = None) -> list[HttpRequest]:
    """Parse (and interpolate) the requests of a ``.http`` text."""
    ns = dict(ns or {})
    requests = []
    for title, lines in _blocks(text):
        i = 0
        # leading comments and variable definitions
        while i < len(lines):
            s = lines[i].strip()
            m = _VAR_DEF.match(s)
            if m:
                ns[m.group(1).replace("-", "_")] = interpolate(m.group(2), ns)
            elif s and not s.startswith(("#", "//")):
                break
            i += 1
        if i >= len(lines):
            continue
        request_line = interpolate(lines[i].strip(), ns)
        i += 1
        while i < len(lines) and lines[i].strip().startswith(("?", "&")):
            request_line += interpolate(lines[i].strip(), ns)  # query continuation lines
            i += 1
        parts = request_line.split()
        if parts and parts[0].upper() in _METHODS and len(parts) >= 2:
            method, url = parts[0].upper(), parts[1]
        elif len(parts) == 1 or (len(parts) == 2 and parts[1].startswith("HTTP/")):
            method, url = "GET", parts[0]
        else:
            raise NetbookError(f"%%fetch: not a request line: {request_line!r} (METHOD URL [HTTP/1.1])")
        headers = {}
        while i < len(lines) and lines[i].strip():
            s = lines[i].strip()
            i += 1
            if s.startswith(("#", "//")):
                continue
            k, sep, v = interpolate(s, ns).partition(":")
            if not sep:
                raise NetbookError(f"%%fetch: not a header line: {s!r} (Name: value)")
            headers[k.strip()] = v.strip()
        body_lines = lines[i + 1:] if i < len(lines) else []
        body = interpolate("\n".join(body_lines), ns, multiline_values=True).strip("\n") if body_lines else ""
        requests.append(HttpRequest(method, url, headers, body or None, title))
    if not requests:
        raise NetbookError("%%fetch: the cell has no request (METHOD URL, headers, blank line, body; ### between)")
    return requests
