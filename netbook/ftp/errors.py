"""FTP errors: one line naming the server's reply and what was asked.

Defined in :mod:`netbook.errors` (the one tree of netbook's errors) and
re-exported here.
"""
from __future__ import annotations

from ..errors import (FTPConnectionError, FTPError, FTPLoginError, FTPPermissionError, FTPProtocolError,
                      FTPTemporaryError, FTPURLError)

__all__ = ["FTPError", "FTPPermissionError", "FTPLoginError", "FTPTemporaryError", "FTPProtocolError",
           "FTPConnectionError", "FTPURLError"]
