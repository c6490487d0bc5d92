"""``%smtp`` and ``%%smtp``: thin shells over ``nb.serve.smtp`` and ``nb.mail.send``.

    %smtp serve [--users alice:pw1,bob:pw2] [--auth optional|required|any]
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

import argparse
import shlex

from IPython.core.magic import Magics, cell_magic, line_magic, magics_class, no_var_expand

from ..interpolate import interpolate

__all__ = ["register", "MailMagics"]


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        raise SyntaxError(f"{self.prog}: {message}")


def _serve_parser():
    p = _Parser(prog="%smtp serve", add_help=False)
    p.add_argument("--users", default=None)
    p.add_argument("--auth", default=None, choices=["optional", "required", "any"])
    p.add_argument("--mode", default="store", choices=["store", "debug", "relay"])
    p.add_argument("--relay", default=None)
    p.add_argument("--starttls", action="store_true")
    p.add_argument("--max-size", type=int, default=10 * 1024 * 1024)
    p.add_argument("--fault", action="append", default=[])
    p.add_argument("--name", default=None)
    p.add_argument("-o", "--out", default=None)
    return p


def _send_parser():
    p = _Parser(prog="%%smtp", add_help=False)
    p.add_argument("--url", default=None)
    p.add_argument("--user", default=None)
    p.add_argument("--password", default=None)
    p.add_argument("--starttls", action="store_true")
    p.add_argument("--dry-run", action="store_true")
    p.add_argument("--attach", action="append", default=[])
    p.add_argument("-o", "--out", default=None)
    return p


@magics_class
class MailMagics(Magics):
    @no_var_expand
    @line_magic
    def smtp(self, line: str):
        """%smtp serve [options] | stop [NAME] | log [NAME]  (see netbook.mail.magics)."""
        from .. import registry

        args = shlex.split(interpolate(line, self.shell.user_ns))
        if not args:
            raise SyntaxError("usage: %smtp serve [options] | %smtp stop [NAME] | %smtp log [NAME]; %%smtp sends the cell")
        verb, rest = args[0], args[1:]
        if verb == "serve":
            o = _serve_parser().parse_args(rest)
            users = None
            if o.users:
                users = {}
                for pair in o.users.split(","):
                    name, sep, pw = pair.partition(":")
                    if not sep:
                        raise SyntaxError("--users takes name:password pairs separated by commas")
                    users[name.strip()] = pw
            kw = dict(users=users, auth=o.auth, mode=o.mode, relay=o.relay, starttls=o.starttls,
                      max_size=o.max_size, faults=o.fault)
            if o.name:
                kw["name"] = o.name
            srv = registry.start("smtp", **kw)
            if o.out:
                self.shell.user_ns[o.out] = srv
            return srv
        if verb == "stop":
            name = rest[0] if rest else "smtp"
            registry.get(name).stop()
            print(f"stopped {name}")
            return None
        if verb == "log":
            from ..table import Table

            srv = registry.get(rest[0] if rest else "smtp")
            return Table(srv.log, title=f"{srv.name} log")
        raise SyntaxError(f"%smtp: unknown verb {verb!r}; use serve, stop or log (%%smtp sends a message)")

    @no_var_expand
    @cell_magic("smtp")
    def smtp_cell(self, line: str, cell: str):
        """%%smtp [--url URL] [--user U --password {pw}] [--starttls] [--dry-run] [--attach PATH] [-o VAR]"""
        from .send import send

        ns = self.shell.user_ns
        o = _send_parser().parse_args(shlex.split(interpolate(line, ns)))
        text = cell.replace("\r\n", "\n").lstrip("\n")
        head, sep, body = text.partition("\n\n")
        message = interpolate(head, ns) + sep + interpolate(body, ns, multiline_values=True)
        result = send(message, url=o.url, user=o.user, password=o.password, starttls=o.starttls or None,
                      dry_run=o.dry_run, attachments=o.attach)
        if o.out:
            ns[o.out] = result
        return result


def register(ipython) -> None:
    ipython.register_magics(MailMagics)
