"""``serve.smtp()``: the mail catcher, an aiosmtpd server over a MailStore.

Modes cover smtpd's documented servers: ``"store"`` (default: one mailbox
per recipient's local part), ``"debug"`` (print each message, like
``DebuggingServer``) and ``"relay"`` (forward to another SMTP server, like
``PureProxy``).  AUTH PLAIN/LOGIN against a user list (or ``auth="any"``),
STARTTLS with a generated certificate, a size limit (552) and scripted
faults for labs::

    srv = nb.serve.smtp(faults=["RCPT 3 452 4.5.3 Too many recipients",
                                "DATA delay 2", "MAIL drop"])

Every command is a row in ``srv.log``; every session a Transcript in
``srv.transcripts`` (AUTH masked).
"""
from __future__ import annotations

import asyncio
import email.utils
import contextlib
import functools
import hmac
import re
import sys
import time
import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult

from ..transcript import CLIENT, SERVER, redact_line
from . import liblog
from .base import LabServer, free_port

__all__ = ["SMTPLab", "serve", "Fault", "parse_fault"]



class _QuietLoginData(logging.Filter):
    """aiosmtpd itself sets its deprecated ``login_data`` after every AUTH
    and logs a warning about it; that is not the user's concern."""

    def filter(self, record):
        return "login_data is deprecated" not in record.getMessage()


logging.getLogger("mail.log").addFilter(_QuietLoginData())
liblog.install()


@dataclass
class Fault:
    """A scripted fault: on the ``nth`` (per session; 0 = every) ``command``,
    reply ``reply`` instead of running it, wait ``delay`` seconds first, or
    ``drop`` the connection without a reply."""

    command: str
    nth: int = 0
    reply: str = ""
    delay: float = 0.0
    drop: bool = False

    def __str__(self):
        what = "drop" if self.drop else (f"delay {self.delay:g}" if self.delay else self.reply)
        return f"{self.command}{' ' + str(self.nth) if self.nth else ''} {what}"


_FAULT = re.compile(r"^\s*([A-Za-z]{4,8})\s+(?:#?(\d+)\s+)?(drop|delay\s+(\d+(?:\.\d+)?)|([2-5]\d\d(?:[ -].*)?))\s*$", re.I)


def parse_fault(spec) -> Fault:
    """``"RCPT 3 452 4.5.3 Too many recipients"``, ``"DATA delay 2"``,
    ``"MAIL drop"`` (or a dict / Fault)."""
    if isinstance(spec, Fault):
        return spec
    if isinstance(spec, dict):
        return Fault(**{**spec, "command": spec["command"].upper()})
    m = _FAULT.match(str(spec))
    if not m or any(c in str(spec) for c in "\r\n"):
        raise ValueError(f"fault {spec!r} not understood; e.g. 'RCPT 3 452 Too many recipients', 'DATA delay 2', 'MAIL drop'")
    cmd, nth, action, delay, reply = m.groups()
    return Fault(cmd.upper(), int(nth or 0), reply or "", float(delay or 0), action.lower() == "drop")


@functools.lru_cache(maxsize=2048)
def _parse_address(arg: str, local_part_limit: int):
    """aiosmtpd's own MAIL/RCPT address parsing, remembered: a lab sees the
    same few addresses again and again, and each parse builds a class and
    runs the email header parser (a third of aiosmtpd's time per message)."""
    probe = SMTP.__new__(SMTP)
    probe.local_part_limit = local_part_limit
    return SMTP._getaddr(probe, arg)


