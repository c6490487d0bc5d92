"""Log format strings -> how to cut a line: ``common``, ``combined``,
``vhost_combined``, an Apache ``LogFormat`` or an nginx ``log_format``.

A format is cut into tokens at the spaces outside quotes (as the server
writes them); each token holds one or more directives and literal text.
:func:`compile_format` returns a whole-line RE2 expression (used for lines
with escapes) and the tokens (used to cut the rest with NumPy).
"""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

__all__ = ["FORMATS", "compile_format"]

FORMATS = {
    # http.server writes "common" (its date has no zone and a space before the hour; both are read)
    "common": '%h %l %u %t "%r" %>s %b',
    "combined": '%h %l %u %t "%r" %>s %b "%{Referer}i" "%{User-agent}i"',
    "vhost_combined": '%v:%p %h %l %u %t "%r" %>s %O "%{Referer}i" "%{User-Agent}i"',
}
_QUOTED = r'(?:[^"\\]|\\.)*'
_PLAIN = r'[^ "]*'

# column -> kind: ip, str, status, int, float, time, request
_APACHE = {
    "h": ("client", "ip"), "a": ("client", "ip"), "A": ("server_addr", "ip"), "l": ("ident", "str"),
    "u": ("user", "str"), "t": ("time", "time"), "r": ("request", "request"), "s": ("status", "status"),
    "b": ("bytes", "int"), "B": ("bytes", "int"), "O": ("bytes_sent", "int"), "I": ("bytes_received", "int"),
    "D": ("duration_us", "int"), "T": ("duration_s", "int"), "v": ("vhost", "str"), "V": ("vhost", "str"),
    "p": ("port", "int"), "m": ("method", "str"), "U": ("path", "str"), "q": ("query", "str"),
    "H": ("protocol", "str"), "P": ("pid", "int"), "k": ("keepalive", "int"), "X": ("conn_status", "str"),
    "L": ("log_id", "str"), "f": ("filename", "str"), "R": ("handler", "str"), "S": ("bytes_total", "int"),
}
_NGINX = {
    "remote_addr": ("client", "ip"), "binary_remote_addr": ("client", "str"), "remote_user": ("user", "str"),
    "time_local": ("time", "time"), "time_iso8601": ("time", "time_iso"), "request": ("request", "request"),
    "status": ("status", "status"), "body_bytes_sent": ("bytes", "int"), "bytes_sent": ("bytes_sent", "int"),
    "http_referer": ("referrer", "str"), "http_user_agent": ("user_agent", "str"),
    "request_time": ("request_time", "float"), "upstream_response_time": ("upstream_response_time", "str"),
    "request_length": ("request_length", "int"), "host": ("vhost", "str"), "server_name": ("vhost", "str"),
    "server_port": ("port", "int"), "request_method": ("method", "str"), "request_uri": ("url", "str"),
    "server_protocol": ("protocol", "str"), "msec": ("msec", "float"), "pid": ("pid", "int"),
    "connection": ("connection", "int"), "connection_requests": ("connection_requests", "int"),
}

# -- the format ----------------------------------------------------------------
# A format is cut into tokens at the spaces outside quotes (as the server
# writes them).  Each token holds one or more directives and literal text;
# ``%t`` is two tokens (date, then zone -- or, from http.server, date and time).
_TOKEN_PAT = {
    "status": r"\d{3}|-", "int": r"-?\d+|-", "float": r"-?\d+(?:\.\d+)?|-",
    "t1": r"\d{2}/[A-Za-z]{3}/\d{4}(?::\d{2}:\d{2}:\d{2})?", "t2": r"[+-]\d{4}|\d{2}:\d{2}:\d{2}",
    "time_iso": r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:Z|[+-]\d{2}:?\d{2})",
}


class _Token:
    __slots__ = ("group", "items", "prefix", "quoted", "suffix")

    def __init__(self, quoted, items, group):
        self.quoted, self.items, self.group = quoted, items, group
        dirs = [i for i, it in enumerate(items) if it[0] == "dir"]
        single = len(dirs) == 1
        self.prefix = "".join(it[1] for it in items[:dirs[0]]) if single else ""
        self.suffix = "".join(it[1] for it in items[dirs[0] + 1:]) if single else ""

    @property
    def dirs(self):
        return [it[1:] for it in self.items if it[0] == "dir"]

    def regex(self) -> str:
        if self.quoted:
            return f'"(?P<{self.group}>{_QUOTED})"'
        if len(self.dirs) == 1:
            ((_, kind),) = self.dirs
            pat = _TOKEN_PAT.get(kind, _PLAIN)
            return re.escape(self.prefix) + f"(?P<{self.group}>{pat})" + re.escape(self.suffix)
        return f"(?P<{self.group}>" + self.inner_regex(named=False) + ")"

    def inner_regex(self, named: bool = True) -> str:
        """The token's content, one group per directive."""
        out = []
        for j, it in enumerate(self.items):
            if it[0] == "lit":
                out.append(re.escape(it[1]).replace("\\ ", " "))
            else:
                pat = _TOKEN_PAT.get(it[2], _QUOTED if self.quoted else _PLAIN)
                out.append(f"(?P<d{j}>{pat})" if named else f"(?:{pat})")
        return "".join(out)


