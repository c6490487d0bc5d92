"""netbook's errors: one clear line in a notebook, never a wall of traceback.

IPython shows ``_render_traceback_()`` instead of the traceback, so a
refused connection reads as one line saying what and where.  ``%xmode``
or ``err.__cause__`` still give the details.

Every error netbook raises on purpose is defined here (the family modules
re-export theirs, so ``from netbook.ftp.errors import FTPError`` keeps
working).  Catch ``NetbookError`` for all of them, or a standard base
(``ValueError``, ``OSError``, ``TimeoutError``, ``urllib.error.HTTPError``)
where one applies.  The tree (``tests/test_package.py`` checks it)::

    NetbookError
    ├── InjectionError (ValueError)
    ├── ProtocolError
    │   ├── FTPProtocolError (FTPError)
    │   └── XMLRPCProtocolError
    ├── NetworkError (OSError)
    │   ├── ConnectionFailed
    │   │   └── ProxyError (FetchError)
    │   ├── FetchTimeout (TimeoutError)
    │   ├── TLSError
    │   ├── FTPConnectionError (FTPError)
    │   └── TelnetTimeout (TimeoutError)
    ├── ConnURLError (ValueError)
    ├── FetchError
    │   ├── UnsupportedURL (ValueError)
    │   ├── BodyTooLarge
    │   ├── HTTPStatusError (urllib.error.HTTPError)
    │   └── ProxyError (ConnectionFailed)
    ├── FTPError
    │   ├── FTPPermissionError
    │   │   └── FTPLoginError
    │   ├── FTPTemporaryError
    │   ├── FTPProtocolError (ProtocolError)
    │   ├── FTPConnectionError (NetworkError)
    │   └── FTPURLError (ValueError)
    ├── MailError
    ├── StoreError
    ├── MailboxNameError (ValueError)
    ├── NewsError
    ├── LoginError
    ├── FormError (ValueError)
    ├── XMLRPCFault
    ├── IPNetError (ValueError)
    ├── IPParseError (ValueError)
    ├── UUIDParseError (ValueError)
    ├── IPSQLError (ValueError)
    ├── LogParseError (ValueError)
    ├── FilterError (ValueError)
    ├── ViewError
    └── WaterfallError (ValueError)

(a name in parentheses is a second base class; ``nb.errors.tree()`` prints it).
"""
from __future__ import annotations

import urllib.error
from typing import Any

__all__ = [
    "NetbookError", "InjectionError", "ProtocolError", "NetworkError", "ConnURLError",
    # HTTP (netbook.http)
    "FetchError", "UnsupportedURL", "ConnectionFailed", "FetchTimeout", "TLSError", "BodyTooLarge",
    "HTTPStatusError", "ProxyError",
    # FTP (netbook.ftp)
    "FTPError", "FTPPermissionError", "FTPLoginError", "FTPTemporaryError", "FTPProtocolError",
    "FTPConnectionError", "FTPURLError",
    # mail, news, telnet
    "MailError", "StoreError", "MailboxNameError", "NewsError", "LoginError", "TelnetTimeout",
    # web and RPC
    "FormError", "XMLRPCFault", "XMLRPCProtocolError",
    # columns
    "IPNetError", "IPParseError", "UUIDParseError", "IPSQLError",
    # views and pictures
    "LogParseError", "FilterError", "ViewError", "WaterfallError",
    "tree",
]


class NetbookError(Exception):
    """Base of netbook's errors; shown as a single line in notebooks."""

    def _render_traceback_(self) -> list[str]:
        return [f"{type(self).__name__}: {self}"]


class InjectionError(NetbookError, ValueError):
    """A value would have put a CR or LF into a protocol line."""


class ProtocolError(NetbookError):
    """The peer said something the protocol does not allow."""


class NetworkError(NetbookError, OSError):
    """Connection refused, name not resolved, timeout, TLS failure."""


class ConnURLError(NetbookError, ValueError):
    """A connection URL that cannot be used (wrong scheme, no host, bad port)."""


# -- HTTP ------------------------------------------------------------------------------
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


class HTTPStatusError(FetchError, urllib.error.HTTPError):
    """``Response.raise_for_status()`` on a 4xx/5xx status.

    Also a ``urllib.error.HTTPError`` (so ``except HTTPError`` code written for
    urllib keeps working): ``.code``, ``.reason``, ``.headers``, ``.url`` and
    ``.read()`` the body; ``.response`` is netbook's Response."""

    response: Any = None

    def __str__(self) -> str:
        return f"HTTP Error {self.code}: {self.reason}"


