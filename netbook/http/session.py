"""``nb.Session()``: default headers, auth, a base URL, one cookie jar and
kept-alive connections shared across fetches; its history is a Table and a
HAR log."""
from __future__ import annotations

import urllib.parse
from typing import Self

from ..interpolate import check_line
from .cookies import CookieJar
from .pool import ConnectionPool
from .response import Response

__all__ = ["Session"]


class Session:
    """Fetch with shared settings.

    ``s = nb.Session(base_url="http://127.0.0.1:8000/", headers={...}, auth=(u, p))``;
    ``s.get("items")``, ``s.post("items", json={...})``, ``s.fetch(url, method=...)``;
    ``s.cookies`` is an ``nb.CookieJar``; ``s.history`` a list of Responses,
    ``s.to_frame()`` / ``s.table()`` / ``s.to_har()``.  Any ``nb.fetch``
    option given here (timeout, verify, proxy, app, ...) is a default.

    Connections are kept alive per origin (and proxy) and reused by the next
    request, as in requests and httpx (``s.pool.opened`` counts the
    connections made, ``s.pool.reused`` the requests that rode on an open
    one); ``s.close()`` or ``with nb.Session() as s:`` closes them.
    Redirects follow ``nb.fetch``'s rules: credentials never go to another
    origin.
    """

    def __init__(self, base_url: str = "", *, headers=None, auth=None, cookies: CookieJar | None = None,
                 max_history: int = 1000, **defaults):
        if base_url:
            check_line(base_url, "base_url")
        self.base_url = base_url
        self.headers = dict(headers or {})
        self.auth = auth
        self.cookies = cookies if cookies is not None else CookieJar()
        self.defaults = defaults
        self.history: list[Response] = []
        self.max_history = max_history
        self.pool = ConnectionPool()

    def url_for(self, url: str) -> str:
        if self.base_url and "://" not in url.split("?", 1)[0]:
            return urllib.parse.urljoin(self.base_url, url)
        return url

    def fetch(self, url: str, method: str | None = None, **options) -> Response:
        from .client import request

        headers = {**self.headers, **(options.pop("headers", None) or {})}
        opts = {**self.defaults, **options}
        if self.auth is not None:
            opts.setdefault("auth", self.auth)
        cookies = opts.pop("cookies", None) or self.cookies
        if opts.get("app") is None:
            opts["_pool"] = self.pool
        resp = request(self.url_for(url), method, headers=headers, cookies=cookies, **opts)
        self.history.append(resp)
        del self.history[: -self.max_history]
        return resp

    def get(self, url: str, **options) -> Response:
        return self.fetch(url, "GET", **options)

    def head(self, url: str, **options) -> Response:
        return self.fetch(url, "HEAD", **options)

    def post(self, url: str, **options) -> Response:
        return self.fetch(url, "POST", **options)

    def put(self, url: str, **options) -> Response:
        return self.fetch(url, "PUT", **options)

    def patch(self, url: str, **options) -> Response:
        return self.fetch(url, "PATCH", **options)

    def delete(self, url: str, **options) -> Response:
        return self.fetch(url, "DELETE", **options)

    def close(self) -> None:
        """Close the kept-alive connections (a later request opens new ones)."""
        self.pool.close()
        self.pool = ConnectionPool()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc) -> None:
        self.pool.close()

    # -- presenting ----------------------------------------------------------------
    def to_frame(self):
        import pandas as pd

        frames = [r.to_frame() for r in self.history]
        if not frames:
            return pd.DataFrame(columns=["method", "url", "requested_url", "status", "reason", "content_type", "bytes",
                                         "elapsed_ms", "redirects", "proxy"])
        return pd.concat(frames, ignore_index=True)

    def table(self):
        from ..table import Table

        return Table(self.to_frame(), formats={"bytes": "size", "elapsed_ms": "ms"}, title="session history")

    def to_har(self, reveal: bool = False) -> dict:
        from .har import har_log

        return har_log(self.history, reveal=reveal)

    def waterfall(self):
        """The timing waterfall of every fetch so far, as ``nb.http.waterfall(self)``."""
        from ._waterfall import waterfall

        return waterfall(self)

    def __repr__(self) -> str:
        auth = f", auth={self.auth[0]}:••••" if self.auth else ""
        return f"<Session {self.base_url or '(no base URL)'}{auth}, {len(self.history)} responses, {len(self.cookies)} cookies>"

    def _repr_mimebundle_(self, include=None, exclude=None):
        bundle = self.table()._repr_mimebundle_(include=include, exclude=exclude)
        bundle["text/plain"] = repr(self)
        return bundle
