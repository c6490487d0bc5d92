"""``{name}`` interpolation from the user namespace, for magics.

Values that would inject CR or LF into a protocol line (a request line, a
header, an SMTP command) are refused: interpolation happens per line and a
value containing a line break is an :class:`~netbook.errors.InjectionError`.
Double braces ``{{name}}`` (the ``.http`` file syntax) work the same.
``\\{`` keeps a literal brace.
"""
from __future__ import annotations

import re

from .errors import InjectionError

__all__ = ["interpolate", "check_line"]

_VAR = re.compile(r"(?<!\\)\{\{\s*([^{}]+?)\s*\}\}|(?<!\\)\{([A-Za-z_][\w.\[\]'\"]*)\}")


def _lookup(expr: str, ns: dict):
    try:
        return eval(expr, {"__builtins__": {}}, ns)  # noqa: S307 - the user's own kernel namespace
    except NameError:
        raise NameError(f"{{{expr}}}: no variable named {expr.split('.')[0].split('[')[0]!r} in the notebook") from None


def interpolate(text: str, ns: dict | None, *, multiline_values: bool = False) -> str:
    """Replace ``{name}``/``{{name}}`` with values from ``ns``.

    With ``multiline_values=False`` (protocol lines), a value containing CR or
    LF raises InjectionError.  Bodies (after a blank line) may pass ``True``.
    """
    ns = ns or {}

    def sub(m):
        expr = m.group(1) or m.group(2)
        value = str(_lookup(expr, ns))
        if not multiline_values and ("\r" in value or "\n" in value):
            raise InjectionError(
                f"{{{expr}}} contains a line break (CR/LF); refused: it would inject a protocol line"
            )
        return value

    return _VAR.sub(sub, text).replace("\\{", "{")


def check_line(value: str, what: str = "value") -> str:
    """Refuse CR, LF and NUL in a value bound for one protocol line."""
    if any(c in value for c in "\r\n\0"):
        raise InjectionError(f"{what} contains CR/LF/NUL; refused: it would inject a protocol line")
    return value
