"""``serve.udp(handler)``: a socketserver ThreadingUDPServer lab.

``handler``: ``"echo"`` (each datagram comes back), ``"daytime"`` (any
datagram gets the time), a ``socketserver.BaseRequestHandler`` subclass
(``self.request`` is ``(data, socket)``), or a function called with each
datagram's text whose return value (str, bytes or None) is the reply.

The log shows each datagram: its first bytes, the reply's size, the time
taken.  ``srv.send(data)`` sends one datagram and returns the reply.
"""
from __future__ import annotations

import socket
import socketserver
import time

from .base import HandlerLab, LabSocketServer, resolve_handler
from .tcp import daytime_text

__all__ = ["serve", "UDPLab", "EchoHandler", "DaytimeHandler"]


class EchoHandler(socketserver.BaseRequestHandler):
    """RFC 862 over UDP: the datagram comes back."""

    def handle(self):
        data, sock = self.request
        sock.sendto(data, self.client_address)


class DaytimeHandler(socketserver.BaseRequestHandler):
    """RFC 867 over UDP: any datagram gets the date and time."""

    def handle(self):
        _, sock = self.request
        sock.sendto((daytime_text() + "\r\n").encode("ascii"), self.client_address)


def _function_handler(fn):
    class FunctionHandler(socketserver.BaseRequestHandler):
        def handle(self):
            data, sock = self.request
            reply = fn(data.decode("utf-8", "replace"))
            if reply is not None:
                sock.sendto(reply if isinstance(reply, bytes) else str(reply).encode("utf-8"), self.client_address)

    FunctionHandler.__name__ = getattr(fn, "__name__", "function")
    return FunctionHandler


HANDLERS = {"echo": EchoHandler, "daytime": DaytimeHandler}


def handler_class(handler):
    """The request handler class for a name, a class or a function."""
    return resolve_handler(handler, HANDLERS, _function_handler, "UDP handler")


class _CountingSocket:
    """The server socket as a handler sees it: replies are held until the
    datagram's log row is written, so a client that got its reply always
    finds the row (the HTTP servers do the same)."""

    def __init__(self, sock):
        self._sock = sock
        self.sent = 0
        self.pending: list[tuple] = []

    def sendto(self, data, *args):
        data = bytes(data)
        self.pending.append((data, *args))
        self.sent += len(data)
        return len(data)

    def release(self):
        for data, *args in self.pending:
            try:
                self._sock.sendto(data, *args)
            except OSError:
                pass
        self.pending.clear()

    def __getattr__(self, name):
        return getattr(self._sock, name)


class _DatagramLog:
    """Mixed into the handler: one log row per datagram."""

    def setup(self):
        data, sock = self.request
        self._data = data
        self._counter = _CountingSocket(sock)
        self.request = (data, self._counter)
        self._t0 = time.perf_counter()
        super().setup()

    def finish(self):
        try:
            super().finish()
        finally:
            lab = getattr(self.server, "lab", None)
            if lab is not None:
                preview = self._data[:60].decode("utf-8", "replace").rstrip("\r\n")
                ms = round((time.perf_counter() - self._t0) * 1000, 3)
                status = "replied" if self._counter.sent else "no reply"
                lab.log_event(self.client_address, f"datagram {len(self._data)} B", status, self._counter.sent, ms, preview)
            self._counter.release()


class _Server(LabSocketServer, socketserver.ThreadingUDPServer):
    max_packet_size = 65535
    crash_request = "handler error"


class UDPLab(HandlerLab):
    kind = "udp"
    scheme = "udp"
    log_mixin = _DatagramLog
    server_class = _Server
    resolve = staticmethod(handler_class)

    def send(self, data: str | bytes, timeout: float = 2.0) -> bytes | None:
        """Send one datagram to this server; the reply, or None at timeout."""
        payload = data if isinstance(data, bytes) else data.encode("utf-8")
        with socket.socket(socket.AF_INET6 if ":" in self.host else socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.settimeout(timeout)
            s.sendto(payload, (self.host, self.port))
            try:
                return s.recvfrom(65535)[0]
            except (TimeoutError, socket.timeout):
                return None


def serve(handler="echo", *, name=None, host="127.0.0.1", port=0) -> UDPLab:
    """Start a UDP lab server with ``handler`` (see the module docstring)."""
    return UDPLab(handler, name=name, host=host, port=port).start()
