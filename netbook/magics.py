"""The IPython extension: ``%load_ext netbook``.

Each magic is a thin shell over one Python call.  Protocol families register
their own magics from ``netbook/<family>/magics.py`` (a ``register(ipython)``
function); this module registers the core ``%serve`` and loads those.
"""
from __future__ import annotations

import importlib
import shlex

from IPython.core.magic import Magics, line_magic, magics_class, no_var_expand

__all__ = ["load_ipython_extension", "MAGIC_MODULES"]

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


@magics_class
class CoreMagics(Magics):
    @no_var_expand
    @line_magic
    def serve(self, line: str):
        """%serve list | stop NAME | stop all | KIND [ARG] [--name NAME] [-o VAR]

        list        the running lab servers as a Table
        stop NAME   stop one server; ``stop all`` stops every one
        KIND ARG    start a server, e.g. ``%serve http site -o srv``
        """
        from . import serve as serve_mod
        from .interpolate import interpolate

        args = shlex.split(interpolate(line, self.shell.user_ns))
        if not args or args[0] == "list":
            return serve_mod.list()
        if args[0] == "stop":
            if len(args) != 2:
                raise SyntaxError("usage: %serve stop NAME | %serve stop all")
            if args[1] == "all":
                n = serve_mod.stop_all()
                print(f"stopped {n} lab server{'s' if n != 1 else ''}")
                return None
            serve_mod.stop(args[1])
            print(f"stopped {args[1]}")
            return None
        kind, rest = args[0], args[1:]
        out = name = None
        pos = []
        it = iter(rest)
        for a in it:
            if a in ("-o", "--out"):
                out = next(it, None)
            elif a == "--name":
                name = next(it, None)
            else:
                pos.append(a)
        if kind == "wsgi":
            pos = [eval(p, self.shell.user_ns) for p in pos]  # noqa: S307 - an app named in the notebook
        srv = getattr(serve_mod, kind)(*pos, **({"name": name} if name else {}))
        if out:
            self.shell.user_ns[out] = srv
        return srv


def load_ipython_extension(ipython) -> None:
    from . import live

    ipython.register_magics(CoreMagics)
    live.install(ipython)  # Tables' saved static parts follow the live view
    for modname in MAGIC_MODULES:
        try:
            mod = importlib.import_module(modname)
        except ModuleNotFoundError as e:
            if e.name and modname.startswith(e.name):
                continue  # that family is not built yet
            raise
        mod.register(ipython)
