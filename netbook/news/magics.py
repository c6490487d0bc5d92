"""``%news`` and ``%%news``: thin shells over ``nb.news`` and ``nb.serve.nntp``.

    %serve nntp [--groups lab.general,lab.python] [--users alice:pw] [--read-only] [--name N] [-o VAR]
    (``%news serve ...`` is the same as ``%serve nntp ...``, kept for old notebooks)
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

from typing import Any

from IPython.core.magic import line_cell_magic, magics_class, no_var_expand

from ..interpolate import interpolate
from ..magicargs import MagicParser, NetbookMagics, UsageError, split, store

__all__ = ["register", "NewsMagics"]

ACTIONS = ["groups", "over", "article", "thread", "post"]


def _parser() -> MagicParser:
    p = MagicParser("%news", usage="%news groups|over|article|thread|post URL ... (%serve nntp starts a server)")
    p.add_argument("action", choices=ACTIONS)
    p.add_argument("url", nargs="?")
    p.add_argument("what", nargs="?")
    p.add_argument("--password", default=None)
    p.add_argument("--subject", default=None)
    p.add_argument("--from", dest="from_", default="student@netbook.lab")
    p.add_argument("--groups", default=None)
    p.add_argument("--references", default=None)
    p.add_argument("--body", default=None)
    p.add_output()
    return p


def run(line: str, cell: str | None = None, user_ns: dict[str, Any] | None = None) -> Any:
    """The magic's work, without IPython (tests call it)."""
    from . import news

    user_ns = user_ns if user_ns is not None else {}
    argv = split(interpolate(line, user_ns), "%news")
    if argv[:1] == ["serve"]:
        from ..servemagic import serve_args

        return serve_args(["nntp", *argv[1:]], user_ns)
    args = _parser().parse_args(argv)
    if not args.url:
        raise UsageError(f"%news {args.action}: needs a URL (nntp://host:port/group)")
    if args.action in ("article", "thread") and not args.what:
        raise UsageError(f"%news {args.action} URL " + ("N|<message-id>" if args.action == "article" else "<message-id>"))
    if args.action == "post" and not args.subject:
        raise UsageError("%news post: --subject is required")
    n = news(args.url, password=args.password)
    try:
        if args.action == "groups":
            result = n.groups(args.what)
        elif args.action == "over":
            result = n.overview(args.what)
        elif args.action == "article":
            result = n.article(args.what)
        elif args.action == "thread":
            result = n.thread(args.what)
        else:
            body = interpolate(cell, user_ns, multiline_values=True) if cell is not None else (args.body or "")
            result = n.post(args.subject, body, args.groups, from_=args.from_, references=args.references)
    finally:
        n.close()  # every result is complete (an article is fetched whole)
    return store(user_ns, args.out, result)


@magics_class
class NewsMagics(NetbookMagics):
    @no_var_expand
    @line_cell_magic
    def news(self, line: str, cell: str | None = None) -> Any:
        """%news groups|over|article|thread|post URL ... (see netbook.news.magics); %serve nntp serves"""
        return run(line, cell, self.user_ns)


def register(ipython: Any) -> None:
    ipython.register_magics(NewsMagics)
