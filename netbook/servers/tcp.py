"""``serve.tcp(handler)``: a socketserver ThreadingTCPServer lab.

``handler`` is one of the classic labs, ``"echo"`` (RFC 862: every byte comes
back), ``"daytime"`` (RFC 867: the time, then close) or ``"chat"`` (a line
chat between everyone connected: ``/nick NAME``, ``/who``, ``/quit``); any
``socketserver.BaseRequestHandler`` subclass; or a plain function called
with each line received (str, without its newline) whose return value (str,
bytes or None) is sent back as a line.

The log shows each connection (a row when it opens, one when it closes, with
bytes and duration) and each chat message; ``.transcripts`` hold the bytes
of each connection.  ``srv.connect()`` is a small line client.
"""
from __future__ import annotations

import socket
import socketserver
import threading
import time
from datetime import datetime, timezone

from ..connection import Closing
from ..transcript import Transcript, trace_socket
from .base import HandlerLab, LabHandlerMixin, LabSocketServer, resolve_handler

__all__ = ["serve", "TCPLab", "EchoHandler", "DaytimeHandler", "ChatHandler", "LineClient", "daytime_text"]

MAX_LINE = 64 * 1024


def daytime_text() -> str:
    """The daytime string (RFC 867 leaves the format free: ISO 8601, UTC)."""
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


class _ConnLog(LabHandlerMixin):
    """Logs a row when a connection opens and one when it closes."""

    def setup(self):
        super().setup()
        self._t0 = time.perf_counter()
        self.lines_in = 0
        if self.lab is not None:
            self.lab.log_event(self.client_address, "connect", "open", 0, 0.0, type(self).__name__.replace("Lab", ""))

    def finish(self):
        try:
            super().finish()
        finally:
            lab = self.lab
            if lab is not None:
                t = self.transcript
                sent = t.total["S>C"] if t is not None else 0
                got = t.total["C>S"] if t is not None else 0
                ms = round((time.perf_counter() - self._t0) * 1000, 3)
                lab.log_event(self.client_address, "disconnect", "closed", sent, ms, f"{got:,} bytes in")


class EchoHandler(socketserver.BaseRequestHandler):
    """RFC 862: sends back whatever it receives, until the client closes."""

    def handle(self):
        while True:
            try:
                data = self.request.recv(65536)
            except OSError:
                return
            if not data:
                return
            self.request.sendall(data)


class DaytimeHandler(socketserver.BaseRequestHandler):
    """RFC 867: sends the date and time as one line, then closes."""

    def handle(self):
        self.request.sendall((daytime_text() + "\r\n").encode("ascii"))


class _LineHandler(socketserver.StreamRequestHandler):
    """Reads lines (bounded), calls ``on_line``; subclasses answer."""

    timeout = 600  # idle connections end after ten minutes

    def send_line(self, text) -> None:
        data = text if isinstance(text, bytes) else str(text).encode("utf-8")
        if not data.endswith(b"\n"):
            data += b"\r\n"
        try:
            self.wfile.write(data)
            self.wfile.flush()
        except OSError:
            pass

    def handle(self):
        self.on_connect()
        while True:
            try:
                raw = self.rfile.readline(MAX_LINE + 1)
            except (OSError, ValueError):
                break
            if not raw:
                break
            if len(raw) > MAX_LINE and not raw.endswith(b"\n"):
                self.send_line(f"error: line over {MAX_LINE} bytes; closing")
                break
            self.lines_in = getattr(self, "lines_in", 0) + 1
            line = raw.rstrip(b"\r\n").decode("utf-8", "replace")
            if self.on_line(line) is False:
                break
        self.on_close()

    def on_connect(self):
        pass

    def on_line(self, line: str):
        pass

    def on_close(self):
        pass


