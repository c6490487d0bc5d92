"""The connection layer under the protocol families.

- :class:`ConnURL` and :func:`parse`: one connection URL for every scheme
  (``smtp``, ``pop``, ``imap``, ``ftp``, ``nntp``/``news``, ``telnet``, ...):
  default ports, user and password (never shown: :meth:`ConnURL.masked`),
  and the running lab server of the scheme's kind when no URL (or no host,
  as in ``news:group``) is given.
- :class:`Closing`: a client session a ``with`` block closes.
- :class:`Traced`: mixed in front of a standard-library client class
  (poplib, imaplib, nntplib, smtplib, ftplib), it hooks
  :func:`~netbook.transcript.trace_socket` into the client's socket hook and
  re-wraps the socket after STARTTLS / STLS / AUTH TLS.

TLS contexts come from :func:`netbook.tls.tls_context`; lab servers are found
through :mod:`netbook.registry`.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable, NamedTuple, TypeVar
from urllib.parse import quote, unquote, urlsplit

from .errors import ConnURLError
from .interpolate import check_line
from .registry import lab_server_for
from .transcript import MASK, Transcript, trace_socket

__all__ = ["ConnURL", "ConnURLError", "Scheme", "SCHEMES", "ALIASES", "parse", "Traced", "Closing"]


class Scheme(NamedTuple):
    port: int  # the default port
    tls: bool  # TLS from the first byte, or (ftps/ftpes) AUTH TLS
    kind: str  # the lab server kind that speaks it (nb.serve.<kind>)


SCHEMES: dict[str, Scheme] = {
    "smtp": Scheme(25, False, "smtp"), "smtps": Scheme(465, True, "smtp"), "submission": Scheme(587, False, "smtp"),
    "pop": Scheme(110, False, "pop3"), "pops": Scheme(995, True, "pop3"),
    "imap": Scheme(143, False, "imap"), "imaps": Scheme(993, True, "imap"),
    "ftp": Scheme(21, False, "ftp"), "ftps": Scheme(21, True, "ftp"), "ftpes": Scheme(21, True, "ftp"),
    "nntp": Scheme(119, False, "nntp"), "news": Scheme(119, False, "nntp"),
    "nntps": Scheme(563, True, "nntp"), "snews": Scheme(563, True, "nntp"),
    "telnet": Scheme(23, False, "telnet"),
    "http": Scheme(80, False, "http"), "https": Scheme(443, True, "http"),
}
ALIASES = {"pop3": "pop", "pop3s": "pops"}

_SAFE = "/:@<>!$&'()*+,;=~-._"  # kept as they are in masked(); other ASCII punctuation is %-escaped


def _show(path: str) -> str:
    """A path as a reader wants it in a URL: Unicode letters as they are,
    spaces and URL delimiters (``?``, ``#``, ``%``) and controls %-escaped."""
    return "".join(c if (c.isalnum() or c in _SAFE) and c.isprintable() else quote(c, safe="") for c in path)


@dataclass
class ConnURL:
    """A parsed connection URL.  ``path`` is the URL's path, %-decoded, with
    its leading ``/`` (empty when there is none); ``name`` is what it names
    without that slash (a mail folder, a news group or article).  The
    password is never part of any repr or str: both are :meth:`masked`."""

    scheme: str
    host: str
    port: int
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    path: str = ""

    @property
    def tls(self) -> bool:
        return SCHEMES[self.scheme].tls if self.scheme in SCHEMES else self.scheme.endswith("s")

    @property
    def kind(self) -> str:
        return SCHEMES[self.scheme].kind if self.scheme in SCHEMES else self.scheme

    @property
    def name(self) -> str:
        return self.path[1:] if self.path.startswith("/") else self.path

    @property
    def netloc(self) -> str:
        """``host:port`` (IPv6 in brackets), without the user."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{host}:{self.port}"

    def masked(self, path: str | None = None) -> str:
        """The URL with the password as ``••••``; ``path`` replaces this URL's
        own (``masked("/")``: the server's root)."""
        user = ""
        if self.user:
            user = quote(self.user, safe="") + (f":{MASK}" if self.password else "") + "@"
        p = self.path if path is None else path
        tail = "/" + _show(p.lstrip("/")) if p else ""
        return f"{self.scheme}://{user}{self.netloc}{tail}"

    __str__ = masked

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.masked()!r})"


U = TypeVar("U", bound=ConnURL)


