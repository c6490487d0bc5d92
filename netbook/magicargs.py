"""The one argument parser of netbook's magics.

Every magic line goes the same way: ``{name}`` interpolation from the
notebook (CR/LF refused, :mod:`netbook.interpolate`), ``shlex`` splitting,
then an :class:`argparse.ArgumentParser` whose errors are IPython's
``UsageError`` (shown as one line, like IPython's own magics)::

    p = MagicParser("%ftp", usage="%ftp ls|tree URL ...")
    p.add_argument("action", choices=["ls", "tree"])
    p.add_output()                      # -o/--out VAR
    args = p.parse_line(line, user_ns)  # interpolate + split + parse
    return store(user_ns, args.out, result)

:func:`serve_parser` builds the options of ``%serve KIND`` from the
signature of ``nb.serve.KIND`` itself, so every keyword of a lab server is
a flag (``max_size=`` is ``--max-size N``, ``starttls=False`` is
``--starttls``, ``users=`` takes ``alice:pw,bob:pw``).
"""
from __future__ import annotations

import argparse
import inspect
import shlex
from collections.abc import Callable, Iterable, Mapping, MutableMapping
from typing import Any, NoReturn, TypeVar, cast

from IPython.core.error import UsageError
from IPython.core.magic import Magics, cell_magic

from .interpolate import interpolate

__all__ = ["UsageError", "NetbookMagics", "named_cell_magic", "MagicParser", "split", "store", "users", "resolve", "serve_parser", "serve_kwargs"]


class NetbookMagics(Magics):
    """Base of netbook's magics classes: ``self.user_ns`` is the notebook's namespace."""

    @property
    def user_ns(self) -> dict[str, Any]:
        if self.shell is None:
            raise UsageError("netbook's magics run inside IPython (%load_ext netbook)")
        ns: dict[str, Any] = self.shell.user_ns
        return ns


_F = TypeVar("_F", bound=Callable[..., Any])


def named_cell_magic(name: str) -> Callable[[_F], _F]:
    """``@cell_magic(name)`` with the type IPython's own annotation misses."""
    return cast(Callable[[_F], _F], cell_magic(name))


class MagicParser(argparse.ArgumentParser):
    """``argparse`` for a magic: no ``--help``/exit, errors are ``UsageError``."""

    def __init__(self, prog: str, usage: str | None = None, **kw: Any) -> None:
        kw.setdefault("add_help", False)
        super().__init__(prog=prog, usage=usage, **kw)

    def error(self, message: str) -> NoReturn:
        hint = f"; usage: {self.usage}" if self.usage else ""
        raise UsageError(f"{self.prog}: {message}{hint}")

    def exit(self, status: int = 0, message: str | None = None) -> NoReturn:
        raise UsageError(f"{self.prog}: {message or 'bad arguments'}".strip())

    def add_output(self) -> None:
        """``-o VAR`` / ``--out VAR``: store the result in the notebook."""
        self.add_argument("-o", "--out", default=None, metavar="VAR")

    def parse_line(self, line: str, user_ns: Mapping[str, Any] | None = None, *,
                   comments: bool = False) -> argparse.Namespace:
        """Interpolate ``{name}`` from ``user_ns`` (unless it is None), split, parse."""
        text = line if user_ns is None else interpolate(line, dict(user_ns))
        return self.parse_args(split(text, self.prog, comments=comments))


def split(text: str, prog: str = "%magic", *, comments: bool = False) -> list[str]:
    """``shlex.split`` whose errors (an unclosed quote) are ``UsageError``."""
    try:
        return shlex.split(text, comments=comments)
    except ValueError as e:
        raise UsageError(f"{prog}: {e}") from None


def store(user_ns: MutableMapping[str, Any] | None, name: str | None, value: Any) -> Any:
    """``-o VAR``: put ``value`` in the notebook as ``VAR``; returns ``value``."""
    if name and user_ns is not None:
        if not name.isidentifier():
            raise UsageError(f"-o {name!r}: not a Python variable name")
        user_ns[name] = value
    return value