class LabSMTP(SMTP):
    """aiosmtpd's SMTP with a transcript per session, a log row per command
    and scripted faults."""

    def _getaddr(self, arg):
        try:
            if len(arg) > 512:  # not worth remembering (and RFC 5321 paths are shorter)
                return super()._getaddr(arg)
            return _parse_address(arg, self.local_part_limit)
        except (IndexError, ValueError):
            # the email parser fails on some paths ("MAIL FROM:<" -> IndexError): a
            # syntax error for the client (501), not a session exception
            return None, None

    def __init__(self, handler, lab: "SMTPLab", **kwargs):
        super().__init__(handler, **kwargs)
        self._auth_required = lab.auth == "required"  # see SMTPLab._start
        self.lab = lab
        self.transcript = None
        self._counts: dict[str, int] = {}
        self._status = ""
        self._logged_row = True
        self._detail = ""
        self._peer = None  # "host:port", once known
        for name, method in list(self._smtp_methods.items()):
            self._smtp_methods[name] = self._logged(name, method)

    async def challenge_auth(self, *args, **kwargs):
        # an AUTH answer longer than the stream's limit made readline() raise
        # ValueError: a session exception in aiosmtpd (found by the fuzzer);
        # readline already dropped the line, so the session can go on
        from aiosmtpd.smtp import MISSING

        try:
            return await super().challenge_auth(*args, **kwargs)
        except ValueError:
            await self.push("500 5.5.6 AUTH line too long")
            return MISSING

    def _logged(self, name, method):
        async def run(arg):
            self._t0 = time.perf_counter()
            self._status = ""
            self._nbytes = None
            self._logged_row = False
            req = name + (" " + arg if arg else "")
            # only AUTH (or a URL with a password) can carry a secret; skip the regexes otherwise
            self._request = (redact_line(req) if name == "AUTH" or "://" in req else req)[:300]
            n = self._counts[name] = self._counts.get(name, 0) + 1
            fault = self.lab._fault_for(name, n)
            self._detail = f"fault: {fault}" if fault is not None else ""
            try:
                if fault is not None:
                    if fault.delay:
                        await asyncio.sleep(fault.delay)
                    if fault.drop:
                        self._status = "dropped"
                        self._log_row()
                        self.transport.close()
                        return
                    if fault.reply:
                        await self.push(fault.reply)
                        return
                await method(arg)
            finally:
                self._log_row()

        return run

    def note(self, text: str) -> None:
        """Add to the detail column of the current command's log row."""
        self._detail = f"{self._detail}; {text}" if self._detail else text

    def _log_row(self):
        """One row per command, written before its final reply is sent (so
        a client that has its answer finds the row already logged)."""
        if self._logged_row:
            return
        self._logged_row = True
        peer = self._peer
        if peer is None:
            p = self.session.peer if self.session else ""
            peer = self._peer = f"{p[0]}:{p[1]}" if isinstance(p, tuple) else str(p or "")
        self.lab.log_event(peer, self._request, self._status, self._nbytes,
                           round((time.perf_counter() - self._t0) * 1000, 3), self._detail)

    def connection_made(self, transport):
        if self.transcript is None:
            peer = transport.get_extra_info("peername")
            self.transcript = self.lab.new_transcript(peer)
        super().connection_made(transport)

    def data_received(self, data):
        if self.transcript is not None:
            self.transcript.record(CLIENT, data)
        super().data_received(data)

    async def push(self, status):
        # aiosmtpd echoes the client's command in some replies ('500 Error: command
        # "MA\rIL" not recognized'): a bare CR/LF there would break the reply's framing
        if isinstance(status, str) and any(c in status for c in "\r\n\0"):
            status = status.replace("\r", "\\r").replace("\n", "\\n").replace("\0", "\\0")
        elif isinstance(status, bytes) and any(c in status for c in b"\r\n\0"):
            status = status.replace(b"\r", b"\\r").replace(b"\n", b"\\n").replace(b"\0", b"\\0")
        if isinstance(status, str):
            # an echoed non-UTF-8 byte arrives as a lone surrogate: escaped, not a
            # UnicodeEncodeError that ends the session (found by benchmarks/fuzz.py)
            line = status.encode("utf-8", "backslashreplace")
            status = text = line.decode("utf-8")
        else:
            text, line = status.decode("utf-8", "replace"), status
        if self.transcript is not None:
            self.transcript.record(SERVER, line + b"\r\n")
        self._status = text[:3]
        if text[3:4] != "-" and text[:1] != "3" and getattr(self, "_logged_row", True) is False:
            self._log_row()
        await super().push(status)


