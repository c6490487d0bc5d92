"""HAR 1.2 (HTTP Archive) export: what browser devtools import.

Secrets (Authorization, Cookie, Set-Cookie values) are masked unless
``reveal=True``.  Redirect hops become entries of their own, as browsers
record them.
"""
from __future__ import annotations

import base64
import json
import os
import urllib.parse
from collections.abc import Iterable
from datetime import datetime, timezone
from typing import Any

from .. import __version__

__all__ = ["har_log", "save_har"]


def _nv(headers, reveal):
    return [{"name": k, "value": v} for k, v in headers.masked_items(reveal)]


def _timings(t: dict) -> dict:
    out = {k: round(float(t.get(k, -1)), 3) for k in ("blocked", "dns", "connect", "send", "wait", "receive", "ssl")}
    for k in ("send", "wait", "receive"):
        out[k] = max(0.0, out[k])
    if out["ssl"] >= 0 and out["connect"] >= 0:
        out["connect"] = round(out["connect"] + out["ssl"], 3)  # HAR: connect includes ssl
    return out


def _total(t: dict) -> float:
    tt = _timings(t)
    return round(sum(max(0.0, tt[k]) for k in ("blocked", "dns", "connect", "send", "wait", "receive")), 3)


def _cookies(values, reveal, request: bool):
    from ..transcript import MASK
    from .cookies import parse_cookie_header, parse_set_cookie

    out = []
    for v in values:
        try:
            if request:
                items = [{"name": k, "value": val} for k, val in parse_cookie_header(v).items()]
            else:
                d = parse_set_cookie(v)
                items = [{"name": d["name"], "value": d["value"], **({"path": d["path"]} if d.get("path") else {}),
                          **({"domain": d["domain"]} if d.get("domain") else {}),
                          "httpOnly": bool(d.get("httponly")), "secure": bool(d.get("secure"))}]
        except Exception:
            continue
        for it in items:
            if not reveal:
                it["value"] = MASK
            out.append(it)
    return out


def _entry(hop, resp, reveal: bool, final: bool) -> dict:
    url = hop.url
    query = [{"name": k, "value": v} for k, v in urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query, keep_blank_values=True)]
    req = {
        "method": hop.method, "url": url, "httpVersion": hop.version or "HTTP/1.1",
        "cookies": _cookies(hop.request_headers.get_all("cookie"), reveal, True),
        "headers": _nv(hop.request_headers, reveal), "queryString": query,
        "headersSize": -1, "bodySize": len(resp.request_body or b"") if final else 0,
    }
    if final and resp.request_body:
        req["postData"] = {"mimeType": hop.request_headers.get("content-type", ""),
                           "text": bytes(resp.request_body).decode("utf-8", "replace")}
    if final:
        content = {"size": len(resp.content), "compression": len(resp.content) - resp.raw_size,
                   "mimeType": resp.headers.get("content-type", "")}
        ct = resp.content_type
        textual = ct.startswith("text/") or any(k in ct for k in ("json", "xml", "javascript", "urlencoded"))
        try:
            if not textual:
                raise UnicodeDecodeError("binary", b"", 0, 1, "not a text type")
            content["text"] = resp.content.decode(resp.encoding)
        except (UnicodeDecodeError, LookupError):
            content["text"] = base64.b64encode(resp.content).decode()
            content["encoding"] = "base64"
        body_size = resp.raw_size
    else:
        content = {"size": 0, "mimeType": hop.headers.get("content-type", "")}
        body_size = -1
    response = {
        "status": int(hop.status), "statusText": hop.reason, "httpVersion": hop.version or "HTTP/1.1",
        "cookies": _cookies(hop.headers.get_all("set-cookie"), reveal, False),
        "headers": _nv(hop.headers, reveal), "content": content,
        "redirectURL": hop.location or "", "headersSize": -1, "bodySize": body_size,
    }
    started = hop.started or datetime.now(timezone.utc)
    return {
        "startedDateTime": started.isoformat().replace("+00:00", "Z"),
        "time": _total(hop.timings), "request": req, "response": response, "cache": {},
        "timings": _timings(hop.timings), **({"serverIPAddress": hop.server_ip} if hop.server_ip else {}),
        **({"_proxy": hop.proxy} if getattr(hop, "proxy", "") else {}),  # HAR custom field (password masked)
    }


def har_log(responses, reveal: bool = False) -> dict:
    """``{"log": {...}}`` for these responses (HAR 1.2)."""
    entries = []
    for r in responses:
        for h in r.history:
            entries.append(_entry(h, r, reveal, final=False))
        final = r.final_hop
        if final is not None:
            final.timings = dict(r.timings)
            entries.append(_entry(final, r, reveal, final=True))
    return {"log": {"version": "1.2", "creator": {"name": "netbook", "version": __version__},
                    "pages": [], "entries": entries}}


def save_har(responses: Iterable[Any],  # Responses (not imported: response.py imports this module)
              path: str | os.PathLike[str], reveal: bool = False) -> None:
    with open(path, "w", encoding="utf-8") as f:
        json.dump(har_log(responses, reveal), f, indent=1)
