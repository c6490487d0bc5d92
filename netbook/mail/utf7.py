"""Modified UTF-7, the wire (and Maildir++ on-disk) form of IMAP mailbox
names (RFC 3501 section 5.1.3).

Printable US-ASCII stands for itself, except ``&``, written ``&-``; any other
run of characters is ``&`` + base64 of its UTF-16BE bytes (``,`` for ``/``,
no padding) + ``-``.  ``Entwürfe`` is ``Entw&APw-rfe``, ``日本語`` is
``&ZeVnLIqe-``, ``a&b`` is ``a&-b``.

:func:`decode_mailbox` is strict, as a server must be: only the one
canonical spelling of a name is accepted (no printable ASCII hidden in
base64 such as ``&AC4ALg-`` for ``..``, no two adjacent base64 runs, no
stray bits, no unterminated run, no 8-bit bytes), so one name has one wire
form and one directory on disk.
"""
from __future__ import annotations

import binascii

from ..errors import MailboxNameError

__all__ = ["MailboxNameError", "decode_mailbox", "encode_mailbox"]

_B64 = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,")


def _b64(run: str) -> str:
    try:
        data = run.encode("utf-16be")
    except UnicodeEncodeError:
        raise MailboxNameError(f"mailbox name has a lone surrogate in {run!r}") from None
    return "&" + binascii.b2a_base64(data, newline=False).decode("ascii").rstrip("=").replace("/", ",") + "-"


def encode_mailbox(name: str) -> str:
    """A Unicode mailbox name in modified UTF-7 (always ASCII)."""
    out: list[str] = []
    start = None  # start of the current non-ASCII run
    for i, ch in enumerate(name):
        if " " <= ch <= "~":
            if start is not None:
                out.append(_b64(name[start:i]))
                start = None
            out.append("&-" if ch == "&" else ch)
        elif start is None:
            start = i
    if start is not None:
        out.append(_b64(name[start:]))
    return "".join(out)


def decode_mailbox(wire) -> str:
    """The Unicode name for a modified UTF-7 name (str or bytes); raises
    :class:`MailboxNameError` for anything but the canonical encoding."""
    if isinstance(wire, (bytes, bytearray)):
        try:
            wire = bytes(wire).decode("ascii")
        except UnicodeDecodeError:
            raise MailboxNameError(f"mailbox name {wire!r} is not valid modified UTF-7: 8-bit bytes") from None
    s = str(wire)
    bad = next((c for c in s if not " " <= c <= "~"), None)
    if bad is not None:
        raise MailboxNameError(f"mailbox name {s!r} is not valid modified UTF-7: {bad!r} must be encoded")
    if "&" not in s:
        return s
    out: list[str] = []
    i, n = 0, len(s)
    while i < n:
        j = s.find("&", i)
        if j < 0:
            out.append(s[i:])
            break
        out.append(s[i:j])
        k = s.find("-", j + 1)
        if k < 0:
            raise MailboxNameError(f"mailbox name {s!r} is not valid modified UTF-7: unterminated '&' run")
        run = s[j + 1:k]
        if not run:
            out.append("&")
        else:
            if not _B64.issuperset(run.encode("ascii")) or len(run) % 4 == 1:
                raise MailboxNameError(f"mailbox name {s!r} is not valid modified UTF-7: bad base64 in &{run}-")
            data = binascii.a2b_base64(run.replace(",", "/") + "=" * (-len(run) % 4))
            if len(data) % 2:
                raise MailboxNameError(f"mailbox name {s!r} is not valid modified UTF-7: odd number of bytes in &{run}-")
            try:
                out.append(data.decode("utf-16be"))
            except UnicodeDecodeError:
                raise MailboxNameError(f"mailbox name {s!r} is not valid modified UTF-7: bad UTF-16 in &{run}-") from None
        i = k + 1
    name = "".join(out)
    if encode_mailbox(name) != s:
        raise MailboxNameError(f"mailbox name {s!r} is not valid modified UTF-7: not the canonical form "
                               f"{encode_mailbox(name)!r}")
    return name
