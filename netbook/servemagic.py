"""``%serve`` (and ``%smtp serve`` / ``%news serve``): start, list, stop lab servers.

Lives beside :mod:`netbook.registry` (not in :mod:`netbook.magics`) so that the
families' magics can reach it without an import cycle through the extension.
"""
from __future__ import annotations

from typing import Any

__all__ = ["SERVE_EXTRA", "OBJECT_KINDS", "USAGE", "serve_line", "serve_args"]

# %serve KIND shorthands: (flag, keyword, value)
SERVE_EXTRA: dict[str, list[tuple[str, str, Any]]] = {
    "nntp": [("--read-only", "posting", False)],
}
# kinds whose positional arguments name objects in the notebook (an app, functions)
OBJECT_KINDS = {"wsgi", "xmlrpc"}

USAGE = "%serve list | stop NAME|all | log [NAME] | KIND [ARG ...] [--option VALUE ...] [--name NAME] [-o VAR]"


def serve_line(line: str, user_ns: dict[str, Any] | None = None) -> Any:
    """The work of ``%serve``: interpolate ``{name}``, split, :func:`serve_args`."""
    from .interpolate import interpolate
    from .magicargs import split

    ns = user_ns if user_ns is not None else {}
    return serve_args(split(interpolate(line, ns), "%serve"), ns)


def serve_args(args: list[str], user_ns: dict[str, Any] | None = None) -> Any:
    """``%serve`` on a split (and interpolated) line; ``%smtp serve`` and
    ``%news serve`` come here too."""
    import importlib

    from . import registry as serve_mod
    from .magicargs import UsageError, resolve, serve_kwargs, store
    from .registry import kinds

    ns = user_ns if user_ns is not None else {}
    if not args or args[0] == "list":
        return serve_mod.table()
    verb, rest = args[0], args[1:]
    if verb == "stop":
        if len(rest) != 1:
            raise UsageError("%serve stop NAME | %serve stop all")
        if rest[0] == "all":
            n = serve_mod.stop_all()
            print(f"stopped {n} lab server{'s' if n != 1 else ''}")
            return None
        serve_mod.stop(rest[0])
        print(f"stopped {rest[0]}")
        return None
    if verb == "log":
        from .table import Table

        running = list(serve_mod.registry())
        if not rest and len(running) != 1:
            raise UsageError(f"%serve log NAME: which one? running: {', '.join(running) or 'none'}")
        srv = serve_mod.get(rest[0] if rest else running[0])
        return Table(srv.log, title=f"{srv.name} log")
    if verb not in kinds():
        raise UsageError(f"%serve: no lab server kind {verb!r}; kinds are {', '.join(kinds())}; usage: {USAGE}")
    func = importlib.import_module("netbook.servers").starter(verb)  # by name: no import of servers/ here
    pos, kw, out = serve_kwargs(verb, func, rest, SERVE_EXTRA.get(verb, ()))
    values: list[Any] = list(pos)
    if verb in OBJECT_KINDS:
        values = [resolve(p, ns, "application" if verb == "wsgi" else "function") for p in pos]
    return store(ns, out, func(*values, **kw))
