"""``serve.ftp()``: an FTP lab server on pyftpdlib (DESIGN principle 1).

    srv = nb.serve.ftp()                                   # temp root, alice/pw + anonymous
    srv = nb.serve.ftp("site", users={"bob": "pw"}, anonymous=True, writable=False)
    srv = nb.serve.ftp(tls=True)                           # explicit FTPS (AUTH TLS) required

Layout: the root (a temporary directory by default) is the anonymous area,
read-only unless ``writable=True``; every user of ``users`` has a home
``root/<name>`` (created), chrooted, writable unless ``writable=False``,
and hidden from anonymous.  pyftpdlib resolves every path (symlinks too)
inside the session's home: ``../../etc/passwd`` and absolute paths stay
inside it or get 550.  PORT/EPRT to a foreign address (FTP bounce) and to
privileged ports are refused (pyftpdlib defaults, kept).  ``max_upload``
bounds one upload (552, the partial file removed).  Files whose names hold
CR/LF are left out of listings (they would inject fake entries).

The live ``.log`` has one row per command, appended before its final reply
is sent (PASS masked; RETR/STOR rows carry bytes and duration of the
transfer).  ``.transcripts`` hold each session's control connection plus a
one-line summary of every data connection.
"""
from __future__ import annotations

import hmac
import logging
import os
import shutil
import tempfile
import threading
import time
import warnings

from ..ftp.transcript import FTPTranscript
from ..transcript import CLIENT, SERVER
from . import liblog
from .base import LabServer

__all__ = ["FTPLab", "FTPTranscript", "serve"]


liblog.install()  # before pyftpdlib sees no handler and adds its own, on stderr

READ_PERM = "elr"
WRITE_PERM = "elradfmwMT"


