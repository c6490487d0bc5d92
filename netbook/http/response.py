"""``Response``: one HTTP exchange to look at, compute on and replay.

An HTTP error status is a Response (red badge), not an exception;
``raise_for_status()`` raises ``HTTPStatusError`` (a NetbookError that is
also urllib.error's ``HTTPError``).
"""
from __future__ import annotations

import codecs
import io
import json as _json
import re
from dataclasses import dataclass, field
from datetime import datetime
from http import HTTPStatus

from ..errors import HTTPStatusError
from ..transcript import Transcript
from .headers import Headers
from .timing import TIMING_PHASES

__all__ = ["Response", "Hop", "TIMING_PHASES"]

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)


def _status(code: int):
    try:
        return HTTPStatus(int(code))
    except ValueError:
        return int(code)


@dataclass
class Hop:
    """One request/response of a fetch (a redirect hop or the final one)."""

    method: str
    url: str
    status: int
    reason: str
    headers: Headers
    request_headers: Headers
    location: str | None = None
    timings: dict = field(default_factory=dict)
    started: datetime | None = None
    version: str = "HTTP/1.1"
    server_ip: str = ""
    proxy: str = ""  # the proxy this hop went through (password masked), "" if direct


class Response:
    """The result of ``nb.fetch``: status, headers, body, cookies, timings,
    redirect history and the wire transcript of the request and response."""

    def __init__(self, *, url, method, status, reason, version, headers: Headers, content: bytes,
                 requested_url: str | None = None, final_url: str | None = None,
                 raw_size=None, history=(), final_hop: Hop | None = None, request_headers: Headers | None = None,
                 request_body=None, transcript: Transcript | None = None, elapsed: float = 0.0,
                 timings: dict | None = None, started=None, cookie_jar=None, proxy: str = ""):
        if final_url is not None:  # the older spelling: url= was the requested URL, final_url= the final one
            requested_url, url = (url if requested_url is None else requested_url), final_url
        self.url = url  # where the redirects ended, as requests' and httpx's r.url
        self.requested_url = url if requested_url is None else requested_url  # the URL that was asked for
        self.method = method
        self.status = _status(status)
        self.reason = reason or (self.status.phrase if isinstance(self.status, HTTPStatus) else "")
        self.version = version
        self.headers = headers
        self.content = content
        self.raw_size = len(content) if raw_size is None else raw_size
        self.history: list[Hop] = list(history)
        self.final_hop = final_hop
        self.request_headers = request_headers or Headers()
        self.request_body = request_body
        self.transcript = transcript if transcript is not None else Transcript()  # (truth would render it)
        self.elapsed = elapsed
        self.timings = dict(timings or {})
        self.started = started
        self.cookie_jar = cookie_jar
        self.proxy = proxy  # "http://user:••••@host:port" of the proxy used, "" if direct
        self._text = None

    @property
    def final_url(self) -> str:
        """The same as ``url`` (the URL after redirects); kept for older code."""
        return self.url

    # -- status ------------------------------------------------------------------
    @property
    def status_code(self) -> int:
        return int(self.status)

    @property
    def ok(self) -> bool:
        return int(self.status) < 400

    @property
    def status_class(self) -> str:
        return {1: "informational", 2: "success", 3: "redirect", 4: "client error", 5: "server error"}.get(
            int(self.status) // 100, "unknown")

    def raise_for_status(self) -> "Response":
        """Raise :class:`~netbook.errors.HTTPStatusError` (also a ``urllib.error.HTTPError``)
        for a 4xx/5xx status; return self otherwise."""
        if int(self.status) >= 400:
            import email.message

            msg = email.message.Message()
            for k, v in self.headers.items():
                msg[k] = v
            err = HTTPStatusError(self.final_url, int(self.status), self.reason, msg, io.BytesIO(self.content))
            err.response = self
            raise err
        return self

    # -- body --------------------------------------------------------------------
    @property
    def content_type(self) -> str:
        return (self.headers.get("content-type") or "").split(";")[0].strip().lower()

    @property
    def encoding(self) -> str:
        """The charset: from Content-Type, else a BOM, a <meta charset>, JSON's UTF-8, else sniffed."""
        ctype = self.headers.get("content-type") or ""
        m = re.search(r"charset\s*=\s*\"?([\w.:-]+)", ctype, re.I)
        if m:
            try:
                return codecs.lookup(m.group(1)).name
            except LookupError:
                pass
        body = self.content
        for bom, name in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
            if body.startswith(bom):
                return name
        if "html" in self.content_type or "xml" in self.content_type:
            m = _META_CHARSET.search(body[:4096])
            if m:
                try:
                    return codecs.lookup(m.group(1).decode("ascii")).name
                except LookupError:
                    pass
        if "json" in self.content_type:
            return "utf-8"
        try:
            body[:65536].decode("utf-8")
            return "utf-8"
        except UnicodeDecodeError as e:
            if e.start >= 65532:  # a character cut at the sample's end
                return "utf-8"
            return "latin-1"

    @property
    def text(self) -> str:
        if self._text is None:
            self._text = self.content.decode(self.encoding, "replace")
        return self._text

    def json(self, **kwargs):
        return _json.loads(self.text, **kwargs)

    @property
    def is_json(self) -> bool:
        return self.content_type == "application/json" or self.content_type.endswith("+json")

    # -- cookies -------------------------------------------------------------------
    def set_cookies(self) -> list[dict]:
        """Every Set-Cookie of this fetch (redirect hops included), parsed."""
        from .cookies import parse_set_cookie

        out = []
        hops = list(self.history) + ([self.final_hop] if self.final_hop else [])
        if not self.final_hop:
            hops.append(Hop(self.method, self.url, int(self.status), self.reason, self.headers, self.request_headers))
        for h in hops:
            for v in h.headers.get_all("set-cookie"):
                d = parse_set_cookie(v)
                d["set_by"] = h.url
                out.append(d)
        return out

    def cookies_frame(self, reveal: bool = False):
        import pandas as pd

        from ..transcript import MASK

        cols = ["name", "value", "domain", "path", "expires", "max-age", "secure", "httponly", "samesite",
                "partitioned", "set_by"]
        rows = []
        for d in self.set_cookies():
            row = [d.get(c, "") for c in cols]
            row[1] = d["value"] if reveal else MASK
            for i in (6, 7, 9):
                row[i] = bool(row[i])
            rows.append(row)
        return pd.DataFrame(rows, columns=cols)

    @property
    def cookies(self):
        """The cookies this fetch set (a DataFrame, values masked; ``cookies_frame(reveal=True)`` shows them)."""
        return self.cookies_frame()

    # -- timing --------------------------------------------------------------------
    def timing_frame(self):
        """HAR 1.2 phases of the final request in ms (-1: did not apply)."""
        import pandas as pd

        return pd.DataFrame({"phase": list(TIMING_PHASES), "ms": [float(self.timings.get(p, -1.0)) for p in TIMING_PHASES]})

    # -- data out --------------------------------------------------------------------
    def to_frame(self):
        """One row: method, url (after redirects), requested_url, status, reason, content_type, bytes,
        elapsed_ms, redirects, proxy."""
        import pandas as pd

        return pd.DataFrame([{
            "method": self.method, "url": self.url, "requested_url": self.requested_url, "status": int(self.status),
            "reason": self.reason, "content_type": self.content_type, "bytes": len(self.content),
            "elapsed_ms": round(self.elapsed * 1000, 3), "redirects": len(self.history), "proxy": self.proxy,
        }])

    def history_frame(self):
        import pandas as pd

        rows = [{"method": h.method, "url": h.url, "status": h.status, "reason": h.reason, "location": h.location or ""}
                for h in self.history]
        rows.append({"method": self.method, "url": self.url, "status": int(self.status), "reason": self.reason,
                     "location": ""})
        return pd.DataFrame(rows)

    def to_har(self, reveal: bool = False) -> dict:
        """A HAR 1.2 log (one entry per hop), importable into browser devtools."""
        from .har import har_log

        return har_log([self], reveal=reveal)

    def waterfall(self):
        """The timing waterfall of this fetch (a row per hop), as ``nb.http.waterfall(self)``."""
        from ._waterfall import waterfall

        return waterfall(self)

    def diagram(self, reveal: bool = False, **options):
        """The ladder diagram of this fetch's transcript (a lane per host, and per proxy)."""
        return self.transcript.diagram(reveal=reveal, protocol="http", proxy=self.proxy, **options)

    # -- views -----------------------------------------------------------------------
    def view(self):
        from .view import response_widget

        return response_widget(self)

    def __repr__(self) -> str:
        code = int(self.status)
        extra = f", {len(self.history)} redirect{'s' if len(self.history) != 1 else ''}" if self.history else ""
        via = f" via proxy {self.proxy}" if self.proxy else ""
        return (f"<Response [{code} {self.reason}] {self.method} {self.url} "
                f"{self.content_type or '-'} {len(self.content):,} B{extra}{via}>")

    def _repr_mimebundle_(self, include=None, exclude=None):
        from .view import response_html, response_widget

        bundle = {}
        try:
            bundle = response_widget(self)._repr_mimebundle_(include=include, exclude=exclude) or {}
        except Exception:  # pragma: no cover - no widget machinery
            bundle = {}
        bundle["text/plain"] = repr(self)
        bundle["text/html"] = response_html(self)
        return bundle
