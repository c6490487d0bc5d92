"""The lab-server core: a registry of named background servers.

Every lab server binds 127.0.0.1 on a free port unless told otherwise, has a
name (starting one with a taken name stops and replaces the old one), exposes
``.url``, a live ``.log`` (a StreamSource), ``.transcripts`` of recent
sessions, ``.stop()``, works as a context manager, and is stopped at
interpreter exit.

A kind of server subclasses :class:`LabServer` and implements
``_start()`` (bind, return nothing) and ``_stop()``; socketserver-based kinds
subclass :class:`SocketServerLab` and only build the server object.
"""
from __future__ import annotations

import atexit
import socket
import threading
import time
from collections import deque
from datetime import datetime, timezone
from typing import Callable

from ..table.source import Column, StreamSource
from ..transcript import Transcript, trace_socket

__all__ = ["LabServer", "SocketServerLab", "registry", "get", "stop_all", "servers", "LOG_COLUMNS"]

LOG_COLUMNS = [
    Column("time", "datetime"),
    Column("peer", "str"),
    Column("request", "str"),
    Column("status", "str"),
    Column("bytes", "int", "size"),
    Column("ms", "float", "ms"),
    Column("detail", "str"),
]

_registry: dict[str, "LabServer"] = {}
_reg_lock = threading.RLock()


def registry() -> dict[str, "LabServer"]:
    """Name -> running server (a copy)."""
    with _reg_lock:
        return dict(_registry)


def get(name: str) -> "LabServer":
    with _reg_lock:
        try:
            return _registry[name]
        except KeyError:
            raise KeyError(f"no lab server named {name!r}; running: {sorted(_registry) or 'none'}") from None


def stop_all() -> int:
    """Stop every lab server; returns how many were stopped."""
    with _reg_lock:
        all_ = list(_registry.values())
    for s in all_:
        s.stop()
    return len(all_)


atexit.register(stop_all)


def servers():
    """The running lab servers as a Table (name, kind, url, state, requests)."""
    import pandas as pd

    from ..table import Table

    rows = [s._summary() for s in registry().values()]
    df = pd.DataFrame(rows, columns=["name", "kind", "url", "state", "requests", "started"])
    return Table(df, title="lab servers")


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


class LabServer:
    """Base of every lab server.  Subclasses set ``kind`` and ``scheme`` and
    implement ``_start()``/``_stop()``."""

    kind = "server"
    scheme = "tcp"
    max_transcripts = 50
    #: a path: HTTP-speaking servers append each request there in Apache's
    #: combined format (``nb.http.read_log`` reads it back); ``serve.http(..., log_file=)``
    log_file = None
    max_access_lines = 100_000

    def __init__(self, name: str | None = None, host: str = "127.0.0.1", port: int = 0, *, log_rows: int = 100_000):
        self.name = name or self.kind
        self.host = host
        self.port = port
        self.log = StreamSource(LOG_COLUMNS, maxrows=log_rows, title=f"{self.name} log")
        self.transcripts: deque[Transcript] = deque(maxlen=self.max_transcripts)
        self.started: datetime | None = None
        self.running = False
        self.requests = 0
        self._lock = threading.Lock()
        self.access_log: deque[str] = deque(maxlen=self.max_access_lines)
        self.log.to_log = self.to_log  # srv.log.to_log(path): the combined-format log

    # -- lifecycle ------------------------------------------------------------
    def start(self) -> "LabServer":
        with _reg_lock:
            old = _registry.get(self.name)
            if old is not None and old is not self:
                old.stop()
            self._start()
            self.running = True
            self.started = datetime.now(timezone.utc)
            _registry[self.name] = self
        return self

    def stop(self) -> None:
        with _reg_lock:
            if _registry.get(self.name) is self:
                del _registry[self.name]
        if self.running:
            self.running = False
            self._stop()

    def _start(self) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def _stop(self) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()

    # -- identity ---------------------------------------------------------------
    @property
    def address(self) -> tuple[str, int]:
        return (self.host, self.port)

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{self.scheme}://{host}:{self.port}/"

    # -- logging ----------------------------------------------------------------
    def log_event(self, peer, request: str, status="", nbytes: int | None = None, ms: float | None = None, detail: str = "") -> None:
        """Append one row to the live log (thread-safe)."""
        if isinstance(peer, tuple):
            peer = f"{peer[0]}:{peer[1]}"
        with self._lock:
            self.requests += 1
        self.log.append((datetime.now(timezone.utc), str(peer or ""), request, str(status), nbytes, ms, detail))

    def log_access(self, client, request: str, status, body_bytes: int | None, referrer=None, user_agent=None,
                   user=None, when: datetime | None = None) -> str:
        """One request as a line of Apache's combined log format: kept (the last
        ``max_access_lines``) for :meth:`to_log` and appended to ``log_file``."""
        line = combined_line(client, request, status, body_bytes, referrer, user_agent, user, when)
        with self._lock:
            self.access_log.append(line)
            if self.log_file is not None:
                with open(self.log_file, "a", encoding="ascii") as f:
                    f.write(line + "\n")
        return line

    def to_log(self, path) -> int:
        """Write the kept requests in combined format to ``path``; returns the line count."""
        with self._lock:
            lines = list(self.access_log)
        with open(path, "w", encoding="ascii") as f:
            f.writelines(x + "\n" for x in lines)
        return len(lines)

    def new_transcript(self, peer) -> Transcript:
        if isinstance(peer, tuple):
            peer = f"{peer[0]}:{peer[1]}"
        t = Transcript(title=f"{self.name} {peer}", peer=str(peer))
        self.transcripts.append(t)
        return t

    # -- presenting -------------------------------------------------------------
    def _summary(self) -> dict:
        return {
            "name": self.name,
            "kind": self.kind,
            "url": self.url,
            "state": "running" if self.running else "stopped",
            "requests": self.requests,
            "started": self.started,
        }

    def __repr__(self) -> str:
        state = "running" if self.running else "stopped"
        return f"<{type(self).__name__} {self.name!r} {state} at {self.url} — {self.requests} requests>"

    def _repr_mimebundle_(self, include=None, exclude=None):
        from ..table import Table
        from ..table.static import escape

        state = "running" if self.running else "stopped"
        header = (
            f"<div class='netbook-server'><b>{escape(self.name)}</b> ({escape(self.kind)}) "
            f"<span class='netbook-badge netbook-{state}'>{state}</span> "
            f"<a href='{escape(self.url)}' target='_blank' rel='noopener'>{escape(self.url)}</a></div>"
        )
        import ipywidgets as w

        from ..table.widget import merge_bundle

        table = Table(self.log, title=f"{self.name} log")
        view = w.VBox([w.HTML(header), table])
        return merge_bundle(view._repr_mimebundle_(include=include, exclude=exclude), repr(self), header + table.static_html())