def _handler_classes(tls: bool):
    from pyftpdlib.filesystems import AbstractedFS
    from pyftpdlib.handlers import DTPHandler, FTPHandler

    class LabFS(AbstractedFS):
        """Names with CR/LF cannot cross an FTP listing (one entry per line):
        they are left out rather than inject fake entries into a client's view."""

        def listdir(self, path):
            return [n for n in super().listdir(path) if "\r" not in n and "\n" not in n and PART not in n]

        def open(self, filename, mode):
            # STOR writes a hidden part file beside the target, renamed over it
            # only when the upload completed: a client killed mid-transfer, a full
            # disk or an over-quota upload never leaves a partial file in view
            if mode != "wb":
                return super().open(filename, mode)
            folder, base = os.path.split(filename)
            try:
                fd, part = tempfile.mkstemp(prefix=f".{base[:100]}", suffix=PART, dir=folder)
            except OSError as e:  # read-only, full: say 451/552, not pyftpdlib's 550
                self.cmd_channel._storage_error = e
                raise
            os.close(fd)
            f = open(part, "wb")  # noqa: SIM115 - pyftpdlib closes it
            f.netbook_final = filename
            return f

    if tls:
        from pyftpdlib.handlers import TLS_DTPHandler, TLS_FTPHandler

        base_ctrl, base_dtp = TLS_FTPHandler, TLS_DTPHandler
    else:
        base_ctrl, base_dtp = FTPHandler, DTPHandler

    class LabDTP(base_dtp):
        """Counts the transfer for the log row; enforces ``max_upload``."""

        def handle_read_event(self):  # (TLS: through SSLConnectionMixin) -> DTPHandler.handle_read
            super().handle_read_event()
            self._check_quota()

        def _check_quota(self):
            lab = self.cmd_channel.lab
            limit = lab.max_upload
            if limit is None or not self.receive or self._closed:
                return
            if self.tot_bytes_received > limit and not getattr(self, "_over_quota", False):
                # over the quota: remove what was stored, drain (discard) the rest so
                # the client reads a clean 552 instead of a broken pipe
                self._over_quota = True
                name = getattr(self.file_obj, "name", "")
                if self.file_obj is not None and not self.file_obj.closed:
                    self.file_obj.close()
                try:
                    os.remove(name)
                except OSError:
                    pass
                self.file_obj = _Sink(name)
            if getattr(self, "_over_quota", False) and self.tot_bytes_received > max(4 * limit, 64 << 20):
                self._quota_reply()
                self.close()  # a client that will not stop: cut it off

        def handle_error(self):
            # a write failed (disk full, read-only file system): 552/451 instead
            # of pyftpdlib's "426 ...", and the part file goes (see close)
            import sys

            exc = sys.exc_info()[1]
            inner = exc.args[0] if exc is not None and exc.args and isinstance(exc.args[0], OSError) else exc
            if self.receive and isinstance(inner, OSError) and not self._closed:
                self._failed = True
                self._resp = (_storage_reply(inner), logging.getLogger("pyftpdlib").warning)
                self.close()
                return
            super().handle_error()

        def _finish_part(self):
            """Rename the part file over its target when the upload completed
            (and the client is still there), else remove it."""
            f = self.file_obj
            final = getattr(f, "netbook_final", None)
            if final is None:
                return
            part = f.name
            ok = self.transfer_finished and not getattr(self, "_failed", False) and not getattr(self, "_over_quota", False)
            try:
                if not f.closed:
                    f.close()  # its last flush can be the write that fails
            except OSError as e:
                ok = False
                self._resp = (_storage_reply(e), logging.getLogger("pyftpdlib").warning)
            if ok and not _peer_alive(self.cmd_channel.socket):
                ok = False  # the data EOF was the client dying, not the end of the file
                self._resp = ("426 Connection closed; upload discarded.", logging.getLogger("pyftpdlib").warning)
            if ok:
                try:
                    os.replace(part, final)
                    return
                except OSError as e:
                    self._resp = (_storage_reply(e), logging.getLogger("pyftpdlib").warning)
            self.transfer_finished = False
            try:
                os.remove(part)
            except OSError:
                pass

        def _quota_reply(self):
            self.transfer_finished = False
            limit = self.cmd_channel.lab.max_upload
            self._resp = (f"552 Upload exceeds the lab's max_upload of {limit:,} bytes; file removed.",
                          logging.getLogger("pyftpdlib").warning)

        def close(self):
            if not self._closed:
                if getattr(self, "_over_quota", False):
                    self._quota_reply()  # replaces "226 Transfer complete" (TLS closes bypass handle_close)
                if self.receive and self.file_obj is not None:
                    self._finish_part()
                ch = self.cmd_channel
                name = getattr(self.file_obj, "netbook_final", None) or getattr(self.file_obj, "name", None)
                ch._transfer = {
                    "bytes": self.get_transmitted_bytes(),
                    "ms": round(self.get_elapsed_time() * 1000, 3),
                    "receive": self.receive,
                    "cmd": self.cmd or "",
                    "file": name,
                    "peer": _peer(self.socket),
                }
            super().close()

    class LabFTPHandler(base_ctrl):
        dtp_handler = LabDTP
        abstracted_fs = LabFS
        lab: "FTPLab" = None  # set per server
        auth_failed_timeout = 0.3  # a lab: fail fast, still not instantly

        def __init__(self, conn, server, ioloop=None):
            self._pending = None
            self._transfer = None
            self._transcript = None
            super().__init__(conn, server, ioloop=ioloop)
            if self.remote_ip:
                self._transcript = self.lab.new_transcript((self.remote_ip, self.remote_port))

        def _peer(self):
            return f"{self.remote_ip}:{self.remote_port}"

        # incoming command lines
        def found_terminator(self):
            line = b"".join(self._in_buffer)
            if self._transcript is not None:
                self._transcript.record(CLIENT, line + b"\r\n")
            text = line.decode(self.encoding, "replace")
            cmd = text.split(" ")[0].upper()
            shown = f"{cmd} ••••" if cmd == "PASS" and text[5:].strip() else text
            bad = [c for c in ("\0", "\r", "\n") if c in shown]
            shown = shown.replace("\0", "\\x00").replace("\r", "\\r").replace("\n", "\\n")
            self._pending = (shown, time.perf_counter())
            self._transfer = None
            if bad:
                # a NUL makes os.path raise inside pyftpdlib (the session dropped, no
                # reply); a bare CR/LF would make names the listings hide and echo raw
                # into replies: refuse the command line, keep the session
                self._in_buffer = []
                self._in_buffer_len = 0
                names = {"\0": "NUL", "\r": "CR", "\n": "LF"}
                self.respond(f"501 Syntax error: {'/'.join(names[c] for c in bad)} byte in the command line.")
                return
            super().found_terminator()

        def handle_error(self):
            # an exception escaped pyftpdlib's command handling: a log row says
            # which command and why (pyftpdlib then closes the session)
            import sys

            exc = sys.exc_info()[1]
            request = self._pending[0] if self._pending else ""
            self._pending = None
            if self.lab is not None and exc is not None:
                self.lab.log_event(self._peer(), request, "error", None, None, f"{type(exc).__name__}: {exc}"[:500])
            super().handle_error()

        # outgoing replies: the log row goes first, then the reply
        def push(self, data):
            if self._transcript is not None:
                self._transcript.record(SERVER, data.encode(self.encoding, "replace"))
            super().push(data)

        def respond(self, resp, logfun=logging.getLogger("pyftpdlib").debug):
            err, self._storage_error = getattr(self, "_storage_error", None), None
            if err is not None and resp.startswith("550"):
                resp = _storage_reply(err).replace("; upload removed.", "; nothing stored.")
            code = resp[:3]
            if self._pending is not None and code.isdigit() and not code.startswith("1"):
                request, t0 = self._pending
                self._pending = None
                nbytes, detail, ms = None, resp[4:], round((time.perf_counter() - t0) * 1000, 3)
                tr = self._transfer
                if tr is not None:
                    nbytes = tr["bytes"]
                    way = "received" if tr["receive"] else "sent"
                    detail = f"{way} {nbytes:,} bytes; {resp[4:]}"
                    if self._transcript is not None:
                        self._transcript.data_summary(
                            CLIENT if tr["receive"] else SERVER,
                            f"{tr['cmd'] or request.split(' ')[0]}: {nbytes:,} bytes over {tr['peer']}", nbytes)
                    self._transfer = None
                if self.username:
                    detail = f"[{self.username}] {detail}"
                self.lab.log_event(self._peer(), request, code, nbytes, ms, detail)
            super().respond(resp, logfun)

        def on_connect(self):
            self.lab.log_event(self._peer(), "connect", "", None, None, "control connection opened")

        def close(self):
            was_open = not self._closed
            super().close()
            if was_open and self.lab is not None and self.remote_ip:
                self.lab._closed_session(self)

    return LabFTPHandler


