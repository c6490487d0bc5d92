"""FTP errors: one line naming the server's reply and what was asked."""
from __future__ import annotations

from ..errors import NetbookError, NetworkError, ProtocolError

__all__ = ["FTPError", "FTPPermissionError", "FTPLoginError", "FTPTemporaryError", "FTPProtocolError",
           "FTPConnectionError", "FTPURLError"]


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
