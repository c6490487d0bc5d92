"""``netbook.serve.<kind>(...)``: start a lab server of that kind.

    srv = nb.serve.http("site")          # static files
    srv = nb.serve.wsgi(app)             # a WSGI application
    nb.serve.list()  /  nb.serve.stop("http")  /  nb.serve.stop_all()

Kinds are discovered from ``netbook/servers/``; see ``nb.serve.kinds()``.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from .servers import get, kinds, registry, servers, starter, stop_all
from .servers.liblog import library_logs

if TYPE_CHECKING:
    from .table import Table

__all__ = ["get", "kinds", "registry", "servers", "stop_all", "list", "stop", "library_logs"]  # re-exported: nb.serve.stop_all() etc.


def list() -> Table:  # noqa: A001 - mirrors %serve list
    """The running lab servers as a Table."""
    return servers()


def stop(name: str) -> None:
    """Stop the lab server called ``name``."""
    get(name).stop()


def __getattr__(kind: str):
    if kind.startswith("__"):
        raise AttributeError(kind)
    return starter(kind)


def __dir__():
    return sorted(set(globals()) | set(kinds()))