PART = ".netbook-part"  # suffix of upload part files (hidden from listings)


def _storage_reply(e: OSError) -> str:
    """The FTP reply for a failed write: 552 when storage is exhausted, else 451."""
    import errno

    why = e.strerror or str(e)
    if e.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
        return f"552 Insufficient storage ({why}); upload removed."
    return f"451 Local error: {why}; upload removed."


def _peer_alive(sock) -> bool:
    """False when the peer of ``sock`` has closed it (EOF waiting to be read)."""
    import socket

    try:  # peek at the TCP stream itself (under TLS too): a dup of the descriptor
        raw = socket.socket(fileno=os.dup(sock.fileno()))
    except (OSError, AttributeError, ValueError):
        return False
    try:
        return raw.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT) != b""
    except BlockingIOError:
        return True
    except OSError:
        return False
    finally:
        raw.close()  # closes the dup only: the control connection stays open


class _Sink:
    """Where an over-quota upload goes: nowhere."""

    def __init__(self, name):
        self.name = name
        self.closed = False

    def write(self, data):
        return len(data)

    def close(self):
        self.closed = True


def _peer(sock) -> str:
    try:
        h, p = sock.getpeername()[:2]
        return f"{h}:{p}"
    except (OSError, AttributeError):
        return "?"


class _Authorizer:
    """pyftpdlib's DummyAuthorizer with a constant-time password check."""

    def __new__(cls, *a, **k):
        from pyftpdlib.authorizers import DummyAuthorizer

        class LabAuthorizer(DummyAuthorizer):
            def validate_authentication(self, username, password, handler):
                from pyftpdlib.authorizers import AuthenticationFailed

                msg = "Authentication failed."
                if not self.has_user(username):
                    if username == "anonymous":
                        msg = "Anonymous access not allowed."
                    raise AuthenticationFailed(msg)
                if username != "anonymous":
                    want = self.user_table[username]["pwd"].encode("utf-8")
                    if not hmac.compare_digest(want, str(password).encode("utf-8", "surrogateescape")):
                        raise AuthenticationFailed(msg)

        return LabAuthorizer()


