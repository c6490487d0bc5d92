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

import socket
import threading
import time
import weakref
from collections import deque
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Callable, Self

from .. import registry as _reg
from ..registry import get, registry, stop_all
from ..table.source import Column, Source, StreamSource
from ..transcript import Transcript, trace_socket

if TYPE_CHECKING:
    pass

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


class ServersSource(Source):
    """The lab servers as a live Source: the ones running, and the ones
    listed here before that have stopped since (state ``stopped``)."""

    sortable = True
    filterable = True
    NAMES = ["name", "kind", "url", "state", "requests", "started"]

    def __init__(self):
        self.title = "lab servers"
        self._seen: dict[str, LabServer] = {}
        self._subs: list[Callable[[], None]] = []
        self._frame()  # columns
        _reg.watch(self)

    def _frame(self):
        import pandas as pd

        from ..table.source import DataFrameSource

        for name, srv in registry().items():
            self._seen[name] = srv
        df = pd.DataFrame([s._summary() for s in self._seen.values()], columns=self.NAMES)
        src = DataFrameSource(df, title=self.title)
        self.columns = src.columns
        return src

    @property
    def length(self) -> int:
        return self._frame().length

    def rows(self, start, stop, sort=(), filter=None):
        return self._frame().rows(start, stop, sort, filter)

    def rows_by_key(self, keys):
        return self._frame().rows_by_key(keys)

    def to_frame(self, limit=None):
        return self._frame().to_frame(limit)

    def subscribe(self, callback):
        if callback not in self._subs:
            self._subs.append(callback)

    def unsubscribe(self, callback):
        if callback in self._subs:
            self._subs.remove(callback)

    def _servers_changed(self):
        for cb in list(self._subs):
            cb()


def servers():
    """The lab servers as a live Table (name, kind, url, state, requests):
    a server stopped later shows ``stopped`` here too."""
    from ..table import Table

    return Table(ServersSource(), title="lab servers")


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
    transcript_class: type[Transcript] = Transcript  # FTP and telnet servers record richer transcripts
    certfile: str | None = None  # the certificate a client trusts for TLS to this server (netbook.registry.lab_cafile)
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
    def start(self) -> Self:
        with _reg.lock:
            old = _reg.registry().get(self.name)
            if old is not None and old is not self:
                old.stop()
            self._start()
            self.running = True
            self.started = datetime.now(timezone.utc)
            _reg.add(self)
        _reg.changed()  # outside the registry lock: live server lists refresh
        return self

    def stop(self) -> None:
        _reg.remove(self)
        if self.running:
            self.running = False
            try:
                self._stop()
            finally:
                from .liblog import detach

                detach(self)
                _reg.changed()  # live server lists show it stopped

    def _start(self) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def _stop(self) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc):
        self.stop()

    # -- identity ---------------------------------------------------------------
    @property
    def cert(self) -> str | None:
        """The older name of :attr:`certfile`."""
        return self.certfile

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
        t = self.transcript_class(title=f"{self.name} {peer}", peer=str(peer))
        t.side = "server"
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

    def _header(self) -> str:
        from ..table.static import escape

        state = "running" if self.running else "stopped"
        return (
            f"<div class='netbook-server'><b>{escape(self.name)}</b> ({escape(self.kind)}) "
            f"<span class='netbook-badge netbook-{state}'>{state}</span> "
            f"<a href='{escape(self.url)}' target='_blank' rel='noopener'>{escape(self.url)}</a></div>"
        )

    def _live_static(self) -> tuple[str, str]:
        """text/plain and text/html as they are now (netbook.live keeps saved outputs current)."""
        from ..table.static import static_html

        return repr(self), self._header() + static_html(self.log, rows=10, title=f"{self.name} log")

    def _repr_mimebundle_(self, include=None, exclude=None):
        import ipywidgets as w

        from ..table import Table
        from ..table.widget import merge_bundle

        header = w.HTML(self._header())
        table = Table(self.log, title=f"{self.name} log")
        view = w.VBox([header, table])
        view._netbook_live = _LiveHeader(self, header)  # the badge says "stopped" once it is
        return merge_bundle(view._repr_mimebundle_(include=include, exclude=exclude), repr(self), self._header() + table.static_html())


class _LiveHeader:
    def __init__(self, srv: LabServer, widget):
        self.srv, self.widget = srv, weakref.ref(widget)
        _reg.watch(self)

    def _servers_changed(self):
        w = self.widget()
        if w is not None:
            w.value = self.srv._header()


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


class HandlerLab(SocketServerLab):
    """A socketserver lab running a chosen request handler: a ready one's
    name, a ``BaseRequestHandler`` subclass or a function (``resolve``),
    with the kind's logging mixin (``log_mixin``) in front of it."""

    log_mixin: type = object
    server_class: type

    def __init__(self, handler="echo", name=None, host="127.0.0.1", port=0):
        super().__init__(name=name, host=host, port=port)
        base = self.resolve(handler)
        self.handler = handler
        self.handler_class = type(f"Lab{base.__name__}", (self.log_mixin, base), {})

    @staticmethod
    def resolve(handler) -> type:  # pragma: no cover - each kind names its own
        raise NotImplementedError

    def make_server(self, address):
        return self.server_class(address, self.handler_class)

    def _summary(self):
        name = self.handler if isinstance(self.handler, str) else getattr(self.handler, "__name__", "handler")
        return {**super()._summary(), "kind": f"{self.kind} ({name})"}


class LabSocketServer:
    """Mix in front of a ``socketserver`` server class: daemon handler
    threads joined at close, address reuse, and a handler that crashes
    (a reset connection, a bug) becomes one row in the lab log, never a
    traceback on stderr, while the server keeps serving."""

    daemon_threads = True
    block_on_close = True
    allow_reuse_address = True
    crash_request = ""  # the log's request column for a crash

    def handle_error(self, request, client_address):
        import sys

        exc = sys.exc_info()[1]
        lab = getattr(self, "lab", None)
        if lab is not None and exc is not None:
            lab.log_event(client_address, self.crash_request, "error", 0, None, f"{type(exc).__name__}: {exc}"[:500])


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
    delta = t.utcoffset()
    off = int(delta.total_seconds()) // 60 if delta else 0
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
