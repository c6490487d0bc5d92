"""Lab servers: one cell away, named, logged, stopped at exit.

``netbook.serve.<kind>(...)`` starts a server of that kind; each kind lives
in ``netbook/servers/<kind>.py`` and exposes a ``serve(...)`` function, found
here by name so that importing netbook never imports every server.
"""
from __future__ import annotations

import importlib
import pkgutil
from typing import Callable

from .base import LabServer, SocketServerLab, get, registry, servers, stop_all

__all__ = ["LabServer", "SocketServerLab", "get", "registry", "servers", "stop_all", "kinds", "starter"]

_NOT_KINDS = {"base"}


def kinds() -> list[str]:
    """The kinds of lab server netbook can start."""
    return sorted(
        m.name for m in pkgutil.iter_modules(__path__) if not m.name.startswith("_") and m.name not in _NOT_KINDS
    )


def starter(kind: str) -> Callable[..., LabServer]:
    """The ``serve`` function of a kind of server."""
    if kind.startswith("_") or kind in _NOT_KINDS or kind not in kinds():
        raise AttributeError(f"no lab server kind {kind!r}; kinds are {', '.join(kinds())}")
    return importlib.import_module(f"{__name__}.{kind}").serve


class _CallableModule(type(importlib)):
    """``nb.servers()`` lists the running servers, though ``netbook.servers``
    is also this package (the import system sets that attribute)."""

    def __call__(self):
        return servers()


import sys as _sys  # noqa: E402

_sys.modules[__name__].__class__ = _CallableModule
