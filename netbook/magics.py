"""The IPython extension: ``%load_ext netbook``.

Each magic is a thin shell over one Python call.  Protocol families register
their own magics from ``netbook/<family>/magics.py`` (a ``register(ipython)``
function); this module registers the core ``%serve`` and loads those.  All
magics parse their line with :mod:`netbook.magicargs` (errors are IPython's
``UsageError``).
"""
from __future__ import annotations

import importlib
from typing import Any

from IPython.core.magic import line_magic, magics_class, no_var_expand

from .magicargs import NetbookMagics

__all__ = ["load_ipython_extension", "MAGIC_MODULES", "SERVE_EXTRA", "OBJECT_KINDS", "serve_line", "serve_args"]

# Protocol families with magics; each module has register(ipython).
MAGIC_MODULES = [
    "netbook.http.magics",   # %fetch %%fetch
    "netbook.ip.magics",     # %ipnet
    "netbook.mail.magics",   # %smtp %%smtp
    "netbook.news.magics",   # %news %%news
    "netbook.web.magics",    # web and RPC helpers
    "netbook.ftp.magics",    # %ftp
    "netbook.telnet.magics", # %telnet %%telnet
]

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
    from . import serve as serve_mod
    from .magicargs import UsageError, resolve, serve_kwargs, store
    from .servers import kinds

    ns = user_ns if user_ns is not None else {}
    if not args or args[0] == "list":
        return serve_mod.list()
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
    func = getattr(serve_mod, verb)
    pos, kw, out = serve_kwargs(verb, func, rest, SERVE_EXTRA.get(verb, ()))
    values: list[Any] = list(pos)
    if verb in OBJECT_KINDS:
        values = [resolve(p, ns, "application" if verb == "wsgi" else "function") for p in pos]
    return store(ns, out, func(*values, **kw))


@magics_class
class CoreMagics(NetbookMagics):
    @no_var_expand
    @line_magic
    def serve(self, line: str) -> Any:
        """%serve list | stop NAME | stop all | log [NAME] | KIND [ARG ...] [--option VALUE ...] [-o VAR]

        list        the running lab servers as a Table
        stop NAME   stop one server; ``stop all`` stops every one
        log NAME    a server's live log as a Table
        KIND ARG    start a server, e.g. ``%serve http site -o srv``,
                    ``%serve smtp --users alice:pw --starttls``,
                    ``%serve nntp --groups lab.general --read-only``,
                    ``%serve wsgi app`` (``app`` is a variable of the notebook).
                    Every keyword of ``nb.serve.KIND`` is a ``--flag``.
        """
        return serve_line(line, self.user_ns)


def load_ipython_extension(ipython: Any) -> None:
    ipython.register_magics(CoreMagics)
    for modname in MAGIC_MODULES:
        try:
            mod = importlib.import_module(modname)
        except ModuleNotFoundError as e:
            if e.name and modname.startswith(e.name):
                continue  # that family is not built yet
            raise
        mod.register(ipython)
