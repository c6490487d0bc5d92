"""The scheme → opener table behind ``nb.open``, ``nb.fetch`` and ``%fetch``.

urllib picks a handler per scheme (``OpenerDirector``); httpx mounts a
transport per URL prefix.  netbook does the same with one table:
:data:`OPENERS` maps a URL scheme to the function that opens it, named as
``"module:function"`` and imported only when a URL of that scheme is opened.
The HTTP request path (``netbook.http.client``) consults the table without
importing the mail, FTP, news or telnet families, and a family (or a user)
adds a scheme with :func:`register`.

The contract:

- ``nb.open(url, **options)`` opens any scheme and returns that scheme's
  natural object: a :class:`~netbook.http.Response` for ``http``, ``https``,
  ``file``, ``data`` and FTP files; an ``nb.mail.IMAP`` session on the URL's
  folder; an ``nb.mail.POP3`` mailbox; the ``Listing`` of an FTP directory;
  the news view (or one article for ``news:<id>``); a connected
  ``nb.telnet`` client.  Every one of them is :class:`Opened`: it has
  ``_repr_mimebundle_`` and ``.to_frame()``.
- ``nb.fetch(url, ...)`` returns a ``Response`` for the schemes its request
  path speaks (:data:`REQUEST_SCHEMES`); for the others it returns what
  ``nb.open`` returns, passing on ``auth=(user, password)``, ``timeout=``
  and ``verify=``.  Its annotation says so: ``Response | Opened``.
"""
from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any, Callable, Protocol, runtime_checkable
from urllib.parse import urlsplit

from .errors import NetbookError

__all__ = ["Opened", "Opener", "OPENERS", "REQUEST_SCHEMES", "open", "opener_for", "register", "schemes"]

REQUEST_SCHEMES = ("http", "https", "file", "data", "ftp")  # what netbook.http.client.fetch's request path speaks


@runtime_checkable
class Opened(Protocol):
    """What every opener returns: something to look at and compute on."""

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict: ...

    def to_frame(self) -> Any: ...


@dataclass(frozen=True)
class Opener:
    """One row of the table.  ``target`` is ``"module:function"`` (or a
    callable) called as ``target(url, **options)``; ``auth`` says how
    ``fetch``'s ``auth=(user, password)`` is passed (``"password"``,
    ``"user+password"``, or ``""``: not at all); ``takes`` lists the other
    ``fetch`` options it understands; ``returns`` is the doc line."""

    target: str | Callable[..., Any]
    returns: str
    auth: str = "password"
    takes: tuple[str, ...] = ("timeout", "verify")
    directories_only: bool = False  # ftp://: a directory opens a listing, a file goes through the request path

    def function(self) -> Callable[..., Any]:
        if callable(self.target):
            return self.target
        module, _, name = self.target.partition(":")
        return getattr(importlib.import_module(module), name)

    def applies(self, url: str) -> bool:
        if not self.directories_only:
            return True
        path = urlsplit(url).path
        return not path or path.endswith("/")

    def fetch_options(self, auth=None, **given) -> dict:
        """``fetch``'s options, as this opener takes them."""
        out = {k: v for k, v in given.items() if k in self.takes}
        if isinstance(auth, (tuple, list)) and len(auth) == 2:
            if self.auth == "user+password":
                out["user"] = auth[0]
            if self.auth:
                out["password"] = auth[1]
        return out

    def __call__(self, url: str, **options) -> Any:
        return self.function()(url, **options)


_MAIL = "netbook.mail:open_url"
_IMAP = Opener(_MAIL, "an nb.mail.IMAP session on the URL's folder (INBOX by default)")
_POP = Opener(_MAIL, "an nb.mail.POP3 mailbox")
_FTP = Opener("netbook.ftp:open_url", "the Listing of an FTP directory (a file: an nb.Response)", directories_only=True)
_FTPS = Opener("netbook.ftp:open_url", "the Listing of an FTPS directory (files: nb.ftp(url).get)")
_NEWS = Opener("netbook.news:open_url", "the news view (groups, a group's overview), or one article for news:<id>",
               auth="user+password")
_TELNET = Opener("netbook.telnet:telnet", "a connected nb.telnet client (logged in when the URL names a user "
                 "and a password is given)", takes=("timeout",))
_HTTP = Opener("netbook.http.client:fetch", "an nb.Response", auth="", takes=())

OPENERS: dict[str, Opener] = {
    "http": _HTTP, "https": _HTTP, "file": _HTTP, "data": _HTTP,
    "imap": _IMAP, "imaps": _IMAP,
    "pop": _POP, "pops": _POP, "pop3": _POP, "pop3s": _POP,
    "ftp": _FTP, "ftps": _FTPS, "ftpes": _FTPS,
    "nntp": _NEWS, "nntps": _NEWS, "news": _NEWS, "snews": _NEWS,
    "telnet": _TELNET,
}


def schemes() -> list[str]:
    """Every scheme ``nb.open`` / ``nb.fetch`` opens."""
    return list(OPENERS)


def register(scheme: str, target: str | Callable[..., Any], returns: str = "", **how) -> None:
    """Open ``scheme://`` URLs with ``target(url, **options)`` from now on
    (``how``: ``auth=``, ``takes=`` as in :class:`Opener`)."""
    scheme = scheme.lower()
    if scheme in REQUEST_SCHEMES:
        raise NetbookError(f"{scheme}:// is the HTTP request path's; it cannot be re-registered")
    OPENERS[scheme] = Opener(target, returns or f"what {target!r} returns", **how)


def _scheme(url) -> str:
    if not isinstance(url, str):
        return ""
    return urlsplit(url).scheme.lower()


def opener_for(url) -> Opener | None:
    """The opener of ``url`` when it is not the HTTP request path's to
    handle (None: ``fetch`` handles it itself, or it is not a URL)."""
    op = OPENERS.get(_scheme(url))
    if op is None or op is _HTTP or not op.applies(url):
        return None
    return op


def open(url, **options) -> Opened:  # noqa: A001 - nb.open, as urllib's OpenerDirector.open
    """Open ``url`` with its scheme's opener and return what it opens (see
    the module doc).  ``options`` go to the opener as they are: ``fetch``'s
    for HTTP URLs, the family's own otherwise (``nb.open("imap://...",
    password=..., folder="Sent")``).  A lab server stands for its URL."""
    if not isinstance(url, str) and hasattr(url, "url") and hasattr(url, "kind"):
        url = url.url
    scheme = _scheme(url)
    op = OPENERS.get(scheme)
    if op is None:
        raise NetbookError(f"no opener for {scheme or repr(url)}: URLs (known: {', '.join(OPENERS)})")
    if not op.applies(url):
        op = _HTTP  # an ftp:// file: urllib's FTP handler, through the request path
    return op(url, **options)
