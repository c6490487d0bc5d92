"""The lab-server registry: name -> running lab server.

Its own module so clients (mail, ftp, news, telnet) find the running lab
server of a kind, or the certificate to trust for one, without importing
``netbook.servers`` (which imports the families' stores and transcripts).
``LabServer.start()``/``.stop()`` add and remove entries here.
"""
from __future__ import annotations

import atexit
import threading
import weakref
from typing import Any

__all__ = ["registry", "get", "kinds", "starter", "start", "stop", "stop_all", "table", "add", "remove",
           "lab_server_for", "lab_cafile", "lock", "watch", "changed"]

_registry: dict[str, Any] = {}
lock = threading.RLock()  # held while a server starts, so a replaced one is stopped first
# live views of the servers (a servers list, a server's header): told when one starts or stops
_watchers: "weakref.WeakSet[Any]" = weakref.WeakSet()


def watch(view) -> None:
    """Call ``view._servers_changed()`` whenever a server starts or stops."""
    _watchers.add(view)


def changed() -> None:
    """Tell the live views.  A thread holding ``lock`` (a start replacing a
    server of the same name) does not: the start tells them once it is done."""
    if getattr(lock, "_is_owned", lambda: False)():
        return
    for w in list(_watchers):
        try:
            w._servers_changed()
        except Exception:  # noqa: BLE001 - a closed view must not break start/stop
            pass


def registry() -> dict[str, Any]:
    """Name -> running server (a copy)."""
    with lock:
        return dict(_registry)


def get(name: str):
    """The running lab server named ``name`` (KeyError naming the running ones)."""
    with lock:
        try:
            return _registry[name]
        except KeyError:
            raise KeyError(f"no lab server named {name!r}; running: {sorted(_registry) or 'none'}") from None


def kinds() -> list[str]:
    """The kinds of lab server netbook can start (``netbook/servers/<kind>.py``),
    listed without importing them."""
    import importlib.util
    import pkgutil

    spec = importlib.util.find_spec("netbook.servers")
    paths = list(spec.submodule_search_locations or []) if spec else []
    return sorted(m.name for m in pkgutil.iter_modules(paths) if not m.name.startswith("_") and m.name != "base")


def stop(name: str) -> None:
    """Stop the lab server called ``name``."""
    get(name).stop()


def starter(kind: str):
    """The ``serve`` function of ``kind`` (imported by name, as ``nb.serve``
    does), e.g. to read its signature for magic options."""
    import importlib

    return importlib.import_module("netbook.servers").starter(kind)


def start(kind: str, *args, **kwargs):
    """Start a lab server of ``kind``: ``nb.serve.<kind>(*args, **kwargs)``.
    The families' magics (``%smtp serve``, ``%news serve``) start servers
    through here: the kind is found by name, as ``nb.serve`` finds it, so a
    client package never imports ``netbook.servers`` (which imports the
    families' stores and transcripts)."""
    return starter(kind)(*args, **kwargs)


def add(server: Any) -> None:
    """Register ``server`` under ``server.name``; an older server of that
    name is stopped first (re-running a cell replaces, never collides)."""
    with lock:
        old = _registry.get(server.name)
        if old is not None and old is not server:
            old.stop()
        _registry[server.name] = server
    # no changed() here: LabServer.start calls it once it has let go of ``lock``
    # (a live view's refresh takes its own lock, then ours: never the other order)


def remove(server: Any) -> None:
    name = server.name
    with lock:
        if _registry.get(name) is server:
            del _registry[name]


def stop_all() -> int:
    """Stop every lab server; returns how many were stopped."""
    with lock:
        all_ = list(_registry.values())
    for s in all_:
        s.stop()
    return len(all_)


atexit.register(stop_all)


def table():
    """The lab servers as a live Table (name, kind, url, state, requests,
    started): ``nb.servers()``, ``nb.serve.list()``, ``%serve list``; a
    server stopped later shows ``stopped`` there too."""
    import importlib

    return importlib.import_module("netbook.servers.base").servers()  # by name: the Source lives with LabServer


def lab_server_for(kind: str):
    """The running lab server of ``kind`` (the one named ``kind`` first,
    else any), or None."""
    reg = registry()
    s = reg.get(kind)
    if s is not None and s.kind == kind:
        return s
    for s in reg.values():
        if s.kind == kind:
            return s
    return None


def lab_cafile(host: str, port: int) -> str | None:
    """The certificate file of the running lab server at host:port (what a
    client trusts for TLS to the lab's generated certificate), or None."""
    for s in registry().values():
        cert = getattr(s, "certfile", None)
        if cert and s.port == port and s.host == host:
            return cert
    return None