class ChatHandler(_LineHandler):
    """A line chat: what one says, everyone else connected reads."""

    def on_connect(self):
        room = self.server.chat
        with room["lock"]:
            # who hears of the join is decided as one joins: someone who
            # arrives a moment later must not be told of an earlier arrival
            others = list(room["members"])
            room["count"] += 1
            self.nick = f"user{room['count']}"
            room["members"][self] = self.nick
        self.send_line(f"* welcome {self.nick}; /nick NAME, /who, /quit")
        for m in others:
            m.send_line(f"* {self.nick} joined")

    def _broadcast(self, text: str, include_self: bool = False):
        room = self.server.chat
        with room["lock"]:
            members = [m for m in room["members"] if include_self or m is not self]
        for m in members:
            m.send_line(text)

    def on_line(self, line: str):
        lab = self.server.lab
        if line.startswith("/nick "):
            new = line[6:].strip()[:32]
            if not new or any(c.isspace() for c in new):
                self.send_line("* a nick is one word")
                return None
            old, self.nick = self.nick, new
            with self.server.chat["lock"]:
                self.server.chat["members"][self] = new
            self._broadcast(f"* {old} is now {new}", include_self=True)
            return None
        if line.strip() == "/who":
            with self.server.chat["lock"]:
                names = sorted(self.server.chat["members"].values())
            self.send_line("* here: " + ", ".join(names))
            return None
        if line.strip() == "/quit":
            self.send_line("* bye")
            return False
        if not line.strip():
            return None
        if lab is not None:
            lab.log_event(self.client_address, "say", self.nick, len(line.encode()), None, line[:200])
        self._broadcast(f"[{self.nick}] {line}")
        return None

    def on_close(self):
        with self.server.chat["lock"]:
            self.server.chat["members"].pop(self, None)
        self._broadcast(f"* {self.nick} left")


def _function_handler(fn):
    class FunctionHandler(_LineHandler):
        def on_line(self, line):
            reply = fn(line)
            if reply is not None:
                self.send_line(reply)

    FunctionHandler.__name__ = f"{getattr(fn, '__name__', 'function')}"
    return FunctionHandler


HANDLERS = {"echo": EchoHandler, "daytime": DaytimeHandler, "chat": ChatHandler}


def handler_class(handler):
    """The request handler class for a name, a class or a function."""
    return resolve_handler(handler, HANDLERS, _function_handler, "handler")


class _Server(LabSocketServer, socketserver.ThreadingTCPServer):
    crash_request = "handler error"


class LineClient(Closing):
    """A tiny line client for the TCP labs (a transcript records it)."""

    def __init__(self, host: str, port: int, timeout: float = 2.0):
        self.transcript = Transcript(title=f"tcp {host}:{port}")
        raw = socket.create_connection((host, port), timeout=timeout)
        self.sock = trace_socket(raw, self.transcript, side="client")
        self._buf = b""
        self.timeout = timeout

    def send(self, line: str | bytes) -> None:
        data = line if isinstance(line, bytes) else line.encode("utf-8")
        if not data.endswith(b"\n"):
            data += b"\r\n"
        self.sock.sendall(data)

    def readline(self, timeout: float | None = None) -> str | None:
        """The next line (without newline), or None at timeout / close."""
        deadline = time.monotonic() + (self.timeout if timeout is None else timeout)
        while b"\n" not in self._buf:
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            self.sock.settimeout(left)
            try:
                chunk = self.sock.recv(65536)
            except (TimeoutError, socket.timeout):
                return None
            if not chunk:
                if self._buf:
                    line, self._buf = self._buf, b""
                    return line.decode("utf-8", "replace")
                return None
            self._buf += chunk
        line, _, self._buf = self._buf.partition(b"\n")
        return line.rstrip(b"\r").decode("utf-8", "replace")

    def ask(self, line: str, timeout: float | None = None) -> str | None:
        """Send a line, return the next line received."""
        self.send(line)
        return self.readline(timeout)

    def lines(self, timeout: float = 0.3) -> list[str]:
        """Every line that arrives until ``timeout`` passes quietly."""
        out = []
        while (line := self.readline(timeout)) is not None:
            out.append(line)
        return out

    def close(self) -> None:
        try:
            self.sock.close()
        except OSError:
            pass


class TCPLab(HandlerLab):
    kind = "tcp"
    scheme = "tcp"
    log_mixin = _ConnLog
    server_class = _Server
    resolve = staticmethod(handler_class)

    def make_server(self, address):
        srv = super().make_server(address)
        srv.chat = {"lock": threading.Lock(), "members": {}, "count": 0}
        return srv

    def connect(self, timeout: float = 2.0) -> LineClient:
        """A line client connected to this server."""
        return LineClient(self.host, self.port, timeout=timeout)


def serve(handler="echo", *, name=None, host="127.0.0.1", port=0) -> TCPLab:
    """Start a TCP lab server with ``handler`` (see the module docstring)."""
    return TCPLab(handler, name=name, host=host, port=port).start()
