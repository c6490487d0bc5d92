"""Library log lines go to the lab server's own log, not to stderr.

aiosmtpd (``mail.log``: "unrecognised" commands, bogus peers), pyftpdlib and
telnetlib3 log through :mod:`logging`; with no handler configured Python
prints their warnings on stderr, into whatever notebook cell is running.
A lab server registers the threads it runs (:func:`attach`); a record logged
on one of them becomes a row of that server's ``.log`` (request
``(library)``, status the level, detail the message).  Records from other
threads (the user's own use of those libraries) go where they went before.

``nb.serve.library_logs(stderr=True, level="INFO")`` asks for them on
stderr too, and for more detail.
"""
from __future__ import annotations

import logging
import sys
import threading

__all__ = ["LIBRARY_LOGGERS", "attach", "detach", "install", "library_logs"]

LIBRARY_LOGGERS = ("mail.log", "pyftpdlib", "telnetlib3")

_labs: dict[int, object] = {}  # thread ident -> lab server
_lock = threading.Lock()
_state = {"stderr": False, "installed": False}


def _route(record: logging.LogRecord) -> bool:
    """Put ``record`` in its lab's log; False when no lab thread logged it."""
    lab = _labs.get(threading.get_ident())  # handlers run on the logging thread (record.thread may be off)
    if lab is None:
        return False
    try:
        msg = record.getMessage()
    except Exception:  # noqa: BLE001 - a bad format string must not break the server
        msg = str(record.msg)
    if record.exc_info and record.exc_info[1] is not None:
        exc = record.exc_info[1]
        msg = f"{msg}: {type(exc).__name__}: {exc}"
    lab.log_event("", f"({record.name})", record.levelname.lower(), None, None, msg.replace("\r", " ").replace("\n", " ")[:500])
    if _state["stderr"]:
        _echo(record)
    return True


def _echo(record: logging.LogRecord) -> None:
    try:
        sys.__stderr__.write(logging.Formatter("%(name)s %(levelname)s: %(message)s").format(record) + "\n")
    except (OSError, ValueError, AttributeError):
        pass


class _Router(logging.Handler):
    """On a library logger (which no longer propagates): lab threads' records
    to their lab; the others on to the ancestors, as propagation would."""

    def emit(self, record):
        if _route(record):
            return
        parent = logging.getLogger(record.name).parent
        while parent is not None and parent.name in LIBRARY_LOGGERS:  # telnetlib3.server -> telnetlib3 -> root
            parent = parent.parent
        if parent is not None:
            parent.handle(record)  # its handlers and up, or logging.lastResort: what propagation did


class _AsyncioFilter(logging.Filter):
    """asyncio's own logger is the user's too: only lab threads' records are taken."""

    def filter(self, record):
        return not _route(record)


def install() -> None:
    """Put the router on the library loggers (before a library configures its own stderr handler)."""
    if _state["installed"]:
        return
    _state["installed"] = True
    router = _Router()
    for name in LIBRARY_LOGGERS:
        lg = logging.getLogger(name)
        lg.addHandler(router)
        lg.propagate = False
        if lg.level == logging.NOTSET:
            lg.setLevel(logging.WARNING)
    logging.getLogger("asyncio").addFilter(_AsyncioFilter())


def attach(lab, thread: threading.Thread | None = None) -> None:
    """Route library records logged on ``thread`` (default: this one) to ``lab``."""
    with _lock:
        install()
        t = thread or threading.current_thread()
        if t.ident is not None:
            _labs[t.ident] = lab


def detach(lab) -> None:
    """Forget every thread of ``lab``."""
    with _lock:
        for ident in [i for i, v in _labs.items() if v is lab]:
            del _labs[ident]


def library_logs(stderr: bool = True, level: str | int = "WARNING") -> None:
    """Also print library log lines of lab servers on stderr (``stderr=True``),
    and take them from ``level`` up (``"INFO"``, ``"DEBUG"`` for more)."""
    with _lock:
        install()
        _state["stderr"] = bool(stderr)
        for name in LIBRARY_LOGGERS:
            logging.getLogger(name).setLevel(level)
