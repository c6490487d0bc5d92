"""Mail URLs: ``smtp://``, ``smtps://``, ``pop://``, ``pops://``,
``imap://user@host:port/INBOX``, ``imaps://``.  A password may ride in the
URL or in ``password=``; it is never shown (``masked()``).

The URL type is the connection layer's :class:`~netbook.connection.ConnURL`
(``MailURL`` is its older name); ``url.name`` is the folder."""
from __future__ import annotations

from ..connection import ConnURL, parse
from ..registry import lab_cafile, lab_server_for

__all__ = ["MailURL", "parse_url", "lab_server_for", "lab_cafile"]

MailURL = ConnURL


def parse_url(url, kinds: tuple[str, ...], *, user=None, password=None, default_kind: str | None = None) -> ConnURL:
    """Parse a mail URL whose scheme is one of ``kinds``.  ``url`` may also be
    a lab server (``lab.imap``) or None (the running lab server)."""
    return parse(url, kinds, user=user, password=password, kind=default_kind)
