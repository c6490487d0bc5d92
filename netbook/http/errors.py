"""HTTP errors: one clear line each (all are :class:`~netbook.errors.NetbookError`).

An HTTP error *status* is not an exception: it is a Response to look at.
``Response.raise_for_status()`` raises urllib.error's own ``HTTPError``.
"""
from __future__ import annotations

from ..errors import NetbookError, NetworkError

__all__ = ["FetchError", "FetchTimeout", "TLSError", "BodyTooLarge", "UnsupportedURL", "ConnectionFailed"]


class FetchError(NetbookError):
    """A fetch could not be made (bad URL, bad option)."""


class UnsupportedURL(FetchError, ValueError):
    """No handler for this URL's scheme."""


class ConnectionFailed(NetworkError):
    """Connection refused, reset, or the host name did not resolve."""


class FetchTimeout(NetworkError, TimeoutError):
    """The server did not answer within ``timeout`` seconds."""


class TLSError(NetworkError):
    """The TLS handshake failed (certificate not trusted, wrong host, ...)."""


class BodyTooLarge(FetchError):
    """The body (after decompression) is larger than ``max_bytes``."""
