"""Mail URLs: ``smtp://``, ``smtps://``, ``pop://``, ``pops://``,
``imap://user@host:port/INBOX``, ``imaps://``.  A password may ride in the
URL or in ``password=``; it is never shown (``masked()``)."""
from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import quote, unquote, urlsplit

from ..errors import NetbookError
from ..interpolate import check_line
from ..transcript import MASK

__all__ = ["MailURL", "parse_url", "lab_server_for"]

PORTS = {"smtp": 25, "smtps": 465, "submission": 587, "pop": 110, "pops": 995, "imap": 143, "imaps": 993}
ALIASES = {"pop3": "pop", "pop3s": "pops"}


@dataclass
class MailURL:
    scheme: str
    host: str
    port: int
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    path: str = ""

    @property
    def tls(self) -> bool:
        return self.scheme.endswith("s")

    def masked(self) -> str:
        user = ""
        if self.user:
            user = quote(self.user, safe="") + (f":{MASK}" if self.password else "") + "@"
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{self.scheme}://{user}{host}:{self.port}" + (f"/{self.path}" if self.path else "")

    def __repr__(self):
        return f"MailURL({self.masked()!r})"

    __str__ = masked


def lab_server_for(kind: str):
    """The running lab server of ``kind`` (named ``kind`` first, else any)."""
    from ..servers.base import registry

    reg = registry()
    s = reg.get(kind)
    if s is not None and s.kind == kind:
        return s
    for s in reg.values():
        if s.kind == kind:
            return s
    return None


def parse_url(url, kinds: tuple[str, ...], *, user=None, password=None, default_kind: str | None = None) -> MailURL:
    """Parse a mail URL whose scheme is one of ``kinds``.  ``url`` may also be
    a lab server (``lab.imap``) or None (the running lab server)."""
    from ..servers.base import LabServer

    if url is None:
        srv = lab_server_for(default_kind or kinds[0])
        if srv is None:
            raise NetbookError(f"no URL given and no {default_kind or kinds[0]} lab server is running; pass url=")
        url = srv
    if isinstance(url, LabServer):
        url = url.url
    url = str(url)
    check_line(url, "URL")
    u = urlsplit(url)
    scheme = ALIASES.get(u.scheme.lower(), u.scheme.lower())
    if scheme not in kinds:
        raise NetbookError(f"{scheme or '(no scheme)'}:// is not a {'/'.join(kinds)} URL")
    if not u.hostname:
        raise NetbookError(f"{url!r} has no host")
    try:
        port = u.port or PORTS[scheme]
    except ValueError:
        raise NetbookError("the URL's port is not a number") from None
    path = unquote(u.path.lstrip("/"))
    return MailURL(
        scheme, u.hostname, port,
        user if user is not None else (unquote(u.username) if u.username else None),
        password if password is not None else (unquote(u.password) if u.password else None),
        path.split(";")[0],
    )


def lab_cafile(host: str, port: int):
    """The certificate of a running lab server at host:port (for STARTTLS
    against the lab's generated certificate)."""
    from ..servers.base import registry

    for s in registry().values():
        if getattr(s, "cert", None) and s.port == port and s.host == host:
            return s.cert
    return None
