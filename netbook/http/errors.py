"""HTTP errors: one clear line each (all are :class:`~netbook.errors.NetbookError`).

An HTTP error *status* is not an exception: it is a Response to look at.
``Response.raise_for_status()`` raises :class:`HTTPStatusError`, which is
also urllib.error's own ``HTTPError``.  Defined in :mod:`netbook.errors`
(the one tree of netbook's errors) and re-exported here.
"""
from __future__ import annotations

from ..errors import (BodyTooLarge, ConnectionFailed, FetchError, FetchTimeout, HTTPStatusError, ProxyError,
                      TLSError, UnsupportedURL)

__all__ = ["FetchError", "FetchTimeout", "TLSError", "BodyTooLarge", "UnsupportedURL", "ConnectionFailed",
           "HTTPStatusError", "ProxyError"]
