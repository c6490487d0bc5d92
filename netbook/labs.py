"""``nb.lab(kind, **options)``: several lab servers over one shared state.

    lab = nb.lab("mail", users={"alice": "pw1", "bob": "pw2"})
    lab.smtp.url, lab.pop3.url, lab.imap.url

The mail lab runs SMTP (the catcher) + POP3 + IMAP over one MailStore; a
recipient's local part names the mailbox.  Its repr shows the three URLs
(passwords never) and a live table of stored messages.
"""
from __future__ import annotations

from typing import Any

__all__ = ["lab", "MailLab", "exercises"]


class MailLab:
    """SMTP + POP3 + IMAP lab servers over one MailStore."""

    kind = "mail"

    def __init__(self, users=None, *, store=None, path=None, name="mail", starttls=False, auth=None,
                 max_size=10 * 1024 * 1024, faults=(), host="127.0.0.1"):
        from .mail.store import MailStore
        from .servers import imap, pop3, smtp

        self.name = name
        self.users = dict(users) if users else None
        self.store = store if store is not None else MailStore(path)
        for u in self.users or ():
            self.store.maildir(u)  # every student has a mailbox from the start
        servers = []
        try:
            self.smtp = smtp.serve(self.store, name=f"{name}-smtp", host=host, users=self.users,
                                   auth=auth if auth is not None else ("optional" if self.users else None),
                                   starttls=starttls, max_size=max_size, faults=faults)
            servers.append(self.smtp)
            self.pop3 = pop3.serve(self.store, name=f"{name}-pop3", host=host, users=self.users, starttls=starttls)
            servers.append(self.pop3)
            self.imap = imap.serve(self.store, name=f"{name}-imap", host=host, users=self.users, starttls=starttls)
            servers.append(self.imap)
        except BaseException:
            for s in servers:
                s.stop()
            raise

    @property
    def servers(self):
        return [self.smtp, self.pop3, self.imap]

    @property
    def urls(self) -> dict:
        return {s.kind: s.url for s in self.servers}

    @property
    def messages(self):
        """The stored messages, live (a streaming Source of deliveries)."""
        return self.store.deliveries

    def to_frame(self):
        return self.store.to_frame()

    def imap_for(self, user: str, **kw):
        """An IMAP session for ``user`` (password from the lab's user list)."""
        from .mail.imap import IMAP

        return IMAP(self.imap.url_for(user), password=(self.users or {}).get(user.lower(), "x"), **kw)

    def pop3_for(self, user: str, **kw):
        from .mail.pop import POP3

        return POP3(self.pop3.url_for(user), password=(self.users or {}).get(user.lower(), "x"), **kw)

    def stop(self) -> None:
        for s in self.servers:
            s.stop()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()

    def __repr__(self):
        users = ", ".join(sorted(self.users)) if self.users else "any"
        lines = [f"<mail lab {self.name!r}: users {users}>"] + [f"  {s.kind:5} {s.url}" for s in self.servers]
        lines.append(f"  {self.store.deliveries.length} messages stored in {self.store.root}")
        return "\n".join(lines)

    def _head_html(self) -> str:
        import html as h

        users = ", ".join(sorted(self.users)) if self.users else "any user"
        return (f"<div class='netbook-lab'><b>mail lab</b> {h.escape(self.name)} — users: {h.escape(users)}<ul>"
                + "".join(f"<li>{s.kind}: <code>{h.escape(s.url)}</code> ({'running' if s.running else 'stopped'})</li>" for s in self.servers)
                + "</ul></div>")

    def _live_static(self) -> tuple[str, str]:
        """text/plain and text/html as they are now (netbook.live keeps saved outputs current)."""
        from .table.static import static_html

        return repr(self), self._head_html() + static_html(self.store.deliveries, rows=10, title="stored messages")

    def _repr_mimebundle_(self, include=None, exclude=None):
        from .table import Table

        head = self._head_html()
        table = Table(self.store.deliveries, formats={"bytes": "size"}, title="stored messages")
        bundle = {}
        try:
            import ipywidgets as w

            bundle = w.VBox([w.HTML(head), table])._repr_mimebundle_(include=include, exclude=exclude) or {}
        except Exception:  # noqa: BLE001
            bundle = {}
        bundle["text/plain"] = repr(self)
        bundle["text/html"] = head + table.static_html()
        return bundle


def lab(kind: str, **options: Any) -> Any:
    """Start a lab of several servers.  Kinds: ``"mail"`` (SMTP + POP3 +
    IMAP over one store; ``users={"alice": "pw1"}``)."""
    if kind == "mail":
        return MailLab(**options)
    if kind == "news":  # one NNTP server with a few groups; options as for nb.serve.nntp
        from .servers.nntp import serve

        options.setdefault("name", "news")
        return serve(**options)
    raise ValueError(f"no lab kind {kind!r}; kinds: mail, news")


def exercises(lab: str, seed: int = 0):
    """The self-checking exercise sheet of a lab (see :mod:`netbook.exercises`)."""
    import importlib

    # by name: the sheets start lab servers (and the mail sheet uses MailLab from here)
    return importlib.import_module("netbook.exercises").exercises(lab, seed)