#: messages up to this size are stored on the event loop, bigger ones by a worker thread
INLINE_DELIVERY_BYTES = 256 * 1024

_date_cache: tuple[int, str] = (0, "")


def _rfc5322_now() -> str:
    """``formatdate()`` for the current second (computed once per second)."""
    global _date_cache
    now = int(time.time())
    if _date_cache[0] != now:
        _date_cache = (now, email.utils.formatdate(now, localtime=False))
    return _date_cache[1]


class CatcherHandler:
    """The aiosmtpd handler: checks recipients, stores, prints or relays."""

    def __init__(self, lab: "SMTPLab"):
        self.lab = lab

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        # aiosmtpd reads pipelined commands one after another already (RFC 2920):
        # say so, so that clients like swaks --pipeline send them in groups
        session.host_name = hostname
        return responses[:-1] + ["250-PIPELINING"] + responses[-1:]

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        from ..mail.store import StoreError, check_user

        local = address.rpartition("@")[0] or address
        if self.lab.mode == "store":
            try:
                user = check_user(local)
            except StoreError:
                return "553 5.1.3 mailbox name refused"
            if self.lab.users is not None and user not in self.lab.users and not self.lab.accept_any_recipient:
                return "550 5.1.1 no such mailbox"
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(rcpt_options)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server, session, envelope):
        from ..mail.store import check_user

        content = envelope.original_content or b""
        server._nbytes = len(content)
        peer = session.peer[0] if session.peer else "unknown"
        when = _rfc5322_now()
        proto = "ESMTP" + ("S" if session.ssl else "") + ("A" if session.authenticated else "")
        received = (
            f"Received: from {session.host_name or 'unknown'} ([{peer}])\r\n\tby {self.lab.hostname} (netbook) "
            f"with {proto};\r\n\t{when}\r\n"
        ).encode()
        mode = self.lab.mode
        if mode == "debug":
            print(f"---------- MESSAGE FOLLOWS ----------\nX-Peer: {peer}\nX-MailFrom: {envelope.mail_from}\n"
                  f"X-RcptTo: {', '.join(envelope.rcpt_tos)}\n{content.decode('utf-8', 'replace')}\n"
                  "------------ END MESSAGE ------------", file=self.lab.output)
            self.lab.caught.append(content)
            return "250 2.0.0 OK (printed)"
        if mode == "relay":
            loop = asyncio.get_running_loop()
            try:
                refused = await loop.run_in_executor(self.lab._executor, self.lab._relay, envelope.mail_from,
                                                     list(envelope.rcpt_tos), received + content)
            except Exception as e:  # noqa: BLE001 - the reply names it
                code = getattr(e, "smtp_code", 451)
                server.note(f"relay failed: {type(e).__name__}")
                return f"{code if 400 <= int(code) < 600 else 451} 4.4.0 relay failed: {type(e).__name__}"
            server.note(f"relayed to {self.lab.relay}" + (f", refused {sorted(refused)}" if refused else ""))
            return "250 2.0.0 OK relayed"
        def deliver():
            out, done = [], []
            try:
                for rcpt in envelope.rcpt_tos:
                    user = check_user(rcpt.rpartition("@")[0] or rcpt)
                    data = f"Return-Path: <{envelope.mail_from}>\r\nDelivered-To: {rcpt}\r\n".encode() + received + content
                    e = self.lab.store.deliver(user, data)
                    done.append((user, e))
                    out.append(f"{user}#{e.uid}")
            except BaseException:
                # all or nothing: the client will send it again after a 4xx, so the
                # copies already stored for other recipients are taken back
                for user, e in done:
                    with contextlib.suppress(Exception):
                        self.lab.store.folder(user, "INBOX").remove([e])
                raise
            return out

        # The 250 is sent only once the message is written and indexed.  A
        # lab-sized message is written right here, on the event loop: a few
        # file system calls (~0.1 ms) cost less than handing the job to a
        # thread, whose every system call must win the GIL back from the
        # loop.  Big messages go to a worker thread, so one large DATA
        # never stalls the other sessions.
        try:
            if len(content) <= INLINE_DELIVERY_BYTES:
                stored = deliver()
            else:
                stored = await asyncio.get_running_loop().run_in_executor(self.lab._executor, deliver)
        except Exception as e:  # noqa: BLE001 - the client gets a 4xx, the server lives
            from ..mail.store import storage_full

            server.note(f"store failed: {type(e).__name__}: {e}")
            if storage_full(e):
                return "452 4.3.1 insufficient system storage: the mail store is full; nothing was stored"
            return f"451 4.3.0 could not store the message ({getattr(e, 'strerror', None) or type(e).__name__}); nothing was stored"
        server.note("stored " + ", ".join(stored))
        return f"250 2.0.0 OK stored {len(stored)} cop{'y' if len(stored) == 1 else 'ies'}"


