"""``%telnet`` and ``%%telnet``: thin shells over ``nb.telnet``.

    %telnet URL [--password {pw}] [--timeout S] [-o VAR]
        connect, read the banner, show the negotiation and the transcript

    %%telnet URL [--password {pw}] [--timeout S] [--wait S] [-o VAR]
    whoami                 a plain line is sent, then what comes is read
    expect: login:\\s*$     wait for a regex
    send: alice            send a line (exactly; "send:" alone sends an empty line)

``{name}`` is interpolated from the notebook; a value with CR/LF is refused
(it would split one line into two commands).  A user and password in the
URL (or ``--password``) log in first.
"""
from __future__ import annotations

from typing import Any

from IPython.core.magic import (
    line_magic,
    magics_class,
    no_var_expand,
)

from ..interpolate import interpolate
from ..magicargs import MagicParser, NetbookMagics, named_cell_magic, store

__all__ = ["TelnetMagics", "register", "run_cell"]


def _parser(prog: str) -> MagicParser:
    p = MagicParser(prog, usage=f"{prog} URL [--password P] [--timeout S] [--wait S] [-o VAR]")
    p.add_argument("url")
    p.add_argument("--password", default=None)
    p.add_argument("--timeout", type=float, default=5.0)
    p.add_argument("--wait", type=float, default=0.3)
    p.add_output()
    return p


def run_cell(client: Any, cell: str, ns: dict[str, Any] | None = None, wait: float = 0.3) -> Any:
    """Run a %%telnet cell body on a connected client."""
    for raw in cell.splitlines():
        line = interpolate(raw, ns)
        head = line.lstrip()
        if not head or head.startswith("#"):
            continue
        if head.startswith("expect:"):
            client.expect([head[7:].strip()])
        elif head.startswith("send:"):
            client.send(head[5:].lstrip(" ") if head[5:].strip() else "")
        else:
            client.send(line)
            client.read(wait)
    client.read(wait)
    return client


@magics_class
class TelnetMagics(NetbookMagics):
    def _connect(self, line: str, prog: str) -> tuple[Any, Any]:
        from . import telnet

        ns = self.user_ns
        o = _parser(prog).parse_line(line, ns)
        c = telnet(o.url, password=o.password, timeout=o.timeout)
        return c, o

    @no_var_expand
    @line_magic
    def telnet(self, line: str) -> Any:
        """%telnet URL [--password {pw}] [--timeout S] [-o VAR]"""
        c, o = self._connect(line, "%telnet")
        c.read(o.wait)
        return store(self.user_ns, o.out, c)

    @no_var_expand
    @named_cell_magic("telnet")
    def telnet_cell(self, line: str, cell: str) -> Any:
        """%%telnet URL [--password {pw}] [-o VAR]; the cell: lines to send, or expect:/send: steps."""
        c, o = self._connect(line, "%%telnet")
        try:
            run_cell(c, cell, self.user_ns, o.wait)
        finally:
            c.close()
        return store(self.user_ns, o.out, c)


def register(ipython: Any) -> None:
    ipython.register_magics(TelnetMagics)
