"""Wire transcripts: what really crossed the socket, as rows.

A :class:`Transcript` records bytes per direction (``"C>S"`` client to
server, ``"S>C"`` server to client) at the socket level, through
:func:`trace_socket`, a socket proxy that the standard-library clients
(http.client, smtplib, poplib, imaplib, ftplib, ...) and socketserver
handlers use unchanged.  It presents them line by line.

Secrets are masked in every view by default: ``Authorization``,
``Proxy-Authorization``, ``Cookie`` and ``Set-Cookie`` values; the
arguments of ``PASS``, ``APOP``, ``AUTH``/``AUTHENTICATE`` (and the SASL
continuation lines that follow them), IMAP ``LOGIN``, NNTP ``AUTHINFO PASS``/``SASL``;
and passwords in URLs.
``reveal=True`` opts out, explicitly, per call.
"""
from __future__ import annotations

import re
import socket
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Iterator

__all__ = ["Transcript", "Entry", "trace_socket", "redact_line", "MASK"]

MASK = "••••"
CLIENT, SERVER = "C>S", "S>C"
ARROWS = {CLIENT: "→", SERVER: "←"}

_HEADER_SECRET = re.compile(
    r"^(\s*(?:authorization|proxy-authorization|cookie|set-cookie|x-api-key|x-auth-token)\s*:\s*)(.*)$",
    re.I,
)
_AUTH_SCHEME = re.compile(r"^(\S+\s+)(.*)$")
_SET_COOKIE = re.compile(r"^([^=;]*=)([^;]*)(.*)$")
_PASS = re.compile(r"^(\s*PASS\b\s*)(.*)$", re.I)  # POP3, FTP
_AUTHINFO_PASS = re.compile(r"^(\s*AUTHINFO\s+PASS\b\s*)(.*)$", re.I)  # NNTP (RFC 4643)
_AUTHINFO_SASL = re.compile(r"^(\s*AUTHINFO\s+SASL\s+\S+)(\s+.*)?$", re.I)  # its initial response
_APOP = re.compile(r"^(\s*APOP\s+\S+\s+)(.*)$", re.I)
_SMTP_AUTH = re.compile(r"^(\s*AUTH\s+\S+)(\s+.*)?$", re.I)
_IMAP_LOGIN = re.compile(r"^(\s*\S+\s+(?:UID\s+)?LOGIN\s+(?:\"(?:[^\"\\]|\\.)*\"|\S+)\s+)(.*)$", re.I)
_IMAP_AUTH = re.compile(r"^(\s*\S+\s+AUTHENTICATE\s+\S+)(\s+.*)?$", re.I)
_URL_PASS = re.compile(r"(\b[a-z][a-z0-9+.-]*://[^/\s:@]*:)([^@/\s]+)(@)", re.I)


def redact_line(line: str) -> str:
    """Mask the secrets one protocol line may carry (stateless rules)."""
    m = _HEADER_SECRET.match(line)
    if m:
        name = m.group(1).strip().lower()
        value = m.group(2)
        if name.startswith(("authorization", "proxy-authorization")):
            s = _AUTH_SCHEME.match(value)
            return m.group(1) + (s.group(1) + MASK if s else MASK)
        if name.startswith("set-cookie"):
            s = _SET_COOKIE.match(value)
            return m.group(1) + (s.group(1) + MASK + s.group(3) if s else MASK)
        if name.startswith("cookie"):
            parts = [p.strip() for p in value.split(";") if p.strip()]
            return m.group(1) + "; ".join((p.split("=", 1)[0] + "=" + MASK) if "=" in p else MASK for p in parts)
        return m.group(1) + MASK
    for rx in (_PASS, _APOP, _IMAP_LOGIN, _AUTHINFO_PASS):
        m = rx.match(line)
        if m and m.group(2).strip():
            return m.group(1) + MASK
    for rx in (_SMTP_AUTH, _IMAP_AUTH, _AUTHINFO_SASL):
        m = rx.match(line)
        if m and m.group(2) and m.group(2).strip():
            return m.group(1) + " " + MASK
    return _URL_PASS.sub(lambda m: m.group(1) + MASK + m.group(3), line)


def _starts_auth(line: str) -> bool:
    return bool(_SMTP_AUTH.match(line) or _IMAP_AUTH.match(line)) and not line.strip().upper().startswith("AUTH=")