class FTPLab(LabServer):
    """An FTP (or explicit FTPS) lab server run by pyftpdlib's IO loop in a
    background thread."""

    kind = "ftp"
    scheme = "ftp"
    transcript_class = FTPTranscript

    def __init__(self, root=None, users=None, anonymous=True, writable=None, tls=False,
                 passive_ports=None, max_upload: int | None = None, name=None, host="127.0.0.1", port=0,
                 banner: str = "netbook FTP lab ready."):
        super().__init__(name=name, host=host, port=port)
        self._tmp = None
        if root is None:
            self._tmp = tempfile.mkdtemp(prefix="netbook-ftp-")
            root = self._tmp
        self.root = os.path.realpath(os.fspath(root))
        if not os.path.isdir(self.root):
            raise NotADirectoryError(f"serve.ftp: root {root!r} is not a directory")
        self.users = dict({"alice": "pw"} if users is None else users)
        for u in self.users:
            if not u or u == "anonymous" or any(c in u for c in "/\\\r\n\0") or u in (".", ".."):
                raise ValueError(f"serve.ftp: bad user name {u!r}")
        self.anonymous = bool(anonymous)
        self.writable = writable
        self.tls = bool(tls)
        self.passive_ports = list(passive_ports) if passive_ports is not None else None
        self.max_upload = max_upload
        self.banner = banner
        self.certfile = None
        self._sessions = set()
        self._sess_lock = threading.Lock()

    # -- the directory tree -----------------------------------------------------------
    def home(self, user: str | None = None) -> str:
        """The home directory of ``user`` (``None``/``"anonymous"``: the root)."""
        if user in (None, "anonymous"):
            return self.root
        return os.path.join(self.root, user)

    def _authorizer(self):
        auth = _Authorizer()
        user_perm = READ_PERM if self.writable is False else WRITE_PERM
        for user, pw in self.users.items():
            home = self.home(user)
            os.makedirs(home, exist_ok=True)
            auth.add_user(user, str(pw), home, perm=user_perm, msg_login=f"Welcome, {user}.")
        if self.anonymous:
            with warnings.catch_warnings():  # writable=True asked for an anonymous drop: no warning
                warnings.simplefilter("ignore", RuntimeWarning)
                auth.add_anonymous(self.root, perm=WRITE_PERM if self.writable is True else READ_PERM,
                                   msg_login="Anonymous access granted.")
            for user in self.users:  # user homes are theirs: hidden from anonymous
                auth.override_perm("anonymous", self.home(user), "", recursive=True)
        return auth

    # -- lifecycle ----------------------------------------------------------------------
    def _start(self):
        from pyftpdlib.ioloop import IOLoop
        from pyftpdlib.servers import FTPServer

        handler = _handler_classes(self.tls)
        attrs = {
            "lab": self,
            "authorizer": self._authorizer(),
            "banner": self.banner,
            "passive_ports": self.passive_ports,
            "timeout": 120,
            "use_sendfile": not self.tls,
        }
        if self.tls:
            from ..tls import make_certificate

            cert, key = make_certificate()
            self.certfile = cert
            attrs.update(certfile=cert, keyfile=key, tls_control_required=True, tls_data_required=True)
        self._handler = type("LabFTPHandler", (handler,), attrs)
        self._ioloop = IOLoop()
        self.server = FTPServer((self.host, self.port), self._handler, ioloop=self._ioloop)
        self.server.max_cons = 64
        self.server.max_cons_per_ip = 32
        self.host, self.port = self.server.address[:2]
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._loop, name=f"netbook-ftp-{self.name}", daemon=True)
        self._thread.start()
        liblog.attach(self, self._thread)  # pyftpdlib's log lines become log rows

    def _loop(self):
        try:
            while not self._stopping.is_set():
                try:
                    self._ioloop.loop(timeout=0.05, blocking=False)
                except Exception as e:  # noqa: BLE001 - one bad session must not kill the server
                    self.log_event("", "(server)", "error", None, None, f"{type(e).__name__}: {e}")
                    time.sleep(0.01)
        finally:
            try:
                self.server.close_all()  # closes every control and data connection
            except Exception:  # noqa: BLE001
                pass

    def _stop(self):
        self._stopping.set()
        self._thread.join(5)
        if self._tmp:
            shutil.rmtree(self._tmp, ignore_errors=True)

    def _closed_session(self, handler):
        pass

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        scheme = "ftpes" if self.tls else "ftp"
        return f"{scheme}://{host}:{self.port}/"

    def user_url(self, user: str = "alice") -> str:
        """``ftp://user@host:port/`` (no password: pass ``password=`` to nb.ftp)."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{'ftpes' if self.tls else 'ftp'}://{user}@{host}:{self.port}/"

    def __repr__(self):
        extra = " TLS" if self.tls else ""
        return super().__repr__()[:-1] + f"; root {self.root}{extra}>"


def serve(root=None, users=None, anonymous: bool = True, writable=None, tls: bool = False,
          passive_ports=None, max_upload: int | None = None, name: str | None = None,
          host: str = "127.0.0.1", port: int = 0) -> FTPLab:
    """Start an FTP lab server (pyftpdlib) on 127.0.0.1.

    ``root``: the directory served (default: a fresh temporary one, removed
    at stop).  ``users``: ``{"name": "password"}`` (default ``{"alice": "pw"}``),
    each chrooted in ``root/<name>``.  ``anonymous``: allow ``anonymous``
    logins into ``root`` (read-only).  ``writable``: ``None`` (users write in
    their homes, anonymous reads), ``True`` (anonymous may upload too),
    ``False`` (nobody writes).  ``tls=True``: explicit FTPS (AUTH TLS
    required, PROT P required) with a throwaway certificate (``.certfile``);
    its URL is ``ftpes://`` (curl: ``ftp://... --ssl-reqd --cacert``).
    ``passive_ports``: e.g. ``range(60000, 60010)``.  ``max_upload``: bytes
    allowed per upload (552 beyond, the partial file removed).
    """
    return FTPLab(root, users=users, anonymous=anonymous, writable=writable, tls=tls,
                  passive_ports=passive_ports, max_upload=max_upload, name=name, host=host, port=port).start()
