"""FTP URLs: ``ftp://user[:password]@host[:port]/path``; ``ftps://`` and
``ftpes://`` (FileZilla's name) mean explicit FTPS (AUTH TLS, as
ftplib.FTP_TLS speaks it).  The password is never shown (``masked()``).

The URL type is the connection layer's :class:`~netbook.connection.ConnURL`
(``FTPURL`` is its older name)."""
from __future__ import annotations

from ..connection import SCHEMES as _ALL
from ..connection import ConnURL, parse
from .errors import FTPURLError

__all__ = ["FTPURL", "parse_ftp_url", "SCHEMES"]

SCHEMES = {s: (_ALL[s].port, _ALL[s].tls) for s in ("ftp", "ftps", "ftpes")}

FTPURL = ConnURL


def parse_ftp_url(url, password: str | None = None, user: str | None = None) -> ConnURL:
    """Parse ``ftp://``, ``ftps://``/``ftpes://`` (explicit AUTH TLS) URLs;
    a lab server object stands for its URL."""
    u: ConnURL = parse(url, SCHEMES, user=user, password=password, error=FTPURLError, what="an FTP")
    if u.scheme == "ftps" and u.port == 990:
        raise FTPURLError("implicit FTPS (port 990) is not supported: netbook's ftps:// is explicit AUTH TLS "
                          "(ftplib.FTP_TLS), usually on port 21")
    return u