def _is_continuation(line: str) -> bool:
    """A server line asking the client for more SASL data (SMTP 334, IMAP/POP '+')."""
    s = line.lstrip()
    return s.startswith("334") or s == "+" or s.startswith("+ ")


@dataclass
class Entry:
    """One chunk as it crossed the wire."""

    time: float
    direction: str
    data: bytes


class Transcript:
    """The conversation of one client or server session.

    Bounded: at most ``max_bytes`` are kept (later bytes are counted, not
    stored), so a large download cannot exhaust memory through its
    transcript.
    """

    def __init__(self, title: str = "", max_bytes: int = 1 << 20, peer: str = ""):
        self.title = title
        self.peer = peer
        self.max_bytes = max_bytes
        self.entries: list[Entry] = []
        self.stored = 0
        self.total = {CLIENT: 0, SERVER: 0}
        self.started = time.time()
        self.side = ""  # "client" or "server": whose socket recorded it (set by trace_socket)
        self._lock = threading.Lock()

    # -- recording ----------------------------------------------------------
    def record(self, direction: str, data: bytes) -> None:
        if direction not in (CLIENT, SERVER):
            raise ValueError(f"direction must be {CLIENT!r} or {SERVER!r}")
        if not data:
            return
        if type(data) is not bytes:
            data = bytes(data)
        n = len(data)
        entries = self.entries
        with self._lock:
            self.total[direction] += n
            room = self.max_bytes - self.stored
            if room <= 0:
                return
            if n > room:
                data = data[:room]
                n = room
            self.stored += n
            if entries and entries[-1].direction == direction:
                entries[-1].data += data  # keep one entry per turn of the conversation
            else:
                entries.append(Entry(time.time(), direction, data))

    def sent(self, data: bytes) -> None:
        """Record client→server bytes."""
        self.record(CLIENT, data)

    def received(self, data: bytes) -> None:
        """Record server→client bytes."""
        self.record(SERVER, data)

    @property
    def truncated(self) -> bool:
        return sum(self.total.values()) > self.stored

    # -- presenting ---------------------------------------------------------
    def lines(self, reveal: bool = False, max_line: int = 400) -> Iterator[tuple]:
        """(time, direction, text, bytes) per protocol line, secrets masked
        unless ``reveal``.  Long or binary lines are summarised."""
        with self._lock:
            entries = [Entry(e.time, e.direction, e.data) for e in self.entries]
        in_auth = False
        for e in entries:
            for raw in e.data.splitlines(keepends=True):
                nbytes = len(raw)
                body = raw.rstrip(b"\r\n")
                text = body.decode("utf-8", "replace")
                binary = any(ch < 32 and ch != 9 or ch == 127 for ch in body[:512])
                if binary:
                    text = f"<{nbytes} bytes of binary data>"
                elif not reveal:
                    if e.direction == CLIENT:
                        if in_auth and text.strip() and not _starts_auth(text):
                            text = MASK
                        else:
                            text = redact_line(text)
                            if _starts_auth(body.decode("utf-8", "replace")):
                                in_auth = True
                    else:
                        text = redact_line(text)
                        if in_auth and not _is_continuation(text):
                            in_auth = False
                if len(text) > max_line:
                    text = text[:max_line] + f"… ({nbytes} bytes)"
                yield (datetime.fromtimestamp(e.time, timezone.utc), e.direction, text, nbytes)

    def text(self, reveal: bool = False) -> str:
        """The conversation as text, one arrowed line per protocol line."""
        return "\n".join(f"{ARROWS[d]} {t}" for _, d, t, _ in self.lines(reveal=reveal))

    def to_frame(self, reveal: bool = False):
        import pandas as pd

        rows = list(self.lines(reveal=reveal))
        df = pd.DataFrame(rows, columns=["time", "direction", "text", "bytes"])
        df["time"] = pd.to_datetime(df["time"], utc=True)
        return df

    def _shown_frame(self, reveal: bool = False):
        """to_frame() with the arrows printed transcripts use (→ sent, ← received)."""
        df = self.to_frame(reveal=reveal)
        df["direction"] = df["direction"].map(lambda d: ARROWS.get(d, d))
        return df

    def __table_source__(self):
        from .table.source import DataFrameSource

        return DataFrameSource(self._shown_frame(), formats={"bytes": "size"}, title=self.title or "transcript")

    def table(self, reveal: bool = False):
        from .table import Table

        return Table(self._shown_frame(reveal=reveal), formats={"bytes": "size"}, title=self.title or "transcript")

    def diagram(self, reveal: bool = False, **options):
        """A ladder (sequence) diagram: a lane per side, an arrow per protocol
        line or turn, time downwards; secrets masked as here.  See
        ``netbook.diagram.diagram`` for the options."""
        import importlib

        # by name: diagrams sit a layer above transcripts (tests/test_layout.py)
        return importlib.import_module("netbook.diagram").diagram(self, reveal=reveal, **options)

    def __len__(self) -> int:
        return sum(1 for _ in self.lines())

    def __repr__(self) -> str:
        head = f"Transcript {self.title or ''} ({self.total[CLIENT]:,} B sent, {self.total[SERVER]:,} B received)".replace("  ", " ")
        body = self.text()
        if self.truncated:
            body += f"\n… (transcript kept the first {self.max_bytes:,} bytes)"
        return head + ("\n" + body if body else "")

    def _repr_mimebundle_(self, include=None, exclude=None):
        return self.table()._repr_mimebundle_(include=include, exclude=exclude)


