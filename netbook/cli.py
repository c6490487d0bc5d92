"""The ``netbook`` command (also ``python -m netbook``).

    netbook labs [DIR] [--force] [--student | --nbgrader]   copy the lab notebooks out
    netbook serve KIND [ARG] [--bind HOST] [--port N] [--user NAME:PASSWORD ...]
    netbook --version

``serve`` runs one lab server in the foreground (Ctrl-C stops it) so a
student can point Thunderbird, FileZilla, curl or a browser at it; it binds
127.0.0.1 unless ``--bind`` says otherwise, and then warns.
"""
from __future__ import annotations

import argparse
import signal
import sys
import threading
from pathlib import Path
from typing import Sequence

from . import __version__

# kind -> what its positional ARG means (None: it takes none)
_ARG = {
    "http": "directory to serve (default: the current one)",
    "cgi": "directory of CGI scripts (default: the current one)",
    "ftp": "root directory (default: a fresh temporary one)",
    "wsgi": "the application as module:attribute (required)",
    "xmlrpc": "functions or an instance as module:attribute (required)",
    "tcp": "a ready handler: echo, chat, ... (default echo)",
    "udp": "a ready handler (default echo)",
    "telnet": "an app: echo, menu, chat (default echo)",
}
_USERS = {"ftp", "smtp", "pop3", "imap", "nntp", "telnet", "mail"}


def _kinds() -> list[str]:
    from .servers import kinds

    return kinds() + ["mail"]


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="netbook", description="Python's Internet protocols in Jupyter: labs and lab servers.")
    p.add_argument("--version", action="version", version=f"netbook {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    lp = sub.add_parser("labs", help="copy the lab notebooks into a folder",
                        description="Copy netbook's lab notebooks into DIR (default ./netbook-labs). "
                                    "A notebook you already have is kept unless --force is given.")
    lp.add_argument("dir", nargs="?", default="netbook-labs", help="target folder (default: %(default)s)")
    lp.add_argument("--force", action="store_true", help="overwrite notebooks that are already there")
    mode = lp.add_mutually_exclusive_group()
    mode.add_argument("--student", action="store_true", help="remove the worked solutions from the exercises")
    mode.add_argument("--nbgrader", action="store_true",
                      help="write nbgrader cell metadata (solution and autograded cells) for a course")
    lp.add_argument("--list", action="store_true", help="list the labs and exit")

    sp = sub.add_parser("serve", help="run a lab server in the foreground",
                        description="Run one lab server until Ctrl-C, printing its log.")
    sp.add_argument("kind", help="kind of server: " + ", ".join(_kinds()))
    sp.add_argument("arg", nargs="?", help="; ".join(f"{k}: {v}" for k, v in _ARG.items()))
    sp.add_argument("--bind", default="127.0.0.1", metavar="HOST",
                    help="address to listen on (default 127.0.0.1; anything else is reachable from the network)")
    sp.add_argument("--port", type=int, default=0, help="port (default: a free one)")
    sp.add_argument("--user", action="append", default=[], metavar="NAME:PASSWORD",
                    help="an account (mail, ftp, news, telnet); repeat for more")
    sp.add_argument("--seconds", type=float, default=None, help="stop by itself after this many seconds")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    p = _parser()
    args = p.parse_args(argv)
    if args.command == "labs":
        return _labs(args)
    if args.command == "serve":
        return _serve(p, args)
    p.print_help()
    return 0


def _labs(args) -> int:
    from .labfiles import copy_labs, lab_paths

    if args.list:
        for path in lab_paths():
            print(path.stem)
        return 0
    mode = "student" if args.student else "nbgrader" if args.nbgrader else "full"
    written, kept = copy_labs(args.dir, force=args.force, mode=mode)
    target = Path(args.dir)
    for path in written:
        print(f"wrote {path}")
    for path in kept:
        print(f"kept  {path} (already there and different; --force overwrites it)")
    print(f"{len(written)} lab(s) in {target}/ — start with: jupyter lab {target}/00-tour.ipynb")
    return 0


def _users(p, specs: list[str]) -> dict[str, str] | None:
    users = {}
    for spec in specs:
        name, sep, password = spec.partition(":")
        if not sep or not name or not password:
            p.error(f"--user takes NAME:PASSWORD, not {spec!r}")
        if any(c in spec for c in "\r\n\0"):
            p.error("--user: a name or password cannot hold CR, LF or NUL")
        users[name] = password
    return users or None


def _resolve(p, spec: str):
    import importlib

    mod, sep, attr = spec.partition(":")
    if not sep or not mod or not attr:
        p.error(f"expected module:attribute, not {spec!r}")
    sys.path.insert(0, ".")
    try:
        obj = importlib.import_module(mod)
    except ImportError as e:
        p.error(f"cannot import {mod!r}: {e}")
    for part in attr.split("."):
        if not hasattr(obj, part):
            p.error(f"{mod!r} has no attribute {attr!r}")
        obj = getattr(obj, part)
    return obj


def start_server(p: argparse.ArgumentParser, args):
    """The lab server (or the mail lab) the ``serve`` arguments describe."""
    kind = args.kind
    if kind not in _kinds():
        p.error(f"unknown kind {kind!r}; kinds are: {', '.join(_kinds())}")
    users = _users(p, args.user)
    if users and kind not in _USERS:
        p.error(f"--user does not apply to {kind} servers")
    if args.arg is not None and kind not in _ARG:
        p.error(f"{kind} servers take no positional argument")
    common = {"host": args.bind, "port": args.port}
    if kind == "mail":
        from .labs import lab

        if args.port:
            p.error("the mail lab runs three servers on free ports: --port does not apply")
        return lab("mail", users=users, host=args.bind)
    from .servers import starter

    serve = starter(kind)
    if kind in ("wsgi", "xmlrpc"):
        if not args.arg:
            p.error(f"{kind} needs the application as module:attribute")
        target = _resolve(p, args.arg)
        return serve(target, **common)
    if users:
        common["users"] = users
    if args.arg is not None:
        return serve(args.arg, **common)
    if kind in ("http", "cgi"):
        return serve(".", **common)
    return serve(**common)


def _serve(p, args) -> int:
    loopback = args.bind in ("127.0.0.1", "localhost", "::1") or args.bind.startswith("127.")
    if not loopback:
        print(f"warning: listening on {args.bind}: other machines can reach this lab server "
              "(it is made for teaching, not for the open network)", file=sys.stderr)
    try:
        srv = start_server(p, args)
    except (OSError, ValueError, TypeError) as e:
        print(f"netbook serve: {e}", file=sys.stderr)
        return 1
    servers = getattr(srv, "servers", [srv])
    for s in servers:
        print(f"{s.kind:6} {s.url}", flush=True)
    print("Ctrl-C stops it.", flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    printed = {id(s): 0 for s in servers}  # log rows printed so far, per server
    remaining = args.seconds
    try:
        while not stop.wait(0.2):
            for s in servers:
                _print_new_rows(s, printed)
            if remaining is not None:
                remaining -= 0.2
                if remaining <= 0:
                    break
        for s in servers:
            _print_new_rows(s, printed)
    except KeyboardInterrupt:
        pass
    finally:
        srv.stop()
    print("stopped.", flush=True)
    return 0


def _print_new_rows(s, printed: dict) -> None:
    log = s.log
    with log._lock:
        rows, total = list(log._rows), log._offset + len(log._rows)
    new = total - printed[id(s)]
    for row in rows[max(0, len(rows) - new):]:
        _, peer, request, status, *_rest = row
        print(f"{s.kind:6} {peer} {request} {status}".rstrip(), flush=True)
    printed[id(s)] = total


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