def users(text: str) -> dict[str, str]:
    """``"alice:pw1,bob:pw2"`` -> ``{"alice": "pw1", "bob": "pw2"}``."""
    out = {}
    for pair in text.split(","):
        name, sep, pw = pair.partition(":")
        if not sep or not name.strip():
            raise argparse.ArgumentTypeError("takes name:password pairs separated by commas")
        out[name.strip()] = pw
    return out


def resolve(name: str, user_ns: Mapping[str, Any], what: str = "object") -> Any:
    """The notebook variable ``name`` (``app`` or ``module.app``), without ``eval``."""
    head, *rest = name.split(".")
    if not head.isidentifier() or not all(p.isidentifier() for p in rest):
        raise UsageError(f"{name!r} is not a variable name; give the {what}'s name")
    if head not in user_ns:
        raise UsageError(f"no variable named {head!r} in the notebook")
    obj = user_ns[head]
    for part in rest:
        try:
            obj = getattr(obj, part)
        except AttributeError:
            raise UsageError(f"{name}: {type(obj).__name__} has no attribute {part!r}") from None
    return obj


_SERVE_SKIP = {"host"}  # lab servers bind loopback; keep it that way from a magic


def serve_parser(kind: str, func: Callable[..., Any],
                 extra: Iterable[tuple[str, str, Any]] = ()) -> MagicParser:
    """``%serve KIND``'s parser from ``func``'s signature.

    Positional values go to ``args``; each keyword becomes ``--key-name``
    (bool: a flag with its ``--no-`` form; int/float: a number; a tuple or
    list default: repeatable, also as the singular ``--fault``; ``users``:
    ``name:pw,...``).  ``extra``: ``(flag, dest, constant)`` shorthands such
    as ``("--read-only", "posting", False)``.  Only the options given are
    passed, so the server's own defaults stay its defaults."""
    p = MagicParser(f"%serve {kind}")
    p.add_argument("args", nargs="*")
    p.add_output()
    params: list[inspect.Parameter] = []
    try:
        params = list(inspect.signature(func).parameters.values())
    except (TypeError, ValueError):
        pass  # no signature: positional values only
    for prm in params:
        if prm.kind in (prm.VAR_POSITIONAL, prm.VAR_KEYWORD) or prm.name in _SERVE_SKIP:
            continue
        flag = "--" + prm.name.replace("_", "-")
        d = prm.default
        kw: dict[str, Any] = {"dest": prm.name, "default": argparse.SUPPRESS}
        if isinstance(d, bool):
            p.add_argument(flag, action=argparse.BooleanOptionalAction, **kw)
        elif isinstance(d, (int, float)):
            p.add_argument(flag, type=type(d), metavar="N", **kw)
        elif isinstance(d, (tuple, list)):
            flags = [flag] + ([flag[:-1]] if flag.endswith("s") else [])
            p.add_argument(*flags, action="append", metavar="VALUE", **kw)
        elif prm.name == "users":
            p.add_argument(flag, type=users, metavar="NAME:PW,...", **kw)
        else:
            p.add_argument(flag, metavar="VALUE", **kw)
    for opt, dest, const in extra:
        p.add_argument(opt, dest=dest, action="store_const", const=const, default=argparse.SUPPRESS)
    return p


def serve_kwargs(kind: str, func: Callable[..., Any], line_args: list[str],
                 extra: Iterable[tuple[str, str, Any]] = ()) -> tuple[list[str], dict[str, Any], str | None]:
    """``(positional, keywords, -o VAR)`` of a ``%serve KIND ...`` line (already split)."""
    ns = vars(serve_parser(kind, func, extra).parse_args(line_args))
    pos = ns.pop("args")
    out = ns.pop("out")
    return pos, ns, out