def _items(fmt: str) -> list:
    """[("lit", text) | ("dir", column, kind)] of a format string."""
    if "$" in fmt:
        tokens = re.split(r"(\$\{?[A-Za-z_][A-Za-z0-9_]*\}?)", fmt)
    elif "%" in fmt:
        tokens = re.split(r"(%[<>!0-9,]*(?:\{[^}]*\})?[A-Za-z%])", fmt)
    else:
        raise ValueError(f"unknown log format {fmt!r}: give one of {', '.join(FORMATS)}, an Apache LogFormat or an nginx log_format")
    items: list = []
    seen: dict = {}
    for i, tok in enumerate(tokens):
        if i % 2 == 0:
            if tok:
                items.append(("lit", tok))
            continue
        col, kind = _directive(tok)
        if kind == "literal":
            items.append(("lit", col))
            continue
        if col in seen:
            seen[col] += 1
            col = f"{col}_{seen[col]}"
        else:
            seen[col] = 1
        if kind == "time":
            if tok.startswith("%"):
                items += [("lit", "["), ("dir", "time", "t1"), ("lit", " "), ("dir", "time", "t2"), ("lit", "]")]
            else:
                items += [("dir", "time", "t1"), ("lit", " "), ("dir", "time", "t2")]
        else:
            items.append(("dir", col, kind))
    return items


@lru_cache(maxsize=64)  # every block of a log asks again; tokens are never changed
def compile_format(fmt: str):
    """(line regex, tokens) for a format name, an Apache ``LogFormat`` or an
    nginx ``log_format`` string."""
    fmt = FORMATS.get(fmt, fmt).replace('\\"', '"')
    items = _items(fmt)
    tokens: list[Any] = []
    cur: list = []
    quoted = False
    # split literals at spaces outside quotes; a quote opens/closes a quoted token
    flat = []
    for it in items:
        if it[0] == "lit":
            flat += [("lit", ch) for ch in it[1]]
        else:
            flat.append(it)
    for it in flat:
        if it[0] == "lit" and it[1] == '"':
            if quoted:
                tokens.append(_Token(True, _merge(cur), f"k{len(tokens)}"))
                cur, quoted = [], False
            elif cur:
                raise ValueError(f"a quote inside a token of the format {fmt!r} is not supported")
            else:
                quoted = True
            continue
        if it[0] == "lit" and it[1] == " " and not quoted:
            if cur:
                tokens.append(_Token(False, _merge(cur), f"k{len(tokens)}"))
            cur = []
            continue
        cur.append(it)
    if quoted:
        raise ValueError(f"unbalanced quotes in the log format {fmt!r}")
    if cur:
        tokens.append(_Token(False, _merge(cur), f"k{len(tokens)}"))
    if not any(t.dirs for t in tokens):
        raise ValueError(f"the log format {fmt!r} has no directives")
    # consecutive spaces in the format are one separator each: keep it simple, one
    regex = "^" + " ".join(t.regex() for t in tokens) + r"\r?\n?$"
    return regex, tokens


def _merge(items):
    out = []
    for it in items:
        if it[0] == "lit" and out and out[-1][0] == "lit":
            out[-1] = ("lit", out[-1][1] + it[1])
        else:
            out.append(it)
    return out


def _directive(tok: str) -> tuple[str, str]:
    if tok.startswith("$"):
        name = tok.strip("${}")
        if name in _NGINX:
            return _NGINX[name]
        if name.startswith("http_"):
            return name[5:], "str"
        return name, "str"
    m = re.fullmatch(r"%([<>!0-9,]*)(?:\{([^}]*)\})?([A-Za-z%])", tok)
    if m is None:  # pragma: no cover - the split only yields matches
        raise ValueError(f"bad directive {tok!r}")
    arg, letter = m.group(2), m.group(3)
    if letter == "%":
        return "%", "literal"
    if arg is not None and letter == "i":
        name = arg.lower().replace("-", "_")
        return {"referer": "referrer", "user_agent": "user_agent"}.get(name, name), "str"
    if arg is not None and letter == "t":
        raise ValueError(f"{tok}: custom time formats are not supported; use %t")
    if arg is not None:
        return f"{arg.lower().replace('-', '_')}_{letter}", "str"
    if letter not in _APACHE:
        raise ValueError(f"unknown Apache log directive {tok!r}")
    return _APACHE[letter]


