"""The IMAP4rev1 command language for netbook's IMAP server: tokens
(atoms, quoted strings, literals, parenthesized lists), sequence sets,
dates, BODY[section] specs, and the BAD/NO outcomes of a command."""
from __future__ import annotations

import re
from datetime import datetime, timezone

__all__ = ["SYSTEM_FLAGS", "Bad", "No", "Quoted", "tokenize", "astring", "parse_set", "in_set", "imap_date",
           "parse_search_date", "parse_append_date"]

SYSTEM_FLAGS = ("\\Seen", "\\Answered", "\\Flagged", "\\Deleted", "\\Draft")
_LITERAL = re.compile(rb"\{(\d{1,12})(\+?)\}$")
_MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


class Bad(Exception):
    """A malformed command: tagged BAD."""


class No(Exception):
    """A refused command: tagged NO."""


class Quoted(str):
    """A quoted string or literal (never a keyword)."""


# ---------------------------------------------------------------------------
# parsing
# ---------------------------------------------------------------------------


def tokenize(text: str, literals: list[bytes]) -> list:
    """Parse one command (literals replaced by ``\\x00N\\x01``) into atoms
    (str), Quoted strings, literal bytes and nested lists."""
    stack: list[list] = [[]]
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == " ":
            i += 1
        elif c == "(":
            stack.append([])
            i += 1
        elif c == ")":
            if len(stack) == 1:
                raise Bad("unbalanced parenthesis")
            done = stack.pop()
            stack[-1].append(done)
            i += 1
        elif c == '"':
            j, buf = i + 1, []
            while j < n and text[j] != '"':
                if text[j] == "\\" and j + 1 < n:
                    j += 1
                buf.append(text[j])
                j += 1
            if j >= n:
                raise Bad("unterminated quoted string")
            stack[-1].append(Quoted("".join(buf)))
            i = j + 1
        elif c == "\x00":
            j = text.index("\x01", i)
            stack[-1].append(literals[int(text[i + 1:j])])
            i = j + 1
        else:
            j = i
            while j < n and text[j] not in ' ()"\x00':
                if text[j] == "[":
                    k = text.find("]", j)
                    if k < 0:
                        raise Bad("unterminated [")
                    j = k
                j += 1
            stack[-1].append(text[i:j])
            i = j
    if len(stack) != 1:
        raise Bad("unbalanced parenthesis")
    return stack[0]


def astring(tok) -> str:
    if isinstance(tok, bytes):
        return tok.decode("utf-8", "surrogateescape")
    if isinstance(tok, list):
        raise Bad("string expected")
    return str(tok)


def parse_set(spec: str, biggest: int) -> list[tuple[int, int]]:
    """``1:3,5,7:*`` as inclusive ranges; ``*`` is ``biggest``."""
    out = []
    if not spec or not re.fullmatch(r"[\d*:,]+", spec):
        raise Bad(f"bad sequence set {spec!r}")
    for part in spec.split(","):
        a, _, b = part.partition(":")
        try:
            lo = biggest if a == "*" else int(a)
            hi = lo if not b else (biggest if b == "*" else int(b))
        except ValueError:
            raise Bad(f"bad sequence set {spec!r}") from None
        out.append((min(lo, hi), max(lo, hi)))
    return out


def in_set(n: int, ranges) -> bool:
    return any(lo <= n <= hi for lo, hi in ranges)


def imap_date(ts: float) -> str:
    d = datetime.fromtimestamp(ts, timezone.utc)
    return f"{d.day:02d}-{_MONTHS[d.month - 1]}-{d.year} {d:%H:%M:%S} +0000"


def parse_search_date(s: str):
    try:
        d, m, y = s.split("-")
        return datetime(int(y), _MONTHS.index(m.capitalize()) + 1, int(d), tzinfo=timezone.utc).date()
    except (ValueError, IndexError):
        raise Bad(f"bad date {s!r}") from None


def parse_append_date(s: str) -> float:
    try:
        return datetime.strptime(s.strip(), "%d-%b-%Y %H:%M:%S %z").timestamp()
    except ValueError:
        raise Bad(f"bad date-time {s!r}") from None


_SECTION = re.compile(r"^(BODY\.PEEK|BODY|BINARY\.PEEK|BINARY)\[([^\]]*)\](?:<(\d+)(?:\.(\d+))?>)?$", re.I)


def _tag_of(line: str) -> str:
    return line.split(" ", 1)[0] if re.match(r"[!#$&'+,\-./0-9:;<=>?@A-Za-z\[\]^_`|}~]+ ", line) else "*"
