"""``nb.mail.POP3(url)``: a POP3 mailbox (poplib) as a Table.

``pop://user@host:port`` (``pops://`` for TLS), ``starttls=True`` for STLS,
``apop=True`` for APOP.  The listing (number, uidl, size, from, subject,
date) comes from TOP n 0, so nothing is marked read; ``retrieve(n)``,
``delete(n)`` (committed at ``close()``), ``reset()``.
"""
from __future__ import annotations

import poplib
import socket
import ssl

from ..connection import Closing, Traced
from ..errors import NetworkError
from ..tls import tls_context
from ..transcript import Transcript
from .message import MailError, MailMessage, quick_headers
from .urls import parse_url

__all__ = ["POP3"]


class _TracedPOP3(Traced, poplib.POP3):
    pass


class _TracedPOP3S(Traced, poplib.POP3_SSL):
    pass


class POP3(Closing):
    """A POP3 mailbox: ``.table()``/``.to_frame()``, ``retrieve(n)``,
    ``delete(n)``, ``reset()``, ``close()``; a context manager."""

    def __init__(self, url=None, *, user=None, password=None, starttls=False, apop=False, timeout=30,
                 cafile=None, verify=True):
        self._reopen_args = (url, dict(user=user, password=password, starttls=starttls, apop=apop, timeout=timeout,
                                       cafile=cafile, verify=verify))
        self.url = parse_url(url, ("pop", "pops"), user=user, password=password, default_kind="pop3")
        if not self.url.user:
            raise MailError("POP3 needs a user: pop://user@host:port")
        self.transcript = Transcript(title=f"POP3 {self.url.masked()}")
        u = self.url
        ctx = tls_context(verify, cafile, host=u.host, port=u.port)
        try:
            if u.tls:
                self._c = _TracedPOP3S(self.transcript, u.host, u.port, timeout=timeout, context=ctx)
            else:
                self._c = _TracedPOP3(self.transcript, u.host, u.port, timeout=timeout)
        except (OSError, socket.timeout) as e:
            raise NetworkError(f"cannot connect to {u.masked()}: {getattr(e, 'strerror', None) or e}") from e
        try:
            if starttls:
                self._c.stls(ctx)
            if apop:
                self._c.apop(u.user, u.password or "")
            else:
                self._c.user(u.user)
                self._c.pass_(u.password or "")
        except poplib.error_proto as e:
            self._c.close()
            raise MailError(f"POP3 login as {u.user!r} refused: {e.args[0].decode(errors='replace') if e.args else e}") from None
        except (OSError, ssl.SSLError) as e:
            self._c.close()
            raise NetworkError(f"POP3 session with {u.masked()} failed: {e}") from e
        self._frame = None
        self.deleted: set[int] = set()

    # -- protocol ---------------------------------------------------------------
    def _call(self, fn, *args):
        try:
            return fn(*args)
        except poplib.error_proto as e:
            raise MailError(f"POP3: {e.args[0].decode(errors='replace') if e.args else e}") from None
        except OSError as e:
            raise NetworkError(f"POP3 connection lost: {e}") from e

    def stat(self) -> tuple[int, int]:
        return self._call(self._c.stat)

    def to_frame(self, refresh: bool = False):
        """number, uidl, size, from, to, subject, date (headers via TOP n 0)."""
        import pandas as pd

        if self._frame is not None and not refresh:
            return self._frame
        sizes = {int(n): int(s) for n, s in (ln.split() for ln in (x.decode() for x in self._call(self._c.list)[1]))}
        uidls = {}
        try:
            uidls = {int(n): u for n, u in (ln.split(None, 1) for ln in (x.decode() for x in self._c.uidl()[1]))}
        except poplib.error_proto:
            pass
        rows = []
        for n in sorted(sizes):
            head = b"\n".join(self._call(self._c.top, n, 0)[1])
            h = quick_headers(head, ("from", "to", "subject", "date"))
            rows.append((n, uidls.get(n, ""), sizes[n], h.get("from", ""), h.get("to", ""), h.get("subject", ""), h.get("date")))
        df = pd.DataFrame(rows, columns=["number", "uidl", "size", "from", "to", "subject", "date"])
        df["date"] = pd.to_datetime(df["date"].map(_parse_date), utc=True)
        self._frame = df
        return df

    def retrieve(self, n: int) -> MailMessage:
        """Message ``n`` (RETR)."""
        resp, lines, _ = self._call(self._c.retr, int(n))
        return MailMessage(b"\r\n".join(lines) + b"\r\n", uid=int(n), folder="INBOX", transcript=self.transcript)

    def __getitem__(self, n):
        return self.retrieve(n)

    def delete(self, n: int) -> None:
        """Mark message ``n`` deleted (removed when the session closes)."""
        self._call(self._c.dele, int(n))
        self.deleted.add(int(n))

    def reset(self) -> None:
        """Unmark every deletion (RSET)."""
        self._call(self._c.rset)
        self.deleted.clear()

    def close(self) -> None:
        """QUIT: commits deletions."""
        try:
            self._c.quit()
        except (poplib.error_proto, OSError):
            self._c.close()

    @property
    def closed(self) -> bool:
        """True after ``close()`` (QUIT) or once the connection is gone."""
        return getattr(self._c, "sock", None) is None

    def reopen(self) -> "POP3":
        """A new session with the same URL, credentials and options."""
        url, kw = self._reopen_args
        return type(self)(url, **kw)

    # -- presenting ---------------------------------------------------------------
    def table(self):
        from ..table import Table

        return Table(self.to_frame(), formats={"size": "size", "number": "id"}, title=f"POP3 {self.url.masked()}")

    def view(self):
        from .view import FolderView

        return FolderView(self)

    def __repr__(self):
        return f"<POP3 {self.url.masked()}: {len(self.to_frame())} messages>"

    def _repr_mimebundle_(self, include=None, exclude=None):
        b = self.view()._repr_mimebundle_(include=include, exclude=exclude)
        b["text/plain"] = repr(self)
        return b

    # the folder-view protocol
    folder_names = ("INBOX",)

    def _view_frame(self, folder):
        return self.to_frame()

    def _view_message(self, folder, key):
        return self.retrieve(int(key))


def _parse_date(v):
    from .store import _date

    return _date(v)