class ProxyError(ConnectionFailed, FetchError):
    """A proxy could not be used: unreachable, refused CONNECT, unsupported kind, bad proxy URL."""


# -- FTP -------------------------------------------------------------------------------
class FTPError(NetbookError):
    """The FTP server refused or failed a command (its reply is in the message)."""

    def __init__(self, message: str, reply: str = ""):
        super().__init__(message)
        self.reply = reply

    @property
    def code(self) -> int | None:
        head = self.reply[:3]
        return int(head) if head.isdigit() else None


class FTPPermissionError(FTPError):
    """A 5xx reply (ftplib.error_perm): not found, not allowed, bad syntax."""


class FTPLoginError(FTPPermissionError):
    """530 at login: wrong user or password (the password is never shown)."""


class FTPTemporaryError(FTPError):
    """A 4xx reply (ftplib.error_temp): try again later."""


class FTPProtocolError(FTPError, ProtocolError):
    """An unexpected reply (ftplib.error_reply / error_proto)."""


class FTPConnectionError(FTPError, NetworkError):
    """Could not connect, or the connection broke."""


class FTPURLError(FTPError, ValueError):
    """Not a usable ftp:// URL."""


# -- mail, news, telnet ------------------------------------------------------------------
class MailError(NetbookError):
    """A mail operation failed (refused recipient, bad login, missing message)."""


class StoreError(NetbookError):
    """A mailbox or folder name the store refuses, or a missing message."""


class MailboxNameError(NetbookError, ValueError):
    """A mailbox name that is not valid modified UTF-7 (or cannot be encoded)."""


class NewsError(NetbookError):
    """A news operation failed (no such group or article, refused post, bad login)."""


class LoginError(NetbookError):
    """The (telnet) server refused the login."""


class TelnetTimeout(NetworkError, TimeoutError):
    """What was awaited did not arrive in time."""


# -- web and RPC -----------------------------------------------------------------------
class FormError(NetbookError, ValueError):
    """A request body that cannot be parsed as a form (or is too large)."""


class XMLRPCFault(NetbookError):
    """The server answered with an XML-RPC Fault."""

    def __init__(self, method: str, code: int, string: str):
        super().__init__(f"{method}: fault {code}: {string}")
        self.method = method
        self.faultCode = code
        self.faultString = string

    def __repr__(self) -> str:
        return f"<fault {self.faultCode}: {self.faultString}>"


class XMLRPCProtocolError(ProtocolError):
    """HTTP-level failure, or XML the client refused to parse."""


# -- columns ---------------------------------------------------------------------------
class IPNetError(NetbookError, ValueError):
    """Bad network input: one line saying what is wrong and what to do."""


class IPParseError(NetbookError, ValueError):
    """A value is not an address/network ``ipaddress`` accepts."""


class UUIDParseError(NetbookError, ValueError):
    """A value is not a UUID ``uuid.UUID`` accepts."""


class IPSQLError(NetbookError, ValueError):
    """A frame ``nb.ip.arrow.sql`` reads cannot go to DuckDB through Arrow."""


# -- views and pictures --------------------------------------------------------------------
class LogParseError(NetbookError, ValueError):
    """A line does not fit the log format (``errors="raise"``)."""


class FilterError(NetbookError, ValueError):
    """A per-column filter expression that cannot be read for its column."""

    def __init__(self, column: str, message: str):
        super().__init__(f"{column}: {message}")
        self.column = column
        self.message = message


class ViewError(NetbookError):
    """A view cannot reach its server (stopped, or refusing the session)."""


class WaterfallError(NetbookError, ValueError):
    """What was given has no HAR timings to draw."""


def tree() -> str:
    """The hierarchy of netbook's errors as text (the tree in this module's docstring)."""

    def name(cls: type) -> str:
        return cls.__qualname__ if cls.__module__ in ("builtins", __name__) else f"{cls.__module__}.{cls.__qualname__}"

    def lines(cls: type[BaseException], parent: type | None, prefix: str, last: bool) -> list[str]:
        others = [name(b) for b in cls.__bases__ if b is not parent and parent is not None]
        label = name(cls) + (f" ({', '.join(others)})" if others else "")
        out = [label] if parent is None else [prefix + ("└── " if last else "├── ") + label]
        kids = [sub for sub in cls.__subclasses__() if sub.__module__ == __name__]
        inner = "" if parent is None else prefix + ("    " if last else "│   ")
        for i, k in enumerate(kids):
            out += lines(k, cls, inner, i == len(kids) - 1)
        return out

    return "\n".join(lines(NetbookError, None, "", True))
