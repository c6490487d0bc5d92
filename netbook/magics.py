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
from .servemagic import OBJECT_KINDS, SERVE_EXTRA, USAGE, serve_args, serve_line  # noqa: F401 (re-exported)

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
