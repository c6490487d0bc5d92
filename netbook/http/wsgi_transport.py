"""Call a WSGI app in-process, no socket, and get the same Response as ``nb.fetch``.

Like httpx's WSGITransport, but lower down: http.client writes a real
HTTP/1.1 request into an in-memory "socket", the app runs on the parsed
request, and http.client parses the app's serialized response.  So
urllib.request's handlers all apply (redirects, Basic/Digest auth,
cookies), and the transcript shows the request and response exactly as
they would cross a wire.

    nb.wsgi.call(app, "GET /path?q=1")         # the web helper's entry point
    nb.fetch("http://testserver/path", app=app)
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from ..interpolate import check_line
from .errors import FetchError
from .wsgi_handler import DEFAULT_HOST, MAX_REQUEST, WSGIConnection, WSGIHandler

if TYPE_CHECKING:
    from .response import Response

__all__ = ["call", "WSGIHandler", "WSGIConnection", "DEFAULT_HOST", "MAX_REQUEST"]


def call(app: Callable[..., Any], request: str, headers: Mapping[str, str] | None = None,
         body: bytes | str | None = None, **fetch_options: Any) -> Response:
    """``call(app, "GET /path?q=1", headers={...}, body=b"...")`` -> Response.

    ``request`` is ``"METHOD target"`` (target a path, or an absolute URL);
    ``body`` is bytes, str, a dict (form-encoded) or use ``json=``.  Other
    options are ``nb.fetch``'s (auth, cookies, follow_redirects, ...).
    """
    from .client import request as fetch

    check_line(request, "request line")
    parts = request.strip().split()
    if len(parts) == 1:
        method, target = "GET", parts[0]
    elif len(parts) in (2, 3):
        method, target = parts[0], parts[1]
    else:
        raise FetchError(f"request must be 'METHOD /path', got {request!r}")
    if target.startswith("/"):
        url = f"http://{DEFAULT_HOST}{target}"
    elif "://" in target:
        url = target
    else:
        raise FetchError(f"request target must start with / or be a URL, got {target!r}")
    if body is not None and "data" not in fetch_options:
        fetch_options["data"] = body
    return fetch(url, method, headers=headers, app=app, **fetch_options)
