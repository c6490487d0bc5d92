"""``serve.pop3()``: netbook's own POP3 server (RFC 1939, CAPA RFC 2449,
STLS RFC 2595) on socketserver, over a MailStore's INBOXes.

USER/PASS, APOP, STAT, LIST, UIDL, TOP, RETR, DELE, RSET, NOOP, QUIT;
malformed commands get ``-ERR``, never a dead server.  Logins: with
``users={"alice": "pw"}`` passwords are checked; without, any login opens
the mailbox of that name (catcher style).
"""
from __future__ import annotations

import hashlib
import hmac
import os
import time

from ._mailcommon import LineHandler, LineLab

__all__ = ["POP3Lab", "serve"]


class POP3Handler(LineHandler):
    def handle(self):
        if not self.implicit_tls():
            return
        self.stamp = f"<{os.getpid()}.{time.time_ns()}@{self.lab.hostname}>"
        self.user = None
        self.folder = None
        self.mails = []
        self.deleted: set[int] = set()
        self.reply(f"+OK netbook POP3 server ready {self.stamp}", "", log=False)
        try:
            for text in self.commands("-ERR line too long"):
                cmd, _, arg = text.partition(" ")
                cmd = cmd.upper()
                method = getattr(self, "do_" + cmd, None) if cmd.isalpha() else None
                if method is None:
                    self.reply("-ERR unknown command", text)
                    continue
                if cmd not in ("CAPA", "QUIT", "NOOP", "USER", "PASS", "APOP", "STLS", "AUTH") and self.folder is None:
                    self.reply("-ERR log in first", text)
                    continue
                try:
                    if method(arg.strip()) == "quit":
                        break
                except (ValueError, IndexError):
                    self.reply("-ERR syntax error", text)
                except (ConnectionError, TimeoutError):
                    break
                except Exception as e:  # noqa: BLE001 - a bug must not kill the session
                    self.reply(f"-ERR server error ({type(e).__name__})", text, detail=f"internal error: {e}")
        except OSError:
            pass
        finally:
            if self.user and self.folder is not None:
                self.lab.locked.discard(self.user)

    def reply(self, status: str, request: str | None = None, lines=None, detail: str = "", log: bool = True):
        if log:
            self._sent += len(status) + 2 + sum(len(x) + 2 for x in lines or ())
            self.log(request if request is not None else self._request, status.split(" ", 1)[0], detail)
        self.wfile.write(self.multiline(status, lines))

    # -- authorization ----------------------------------------------------------------
    def do_CAPA(self, arg):
        caps = ["USER", "TOP", "UIDL", "RESP-CODES", "PIPELINING", "AUTH-RESP-CODE", "SASL PLAIN", "IMPLEMENTATION netbook"]
        if self.lab.starttls and not self.tls:
            caps.append("STLS")
        self.reply("+OK capability list follows", lines=caps)

    def do_STLS(self, arg):
        if not self.lab.starttls or self.tls or self.folder is not None:
            return self.reply("-ERR STLS not available")
        self.reply("+OK begin TLS negotiation")
        self.start_tls()

    def do_USER(self, arg):
        if self.folder is not None:
            return self.reply("-ERR already logged in")
        if not arg:
            return self.reply("-ERR USER needs a name")
        self.user = arg
        self.reply("+OK send PASS")

    def do_PASS(self, arg):
        if self.folder is not None or not self.user:
            return self.reply("-ERR USER first")
        self._login(self.user, self.lab.check_password(self.user, arg))

    def do_APOP(self, arg):
        if self.folder is not None:
            return self.reply("-ERR already logged in")
        name, _, digest = arg.partition(" ")
        ok = False
        if name and digest:
            if self.lab.users is None:
                ok = True
            elif name.lower() in self.lab.users:
                want = hashlib.md5((self.stamp + self.lab.users[name.lower()]).encode()).hexdigest()
                ok = hmac.compare_digest(want, digest.strip().lower())
        self._login(name, ok)

    def do_AUTH(self, arg):
        import base64

        mech, _, initial = arg.partition(" ")
        if not mech:
            return self.reply("+OK", lines=["PLAIN"])
        if mech.upper() != "PLAIN" or self.folder is not None:
            return self.reply("-ERR unsupported mechanism")
        if not initial:
            self.write(b"+ \r\n")
            line = self.readline()
            if line is None:
                return "quit"
            initial = line.decode("ascii", "replace")
        try:
            _, user, pw = base64.b64decode(initial, validate=True).decode("utf-8").split("\0")
        except (ValueError, UnicodeDecodeError):
            return self.reply("-ERR malformed AUTH PLAIN data")
        self._login(user, self.lab.check_password(user, pw))

    def _login(self, user, ok):
        from ..mail.store import StoreError

        if not ok:
            self.user = None
            return self.reply("-ERR [AUTH] invalid user name or password", detail="login failed")
        try:
            folder = self.lab.store.folder(user, "INBOX", create=True)
        except StoreError as e:
            self.user = None
            return self.reply(f"-ERR [AUTH] {e}")
        user = folder.user
        if user in self.lab.locked:
            self.user = None
            return self.reply("-ERR [IN-USE] maildrop already locked")
        self.lab.locked.add(user)
        self.user = user
        folder.refresh()
        self.folder = folder
        self.mails = folder.snapshot()
        n, size = self._stat()
        self.reply(f"+OK {user} has {n} messages ({size} octets)", detail=f"logged in as {user}")

    # -- transaction --------------------------------------------------------------------
    def _stat(self):
        live = [(i, e) for i, e in enumerate(self.mails, 1) if i not in self.deleted]
        return len(live), sum(self.folder.size(e) for _, e in live)

    def _msg(self, arg):
        n = int(arg.split()[0])
        if not 1 <= n <= len(self.mails) or n in self.deleted:
            raise LookupError(n)
        return n, self.mails[n - 1]

    def _with_msg(self, arg, fn):
        try:
            n, e = self._msg(arg)
        except LookupError:
            return self.reply("-ERR no such message")
        except ValueError:
            return self.reply("-ERR syntax error")
        return fn(n, e)

    def do_STAT(self, arg):
        n, size = self._stat()
        self.reply(f"+OK {n} {size}")

    def do_LIST(self, arg):
        if arg:
            return self._with_msg(arg, lambda n, e: self.reply(f"+OK {n} {self.folder.size(e)}"))
        n, size = self._stat()
        self.reply(f"+OK {n} messages ({size} octets)",
                   lines=[f"{i} {self.folder.size(e)}" for i, e in enumerate(self.mails, 1) if i not in self.deleted])

    def _uidl(self, e):
        return hashlib.md5(e.key.encode()).hexdigest()

    def do_UIDL(self, arg):
        if arg:
            return self._with_msg(arg, lambda n, e: self.reply(f"+OK {n} {self._uidl(e)}"))
        self.reply("+OK unique-id listing follows",
                   lines=[f"{i} {self._uidl(e)}" for i, e in enumerate(self.mails, 1) if i not in self.deleted])

    def _lines(self, data: bytes):
        return data.split(b"\r\n")[:-1] if data.endswith(b"\r\n") else data.split(b"\r\n")

    def do_RETR(self, arg):
        def send(n, e):
            from ..mail.store import StoreError

            try:
                data = self.folder.wire(e)
            except StoreError:
                return self.reply("-ERR message was removed by another session")
            self.reply(f"+OK {len(data)} octets", lines=self._lines(data))
        return self._with_msg(arg, send)

    def do_TOP(self, arg):
        parts = arg.split()
        if len(parts) != 2 or not parts[1].isdigit():
            return self.reply("-ERR usage: TOP msg n")
        count = int(parts[1])

        def send(n, e):
            data = self.folder.wire(e)
            head, sep, body = data.partition(b"\r\n\r\n")
            lines = self._lines(head + b"\r\n") + [b""] + (self._lines(body)[:count] if sep else [])
            self.reply("+OK top of message follows", lines=lines)
        return self._with_msg(arg, send)

    def do_DELE(self, arg):
        def dele(n, e):
            self.deleted.add(n)
            self.reply(f"+OK message {n} deleted")
        return self._with_msg(arg, dele)

    def do_RSET(self, arg):
        self.deleted.clear()
        n, size = self._stat()
        self.reply(f"+OK maildrop has {n} messages ({size} octets)")

    def do_NOOP(self, arg):
        self.reply("+OK")

    def do_QUIT(self, arg):
        if self.folder is not None and self.deleted:
            removed = self.folder.remove([self.mails[i - 1] for i in sorted(self.deleted)])
            self.reply(f"+OK netbook POP3 server signing off ({len(removed)} messages deleted)", detail=f"deleted {len(removed)}")
        else:
            self.reply("+OK netbook POP3 server signing off")
        return "quit"


class POP3Lab(LineLab):
    kind = "pop3"
    scheme = "pop"
    handler = POP3Handler


def serve(store=None, *, name=None, host="127.0.0.1", port=0, users=None, starttls=False, tls=False,
          hostname="netbook.lab") -> POP3Lab:
    """Start netbook's POP3 server over ``store`` (default: the shared
    temporary store) on 127.0.0.1 (a free port).  ``users={"alice": "pw"}``
    checks passwords (USER/PASS, APOP, AUTH PLAIN); ``starttls=True`` offers
    STLS with a generated certificate (``srv.cert``); ``tls=True`` speaks
    POP3 over TLS from the first byte (``pops://``)."""
    return POP3Lab(store, name=name, host=host, port=port, users=users, starttls=starttls, tls=tls,
                   hostname=hostname).start()
