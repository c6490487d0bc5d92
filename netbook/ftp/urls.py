"""FTP URLs: ``ftp://user[:password]@host[:port]/path``; ``ftps://`` and
``ftpes://`` (FileZilla's name) mean explicit FTPS (AUTH TLS, as
ftplib.FTP_TLS speaks it).  The password is never shown (``masked()``)."""
from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote, unquote, urlsplit

from ..interpolate import check_line
from ..transcript import MASK
from .errors import FTPURLError

__all__ = ["FTPURL", "parse_ftp_url", "SCHEMES"]

SCHEMES = {"ftp": (21, False), "ftps": (21, True), "ftpes": (21, True)}

@dataclass
class FTPURL:
    scheme: str
    host: str
    port: int
    user: str | None
    password: str | None
    path: str

    @property
    def tls(self) -> bool:
        return SCHEMES[self.scheme][1]

    def masked(self, path: str | None = None) -> str:
        user = ""
        if self.user:
            user = quote(self.user, safe="") + (f":{MASK}" if self.password else "") + "@"
        host = f"[{self.host}]" if ":" in self.host else self.host
        p = self.path if path is None else path
        return f"{self.scheme}://{user}{host}:{self.port}/{quote(p.lstrip('/'))}"

    def __repr__(self):
        return f"FTPURL({self.masked()!r})"


def parse_ftp_url(url, password: str | None = None, user: str | None = None) -> FTPURL:
    """Parse ``ftp://``, ``ftps://``/``ftpes://`` (explicit AUTH TLS) URLs;
    a lab server object stands for its URL."""
    from ..servers.base import LabServer

    if isinstance(url, LabServer):
        url = url.url
    if url is None:
        from ..mail.urls import lab_server_for

        srv = lab_server_for("ftp")
        if srv is None:
            raise FTPURLError("no URL given and no ftp lab server is running")
        url = srv.url
    url = str(url)
    check_line(url, "URL")
    u = urlsplit(url)
    scheme = u.scheme.lower()
    if scheme not in SCHEMES:
        raise FTPURLError(f"{scheme or '(no scheme)'}:// is not an FTP URL (ftp://, ftps://, ftpes://)")
    if not u.hostname:
        raise FTPURLError(f"{url!r} has no host")
    try:
        port = u.port or SCHEMES[scheme][0]
    except ValueError:
        raise FTPURLError("the URL's port is not a number") from None
    if scheme == "ftps" and port == 990:
        raise FTPURLError("implicit FTPS (port 990) is not supported: netbook's ftps:// is explicit AUTH TLS "
                          "(ftplib.FTP_TLS), usually on port 21")
    path = unquote(u.path.split(";")[0])
    return FTPURL(
        scheme, u.hostname, port,
        user if user is not None else (unquote(u.username) if u.username else None),
        password if password is not None else (unquote(u.password) if u.password is not None else None),
        path,
    )
