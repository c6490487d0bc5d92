"""``nb.ftp(url)``: an FTP client (ftplib) whose listings are Tables.

    f = nb.ftp("ftp://alice@127.0.0.1:2121/", password="pw")
    f.ls()            # name, type, size, modified, perm (MLSD, else LIST parsed)
    f.get("report.csv", "report.csv");  f.put("data.bin", "upload/data.bin")
    f.transcript      # the control connection (PASS masked) + data summaries

``ftps://`` and ``ftpes://`` use explicit FTPS (AUTH TLS, ftplib.FTP_TLS).
The package itself is callable: ``nb.ftp(url)`` is ``netbook.ftp.connect(url)``.
"""
from __future__ import annotations

import importlib
import sys
from typing import TYPE_CHECKING, Any

from .errors import (FTPConnectionError, FTPError, FTPLoginError, FTPPermissionError, FTPProtocolError,
                     FTPTemporaryError, FTPURLError)

if TYPE_CHECKING:
    from .client import FTPClient

__all__ = ["connect", "open_url", "FTPClient", "Listing", "Transfer", "FTPError", "FTPPermissionError", "FTPLoginError",
           "FTPTemporaryError", "FTPProtocolError", "FTPConnectionError", "FTPURLError"]


def connect(url: Any = None, password: str | None = None, **options: Any) -> FTPClient:
    """Open an FTP session: ``ftp://[user[:password]@]host[:port][/path]``
    (also a lab server object).  See :class:`FTPClient` for ``options``."""
    from .client import FTPClient

    return FTPClient(url, password=password, **options)


def open_url(url: str, password: str | None = None, **options: Any) -> Any:
    """What ``nb.fetch`` returns for an FTP directory URL: its Listing.
    (An ``ftps://``/``ftpes://`` file URL: use ``nb.ftp(url).get(...)``.)"""
    from urllib.parse import urlsplit

    path = urlsplit(url).path
    if path and not path.endswith("/"):
        raise FTPURLError("nb.fetch reads ftps:// directories only; for a file use nb.ftp(url).get(path)")
    with connect(url, password=password, progress=False, **options) as f:
        return f.ls()


def __getattr__(name):
    if name in ("FTPClient", "Transfer"):
        return getattr(importlib.import_module(f"{__name__}.client"), name)
    if name == "Listing":
        return importlib.import_module(f"{__name__}.listing").Listing
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


class _CallableModule(type(sys)):
    """``nb.ftp(url)`` opens a session, though ``netbook.ftp`` is a package."""

    def __call__(self, url=None, password: str | None = None, **options):
        return connect(url, password=password, **options)


sys.modules[__name__].__class__ = _CallableModule
