"""What netbook's line-protocol mail servers (POP3, IMAP) share: a threaded
socketserver, a handler reading bounded lines, logging each command before
its final reply is sent, STARTTLS, and password checks."""
from __future__ import annotations

import hmac
import socketserver
import ssl
import time

from ..transcript import redact_line, trace_socket
from .base import LabHandlerMixin, SocketServerLab

__all__ = ["LineServer", "LineHandler", "LineLab"]


class LineServer(socketserver.ThreadingMixIn, socketserver.TCPServer):
    daemon_threads = True
    block_on_close = True
    allow_reuse_address = True
    request_queue_size = 64


class LineTooLong(Exception):
    pass


class LineHandler(LabHandlerMixin, socketserver.StreamRequestHandler):
    """A handler reading CRLF lines (at most ``max_line`` bytes)."""

    timeout = 600
    max_line = 8192

    def setup(self):
        super().setup()
        self._t0 = time.perf_counter()
        self._request = ""
        self._sent = 0
        self.tls = False

    # -- I/O ------------------------------------------------------------------------
    def readline(self) -> bytes | None:
        """One line without its line end; None at end of stream; raises
        LineTooLong (after discarding the rest of the line)."""
        try:
            line = self.rfile.readline(self.max_line + 2)
        except (OSError, ValueError):
            return None
        if not line:
            return None
        if not line.endswith(b"\n"):
            # discard the rest of an over-long line, bounded
            for _ in range(10_000):
                more = self.rfile.readline(65536)
                if not more or more.endswith(b"\n"):
                    break
            raise LineTooLong()
        self._t0 = time.perf_counter()
        self._sent = 0
        return line.rstrip(b"\r\n")

    def commands(self, too_long: str, limit: int = 10_000_000):
        """Each command line, decoded (``self._request`` is set to it), until
        the client hangs up; an over-long line is answered ``too_long``."""
        for _ in range(limit):
            try:
                line = self.readline()
            except LineTooLong:
                self.reply(too_long, "(line too long)")
                continue
            if line is None:
                return
            self._request = line.decode("utf-8", "replace")
            yield self._request

    @staticmethod
    def multiline(status: str, lines=None) -> bytes:
        """A status line and, for a multi-line reply (POP3, NNTP), the lines
        dot-stuffed and the terminating ``.``."""
        out = [status.encode("utf-8", "surrogateescape") + b"\r\n"]
        if lines is not None:
            for ln in lines:
                if isinstance(ln, str):
                    ln = ln.encode("utf-8", "surrogateescape")
                out.append((b"." + ln if ln.startswith(b".") else ln) + b"\r\n")
            out.append(b".\r\n")
        return b"".join(out)

    def read_exact(self, n: int) -> bytes | None:
        data = self.rfile.read(n)
        if data is None or len(data) < n:
            return None
        return data

    def write(self, data: bytes) -> None:
        self._sent += len(data)
        self.wfile.write(data)

    def write_line(self, text: str) -> None:
        self.write(text.encode("utf-8", "surrogateescape") + b"\r\n")

    def log(self, request: str, status: str, detail: str = "") -> None:
        if self.lab is not None:
            self.lab.log_event(self.client_address, redact_line(request)[:300], status, self._sent or None,
                               round((time.perf_counter() - self._t0) * 1000, 3), detail)

    # -- TLS ------------------------------------------------------------------------
    def implicit_tls(self) -> bool:
        """For ``tls=True`` servers (pops, imaps): the TLS handshake before
        anything else.  False if it failed (logged; the session ends)."""
        if not self.lab.tls:
            return True
        try:
            self.start_tls()
            return True
        except (OSError, ssl.SSLError) as e:
            self.log("(TLS handshake)", "failed", f"{type(e).__name__}: {e}")
            return False

    def start_tls(self) -> None:
        ctx = self.lab.tls_context()
        raw = self._raw_request
        tls = ctx.wrap_socket(raw, server_side=True)
        self.lab._track(raw, False)
        self.lab._track(tls, True)
        self._raw_request = tls
        self.request = self.connection = trace_socket(tls, self.transcript, side="server") if self.transcript else tls
        self.rfile = self.connection.makefile("rb", self.rbufsize)
        self.wfile = socketserver._SocketWriter(self.connection)
        self.tls = True


class LineLab(SocketServerLab):
    """A line-protocol lab server (POP3, IMAP, NNTP) over a store, with
    users, STARTTLS or implicit TLS.  (Not :class:`netbook.labs.MailLab`,
    the SMTP+POP3+IMAP trio of ``nb.lab("mail")``.)"""

    handler = LineHandler
    default_tls_port = False

    def __init__(self, store=None, *, name=None, host="127.0.0.1", port=0, users=None, starttls=False, tls=False,
                 hostname="netbook.lab"):
        super().__init__(name=name, host=host, port=port)
        self.tls = bool(tls)
        if self.tls:
            self.scheme = type(self).scheme + "s"  # pops://, imaps://
        from ..mail.store import default_store

        self.store = store if store is not None else default_store()
        self.users = {k.lower(): v for k, v in users.items()} if users else None
        self.starttls = bool(starttls)
        self.hostname = hostname
        self._ctx = None
        self.locked: set[str] = set()

    def make_server(self, address):
        return LineServer(address, self.handler)

    def tls_context(self) -> ssl.SSLContext:
        if self._ctx is None:
            from ..tls import server_context

            self._ctx, self.certfile = server_context(self.hostname)
        return self._ctx

    def _start(self):
        if self.starttls or self.tls:
            self.tls_context()
        super()._start()

    def check_password(self, user: str, password: str) -> bool:
        """Users given: the password must match; none given: any login is
        accepted (a catcher's mailboxes are open to the class)."""
        if self.users is None:
            return True
        expected = self.users.get(user.lower())
        if expected is None:
            hmac.compare_digest(b"x", password.encode("utf-8", "surrogateescape"))
            return False
        return hmac.compare_digest(expected.encode(), password.encode("utf-8", "surrogateescape"))

    def url_for(self, user: str | None = None) -> str:
        return f"{self.scheme}://{(user + '@') if user else ''}{self.host}:{self.port}"

    @property
    def url(self) -> str:
        return self.url_for()
