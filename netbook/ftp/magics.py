"""``%ftp``: a thin shell over ``nb.ftp`` (one session per line).

    %ftp ls ftp://alice@127.0.0.1:2121/reports/ --password {pw}
    %ftp tree ftp://127.0.0.1:2121/ --depth 3 -o t
    %ftp get ftp://127.0.0.1:2121/pub/readme.txt [LOCAL]
    %ftp put LOCAL ftp://alice@127.0.0.1:2121/inbox/[NAME] --password {pw}

Flags: ``--password P``, ``--active`` (PORT instead of PASV), ``--tls``,
``-k``/``--insecure`` (skip certificate checks), ``-o VAR`` stores the
result.  ``{name}`` is interpolated from the notebook; a value with CR/LF
is refused (it would inject an FTP command).
"""
from __future__ import annotations

from typing import Any
from urllib.parse import unquote, urlsplit, urlunsplit

from IPython.core.magic import line_magic, magics_class, no_var_expand

from ..interpolate import interpolate
from ..magicargs import MagicParser, NetbookMagics, UsageError, store

__all__ = ["register", "FTPMagics"]

USAGE = "%ftp ls|tree URL | get URL [LOCAL] | put LOCAL URL  [--password P] [--active] [--tls] [-k] [--depth N] [-o VAR]"


def _parser() -> MagicParser:
    p = MagicParser("%ftp", usage=USAGE)
    p.add_argument("action", choices=["ls", "tree", "get", "put"])
    p.add_argument("args", nargs="+")
    p.add_argument("--password", default=None)
    p.add_argument("--active", action="store_true")
    p.add_argument("--tls", action="store_true")
    p.add_argument("-k", "--insecure", action="store_true")
    p.add_argument("--depth", type=int, default=2)
    p.add_output()
    return p


def _split(url: str) -> tuple[str, str]:
    """(URL of the server, path inside it)."""
    u = urlsplit(url)
    return urlunsplit((u.scheme, u.netloc, "/", "", "")), unquote(u.path.lstrip("/"))


def run(line: str, ns: dict[str, Any] | None = None) -> Any:
    """Run one ``%ftp`` line (after interpolation); returns the result."""
    from . import connect

    a = _parser().parse_line(line)
    opts = {"password": a.password, "passive": not a.active}
    if a.tls:
        opts["tls"] = True
    if a.insecure:
        opts["verify"] = False
    if a.action in ("ls", "tree", "get"):
        if a.action != "get" and len(a.args) != 1 or a.action == "get" and len(a.args) > 2:
            raise UsageError(USAGE)
        base, path = _split(a.args[0])
        with connect(base, **opts) as f:
            if a.action == "ls":
                result = f.ls(path)
            elif a.action == "tree":
                result = f.tree(path, depth=a.depth)
            else:
                if not path or path.endswith("/"):
                    raise UsageError("%ftp get: the URL must name a file")
                result = f.get(path, a.args[1] if len(a.args) == 2 else None)
    else:
        if len(a.args) != 2:
            raise UsageError(USAGE)
        local, url = a.args
        base, path = _split(url)
        if not path or path.endswith("/"):
            import os

            path = path + os.path.basename(local)
        with connect(base, **opts) as f:
            result = f.put(local, path)
    return store(ns, a.out, result)


@magics_class
class FTPMagics(NetbookMagics):
    @no_var_expand
    @line_magic
    def ftp(self, line: str) -> Any:
        """%ftp ls|tree URL | get URL [LOCAL] | put LOCAL URL [--password P] [--active] [--tls] [-k] [--depth N] [-o VAR]"""
        return run(interpolate(line, self.user_ns), self.user_ns)


def register(ipython: Any) -> None:
    ipython.register_magics(FTPMagics)
