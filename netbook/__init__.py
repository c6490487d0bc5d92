"""netbook: Python's Internet protocols, inside Jupyter.

Every exchange becomes something to look at (a Table), compute on
(``.to_frame()``) and replay (``.transcript``); every protocol has a lab
server one cell away (``nb.serve.<kind>``).  Public names are imported
lazily so ``import netbook`` stays fast.
"""
from __future__ import annotations

import importlib

from . import _accessors

__version__ = "0.1.0"

# s.ip / s.url / s.uuid work as soon as both netbook and pandas are imported,
# in either order, without importing pandas here (see netbook/_accessors.py).
_accessors.install()

# public name -> "module" (the module itself) or "module:attribute"
_LAZY = {
    # foundation
    "Table": "netbook.table:Table",
    "Source": "netbook.table:Source",
    "DataFrameSource": "netbook.table:DataFrameSource",
    "LazySource": "netbook.table:LazySource",
    "StreamSource": "netbook.table:StreamSource",
    "Column": "netbook.table:Column",
    "Transcript": "netbook.transcript:Transcript",
    "transcript": "netbook.transcript",
    "errors": "netbook.errors",  # the tree of netbook's errors: print(nb.errors.tree())
    "diagram": "netbook.diagram",  # a callable module: nb.diagram(*transcripts)
    "serve": "netbook.serve",
    "servers": "netbook.servers:servers",
    # HTTP and URLs
    "http": "netbook.http",
    "fetch": "netbook.http:fetch",
    "open": "netbook.openers:open",  # any scheme -> its own view (netbook.openers)
    "openers": "netbook.openers",
    "fetch_many": "netbook.http:fetch_many",
    "Session": "netbook.http:Session",
    "Response": "netbook.http:Response",
    "CookieJar": "netbook.http:CookieJar",
    "robots": "netbook.http:robots",
    "url": "netbook.http.urls",
    # IP networks and UUIDs
    "ipnet": "netbook.ip:ipnet",
    "ip": "netbook.ip.columns",
    "uuid": "netbook.uuids",
    # mail
    "mail": "netbook.mail",
    "lab": "netbook.labs:lab",
    "labs": "netbook.labs",  # nb.labs.exercises(lab, seed=...)
    # FTP
    "ftp": "netbook.ftp",
    # news
    "news": "netbook.news",  # a callable module: nb.news(url)
    # web and RPC
    "wsgi": "netbook.web.wsgi",
    "cgi": "netbook.web.cgi",
    "xmlrpc": "netbook.web.xmlrpc:xmlrpc",
    "browse": "netbook.web.browse:browse",
    # telnet (the package is callable: nb.telnet(url))
    "telnet": "netbook.telnet",
}

__all__ = sorted(_LAZY) + ["load_ipython_extension", "unload_ipython_extension"]


# ip/ipnet Parquet/Feather columns come back as ip/ipnet after a restart:
# the Arrow types register themselves when pyarrow is imported (cheap here)
from .ip._arrow_hook import install as _install_arrow_types  # noqa: E402

_install_arrow_types()


def __getattr__(name: str):
    target = _LAZY.get(name)
    if target is None:
        raise AttributeError(f"module 'netbook' has no attribute {name!r}")
    modname, _, attr = target.partition(":")
    obj = importlib.import_module(modname)
    if name in _accessors.ACCESSORS:
        _accessors.register()  # pandas is loaded now (the column modules import it)
    if attr:
        obj = getattr(obj, attr)
    globals()[name] = obj
    return obj


def __dir__():
    return sorted(set(globals()) | set(_LAZY))


def load_ipython_extension(ipython):
    """``%load_ext netbook``: register netbook's magics."""
    from .magics import load_ipython_extension as load

    load(ipython)


def unload_ipython_extension(ipython):
    pass
