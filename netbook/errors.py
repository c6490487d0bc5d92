"""netbook's errors: one clear line in a notebook, never a wall of traceback.

IPython shows ``_render_traceback_()`` instead of the traceback, so a
refused connection reads as one line saying what and where.  ``%xmode``
or ``err.__cause__`` still give the details.
"""
from __future__ import annotations

__all__ = ["NetbookError", "InjectionError", "ProtocolError", "NetworkError", "ConnURLError"]


class NetbookError(Exception):
    """Base of netbook's errors; shown as a single line in notebooks."""

    def _render_traceback_(self):
        return [f"{type(self).__name__}: {self}"]


class InjectionError(NetbookError, ValueError):
    """A value would have put a CR or LF into a protocol line."""


class ProtocolError(NetbookError):
    """The peer said something the protocol does not allow."""


class NetworkError(NetbookError, OSError):
    """Connection refused, name not resolved, timeout, TLS failure."""


class ConnURLError(NetbookError, ValueError):
    """A connection URL that cannot be used (wrong scheme, no host, bad port)."""