class _TracedSocket:
    """A socket proxy recording what is sent and received into a Transcript.

    Standard-library clients keep working unchanged: ``makefile()`` builds
    socket.SocketIO over this proxy, so buffered reads are recorded too.
    ``ssl.SSLContext.wrap_socket`` accepts it (it detaches the real socket);
    wrap the returned TLS socket again to keep recording after STARTTLS.
    """

    def __init__(self, sock, transcript: Transcript, outgoing: str):
        object.__setattr__(self, "_sock", sock)
        object.__setattr__(self, "_t", transcript)
        object.__setattr__(self, "_out", outgoing)
        object.__setattr__(self, "_in", SERVER if outgoing == CLIENT else CLIENT)
        object.__setattr__(self, "_io_refs", 0)
        object.__setattr__(self, "_closed", False)

    # sending
    def send(self, data, *args):
        n = self._sock.send(data, *args)
        self._t.record(self._out, bytes(memoryview(data)[:n]))
        return n

    def sendall(self, data, *args):
        self._sock.sendall(data, *args)
        self._t.record(self._out, bytes(data))

    # receiving
    def recv(self, bufsize, *args):
        data = self._sock.recv(bufsize, *args)
        self._t.record(self._in, data)
        return data

    def recv_into(self, buffer, nbytes=0, *args):
        n = self._sock.recv_into(buffer, nbytes, *args)
        self._t.record(self._in, bytes(memoryview(buffer)[:n]))
        return n

    def read(self, *args):  # ssl sockets
        data = self._sock.read(*args)
        if isinstance(data, (bytes, bytearray)):
            self._t.record(self._in, data)
        return data

    def write(self, data):  # ssl sockets
        n = self._sock.write(data)
        self._t.record(self._out, bytes(data))
        return n

    def makefile(self, *args, **kwargs):
        return socket.socket.makefile(self, *args, **kwargs)

    def _decref_socketios(self):
        object.__setattr__(self, "_io_refs", self._io_refs - 1)
        if self._closed and self._io_refs <= 0:
            self._sock.close()

    def close(self):
        object.__setattr__(self, "_closed", True)
        if self._io_refs <= 0:
            self._sock.close()

    def detach(self):
        return self._sock.detach()

    @property
    def transcript(self) -> Transcript:
        return self._t

    @property
    def wrapped(self):
        return self._sock

    def __getattr__(self, name):
        return getattr(self._sock, name)

    def __setattr__(self, name, value):
        setattr(self._sock, name, value)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __repr__(self):
        return f"<traced {self._sock!r}>"


def trace_socket(sock: socket.socket, transcript: Transcript, side: str = "client") -> _TracedSocket:
    """Wrap ``sock`` so its traffic is recorded into ``transcript``.

    ``side="client"``: what is sent is client→server; ``side="server"``:
    what is sent is server→client.  Idempotent for the same transcript.
    """
    if isinstance(sock, _TracedSocket):
        if sock.transcript is transcript:
            return sock
        sock = sock.wrapped
    if side not in ("client", "server"):
        raise ValueError("side must be 'client' or 'server'")
    if not getattr(transcript, "side", ""):
        transcript.side = side
    return _TracedSocket(sock, transcript, CLIENT if side == "client" else SERVER)
