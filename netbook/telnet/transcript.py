"""A Transcript that reads telnet: IAC sequences shown as ``<IAC WILL ECHO>``,
and the line typed after a ``Password:`` prompt masked (telnet has no PASS
command: the prompt is the only sign of a secret)."""
from __future__ import annotations

import re
from datetime import datetime, timezone

from ..transcript import CLIENT, MASK, Entry, Transcript, redact_line
from .iac import IACParser, token_text

__all__ = ["PASSWORD_PROMPT", "TelnetTranscript"]

PASSWORD_PROMPT = re.compile(r"(?:password|passphrase|passcode)\s*:\s*$", re.I)


def _wire_size(tok: tuple) -> int:
    """Bytes a command token took on the wire: IAC cmd [option], IAC SB opt ... IAC SE."""
    if tok[0] == "cmd":
        return 3 if tok[2] else 2
    if tok[0] == "sb":
        return 5 + len(tok[2]) + tok[2].count(0xFF)
    return 0


class TelnetTranscript(Transcript):
    """Lines hold either telnet commands or text, never both, so the
    negotiation reads apart from the conversation.  ``add_secret(value)``
    masks a known secret wherever it appears (the server knows which line
    was the password; the client knows what it sent as one)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.secrets: list[str] = []

    def add_secret(self, value: str) -> None:
        if value and value not in self.secrets:
            self.secrets.append(value)

    def lines(self, reveal: bool = False, max_line: int = 400):
        with self._lock:
            entries = [Entry(e.time, e.direction, e.data) for e in self.entries]
        parsers = {}
        secret_next = False  # the server's last words asked for a password
        for e in entries:
            parser = parsers.setdefault(e.direction, IACParser(max_sb=1 << 20))
            cur, nbytes = [], 0
            out = []
            cmds = False  # cur holds commands (True) or text (False)
            for tok in parser.feed(e.data):
                if tok[0] != "data":
                    if cur and not cmds:
                        out.append(("".join(cur), nbytes))
                        cur, nbytes = [], 0
                    cmds = True
                    cur.append(token_text(tok))
                    nbytes += _wire_size(tok)
                    continue
                if cur and cmds:
                    out.append(("".join(cur), nbytes))
                    cur, nbytes = [], 0
                cmds = False
                chunks = tok[1].split(b"\n")
                for i, chunk in enumerate(chunks):
                    if chunk:
                        cur.append(token_text(("data", chunk.rstrip(b"\r") if i < len(chunks) - 1 else chunk)))
                    nbytes += len(chunk)
                    if i < len(chunks) - 1:
                        out.append(("".join(cur), nbytes + 1))
                        cur, nbytes = [], 0
            if cur:
                out.append(("".join(cur), nbytes))
            t = datetime.fromtimestamp(e.time, timezone.utc)
            for text, n in out:
                shown = text.rstrip("\r")
                if not reveal:
                    for secret in self.secrets:  # short ones only as a whole line: "pw" must not eat "pwd"
                        if len(secret) >= 4:
                            shown = shown.replace(secret, MASK)
                        elif shown.strip() == secret:
                            shown = MASK
                    if e.direction == CLIENT and secret_next and shown.strip():
                        shown = MASK
                        secret_next = False
                    else:
                        shown = redact_line(shown)
                if e.direction != CLIENT and text.strip():
                    plain = re.sub(r"<[^>]*>", "", text)
                    if plain.strip():
                        secret_next = bool(PASSWORD_PROMPT.search(plain.rstrip("\r\n")))
                if len(shown) > max_line:
                    shown = shown[:max_line] + f"… ({n} bytes)"
                yield (t, e.direction, shown, n)
