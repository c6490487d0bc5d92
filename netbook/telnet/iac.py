"""Telnet's in-band commands (RFC 854/855): names, a bounded parser, and a
symbolic rendering such as ``<IAC WILL ECHO>``.

Shared by the client (``nb.telnet``), the lab server (``nb.serve.telnet``)
and their transcripts, so both sides read the same way.
"""
from __future__ import annotations

__all__ = ["COMMANDS", "MAX_SB", "OPTIONS", "IACParser", "describe_sb", "option_name", "render"]

IAC, DONT, DO, WONT, WILL, SB, SE = 255, 254, 253, 252, 251, 250, 240

COMMANDS = {
    255: "IAC", 254: "DONT", 253: "DO", 252: "WONT", 251: "WILL", 250: "SB", 249: "GA", 248: "EL",
    247: "EC", 246: "AYT", 245: "AO", 244: "IP", 243: "BRK", 242: "DM", 241: "NOP", 240: "SE", 239: "EOR",
}
OPTIONS = {
    0: "BINARY", 1: "ECHO", 3: "SGA", 5: "STATUS", 6: "TIMING-MARK", 24: "TTYPE", 31: "NAWS", 32: "TSPEED",
    33: "LFLOW", 34: "LINEMODE", 35: "XDISPLOC", 36: "ENVIRON", 37: "AUTHENTICATION", 38: "ENCRYPT",
    39: "NEW-ENVIRON", 42: "CHARSET", 70: "MSSP", 85: "MCCP1", 86: "MCCP2", 87: "MCCP3", 201: "GMCP",
}
BY_NAME = {v: k for k, v in OPTIONS.items()}
BY_NAME.update({"SUPPRESS-GO-AHEAD": 3, "TERMINAL-TYPE": 24, "TERMINAL_TYPE": 24})

MAX_SB = 4096  # longest subnegotiation accepted before it counts as unterminated


def option_name(opt: int) -> str:
    return OPTIONS.get(opt, str(opt))


def describe_sb(opt: int, payload: bytes) -> str:
    """A readable summary of a subnegotiation's payload."""
    if opt == 31 and len(payload) == 4:  # NAWS: width, height as 16-bit numbers
        return f"{payload[0] * 256 + payload[1]}x{payload[2] * 256 + payload[3]}"
    if opt in (24, 35, 32, 42) and payload[:1] in (b"\x00", b"\x01"):
        verb = "IS" if payload[0] == 0 else "SEND"
        rest = payload[1:].decode("ascii", "replace")
        return f"{verb} {rest!r}" if rest else verb
    if opt == 34 and payload:  # LINEMODE
        kinds = {1: "MODE", 2: "FORWARDMASK", 3: "SLC", 251: "WILL", 252: "WONT", 253: "DO", 254: "DONT"}
        return " ".join([kinds.get(payload[0], str(payload[0]))] + [str(b) for b in payload[1:16]]) + (
            " …" if len(payload) > 16 else "")
    return payload[:32].hex(" ") + (" …" if len(payload) > 32 else "")


class IACParser:
    """Splits a telnet byte stream into tokens, keeping state across feeds.

    Tokens: ``("data", bytes)``, ``("cmd", "WILL", "ECHO")`` (option None
    for two-byte commands), ``("sb", "NAWS", payload)`` and
    ``("error", message)`` for a subnegotiation longer than ``max_sb``
    (an unterminated SB).  Doubled IAC in data is one 255 byte.
    """

    def __init__(self, max_sb: int = MAX_SB):
        self.max_sb = max_sb
        self.state = "data"
        self.cmd = 0
        self.sb_opt = 0
        self.sb = bytearray()
        self.overflow = False

    def feed(self, data: bytes) -> list[tuple]:
        out: list[tuple] = []
        buf = bytearray()

        def flush():
            if buf:
                out.append(("data", bytes(buf)))
                buf.clear()

        for b in data:
            st = self.state
            if st == "data":
                if b == IAC:
                    self.state = "iac"
                else:
                    buf.append(b)
            elif st == "iac":
                if b == IAC:
                    buf.append(IAC)
                    self.state = "data"
                elif b in (WILL, WONT, DO, DONT):
                    self.cmd = b
                    self.state = "opt"
                elif b == SB:
                    self.state = "sbopt"
                else:
                    flush()
                    out.append(("cmd", COMMANDS.get(b, str(b)), None))
                    self.state = "data"
            elif st == "opt":
                flush()
                out.append(("cmd", COMMANDS[self.cmd], option_name(b)))
                self.state = "data"
            elif st == "sbopt":
                self.sb_opt = b
                self.sb.clear()
                self.overflow = False
                self.state = "sb"
            elif st in ("sb", "sbiac"):
                if st == "sbiac":
                    if b == SE:
                        flush()
                        if not self.overflow:
                            out.append(("sb", option_name(self.sb_opt), bytes(self.sb)))
                        self.sb.clear()
                        self.state = "data"
                        continue
                    self.state = "sb"
                    if b != IAC:  # IAC IAC inside SB is one 255 byte; anything else is kept as is
                        self._sb_add(IAC, out)
                elif b == IAC:
                    self.state = "sbiac"
                    continue
                self._sb_add(b, out)
        flush()
        return out

    def _sb_add(self, b: int, out: list) -> None:
        if self.overflow:
            return
        if len(self.sb) >= self.max_sb:
            self.overflow = True
            self.sb.clear()
            out.append(("error", f"subnegotiation {option_name(self.sb_opt)} over {self.max_sb} bytes (unterminated SB)"))
            return
        self.sb.append(b)

    @property
    def in_sb(self) -> bool:
        return self.state in ("sb", "sbiac", "sbopt")


_CONTROL = {0: "NUL", 7: "BEL", 8: "BS", 27: "ESC", 127: "DEL"}


def token_text(tok: tuple) -> str:
    """One token as symbolic text (commands in angle brackets)."""
    kind = tok[0]
    if kind == "cmd":
        return f"<IAC {tok[1]}{' ' + tok[2] if tok[2] else ''}>"
    if kind == "sb":
        opt = BY_NAME.get(tok[1], int(tok[1]) if str(tok[1]).isdigit() else -1)
        return f"<IAC SB {tok[1]} {describe_sb(opt, tok[2])} IAC SE>".replace("  ", " ")
    if kind == "error":
        return f"<{tok[1]}>"
    out = []
    for ch in tok[1].decode("utf-8", "replace"):
        o = ord(ch)
        if o in _CONTROL:
            out.append(f"<{_CONTROL[o]}>")
        elif o < 32 and ch not in "\t\r\n":
            out.append(f"<0x{o:02x}>")
        else:
            out.append(ch)
    return "".join(out)


def render(data: bytes) -> str:
    """Bytes of a telnet stream as text with IAC sequences shown symbolically."""
    return "".join(token_text(t) for t in IACParser(max_sb=1 << 20).feed(data))
