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
import weakref
from collections import deque
from datetime import datetime, timezone
from typing import Callable

from ..table.source import Column, Source, StreamSource
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
# live views of servers (the servers list, a server's header), told when one starts or stops
_watchers: "weakref.WeakSet" = weakref.WeakSet()


def _changed() -> None:
    for w in list(_watchers):
        try:
            w._servers_changed()
        except Exception:  # noqa: BLE001, S110 - a closed view must not break start/stop
            pass


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
        _watchers.add(self)

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
        _changed()
        return self

    def stop(self) -> None:
        with _reg_lock:
            if _registry.get(self.name) is self:
                del _registry[self.name]
        if self.running:
            self.running = False
            self._stop()
            _changed()

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
        _watchers.add(self)

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
