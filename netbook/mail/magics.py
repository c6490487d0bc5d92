"""``%smtp`` and ``%%smtp``: thin shells over ``nb.serve.smtp`` and ``nb.mail.send``.

    %smtp serve ...  is  %serve smtp ...  (the same options; kept for old notebooks)
    %serve smtp [--users alice:pw1,bob:pw2] [--auth optional|required|any]
                [--mode store|debug|relay] [--relay URL] [--starttls]
                [--max-size N] [--fault "RCPT 3 452 Too many"]... [--name N] [-o VAR]
    %smtp stop [NAME]          %smtp log [NAME]

    %%smtp [--url URL] [--user U --password {pw}] [--starttls] [--dry-run]
           [--attach PATH]... [-o VAR]
    From: {me}
    To: alice@netbook.lab
    Subject: Hello {name}

    The body.  {name} works here too.

``{name}`` is interpolated from the notebook; a value with CR/LF is refused
in the headers (it would inject a header) and allowed in the body.
"""
from __future__ import annotations

from typing import Any

from IPython.core.magic import line_magic, magics_class, no_var_expand

from ..interpolate import interpolate
from ..magicargs import MagicParser, NetbookMagics, UsageError, named_cell_magic, split, store

__all__ = ["register", "MailMagics"]

USAGE = "%smtp serve [options] | %smtp stop [NAME] | %smtp log [NAME]; %%smtp sends the cell"


def _send_parser() -> MagicParser:
    p = MagicParser("%%smtp")
    p.add_argument("--url", default=None)
    p.add_argument("--user", default=None)
    p.add_argument("--password", default=None)
    p.add_argument("--starttls", action="store_true")
    p.add_argument("--dry-run", action="store_true")
    p.add_argument("--attach", action="append", default=[])
    p.add_output()
    return p


@magics_class
class MailMagics(NetbookMagics):
    @no_var_expand
    @line_magic
    def smtp(self, line: str) -> Any:
        """%smtp serve [options] | stop [NAME] | log [NAME]

        ``%smtp serve ...`` is ``%serve smtp ...`` (same options: ``--users
        alice:pw,bob:pw --auth required --mode store|debug|relay --relay URL
        --starttls --max-size N --fault "RCPT 3 452 Too many" --name N -o VAR``).
        """
        from ..servemagic import serve_args

        ns = self.user_ns
        args = split(interpolate(line, ns), "%smtp")
        if not args:
            raise UsageError(f"usage: {USAGE}")
        verb, rest = args[0], args[1:]
        if verb == "serve":
            return serve_args(["smtp", *rest], ns)
        if verb in ("stop", "log"):
            return serve_args([verb, rest[0] if rest else "smtp"], ns)
        raise UsageError(f"%smtp: unknown verb {verb!r}; use serve, stop or log (%%smtp sends a message)")

    @no_var_expand
    @named_cell_magic("smtp")
    def smtp_cell(self, line: str, cell: str) -> Any:
        """%%smtp [--url URL] [--user U --password {pw}] [--starttls] [--dry-run] [--attach PATH] [-o VAR]"""
        from .send import send

        ns = self.user_ns
        o = _send_parser().parse_line(line, ns)
        text = cell.replace("\r\n", "\n").lstrip("\n")
        head, sep, body = text.partition("\n\n")
        message = interpolate(head, ns) + sep + interpolate(body, ns, multiline_values=True)
        result = send(message, url=o.url, user=o.user, password=o.password, starttls=o.starttls or None,
                      dry_run=o.dry_run, attachments=o.attach)
        return store(ns, o.out, result)


def register(ipython: Any) -> None:
    ipython.register_magics(MailMagics)