def parse(url, schemes: Iterable[str], *, user: str | None = None, password: str | None = None,
          kind: str | None = None, error: type[Exception] = ConnURLError, what: str = "",  # "an FTP"
          cls: type[U] = ConnURL, hostless: str | None = None) -> U:  # type: ignore[assignment]
    """Parse ``url`` whose scheme must be one of ``schemes``.

    ``url`` may be a lab server (``lab.imap``) or None: the running lab
    server of ``kind`` (default: the first scheme's kind).  A URL without a
    host (``news:lab.general``) also means that server; when none runs,
    ``hostless`` names the host to use (else it is an error).  ``user`` and
    ``password`` override the URL's own.  Bad URLs raise ``error`` with one
    line naming what was expected.
    """
    schemes = tuple(schemes)
    kind = kind or SCHEMES[schemes[0]].kind
    what = what or "a " + "/".join(schemes)
    if url is None:
        srv = lab_server_for(kind)
        if srv is None:
            raise error(f"no URL given and no {kind} lab server is running; pass a URL")
        url = srv
    if not isinstance(url, str) and hasattr(url, "url") and hasattr(url, "kind"):
        url = url.url  # a lab server stands for its URL
    url = str(url)
    check_line(url, "URL")
    u = urlsplit(url)
    scheme = ALIASES.get(u.scheme.lower(), u.scheme.lower())
    if scheme not in schemes:
        raise error(f"{scheme or '(no scheme)'}:// is not {what} URL ({', '.join(s + '://' for s in schemes)})")
    if u.netloc:
        host = u.hostname
        try:
            port = u.port or SCHEMES[scheme].port
        except ValueError:
            raise error("the URL's port is not a number") from None
        path = unquote(u.path.split(";")[0])
    else:  # scheme:name -> the running lab server of that kind
        srv = lab_server_for(kind)
        if srv is not None:
            host, port = srv.host, srv.port
            lab_scheme = str(srv.url).partition(":")[0]
            if lab_scheme in schemes and SCHEMES[lab_scheme].tls:
                scheme = lab_scheme  # the lab speaks TLS: news: becomes nntps:
        elif hostless is not None:
            host, port = hostless, SCHEMES[scheme].port
        else:
            host, port = "", 0
        path = unquote(u.path.split(";")[0])
    if not host:
        raise error(f"{url!r} has no host")
    if user is None and u.username:
        user = unquote(u.username)
    if password is None and u.password is not None:
        password = unquote(u.password)
    return cls(scheme, host, port, user, password, path)


class Traced:
    """Mix in front of a standard-library client class::

        class TracedPOP3(Traced, poplib.POP3): pass
        TracedPOP3(transcript, host, port, timeout=10)

    The first argument is the :class:`~netbook.transcript.Transcript`; the
    rest go to the client.  The client's socket hook (``_create_socket`` in
    poplib, imaplib and nntplib; ``_get_socket`` in smtplib) returns a traced
    socket, and after STARTTLS (imaplib, smtplib, nntplib) or STLS (poplib)
    the new TLS socket is traced again and the client's file re-made on it.
    http.client connections are traced after ``connect()`` (the TLS socket
    for HTTPS, so the transcript shows the HTTP).  Tracing is idempotent,
    so a client whose ``connect`` also calls the socket hook (smtplib) is
    recorded once.  Clients without such a hook (ftplib) call
    :meth:`_nb_trace` themselves.
    """

    _nb_transcript: Transcript
    sock: Any  # the client's socket (the standard-library class sets it)
    _nb_file_mode = "rb"  # the mode the client makes its file in (nntplib: "rwb", ftplib: "r")

    def __init__(self, transcript: Transcript, *args, **kwargs):
        self._nb_transcript = transcript
        super().__init__(*args, **kwargs)

    def _nb_trace(self, sock):
        return trace_socket(sock, self._nb_transcript)

    def _nb_retrace(self) -> None:
        """After a TLS upgrade: trace the new socket, re-make the file on it."""
        self.sock = self._nb_trace(self.sock)
        if getattr(self, "file", None) is not None:
            if "b" in self._nb_file_mode:
                self.file = self.sock.makefile(self._nb_file_mode)
            else:
                self.file = self.sock.makefile(self._nb_file_mode, encoding=getattr(self, "encoding", "utf-8"))

    def connect(self, *args, **kwargs):  # http.client (smtplib's connect uses _get_socket: traced once)
        r = super().connect(*args, **kwargs)
        self.sock = self._nb_trace(self.sock)
        return r

    def _create_socket(self, timeout=None):  # poplib, imaplib, nntplib
        return self._nb_trace(super()._create_socket(timeout))

    def _get_socket(self, host, port, timeout):  # smtplib
        return self._nb_trace(super()._get_socket(host, port, timeout))

    def starttls(self, *args, **kwargs):  # imaplib, smtplib, nntplib
        r = super().starttls(*args, **kwargs)
        self._nb_retrace()
        return r

    def stls(self, *args, **kwargs):  # poplib
        r = super().stls(*args, **kwargs)
        self._nb_retrace()
        return r


class Closing:
    """A client session that a ``with`` block closes (IMAP, POP3, FTP, news,
    telnet, XML-RPC, the TCP lab client): subclasses define ``close()``."""

    def close(self) -> None:  # pragma: no cover - every subclass defines it
        raise NotImplementedError

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()
