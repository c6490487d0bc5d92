"""HTTP and URLs: ``nb.fetch``, ``Response``, ``Session``, ``CookieJar``,
``fetch_many``, ``nb.url``, ``nb.robots`` and ``nb.http.status``.

urllib.request, urllib.parse, urllib.robotparser, http.client, http.cookies
and http.cookiejar speak the protocol; this package observes and presents.
"""
from __future__ import annotations

import importlib

__all__ = ["fetch", "fetch_many", "Session", "Response", "CookieJar", "robots", "Robots", "status", "statuses",
           "Headers", "call", "save_har", "FetchError", "FetchTimeout", "ConnectionFailed", "TLSError",
           "BodyTooLarge", "UnsupportedURL", "HTTPStatusError", "ProxyError", "select_proxy", "Proxy", "waterfall", "read_log",
           "LogParseError", "sample_log"]

_NAMES = {
    "fetch": "client", "Response": "response", "Headers": "headers", "CookieJar": "cookies",
    "Session": "session", "fetch_many": "many", "robots": "robotstxt", "Robots": "robotstxt",
    "status": "status_codes", "statuses": "status_codes", "call": "wsgi_transport", "save_har": "har",
    "FetchError": "errors", "FetchTimeout": "errors", "ConnectionFailed": "errors", "TLSError": "errors",
    "BodyTooLarge": "errors", "UnsupportedURL": "errors", "HTTPStatusError": "errors",
    "ProxyError": "proxies", "select_proxy": "proxies", "Proxy": "proxies",
    "waterfall": "_waterfall",
    "read_log": "logs", "LogParseError": "logs", "sample_log": "loggen",
}


def __getattr__(name):
    if name == "dask":  # nb.http.dask.read_log (imports Dask)
        return importlib.import_module(f"{__name__}.dask")
    mod = _NAMES.get(name)
    if mod is None:
        raise AttributeError(f"module 'netbook.http' has no attribute {name!r}")
    obj = getattr(importlib.import_module(f"{__name__}.{mod}"), name)
    globals()[name] = obj
    return obj


def __dir__():
    return sorted(set(globals()) | set(_NAMES))
