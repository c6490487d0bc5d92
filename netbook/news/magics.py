"""``%news`` and ``%%news``: thin shells over ``nb.news`` and ``nb.serve.nntp``.

    %news serve [--groups lab.general,lab.python] [--users alice:pw] [--read-only] [--name N] [-o VAR]
    %news groups URL [--password P] [-o VAR]
    %news over URL/GROUP [RANGE] [--password P] [-o VAR]
    %news article URL/GROUP N|<message-id> [-o VAR]
    %news thread URL/GROUP <message-id> [-o VAR]
    %news post URL/GROUP --subject S [--from F] [--body TEXT] [-o VAR]

    %%news post URL/GROUP --subject "Hello {name}" [--from F] [--references ID]
    The body, {name} interpolated.

``{name}`` is interpolated from the notebook; a value carrying CR/LF is
refused everywhere on the command line (it would forge a header).
"""
from __future__ import annotations

import argparse
import shlex

from IPython.core.magic import Magics, line_cell_magic, magics_class, no_var_expand

from ..interpolate import interpolate

__all__ = ["register", "NewsMagics"]


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        raise SyntaxError(f"{self.prog}: {message}")


def _parser():
    p = _Parser(prog="%news", add_help=False)
    p.add_argument("action", choices=["serve", "groups", "over", "article", "thread", "post"])
    p.add_argument("url", nargs="?")
    p.add_argument("what", nargs="?")
    p.add_argument("--password", default=None)
    p.add_argument("--subject", default=None)
    p.add_argument("--from", dest="from_", default="student@netbook.lab")
    p.add_argument("--groups", default=None)
    p.add_argument("--references", default=None)
    p.add_argument("--body", default=None)
    p.add_argument("--users", default=None)
    p.add_argument("--read-only", action="store_true")
    p.add_argument("--name", default=None)
    p.add_argument("-o", "--out", default=None)
    return p


def run(line: str, cell: str | None = None, user_ns=None):
    """The magic's work, without IPython (tests call it)."""
    from . import news

    user_ns = user_ns if user_ns is not None else {}
    args = _parser().parse_args(shlex.split(interpolate(line, user_ns)))
    if args.action == "serve":
        from ..registry import start

        groups = {g: "" for g in args.groups.split(",")} if args.groups else None
        users = dict(u.split(":", 1) for u in args.users.split(",")) if args.users else None
        result = start("nntp", groups, users=users, posting=not args.read_only, name=args.name)
    else:
        if not args.url:
            raise SyntaxError(f"%news {args.action}: needs a URL (nntp://host:port/group)")
        n = news(args.url, password=args.password)
        if args.action == "groups":
            result = n.groups(args.what)
        elif args.action == "over":
            result = n.overview(args.what)
        elif args.action == "article":
            if not args.what:
                raise SyntaxError("%news article URL N|<message-id>")
            result = n.article(args.what)
        elif args.action == "thread":
            if not args.what:
                raise SyntaxError("%news thread URL <message-id>")
            result = n.thread(args.what)
        else:
            if not args.subject:
                raise SyntaxError("%news post: --subject is required")
            body = interpolate(cell, user_ns, multiline_values=True) if cell is not None else (args.body or "")
            result = n.post(args.subject, body, args.groups, from_=args.from_, references=args.references)
        n.close()  # every result is complete (an article is fetched whole)
    if args.out:
        user_ns[args.out] = result
    return result


@magics_class
class NewsMagics(Magics):
    @no_var_expand
    @line_cell_magic
    def news(self, line: str, cell: str | None = None):
        """%news serve|groups|over|article|thread|post URL ... (see netbook.news.magics)"""
        return run(line, cell, self.shell.user_ns)


def register(ipython) -> None:
    ipython.register_magics(NewsMagics)