class _Controller(Controller):
    def __init__(self, lab, handler, **kwargs):
        self.lab = lab
        super().__init__(handler, **kwargs)

    def factory(self):
        return LabSMTP(self.handler, self.lab, **self.SMTP_kwargs)


class SMTPLab(LabServer):
    kind = "smtp"
    scheme = "smtp"

    def __init__(self, store=None, *, name=None, host="127.0.0.1", port=0, mode="store", users=None,
                 auth=None, relay=None, max_size=10 * 1024 * 1024, starttls=False, tls=False, faults=(),
                 hostname="netbook.lab", accept_any_recipient=False, output=None):
        super().__init__(name=name, host=host, port=port)
        from ..mail.store import default_store

        if mode not in ("store", "debug", "relay"):
            raise ValueError("mode must be 'store', 'debug' or 'relay'")
        if mode == "relay" and not relay:
            raise ValueError("mode='relay' needs relay='smtp://host:port'")
        if auth not in (None, "optional", "required", "any"):
            raise ValueError("auth must be None, 'optional', 'required' or 'any'")
        self.store = store if store is not None else default_store()
        self.mode = mode
        self.users = {k.lower(): v for k, v in users.items()} if users else None
        self.auth = auth
        self.relay = relay
        self.max_size = int(max_size)
        self.starttls = bool(starttls)
        self.tls = bool(tls)
        if self.tls:
            self.scheme = "smtps"
        self.hostname = hostname
        self.accept_any_recipient = accept_any_recipient
        self.faults = [parse_fault(f) for f in faults]
        self.output = output or sys.stdout
        self.caught: list[bytes] = []

    # -- faults -----------------------------------------------------------------
    def fault(self, spec) -> Fault:
        """Add a scripted fault while the server runs."""
        f = parse_fault(spec)
        self.faults.append(f)
        return f

    def clear_faults(self):
        self.faults.clear()

    def _fault_for(self, command, n):
        for f in self.faults:
            if f.command == command and (f.nth == 0 or f.nth == n):
                return f
        return None

    # -- auth and relay -----------------------------------------------------------
    def _authenticator(self, server, session, envelope, mechanism, auth_data):
        try:
            login = auth_data.login.decode("utf-8")
            password = auth_data.password.decode("utf-8")
        except (AttributeError, UnicodeDecodeError):
            return AuthResult(success=False, handled=False)
        if self.auth == "any":
            ok = True
        else:
            expected = (self.users or {}).get(login.lower())
            ok = expected is not None and hmac.compare_digest(expected.encode(), password.encode())
        server.note(f"auth {'ok' if ok else 'failed'} for {login}")
        return AuthResult(success=ok, handled=False, auth_data=login)

    def _relay(self, mail_from, rcpts, data):
        import smtplib
        from urllib.parse import urlsplit

        u = urlsplit(self.relay)
        cls = smtplib.SMTP_SSL if u.scheme == "smtps" else smtplib.SMTP
        with cls(u.hostname or "127.0.0.1", u.port or (465 if u.scheme == "smtps" else 25), timeout=10) as c:
            return c.sendmail(mail_from, rcpts, data)

    # -- lifecycle ----------------------------------------------------------------
    def _start(self):
        kwargs = dict(hostname=self.host, port=self.port or free_port(self.host), server_hostname=self.hostname,
                      data_size_limit=self.max_size, ready_timeout=10)
        if self.auth:
            # AUTH in the clear is what a loopback lab teaches, on purpose (starttls=True
            # offers TLS): LabSMTP requires AUTH itself, so aiosmtpd's warning about
            # "AUTH without TLS" (printed once per connection) is not raised
            kwargs.update(authenticator=self._authenticator, auth_require_tls=False)
        if self.starttls or self.tls:
            from ..tls import server_context

            ctx, self.certfile = server_context(self.hostname)
            if self.starttls:
                kwargs.update(tls_context=ctx, require_starttls=False)
            if self.tls:
                kwargs.update(ssl_context=ctx)
        # relays, and deliveries of big messages
        self._executor = ThreadPoolExecutor(2, thread_name_prefix=f"netbook-smtp-io-{self.name}",
                                            initializer=liblog.attach, initargs=(self,))
        self.controller = _Controller(self, CatcherHandler(self), **kwargs)
        try:
            self.controller.start()
        except BaseException:
            self._executor.shutdown(wait=False)
            raise
        self.controller._thread.name = f"netbook-smtp-{self.name}"
        liblog.attach(self, self.controller._thread)  # aiosmtpd's warnings become log rows
        self.port = self.controller.port
        self.transcripts.clear()  # the controller's readiness probe is not a session
        if self.auth == "required" and not (self.tls or self.starttls):
            self.log_event("", "(start)", "note", None, None,
                           "AUTH required in the clear: a loopback lab, on purpose (starttls=True offers TLS)")

    def _stop(self):
        try:
            self.controller.stop()
        finally:
            self._executor.shutdown(wait=True)

    @property
    def url(self) -> str:
        return f"{self.scheme}://{self.host}:{self.port}"

    @property
    def messages(self):
        """The stored messages (all mailboxes) as a Table."""
        return self.store.table()

    def __repr__(self):
        extra = f" mode={self.mode}" + (f" auth={self.auth}" if self.auth else "") + (" starttls" if self.starttls else "")
        if self.faults:
            extra += f" faults=[{'; '.join(map(str, self.faults))}]"
        return super().__repr__()[:-1] + extra + ">"


def serve(store=None, *, name=None, host="127.0.0.1", port=0, mode="store", users=None, auth=None, relay=None,
          max_size=10 * 1024 * 1024, starttls=False, tls=False, faults=(), hostname="netbook.lab",
          accept_any_recipient=False, output=None) -> SMTPLab:
    """Start the SMTP mail catcher on 127.0.0.1 (a free port).

    ``store``: a MailStore (default: the shared temporary one);
    ``mode``: ``"store"`` | ``"debug"`` | ``"relay"`` (with ``relay=URL``);
    ``users``: ``{"alice": "pw"}`` for AUTH and to accept only those
    recipients; ``auth``: None | ``"optional"`` | ``"required"`` | ``"any"``;
    ``max_size``: bytes (bigger messages get 552); ``starttls=True``: a
    generated certificate (``srv.cert``); ``tls=True``: SMTP over TLS from
    the first byte (``smtps://``); ``faults``: scripted failures.
    """
    return SMTPLab(store, name=name, host=host, port=port, mode=mode, users=users, auth=auth, relay=relay,
                   max_size=max_size, starttls=starttls, tls=tls, faults=faults, hostname=hostname,
                   accept_any_recipient=accept_any_recipient, output=output).start()
