"""Mail: send, catch, read.

    nb.mail.send(...)            smtplib, per-recipient results, transcript
    nb.mail.send_many(df, tpl)   a mail merge
    nb.mail.POP3(url)            poplib: the mailbox as a Table
    nb.mail.IMAP(url)            imaplib: folders, search (Q), headers, messages
    nb.mail.open_url(url)        imap://user@host/INBOX or pop://user@host
    nb.mail.MailStore(path)      the lab servers' mailboxes (Maildir)

Lab servers: ``nb.serve.smtp()``, ``nb.serve.pop3()``, ``nb.serve.imap()``,
or all three over one store: ``nb.lab("mail", users=...)``.
"""
from __future__ import annotations

import importlib
from typing import Any

__all__ = ["send", "send_many", "SendResult", "POP3", "IMAP", "Q", "MailMessage", "MailStore", "MailError",
           "FolderView", "open_url", "export", "build_message"]

_NAMES = {
    "send": ".send", "send_many": ".send", "SendResult": ".send", "build_message": ".send",
    "POP3": ".pop", "IMAP": ".imap", "Q": ".imap",
    "MailMessage": ".message", "MailError": ".message", "export": ".message",
    "MailStore": ".store", "FolderView": ".view",
    "MailURL": ".urls",  # the connection layer's ConnURL, by its older name
}


def __getattr__(name):
    mod = _NAMES.get(name)
    if mod is None:
        raise AttributeError(f"module 'netbook.mail' has no attribute {name!r}")
    obj = getattr(importlib.import_module(mod, __name__), name)
    globals()[name] = obj
    return obj


def __dir__():
    return sorted(set(globals()) | set(_NAMES))


def open_url(url: str, **options: Any) -> Any:
    """Open ``imap[s]://user[:pw]@host[:port]/FOLDER`` as an IMAP session on
    that folder, or ``pop[s]://user@host[:port]`` as a POP3 mailbox (what
    ``nb.fetch`` / ``%fetch`` call for these schemes).  ``password=`` may be
    given here instead of in the URL; it is masked in every repr."""
    from urllib.parse import urlsplit

    scheme = urlsplit(str(url)).scheme.lower()
    if scheme in ("imap", "imaps"):
        from .imap import IMAP

        return IMAP(url, **options)
    if scheme in ("pop", "pops", "pop3", "pop3s"):
        from .pop import POP3

        return POP3(url, **options)
    from ..errors import NetbookError

    raise NetbookError(f"open_url: {scheme or '(no scheme)'}:// is not a mail URL (imap, imaps, pop, pops)")