class SocketServerLab(LabServer):
    """A lab server run by a ``socketserver`` server in a background thread.

    Subclasses implement ``make_server(address) -> socketserver.BaseServer``.
    Open connections are tracked so ``stop()`` closes them and joins every
    handler thread: nothing leaks, even with keep-alive clients.
    """

    poll_interval = 0.05

    def make_server(self, address):  # pragma: no cover - abstract
        raise NotImplementedError

    def _start(self):
        self._conns: set = set()
        self._conn_lock = threading.Lock()
        self.server = self.make_server((self.host, self.port))
        self.server.lab = self  # handlers reach the lab through self.server.lab
        if hasattr(self.server, "daemon_threads"):
            self.server.daemon_threads = True
        self.host, self.port = self.server.server_address[:2]
        self._thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": self.poll_interval},
            name=f"netbook-{self.kind}-{self.name}", daemon=True,
        )
        self._thread.start()

    def _stop(self):
        self.server.shutdown()
        with self._conn_lock:
            conns = list(self._conns)
        for c in conns:
            try:
                c.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        self.server.server_close()  # joins ThreadingMixIn handler threads
        self._thread.join(5)

    # called by handlers (see LabHandlerMixin)
    def _track(self, sock, add: bool):
        with self._conn_lock:
            (self._conns.add if add else self._conns.discard)(sock)


class LabHandlerMixin:
    """Mix into a socketserver request handler: tracks the connection for a
    clean stop and records its transcript (``self.transcript``)."""

    def setup(self):
        lab = getattr(self.server, "lab", None)
        self.lab = lab
        raw = self.request
        self._raw_request = raw
        if lab is not None and isinstance(raw, socket.socket):
            lab._track(raw, True)
            self.transcript = lab.new_transcript(self.client_address)
            self.request = trace_socket(raw, self.transcript, side="server")
        else:
            self.transcript = None
        super().setup()

    def finish(self):
        try:
            super().finish()
        finally:
            if self.lab is not None and isinstance(self._raw_request, socket.socket):
                self.lab._track(self._raw_request, False)


_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _log_escape(value) -> str:
    """Apache's escaping in a quoted log field: \\ and \", other controls and
    non-ASCII bytes as \\xhh (a log line stays one ASCII line)."""
    if value is None or value == "":
        return "-"
    out = []
    for b in str(value).encode("utf-8", "surrogateescape"):
        if b == 0x5C:
            out.append("\\\\")
        elif b == 0x22:
            out.append('\\"')
        elif 0x20 <= b < 0x7F:
            out.append(chr(b))
        else:
            out.append(f"\\x{b:02x}")
    return "".join(out)


def combined_line(client, request, status, body_bytes, referrer=None, user_agent=None, user=None, when=None) -> str:
    """``%h %l %u %t "%r" %>s %b "%{Referer}i" "%{User-agent}i"``: Apache's combined format."""
    if isinstance(client, tuple):
        client = client[0]
    t = (when or datetime.now(timezone.utc)).astimezone()
    off = int(t.utcoffset().total_seconds()) // 60 if t.utcoffset() else 0
    stamp = (f"{t.day:02d}/{_MONTHS[t.month - 1]}/{t.year:04d}:{t.hour:02d}:{t.minute:02d}:{t.second:02d} "
             f"{'-' if off < 0 else '+'}{abs(off) // 60:02d}{abs(off) % 60:02d}")
    status = str(status) if str(status).isdigit() else "-"
    size = str(body_bytes) if body_bytes else "-"
    user = _log_escape(user).replace(" ", "\\x20")
    return (f'{client or "-"} - {user} [{stamp}] "{_log_escape(request)}" {status} {size} '
            f'"{_log_escape(referrer)}" "{_log_escape(user_agent)}"')


def resolve_handler(handler, ready: dict, from_function, what: str = "handler"):
    """A socketserver request handler class from a ready one's name, a
    ``BaseRequestHandler`` subclass, or a plain function (``from_function``)."""
    import inspect
    import socketserver

    if isinstance(handler, str):
        try:
            return ready[handler]
        except KeyError:
            raise ValueError(f"unknown {what} {handler!r}; ready ones: {', '.join(ready)}") from None
    if inspect.isclass(handler) and issubclass(handler, socketserver.BaseRequestHandler):
        return handler
    if callable(handler):
        return from_function(handler)
    names = ", ".join(repr(n) for n in ready)
    raise TypeError(f"{what}: {names}, a BaseRequestHandler subclass or a function")


def timer() -> Callable[[], float]:
    """Milliseconds since the call."""
    t0 = time.perf_counter()
    return lambda: round((time.perf_counter() - t0) * 1000, 3)
